// One spinner per slow step (network, copying) on a terminal; a plain
// "step..." line otherwise, so logs and pipes stay readable.
import type { IO } from './io.js';

export async function step<T>(io: IO, message: string, work: () => Promise<T>): Promise<T> {
  if (!io.isTTY || !io.canPrompt) {
    io.err(io.color.dim(`cs: ${message}...`));
    return work();
  }
  const { spinner } = await import('@clack/prompts');
  const s = spinner({ output: io.stderr });
  s.start(message);
  try {
    const result = await work();
    s.stop(message);
    return result;
  } catch (e) {
    s.error(message);
    throw e;
  }
}
