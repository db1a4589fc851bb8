// Builds the Context every command runs with (types.ts): its message
// style and its one Ctrl-C path.
import { CancelError } from '../lib/errors.js';
import type { RunContext } from '../lib/context.js';
import type { Session } from '../session/resolve.js';
import type { Context } from './types.js';

/**
 * `stop`: in tests, ends untilInterrupted instead of SIGINT/SIGTERM.
 * Without it the process signals do, and the handlers are removed after;
 * SIGINT then throws CancelError (exit 130) once the work has ended.
 */
export function commandContext(base: RunContext & { session?: Session; stop?: AbortSignal; invoke?: Context['invoke'] }): Context {
  const { stop, invoke, ...rest } = base;
  const { io } = base;
  return {
    ...rest,
    invoke: invoke ?? (() => Promise.reject(new Error('internal: this context cannot run other commands'))),
    info: (line) => io.err(`cs: ${line}`),
    warn: (line) => io.err(io.color.yellow(`cs: ${line}`)),
    onExit(cleanup) {
      process.once('exit', cleanup);
      return () => void process.off('exit', cleanup);
    },
    async untilInterrupted(work) {
      if (stop) return work(stop);
      const controller = new AbortController();
      let interrupted = false;
      const onInt = () => {
        interrupted = true;
        controller.abort();
      };
      // SIGTERM (a service manager stopping -serve) and SIGHUP (its terminal closed) are clean
      // stops: exit 0, after the work's own clean-up (which Node's default for them skips).
      const onTerm = () => controller.abort();
      process.once('SIGINT', onInt);
      process.once('SIGTERM', onTerm);
      process.once('SIGHUP', onTerm);
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work(controller.signal);
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        process.off('SIGHUP', onTerm);
      }
      // Ctrl-C ends the work cleanly, and exits 130 as it does everywhere in cs.
      if (interrupted) throw new CancelError('interrupted');
      return result;
    },
  };
}

/**
 * The two early answers of a listing command: with --json, `data` as JSON
 * on stdout (an empty list included); with nothing to list, `empty` as an
 * info line. Returns true when it answered, so the caller prints its table
 * only otherwise.
 */
export function answeredAsJsonOrEmpty(ctx: Pick<Context, 'io' | 'info'>, o: { json: boolean; data: unknown; count: number; empty: string }): boolean {
  if (o.json) ctx.io.out(JSON.stringify(o.data, null, 2));
  else if (o.count === 0) ctx.info(o.empty);
  else return false;
  return true;
}
