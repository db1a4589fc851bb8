// A stand-in for the cs dispatcher in process tests: `cli.ts <session> <-secrets args…>`.
import { parse, run } from '../../src/commands/secrets.js';
import { errorMessage, exitCodeOf } from '../../src/lib/errors.js';
import { systemIO } from '../../src/term/io.js';

const io = systemIO();
const [session, ...args] = process.argv.slice(2);
try {
  const opts = parse(args, { session: session || undefined }, process.env);
  const code = await run(opts, { io, env: process.env, cwd: process.cwd(), now: () => new Date() });
  process.exit(code ?? 0);
} catch (e) {
  const hint = (e as { hint?: string }).hint;
  io.err(`cs: ${errorMessage(e)}${hint ? `\n  ${hint}` : ''}`);
  process.exit(exitCodeOf(e));
}
