// `cs <name> -stop [--timeout S]`: end a hosted session like /exit (then a
// signal after the timeout) and run the normal end-of-session work.
import { expectPositionals, flagValue, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { validateName } from '../session/names.js';
import { findSession } from '../session/workspace.js';
import { usageLine } from './table.js';
import type { Context, Invocation } from './types.js';

export const usage = usageLine('-stop');

export interface StopOptions {
  name: string;
  /** Seconds Claude gets to leave after /exit, and again after SIGTERM. */
  timeout: number;
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): StopOptions {
  const p = parseArgs(args, { values: ['--timeout'] }, '-stop');
  expectPositionals(p, 0, 0, '-stop', usage);
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  if (!given) throw new UsageError('-stop needs a session', usage);
  const t = flagValue(p, '--timeout');
  if (t !== undefined && !/^\d+(\.\d+)?$/.test(t)) throw new UsageError(`--timeout takes seconds, not '${t.slice(0, 40)}'`, usage);
  return { name: validateName(given), timeout: t === undefined ? 10 : Number(t) };
}

export async function run(opts: StopOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const found = findSession(ctx.env, opts.name);
  if (!found) throw new UserError(`no session named '${opts.name}'`, 'see cs -ls');
  const { stopHosted } = await import('../host/stop.js');
  io.err(io.color.dim(`cs: stopping '${opts.name}' (/exit, then a signal after ${opts.timeout} s)`));
  const r = await stopHosted(found.paths, ctx.env, { timeoutMs: opts.timeout * 1000 });
  if (r.how !== 'exit') io.err(io.color.yellow(`cs: Claude did not leave after /exit; ended it with ${r.how}`));
  for (const line of r.last?.lines ?? []) io.err(io.color.dim(`cs: ${line}`));
  if (!r.last) throw new UserError(`'${opts.name}' did not finish its end-of-session work in time`, `see .cs/logs/session.log in ${found.paths.dir}`);
  io.err(`cs: '${opts.name}' stopped`);
  return 0;
}
