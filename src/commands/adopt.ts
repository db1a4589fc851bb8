// `cs -adopt <name>`: make the current directory a session in place.
import { expectPositionals, parseArgs } from '../args.js';
import { validateName } from '../session/names.js';
import { adoptSession } from '../session/workspace.js';
import type { Context } from './types.js';

export interface AdoptOptions {
  name: string;
}

export function parse(args: string[]): AdoptOptions {
  const parsed = parseArgs(args, {}, '-adopt');
  const [name] = expectPositionals(parsed, 1, 1, '-adopt', 'cs -adopt <name>');
  return { name: validateName(name!) };
}

export async function run(opts: AdoptOptions, ctx: Context): Promise<number> {
  const r = await adoptSession(ctx.env, opts.name, ctx.cwd, ctx.now());
  const { io } = ctx;
  if (r.alreadyAdopted) {
    io.err(`cs: ${r.paths.dir} is already session '${opts.name}'; brought .cs/ and CLAUDE.md up to date`);
  } else {
    io.err(`cs: adopted ${r.paths.dir} as session '${opts.name}'${r.createdRepo ? ' (new git repo)' : ''}`);
    io.err(`cs: open it with: cs ${opts.name}`);
  }
  return 0;
}
