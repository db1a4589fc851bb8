// Installs cs for the current user: `node --import tsx install.ts`
// (or `npm run setup`, which builds first). Honours HOME, CLAUDE_CONFIG_DIR,
// CS_BIN_DIR and CS_DATA_DIR so it can be pointed at a temp home.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, exitCodeOf, UserError } from './src/errors.js';
import { systemIO } from './src/io.js';
import { install } from './src/install/install.js';

const io = systemIO();
try {
  const root = path.dirname(fileURLToPath(import.meta.url));
  const r = install(root, process.env);
  const c = io.color;
  io.err(`${c.green('✓')} cs ${r.version} installed in ${r.versionDir}`);
  for (const l of r.linked) io.err(`${c.green('✓')} linked ${l}`);
  if (r.skippedCs) {
    io.err(c.yellow(`! another 'cs' is on your PATH (${r.skippedCs}); left it alone — use 'claude-sessions' for this one`));
  }
  io.err(r.settingsChanged ? `${c.green('✓')} hooks registered in Claude Code settings${r.settingsBackup ? ` (backup: ${r.settingsBackup})` : ''}` : `${c.green('✓')} Claude Code settings already up to date`);
  if (r.pathHint) io.err(c.yellow(`! add this to your shell profile to put cs on PATH:\n    ${r.pathHint}`));
} catch (err) {
  const hint = err instanceof UserError ? err.hint : undefined;
  io.err(`install: ${errorMessage(err)}${hint ? ` — ${hint}` : ''}`);
  process.exitCode = exitCodeOf(err);
}
