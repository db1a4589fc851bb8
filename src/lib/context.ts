// What code outside the command layer needs of a running command: where to
// print, the environment, the directory it was started in, and the clock.
// The command layer's Context (src/commands/types.ts) extends it.
import type { IO } from '../term/io.js';

export interface RunContext {
  io: IO;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => Date;
}
