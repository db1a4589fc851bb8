// Scanning one file for lines that contain every query term, case-insensitive,
// in fixed-size chunks (a file is never loaded whole). The first term is found
// with a compiled regular expression over a latin1 view of the bytes, which
// V8 runs at grep-like speed; latin1 offsets are byte offsets, so the matching
// line is cut from the buffer and decoded as UTF-8 only when it matched.
import * as fs from 'node:fs';

const CHUNK = 1024 * 1024;

export interface Query {
  /** The text as typed, trimmed. */
  text: string;
  /** Lower-cased terms; a line must contain all of them. */
  terms: string[];
  /** Finds the anchor term (the longest) in a chunk. */
  anchor: RegExp;
  /** Only ASCII in the query: the latin1 fast path is exact. */
  ascii: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileQuery(text: string): Query {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const terms = [...new Set(trimmed.toLowerCase().split(' ').filter(Boolean))].slice(0, 16);
  const longest = [...terms].sort((a, b) => b.length - a.length)[0] ?? '';
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(trimmed);
  return { text: trimmed, terms, anchor: new RegExp(escape(longest), ascii ? 'gi' : 'giu'), ascii };
}

export interface LineHit {
  /** Byte offset of the line's start in the file. */
  offset: number;
  text: string;
}

export interface ScanResult {
  /** Lines containing every term. */
  matches: number;
  /** The first `keep` matching lines (after `accept`). */
  lines: LineHit[];
  bytes: number;
  binary: boolean;
}

export interface ScanOptions {
  keep: number;
  /** A second opinion on a matching line (transcripts: is the match in the message text?). Called for at most `keep * 4` lines. */
  accept?: (line: string) => boolean;
  /** Skip files that look binary (a NUL in the first chunk). */
  skipBinary?: boolean;
}

function containsAll(lineLower: string, terms: readonly string[]): boolean {
  for (const t of terms) if (!lineLower.includes(t)) return false;
  return true;
}

export function scanFile(file: string, q: Query, opts: ScanOptions, buf: Buffer = Buffer.allocUnsafe(CHUNK)): ScanResult {
  const result: ScanResult = { matches: 0, lines: [], bytes: 0, binary: false };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return result;
  }
  let judged = 0;
  try {
    let carry: Buffer | null = null;
    let pos = 0; // file offset of the next read
    let base = 0; // file offset of data[0]
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (pos === 0 && opts.skipBinary && buf.subarray(0, n).includes(0)) {
        result.binary = true;
        break;
      }
      pos += n;
      result.bytes += n;
      const eof = n === 0;
      const data: Buffer = carry ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      if (data.length === 0) break;
      // Only complete lines now; the tail waits for the next chunk (or EOF).
      const end = eof ? data.length : data.lastIndexOf(10) + 1;
      if (end > 0) {
        const view = q.ascii ? data.toString('latin1', 0, end) : data.toString('utf8', 0, end);
        const re = q.anchor;
        re.lastIndex = 0;
        for (let m = re.exec(view); m; m = re.exec(view)) {
          const start = view.lastIndexOf('\n', m.index) + 1;
          let stop = view.indexOf('\n', m.index);
          if (stop < 0) stop = view.length;
          re.lastIndex = stop + 1;
          const raw = view.slice(start, stop);
          const line = q.ascii ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
          if (q.terms.length > 1 && !containsAll(line.toLowerCase(), q.terms)) continue;
          if (opts.accept && judged < opts.keep * 4) {
            judged++;
            if (!opts.accept(line)) continue;
          } else if (opts.accept && result.lines.length === 0) {
            continue; // nothing confirmed so far: unconfirmed lines do not count
          }
          result.matches++;
          if (result.lines.length < opts.keep) result.lines.push({ offset: base + (q.ascii ? start : Buffer.byteLength(view.slice(0, start))), text: line });
          if (stop >= view.length) break;
        }
      }
      if (eof) break;
      carry = end < data.length ? Buffer.from(data.subarray(end)) : null;
      base += end;
    }
  } finally {
    fs.closeSync(fd);
  }
  return result;
}

/** 1-based line number of byte `offset`, counted by reading the file up to it. */
export function lineNumberAt(file: string, offset: number, buf: Buffer = Buffer.allocUnsafe(CHUNK)): number {
  let line = 1;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    let pos = 0;
    while (pos < offset) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, offset - pos), pos);
      if (n === 0) break;
      for (let i = buf.indexOf(10, 0); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) line++;
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return line;
}
