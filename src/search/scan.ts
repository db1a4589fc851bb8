// Scanning one file for lines that contain every query term, case-insensitive,
// in fixed-size chunks (a file is never loaded whole). For an ASCII query the
// chunk is case-folded into a scratch buffer four bytes at a time and the
// longest term is found with Buffer#indexOf (memmem speed); the other terms
// are checked on that line's bytes, and a line is decoded as UTF-8 only when
// it is kept. Other queries use a Unicode case-insensitive regular expression
// over the decoded chunk. Whatever the path, a line matches exactly when its
// toLowerCase() holds every term (ASCII_LOWERING: the lines where folding
// ASCII bytes alone would say otherwise).
import * as fs from 'node:fs';

const CHUNK = 1024 * 1024;
/** Lines of a chunk whose other terms the rare plan checks one by one before folding the whole chunk. */
const FEW_LINES = 16;

export interface Query {
  /** The text as typed, trimmed. */
  text: string;
  /** Lower-cased terms; a line must contain all of them. */
  terms: string[];
  /** Finds the anchor term (the longest) in a chunk. */
  anchor: RegExp;
  /** The term looked for first (the longest); the others are checked on its lines. */
  anchorTerm: string;
  /** Only ASCII in the query: the byte paths are exact. */
  ascii: boolean;
  /** How ASCII queries find the anchor term (choosePlan); folding is the safe default. */
  plan: Plan;
}

/**
 * `rare`: the anchor term holds a byte that is rare in the data (sampled):
 * find that byte (both cases) with memchr in the raw bytes and compare the
 * term around it, no folding. `fold`: case-fold the chunk, then memmem.
 */
export type Plan = { kind: 'fold' } | { kind: 'rare'; term: string; at: number };

/** Below this share of sampled bytes, a byte is rare enough to scan for. */
const RARE = 0.002;

/** Picks the plan from a byte histogram of sample data (letters counted case-folded). */
export function choosePlan(q: Query, histogram: Uint32Array, total: number): Plan {
  if (!q.ascii || total === 0) return { kind: 'fold' };
  let best: { term: string; at: number; freq: number } | null = null;
  for (const term of q.terms) {
    for (let at = 0; at < term.length; at++) {
      const c = term.charCodeAt(at);
      const freq = histogram[c]! / total;
      if (!best || freq < best.freq) best = { term, at, freq };
    }
  }
  return best && best.freq < RARE ? { kind: 'rare', term: best.term, at: best.at } : { kind: 'fold' };
}

/** Adds the bytes of `data` to a case-folded histogram. */
export function countBytes(data: Buffer, histogram: Uint32Array): void {
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    histogram[b >= 0x41 && b <= 0x5a ? b | 0x20 : b]!++;
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileQuery(text: string): Query {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const terms = [...new Set(trimmed.toLowerCase().split(' ').filter(Boolean))].slice(0, 16);
  const longest = [...terms].sort((a, b) => b.length - a.length)[0] ?? '';
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(trimmed);
  // toLowerCase() turns İ (U+0130) into i + U+0307, which the regular expression's simple case
  // folding never matches İ with: the anchor takes either form, so a line matches exactly when its
  // toLowerCase() holds the term, as everywhere else.
  const anchor = escape(longest).replace(/i\u0307/g, '(?:i\u0307|\u0130)');
  return { text: trimmed, terms, anchor: new RegExp(anchor, ascii ? 'gi' : 'giu'), anchorTerm: longest, ascii, plan: { kind: 'fold' } };
}

/**
 * `q` as it is looked for in the raw lines of a JSON Lines file (a
 * transcript): each term in its JSON string form (`"` as `\"`, `\` as `\\`),
 * since what was said is stored escaped. `q` itself when no term changes;
 * else folding, as a plan's term would no longer be one of the terms.
 */
export function jsonQuery(q: Query): Query {
  const terms = q.terms.map((t) => JSON.stringify(t).slice(1, -1));
  if (terms.every((t, i) => t === q.terms[i])) return q;
  const at = q.terms.indexOf(q.anchorTerm);
  const anchorTerm = terms[at]!;
  const anchor = escape(anchorTerm).replace(/i\u0307/g, '(?:i\u0307|\u0130)');
  return { ...q, terms, anchorTerm, anchor: new RegExp(anchor, q.anchor.flags), plan: { kind: 'fold' } };
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
  /**
   * A second opinion on a matching line (transcripts: is the match in the
   * message text?). Called for every line until `keep` are accepted (a
   * word of the metadata every transcript line holds, `main` or `cache`,
   * must not hide the line that says it), then no more once `keep * 4` were
   * judged (the lines after count unjudged), unless `judgeEvery`.
   */
  accept?: (line: string) => boolean;
  /** Every matching line goes to `accept`: what it refuses must not count at all (a match made only by a stored secret's value). */
  judgeEvery?: boolean;
  /** Skip files that look binary (a NUL in the first chunk). */
  skipBinary?: boolean;
  /**
   * The file holds the query's terms only in lower case (the search cache
   * vouches for it: src/search/cache.ts, "Lower case"), so an ASCII query
   * is looked for in its bytes as they are, without folding them.
   */
  lower?: boolean;
}

/**
 * The UTF-8 bytes of the only two characters whose toLowerCase() holds ASCII
 * (U+0130 -> "i\u0307", U+212A KELVIN SIGN -> "k"; checked over every code
 * point): on a line without them, an ASCII term is in the line's
 * toLowerCase() exactly when it is in its ASCII-folded bytes.
 */
export const ASCII_LOWERING = [Buffer.from('\u0130'), Buffer.from('\u212a')];

/** Every term (ASCII bytes) in data[start, stop) folded to lower case; see ASCII_LOWERING for when this is toLowerCase()'s answer. */
function foldedHasAll(data: Buffer, start: number, stop: number, terms: readonly Buffer[]): boolean {
  const from = start & ~3; // word-aligned, for foldAscii's fast loop
  const line = foldAscii(data.subarray(from, stop), stop - from).subarray(start - from);
  for (const t of terms) if (line.indexOf(t) < 0) return false;
  return true;
}

function containsAll(lineLower: string, terms: readonly string[]): boolean {
  for (const t of terms) if (!lineLower.includes(t)) return false;
  return true;
}

let foldBuf = Buffer.alloc(0);

/**
 * ASCII case folding of `src[0, end)` into a scratch buffer, four bytes at a
 * time: a byte gets 0x20 added when it is in 'A'..'Z' (bytes >= 0x80, the
 * UTF-8 sequences, stay as they are). Offsets in the result are offsets in src.
 */
export function foldAscii(src: Buffer, end: number): Buffer {
  if (foldBuf.length < end + 4) foldBuf = Buffer.alloc(Math.max(end + 4, foldBuf.length * 2, 64 * 1024));
  const dst = foldBuf;
  let k = 0;
  if (src.byteOffset % 4 === 0) {
    const words = end >>> 2;
    const s32 = new Uint32Array(src.buffer, src.byteOffset, words);
    const d32 = new Uint32Array(dst.buffer, dst.byteOffset, words);
    for (let w = 0; w < words; w++) {
      const x = s32[w]!;
      const h = x & 0x7f7f7f7f;
      d32[w] = x | ((((h + 0x3f3f3f3f) & ~(h + 0x25252525) & ~x & 0x80808080) >>> 2));
    }
    k = words * 4;
  }
  for (; k < end; k++) {
    const b = src[k]!;
    dst[k] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
  }
  return dst.subarray(0, end);
}

export function scanFile(file: string, q: Query, opts: ScanOptions, initial: Buffer = Buffer.allocUnsafe(CHUNK)): ScanResult {
  const result: ScanResult = { matches: 0, lines: [], bytes: 0, binary: false };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return result;
  }
  let judged = 0;
  /** One line with every term: counted, and kept while fewer than opts.keep are. */
  const take = (offset: number, text: () => string): void => {
    let line: string | undefined;
    if (opts.accept) {
      if (opts.judgeEvery || judged < opts.keep * 4 || result.lines.length < opts.keep) {
        judged++;
        line = text();
        if (!opts.accept(line)) return;
      } else if (result.lines.length === 0) {
        return; // nothing confirmed so far: unconfirmed lines do not count
      }
    }
    result.matches++;
    if (result.lines.length < opts.keep) result.lines.push({ offset, text: line ?? text() });
  };
  const others = q.terms.filter((t) => t !== q.anchorTerm).map((t) => Buffer.from(t, 'latin1'));
  const needle = Buffer.from(q.anchorTerm, 'latin1');
  const plan = q.plan;
  const rareTerm = plan.kind === 'rare' ? Buffer.from(plan.term, 'latin1') : needle;
  const rareAt = plan.kind === 'rare' ? plan.at : 0;
  const rareByte = rareTerm[rareAt] ?? 0;
  const rareBytes = rareByte >= 0x61 && rareByte <= 0x7a && !opts.lower ? [rareByte, rareByte - 0x20] : [rareByte];
  const rareOthers = q.terms.filter((t) => t !== rareTerm.toString('latin1')).map((t) => Buffer.from(t, 'latin1'));

  /**
   * The rare plan: the term found through its rarest byte (both cases, with
   * memchr) in the raw bytes, no folding; the first hit of a line is enough,
   * the search goes on after that line.
   */
  const scanRare = (buf: Buffer, end: number, base: number) => {
    const data = buf.subarray(0, end);
    const len = rareTerm.length;
    const [lo, up] = rareBytes;
    // The next position of each case of the rare byte at or after `pos`, carried while still ahead.
    let nextLo = -1;
    let nextUp = up === undefined ? Infinity : -1;
    // The other terms are looked for as they are (lower case: one memmem,
    // each term's next position carried from line to line) and, on a line
    // without them so, in ASCII-folded bytes (exact: a chunk with
    // ASCII_LOWERING goes to scanLowered instead): line by line for the
    // first few such lines, then in the whole chunk folded once.
    let folded: Buffer | null = null;
    const nextRaw = rareOthers.map(() => -1);
    const nextFolded = rareOthers.map(() => -1);
    let foldedLines = 0;
    for (let pos = rareAt; ; ) {
      if (nextLo < pos) nextLo = data.indexOf(lo!, pos);
      if (nextLo < 0) nextLo = Infinity;
      if (nextUp < pos) nextUp = data.indexOf(up!, pos);
      if (nextUp < 0) nextUp = Infinity;
      const i = Math.min(nextLo, nextUp);
      if (i === Infinity) break;
      const s0 = i - rareAt;
      if (s0 + len > end) break;
      let j = 0;
      for (; j < len; j++) {
        const b = data[s0 + j]!;
        if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== rareTerm[j]) break;
      }
      if (j < len) {
        pos = i + 1;
        continue;
      }
      const start = s0 === 0 ? 0 : data.lastIndexOf(10, s0 - 1) + 1;
      let stop = data.indexOf(10, s0);
      if (stop < 0) stop = end;
      pos = stop + 1 + rareAt; // a term on the next line starts after this line's newline
      if (rareOthers.length) {
        let all = true;
        for (let k = 0; k < rareOthers.length && all; k++) {
          const t = rareOthers[k]!;
          if (nextRaw[k]! < start) nextRaw[k] = data.indexOf(t, start);
          if (nextRaw[k]! < 0) nextRaw[k] = Infinity; // not further on in this chunk as it is
          if (nextRaw[k]! < stop) continue;
          if (opts.lower) {
            all = false; // as it is is how it would be folded
            continue;
          }
          if (++foldedLines <= FEW_LINES) {
            all = foldedHasAll(data, start, stop, [t]);
            continue;
          }
          folded ??= foldAscii(data, end); // foldAscii's scratch: nothing else folds until this chunk is done
          if (nextFolded[k]! < start) nextFolded[k] = folded.indexOf(t, start);
          if (nextFolded[k]! < 0) nextFolded[k] = Infinity;
          all = nextFolded[k]! < stop;
        }
        if (!all) continue;
      }
      // Decoded only when kept or judged: most matching lines are only counted.
      take(base + start, () => data.toString('utf8', start, stop));
    }
  };

  /** Lines of buf[0, end), which starts at file offset `base`: folded first unless opts.lower. */
  const scanAscii = (buf: Buffer, end: number, base: number) => {
    const f = opts.lower ? buf.subarray(0, end) : foldAscii(buf, end);
    for (let i = f.indexOf(needle); i >= 0; ) {
      const start = i === 0 ? 0 : f.lastIndexOf(10, i - 1) + 1;
      let stop = f.indexOf(10, i);
      if (stop < 0) stop = end;
      let all = true;
      if (others.length) {
        const line = f.subarray(start, stop);
        for (const t of others) if (line.indexOf(t) < 0) {
          all = false;
          break;
        }
      }
      if (all) take(base + start, () => buf.toString('utf8', start, stop));
      i = stop + 1 < end ? f.indexOf(needle, stop + 1) : -1;
    }
  };
  /**
   * An ASCII query on a chunk holding a character of ASCII_LOWERING: line by
   * line, each line with one decoded and lowered with toLowerCase() (K is
   * "k" there), the others ASCII-folded, so the answer is toLowerCase()'s
   * whichever plan was chosen and whichever term is looked for first.
   */
  const scanLowered = (buf: Buffer, end: number, base: number) => {
    const data = buf.subarray(0, end);
    const all = q.terms.map((t) => Buffer.from(t, 'latin1'));
    for (let start = 0; start < end; ) {
      let stop = data.indexOf(10, start);
      if (stop < 0) stop = end;
      if (ASCII_LOWERING.some((b) => data.subarray(start, stop).includes(b))) {
        const text = data.toString('utf8', start, stop);
        if (containsAll(text.toLowerCase(), q.terms)) take(base + start, () => text);
      } else if (foldedHasAll(data, start, stop, all)) {
        const from = start;
        take(base + from, () => data.toString('utf8', from, stop));
      }
      start = stop + 1;
    }
  };
  const scanUnicode = (buf: Buffer, end: number, base: number) => {
    const view = buf.toString('utf8', 0, end);
    const re = q.anchor;
    re.lastIndex = 0;
    for (let m = re.exec(view); m; m = re.exec(view)) {
      const start = view.lastIndexOf('\n', m.index) + 1;
      let stop = view.indexOf('\n', m.index);
      if (stop < 0) stop = view.length;
      re.lastIndex = stop + 1;
      const line = view.slice(start, stop);
      if (q.terms.length > 1 && !containsAll(line.toLowerCase(), q.terms)) continue;
      take(base + Buffer.byteLength(view.slice(0, start)), () => line);
      if (stop >= view.length) break;
    }
  };

  try {
    let buf = initial;
    let have = 0; // bytes of an unfinished line kept at buf[0, have)
    let pos = 0; // file offset of the next read
    let base = 0; // file offset of buf[0]
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, have, buf.length - have, pos);
      if (pos === 0 && opts.skipBinary && buf.subarray(0, n).includes(0)) {
        result.binary = true;
        break;
      }
      pos += n;
      result.bytes += n;
      const eof = n === 0;
      const len = have + n;
      if (len === 0) break;
      // Only complete lines now; the tail waits for the next read (or EOF).
      const end = eof ? len : buf.lastIndexOf(10, len - 1) + 1;
      if (end > 0) (!q.ascii ? scanUnicode : ASCII_LOWERING.some((b) => buf.subarray(0, end).includes(b)) ? scanLowered : plan.kind === 'rare' ? scanRare : scanAscii)(buf, end, base);
      if (eof) break;
      if (end > 0) {
        buf.copy(buf, 0, end, len);
        base += end;
      }
      have = len - end;
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
