// cs -mv <old> <new> (alias -rename): rename a session and everything keyed by its name (src/session/rename.ts).
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { validateName } from '../session/names.js';
import { usageLine } from './table.js';
import type { Context } from './types.js';

export interface RenameOptions {
  from: string;
  to: string;
  json: boolean;
}

export function parse(args: string[]): RenameOptions {
  const p = parseArgs(args, { booleans: ['--json'] }, '-mv');
  const [from, to] = expectPositionals(p, 2, 2, '-mv', usageLine('-mv'));
  return { from: validateName(from!), to: validateName(to!), json: flag(p, '--json') };
}

export async function run(opts: RenameOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const { renameSession } = await import('../session/rename.js');
  const r = await renameSession(ctx.env, opts.from, opts.to, ctx.now(), (line, level) => io.err(level === 'warn' ? io.color.yellow(`cs: ${line}`) : io.color.dim(`cs: ${line}`)));
  if (opts.json) {
    io.out(JSON.stringify(r, null, 2));
    return 0;
  }
  const secrets = r.secrets.reduce((n, s) => n + s.keys.length, 0);
  const parts = [
    r.adopted ? 'the project stays where it is' : `now at ${r.dir}`,
    ...(secrets ? [`${secrets} secret${secrets === 1 ? '' : 's'} moved (${r.secrets.map((s) => s.backend).join(', ')})`] : []),
    ...(r.transcripts ? [`${r.transcripts} conversation${r.transcripts === 1 ? '' : 's'} moved`] : []),
  ];
  io.err(`cs: renamed '${r.from}' to '${r.to}': ${parts.join('; ')}`);
  return 0;
}
