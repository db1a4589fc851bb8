// Questions at the edges, in one order: explicit flag, then a prompt when we
// can ask, else a usage error naming the flag. @clack/prompts loads lazily.
import { CancelError, UsageError } from '../lib/errors.js';
import type { IO } from './io.js';

export async function confirm(io: IO, o: { yes: boolean; question: string; flag: string }): Promise<void> {
  if (o.yes) return;
  if (!io.canPrompt) throw new UsageError(`refusing to ${o.question.replace(/\?$/, '')} without confirmation`, `pass ${o.flag} to confirm`);
  const clack = await import('@clack/prompts');
  const answer = await clack.confirm({ message: o.question, initialValue: false, output: io.promptOut, input: io.stdin });
  if (clack.isCancel(answer) || answer !== true) throw new CancelError('nothing removed');
}
