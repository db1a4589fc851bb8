// `cs <name> -stop [--timeout S]`: end a hosted session like /exit (then a
// signal after the timeout) and run the normal end-of-session work.
import { UsageError, UserError } from '../lib/errors.js';
import { value, type Args } from './argv.js';
import { sessionOf, type Command, type Context } from './types.js';

export interface StopOptions {
  /** Seconds Claude gets to leave after /exit, and again after SIGTERM. */
  timeout: number;
}

export function parse(a: Args): StopOptions {
  const t = value(a, '--timeout');
  if (t !== undefined && !/^\d+(\.\d+)?$/.test(t)) throw new UsageError(`--timeout takes seconds, not '${t.slice(0, 40)}'`, a.usage);
  return { timeout: t === undefined ? 10 : Number(t) };
}

export async function run(opts: StopOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const found = sessionOf(ctx);
  const name = found.name;
  const { stopHosted } = await import('../host/stop.js');
  const r = await stopHosted(found.paths, ctx.env, { timeoutMs: opts.timeout * 1000, onStopping: () => io.err(io.color.dim(`cs: stopping '${name}' (/exit, then a signal after ${opts.timeout} s)`)) });
  if (r.how !== 'exit') ctx.warn(`Claude did not leave after /exit; ended it with ${r.how}`);
  for (const line of r.last?.lines ?? []) io.err(io.color.dim(`cs: ${line}`));
  if (!r.last) throw new UserError(`'${name}' did not finish its end-of-session work in time`, `see .cs/logs/session.log in ${found.paths.dir}`);
  ctx.info(`'${name}' stopped`);
  return 0;
}

export const command: Command<StopOptions> = { parse, run };
