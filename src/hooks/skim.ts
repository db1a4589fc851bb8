// Hook input can be huge: a PostToolUse for a Write carries the file's
// content twice, so a 25 MB file makes a 50 MB input. The change line and
// the timeline entry need only the tool name and the path, so the input is
// read as a stream and every string value longer than a limit is replaced
// by `{"cs_omitted_bytes": N}` as it goes by: memory stays small, the parse
// stays fast, and the record is never dropped because the content is big.
// A handler that needs the whole value (the secret scan of a Write) sees the
// marker and says so instead of silently passing it (omittedBytes below).

import * as fs from 'node:fs';

/** Strings up to this many bytes are kept whole (the secret scan's limit: src/hooks/artifacts.ts). */
// About a second of secret scanning on this machine (redact() on 4 MB of code).
export const MAX_KEPT_STRING = 4 * 1024 * 1024;
/** Everything else (keys, numbers, punctuation, short strings) together may not pass this. */
const MAX_SKIMMED = 32 * 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Feeds JSON text through in chunks; `text()` gives the same JSON with long
 * string values replaced. Never parses: malformed input comes out malformed
 * and is reported by the parser afterwards. Throws when the skimmed text
 * itself would pass 32 MiB (no Claude Code input is shaped like that).
 */
export class JsonSkimmer {
  private out: Buffer[] = [];
  private size = 0;
  private inString = false;
  /** An odd number of backslashes ended the previous chunk of this string. */
  private carry = false;
  private kept: Buffer[] = [];
  private stringBytes = 0;

  constructor(private readonly maxString = MAX_KEPT_STRING) {}

  private emit(b: Buffer): void {
    this.size += b.length;
    if (this.size > MAX_SKIMMED) throw new Error(`hook input has over ${MAX_SKIMMED} bytes outside long strings`);
    this.out.push(b);
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.stringBytes += part.length;
    if (this.stringBytes <= this.maxString) {
      // A copy (the read buffer is reused), made with one memcpy: Buffer.from(buffer) copied
      // byte by byte here, 30 ms of a 50 MB Write's hook run for the 8 MB it keeps.
      const copy = Buffer.allocUnsafe(part.length);
      part.copy(copy);
      this.kept.push(copy);
    } else this.kept = [];
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (!this.inString) {
        const q = chunk.indexOf(QUOTE, i);
        this.emit(Buffer.from(chunk.subarray(i, q < 0 ? n : q + 1)));
        if (q < 0) return;
        this.inString = true;
        this.carry = false;
        this.kept = [];
        this.stringBytes = 0;
        i = q + 1;
        continue;
      }
      let end = -1;
      for (let from = i; ; ) {
        const q = chunk.indexOf(QUOTE, from);
        if (q < 0) break;
        let k = q - 1;
        let slashes = 0;
        while (k >= i && chunk[k] === BACKSLASH) {
          slashes++;
          k--;
        }
        if (k < i && this.carry) slashes++;
        if (slashes % 2 === 0) {
          end = q;
          break;
        }
        from = q + 1;
      }
      if (end < 0) {
        let k = n - 1;
        let slashes = 0;
        while (k >= i && chunk[k] === BACKSLASH) {
          slashes++;
          k--;
        }
        this.carry = k < i ? (slashes + (this.carry ? 1 : 0)) % 2 === 1 : slashes % 2 === 1;
        this.keep(chunk.subarray(i, n));
        return;
      }
      this.keep(chunk.subarray(i, end));
      if (this.stringBytes <= this.maxString) {
        for (const b of this.kept) this.emit(b);
        this.emit(Buffer.from('"'));
      } else {
        // Replace the opening quote already emitted by the marker object.
        const last = this.out[this.out.length - 1]!;
        this.out[this.out.length - 1] = last.subarray(0, last.length - 1);
        this.emit(Buffer.from(`{"cs_omitted_bytes":${this.stringBytes}}`));
      }
      this.kept = [];
      this.inString = false;
      i = end + 1;
    }
  }

  /** The skimmed JSON text (an unterminated string is kept as it came, so it stays malformed). */
  text(): string {
    if (this.inString) for (const b of this.kept) this.out.push(b);
    return Buffer.concat(this.out).toString('utf8');
  }
}

/**
 * Reads file descriptor `fd` to its end synchronously, in 1 MiB pieces
 * (far less per-chunk work than a stream for a 50 MB input), through a
 * JsonSkimmer: the skimmed text. Throws what readSync throws (EAGAIN for a
 * non-blocking stdin: the caller reads it as a stream then) and what the
 * skimmer throws.
 */
export function skimFd(fd: number, skimmer = new JsonSkimmer()): string {
  const buf = Buffer.allocUnsafe(1024 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    skimmer.push(buf.subarray(0, n));
  }
  return skimmer.text();
}

/** Skims a whole text at once (tests, and inputs that arrive in one piece). */
export function skimJson(text: string | Buffer, maxString = MAX_KEPT_STRING): string {
  const s = new JsonSkimmer(maxString);
  s.push(typeof text === 'string' ? Buffer.from(text) : text);
  return s.text();
}

/** The size of a string value the skimmer left out, or undefined for anything else. */
export function omittedBytes(v: unknown): number | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const n = (v as Record<string, unknown>).cs_omitted_bytes;
  return typeof n === 'number' && Object.keys(v).length === 1 ? n : undefined;
}
