import { PassThrough } from 'node:stream';
import { plainColors, type IO } from '../../src/term/io.js';

export interface TestIO extends IO {
  stdoutText(): string;
  stderrText(): string;
}

/** An IO with string buffers, no TTY, no colour. */
export function testIO(input = '', opts: { canPrompt?: boolean; isTTY?: boolean } = {}): TestIO {
  const stdin = new PassThrough();
  stdin.end(input);
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  return {
    stdin,
    stdout,
    stderr,
    isTTY: opts.isTTY ?? false,
    canPrompt: opts.canPrompt ?? false,
    promptOut: stderr,
    color: plainColors,
    out: (line) => void (out += line + '\n'),
    err: (line) => void (err += line + '\n'),
    stdoutText: () => out,
    stderrText: () => err,
  };
}
