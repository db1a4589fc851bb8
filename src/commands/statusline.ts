// cs -statusline enable [--replace] | disable: register cs's status line
// (hooks/statusline) in Claude Code's settings.json (src/install/statusline.ts).
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UsageError } from '../lib/errors.js';
import { usageLine } from './table.js';
import type { Context } from './types.js';

export interface StatusLineOptions {
  action: 'enable' | 'disable';
  replace: boolean;
}

export function parse(args: string[]): StatusLineOptions {
  const p = parseArgs(args, { booleans: ['--replace'] }, '-statusline');
  const [action] = expectPositionals(p, 1, 1, '-statusline', usageLine('-statusline'));
  if (action !== 'enable' && action !== 'disable') throw new UsageError(`unknown -statusline action '${action}'`, `usage: ${usageLine('-statusline')}`);
  if (action === 'disable' && flag(p, '--replace')) throw new UsageError('--replace goes with enable', `usage: ${usageLine('-statusline')}`);
  return { action, replace: flag(p, '--replace') };
}

export async function run(opts: StatusLineOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const m = await import('../install/statusline.js');
  if (opts.action === 'enable') {
    const r = m.enableStatusLine(ctx.env, opts.replace);
    m.assertNoConflict(r);
    if (r.outcome === 'already') io.err(`cs: the cs status line is already on in ${r.file}`);
    else if (r.outcome === 'replaced') io.err(`cs: status line on in ${r.file}; yours (${m.describeEntry(r.theirs)}) is saved and comes back with cs -statusline disable`);
    else io.err(`cs: status line on in ${r.file} (Claude Code shows it from the next refresh)`);
    return 0;
  }
  const r = m.disableStatusLine(ctx.env);
  if (r.outcome === 'disabled') io.err(`cs: status line off in ${r.file}${r.theirs ? `; yours is back (${m.describeEntry(r.theirs)})` : ''}`);
  else if (r.outcome === 'not-ours') io.err(`cs: the status line in ${r.file} is not cs's (${m.describeEntry(r.theirs)}); left it alone`);
  else io.err('cs: the cs status line was not on');
  return 0;
}
