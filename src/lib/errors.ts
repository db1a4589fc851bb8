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
