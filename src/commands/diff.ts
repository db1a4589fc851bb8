// `cs <name> -diff [--stat]`: what the session changed — a feature since it
// branched, any session since it last started — through git's pager.
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { diffBase, showDiff } from '../features/diff.js';
import { validateSessionRef } from '../features/ref.js';
import { findSession } from '../session/workspace.js';
import type { Context, Invocation } from './types.js';

export interface DiffOptions {
  session: string;
  stat: boolean;
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): DiffOptions {
  const p = parseArgs(args, { booleans: ['--stat'] }, '-diff');
  expectPositionals(p, 0, 0, '-diff', 'cs <name> -diff [--stat]');
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  if (!given) throw new UsageError('-diff needs a session', 'name it: cs <name> -diff');
  return { session: validateSessionRef(given), stat: flag(p, '--stat') };
}

export async function run(opts: DiffOptions, ctx: Context): Promise<number> {
  const found = findSession(ctx.env, opts.session);
  if (!found) throw new UserError(`no session named '${opts.session}'`, 'see cs -ls');
  const { commit } = await diffBase(opts.session, found.paths.dir, ctx.env);
  return showDiff(found.paths.dir, commit, { stat: opts.stat }, ctx.env);
}
