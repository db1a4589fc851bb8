// `cs <name> -stop [--timeout S]`: end a hosted session like /exit (then a
// signal after the timeout) and run the normal end-of-session work.
import { UsageError, UserError } from '../lib/errors.js';
import { value, type Args } from './argv.js';
import { sessionOf, type Command, type Context } from './types.js';
import type { RemoteConf } from '../remote/stub.js';

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
  if (found.kind === 'remote') return stopThere(name, found.remote!, opts, ctx);
  const { stopHosted } = await import('../host/stop.js');
  // Ctrl-C calls the stop off (exit 130) instead of killing cs halfway, which left the stop marker behind.
  const r = await ctx.untilInterrupted(async (signal) => {
    const r = await stopHosted(found.paths, ctx.env, { timeoutMs: opts.timeout * 1000, signal, onStopping: () => io.err(io.color.dim(`cs: stopping '${name}' (/exit, then a signal after ${opts.timeout} s)`)) });
    if (r.calledOff) ctx.warn(`stop called off: '${name}' keeps running (it may still act on the /exit typed) — cs ${name} -stop tries again`);
    else if (signal.aborted && !r.last) ctx.warn(`no longer waiting: '${name}' finishes its end-of-session work in its pane — see .cs/logs/session.log in ${found.paths.dir}`);
    return r;
  });
  if (r.calledOff) return 1;
  if (r.how !== 'exit') ctx.warn(`Claude did not leave after /exit; ended it with ${r.how}`);
  for (const line of r.last?.lines ?? []) io.err(io.color.dim(`cs: ${line}`));
  if (!r.last) throw new UserError(`'${name}' did not finish its end-of-session work in time`, `see .cs/logs/session.log in ${found.paths.dir}`);
  ctx.info(`'${name}' stopped`);
  return 0;
}

/**
 * A session on another host: `cs <name> -stop` runs there, over ssh (batch
 * mode, its own process group: Ctrl-C ends it), and what it says is passed
 * on; its exit code is this command's. Attaching to stop it was the only
 * way, and attaching lands in Claude.
 */
async function stopThere(name: string, conf: RemoteConf, opts: StopOptions, ctx: Context): Promise<number> {
  const { stubTarget } = await import('../remote/stub.js');
  const { runRemote, transportConfig } = await import('../remote/ssh.js');
  const cfg = transportConfig(ctx.env);
  const target = stubTarget(ctx.env, conf);
  ctx.io.err(ctx.io.color.dim(`cs: stopping '${name}' on ${target.label}`));
  // Its own wait (/exit, then SIGTERM, each up to the timeout) and the end-of-session work there.
  const r = await runRemote(cfg, target, [cfg.remoteCs, name, '-stop', '--timeout', String(opts.timeout)], { env: ctx.env, batch: true, timeoutMs: (opts.timeout * 2 + 120) * 1000 });
  for (const line of r.stderr.split('\n').filter(Boolean)) ctx.io.err(line.startsWith('cs: ') ? line.replace(/^cs: /, `cs: ${target.label}: `) : line);
  return r.code;
}

export const command: Command<StopOptions> = { parse, run };
