// Installs cs for the current user from this source tree:
// `node --import tsx install.ts` (`npm run setup` builds and runs the same
// installer through `node dist/cs.js -install`). Honours HOME,
// CLAUDE_CONFIG_DIR, CS_BIN_DIR and CS_DATA_DIR so it can be pointed at a temp home.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, exitCodeOf, UserError } from './src/lib/errors.js';
import { systemIO } from './src/term/io.js';
import { install } from './src/install/install.js';
import { printReport } from './src/commands/install.js';

const io = systemIO();
try {
  const root = path.dirname(fileURLToPath(import.meta.url));
  printReport(io, install(root, process.env));
} catch (err) {
  const hint = err instanceof UserError ? err.hint : undefined;
  io.err(`install: ${errorMessage(err)}${hint ? ` — ${hint}` : ''}`);
  process.exitCode = exitCodeOf(err);
}
