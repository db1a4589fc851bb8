// Writes completions/ from the command table: `node --import tsx src/completions/write.ts`.
// test/completions checks that the committed files equal what this writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { completionScript, SCRIPT_FILES, SHELL_NAMES } from './shells.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../completions');
fs.mkdirSync(dir, { recursive: true });
for (const shell of SHELL_NAMES) {
  const file = path.join(dir, SCRIPT_FILES[shell]);
  fs.writeFileSync(file, completionScript(shell));
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
