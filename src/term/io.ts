// One IO object built at start-up and passed down: data goes to stdout,
// messages to stderr, colour decided once. Tests use testIO() buffers.
import { Writable, type Readable } from 'node:stream';

export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export interface IO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  /** stdout is a terminal (decides tables vs plain lists, pickers). */
  isTTY: boolean;
  /** We may ask questions: stdin and stderr are terminals and not CI. */
  canPrompt: boolean;
  /** Where prompts (@clack) draw: stderr, as promptStream() makes it fit what `color` says. */
  promptOut: PromptOut;
  color: Colors;
  out(line: string): void;
  err(line: string): void;
}

const identity = (s: string) => s;
export const plainColors: Colors = {
  bold: identity,
  dim: identity,
  red: identity,
  green: identity,
  yellow: identity,
  cyan: identity,
};

function ansi(open: number, close: number) {
  return (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
}
export const ansiColors: Colors = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org). */
export function wantsColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

/** A stream prompts draw on, with the size a terminal has (undefined when it is none). */
export type PromptOut = Writable & { columns?: number; rows?: number; isTTY?: boolean };

/** A colour or style code (SGR: ESC [ … m); cursor moves and clears, which prompts need, are left alone. */
const SGR = /\x1b\[[0-9;:]*m/g;

/**
 * The stream prompts draw on: `stderr`, with colour and style codes taken
 * out when `color` is off (@clack colours with node:util styleText, which
 * Node 20 does not stop for NO_COLOR), and, on a terminal that reports a
 * width of 0 (a pty nobody sized), 80 columns and 24 rows (clack wrapped
 * its lines at 0: a character per line). Everything else, cursor movement
 * included, passes as it is.
 */
export function promptStream(stderr: NodeJS.WriteStream | Writable, color: boolean): PromptOut {
  const tty = stderr as NodeJS.WriteStream;
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, done) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      stderr.write(color ? text : text.replace(SGR, ''), done);
    },
  }) as PromptOut;
  Object.defineProperties(out, {
    columns: { get: () => (tty.isTTY ? tty.columns || 80 : tty.columns) },
    rows: { get: () => (tty.isTTY ? tty.rows || 24 : tty.rows) },
    isTTY: { get: () => tty.isTTY },
  });
  // A terminal's resize reaches a prompt that listens for it (and only then is stderr listened to).
  const forward = () => out.emit('resize');
  out.on('newListener', (event) => {
    if (event === 'resize' && tty.isTTY && out.listenerCount('resize') === 0) tty.on('resize', forward);
  });
  out.on('removeListener', (event) => {
    if (event === 'resize' && out.listenerCount('resize') === 0) tty.off?.('resize', forward);
  });
  return out;
}

export function systemIO(env: NodeJS.ProcessEnv = process.env): IO {
  const isTTY = Boolean(process.stdout.isTTY);
  const errTTY = Boolean(process.stderr.isTTY);
  // Colour goes to both streams (tables on stdout, messages on stderr), so
  // either one being piped turns it off: `cs -ls | less` gets plain text.
  const color = wantsColor(env, isTTY && errTTY) ? ansiColors : plainColors;
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY,
    canPrompt: Boolean(process.stdin.isTTY) && errTTY && !env.CI,
    promptOut: promptStream(process.stderr, color === ansiColors),
    color,
    out: (line) => void process.stdout.write(line + '\n'),
    err: (line) => void process.stderr.write(line + '\n'),
  };
}

/**
 * Resolves once everything written to process.stdout and process.stderr has
 * been handed to the OS, so exiting then cuts nothing off. Node writes to a
 * pipe asynchronously once the pipe's 64 KiB buffer is full: `cs -ls | less`
 * over thousands of sessions lost all but its first 64 KiB to the
 * process.exit that followed. A reader that has gone (`| head`, EPIPE) ends
 * the wait; that error is dropped, as other CLIs drop it. Never rejects.
 */
export function flushOutput(): Promise<void> {
  const flushed = (s: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (s.writableLength === 0 || s.destroyed) return resolve();
      s.on('error', () => resolve());
      // An empty write's callback runs once the writes queued before it are done (or failed).
      s.write('', () => resolve());
    });
  return Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => undefined);
}
