// The one shape every command has: parse(argv) -> options (all flag checks,
// no side effects), then run(options, context). run never reads
// process.argv or process.env; it gets them through the context.
import type { IO } from '../term/io.js';

export interface Context {
  io: IO;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => Date;
}

/** What the dispatcher already knows when it hands arguments to a command. */
export interface Invocation {
  /** Session named before the command (`cs <s> -sync push`), if any. */
  session?: string;
}

export interface Command<O> {
  parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): O;
  /** Resolves to the process exit code (0 when omitted). */
  run(opts: O, ctx: Context): Promise<number | void>;
}
