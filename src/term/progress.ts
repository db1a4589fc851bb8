// One spinner per slow step (network, copying) on a terminal; a plain
// "step..." line otherwise, so logs and pipes stay readable.
//
// Not clack's spinner: it puts the terminal in raw mode and answers Ctrl-C
// with process.exit(0), so an interrupted step exited 0 with none of its
// cleanup run (a half-made copy left on the host, rsync still running in its
// own process group). Here the terminal stays as it is: Ctrl-C is SIGINT, which
// the step's programs (src/lib/proc.ts, group) and the command handle.
import type { IO } from './io.js';

const FRAMES = ['◒', '◐', '◓', '◑'];

export async function step<T>(io: IO, message: string, work: () => Promise<T>): Promise<T> {
  if (!io.isTTY || !io.canPrompt) {
    io.err(io.color.dim(`cs: ${message}...`));
    return work();
  }
  const line = (s: string) => io.stderr.write(`\r\x1b[2K${s}`);
  let i = 0;
  line(`${io.color.cyan(FRAMES[0]!)}  ${message}...`);
  const timer = setInterval(() => line(`${io.color.cyan(FRAMES[++i % FRAMES.length]!)}  ${message}${'.'.repeat(i % 4)}`), 120);
  try {
    const result = await work();
    line(`${io.color.green('◇')}  ${message}\n`);
    return result;
  } catch (e) {
    line(`${io.color.red('■')}  ${message}\n`);
    throw e;
  } finally {
    clearInterval(timer);
  }
}
