// Typed errors: commands throw these, and only main() turns them into a
// message and an exit code. Anything else is a bug and shows a stack only
// with CS_DEBUG=1.

/** Wrong arguments: the user typed something we cannot parse. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** A sound request we cannot carry out (locked, missing, refused). Exit 1. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(message: string, readonly hint?: string, readonly exitCode = 1) {
    super(message);
  }
}

/** The user said no, or pressed Ctrl-C at a prompt. Exit 130. */
export class CancelError extends Error {
  override name = 'CancelError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** An external program failed; carries its stderr and exit code. */
export class ProcessError extends Error {
  override name = 'ProcessError';
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    const detail = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit code ${code}`;
    super(`${command} ${args[0] ?? ''} failed: ${detail}`.replace(/\s+failed/, ' failed'));
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof UserError) return err.exitCode;
  if (err instanceof CancelError) return 130;
  return 1;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The stand-in for the session's name in a hint thrown where the session is
 * not known by name (a queue file read by its folder): `cs <session> -queue
 * clear`. The dispatcher spells it out (namingSession).
 */
export const SESSION_IN_HINT = 'cs <session>';

/**
 * `err` with SESSION_IN_HINT in its hint spelt as `cs <name>`, when it is a
 * UserError with one (a new UserError: same message, hint and exit code);
 * anything else as it is.
 */
export function namingSession(err: unknown, name: string): unknown {
  if (!(err instanceof UserError) || !err.hint?.includes(SESSION_IN_HINT)) return err;
  const named = new UserError(err.message, err.hint.split(SESSION_IN_HINT).join(`cs ${name}`), err.exitCode);
  if (err.stack) named.stack = err.stack;
  return named;
}
