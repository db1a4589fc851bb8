// A stand-in for the cs dispatcher in process tests: `cli.ts <session> <-secrets args…>`.
import { dispatch } from '../../src/commands/dispatch.js';
import { findCommand } from '../../src/commands/table.js';
import { errorMessage, exitCodeOf } from '../../src/lib/errors.js';
import { systemIO } from '../../src/term/io.js';

const io = systemIO();
const [session, ...args] = process.argv.slice(2);
try {
  const code = await dispatch(findCommand('-secrets')!, args, session ? { session } : {}, { io, env: process.env, cwd: process.cwd(), now: () => new Date() });
  process.exit(code);
} catch (e) {
  const hint = (e as { hint?: string }).hint;
  io.err(`cs: ${errorMessage(e)}${hint ? `\n  ${hint}` : ''}`);
  process.exit(exitCodeOf(e));
}
