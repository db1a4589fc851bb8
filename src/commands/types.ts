// The one shape every command module has: `command = { parse, run }`.
// parse(args) gets argv already checked against the command's declaration
// in the table (src/commands/argv.ts) and turns it into options, with the
// checks that need meaning (a port's range, on|off) and no side effects;
// run(options, context) does the work. run never reads process.argv,
// process.env or process signals; it gets them through the context.
import type { RunContext } from '../lib/context.js';
import type { Session } from '../session/resolve.js';
import type { Args } from './argv.js';

export interface Context extends RunContext {
  /**
   * The session the command's declaration asks for, found and checked by
   * src/session/resolve.ts before run (undefined when it takes none, or an
   * optional one was not given).
   */
  session?: Session;
  /** One line on stderr, `cs: <line>`. */
  info(line: string): void;
  /** A warning on stderr, `cs: <line>` in yellow (io.color: none with NO_COLOR or off a terminal). */
  warn(line: string): void;
  /**
   * Runs `work` until Ctrl-C or SIGTERM (or, in tests, the context's stop
   * signal) aborts the signal it gets, then returns what it returns. The one
   * place commands wait for an interruption: a command that must end with
   * 130 on Ctrl-C lets CancelError out of its children instead.
   */
  untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Registers cleanup that must run however the process ends (a lock to
   * release); returns the function that unregisters it once done normally.
   */
  onExit(cleanup: () => void): () => void;
  /** Runs another command of the table as if typed (`cs <session> <name> <args>`), with this context's I/O; the picker's actions. */
  invoke(name: string, args: string[], session?: string): Promise<number>;
}

export interface Command<O> {
  parse(args: Args): O;
  /** Resolves to the process exit code (0 when omitted). */
  run(opts: O, ctx: Context): Promise<number | void>;
}

/** A command that works on the session its declaration names: run gets it resolved. */
export type SessionContext = Context & { session: Session };

/** The session of a command whose declaration requires one (the dispatcher resolved it). */
export function sessionOf(ctx: Context): Session {
  if (!ctx.session) throw new Error('internal: this command declares a session but none was resolved');
  return ctx.session;
}
