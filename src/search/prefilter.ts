// Which files a search can skip without reading them: for every searched
// file, the set of its words, kept in one file under ~/.cache/cs/search/ and
// brought up to date by the searches themselves (a file whose size, mtime,
// ctime or inode differ from those recorded is read again), so no hook has
// to feed it and it is never older than the files.
//
// Exactness: a word is a maximal run of [0-9a-z] in the file's ASCII-folded
// bytes, which is what scanFile matches an ASCII query on. A line can match
// only if the file holds every term, and every run of letters and digits in
// a term then lies inside one of the file's words: a file where some run is
// in no word has no matching line. The filter only ever says "skip" or
// "read"; scanFile decides the matches, so results are those of a full scan.
// Files the words cannot vouch for are always read: ones with the two
// characters whose toLowerCase() is ASCII (scanFile's rare plan lower-cases
// lines with toLowerCase), ones with a word too long to keep, and any file
// recorded within RACY_MS of its last change (same-tick rewrites).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { foldAscii, type Query } from './scan.js';

const MAGIC = 'cs-search-words 1\n';
/** A word longer than this is not kept: its file is then always read (base64 and hex blobs stay out of the index). */
const MAX_WORD = 256;
/** A file changed this recently may change again within the same mtime tick: not recorded (git's "racily clean"). */
const RACY_MS = 2000;
const CHUNK = 1024 * 1024;

/** The stats a record is valid for. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

interface Entry extends FileStamp {
  /** Always read the file (see the header). */
  always: boolean;
  /** The file's words, each followed by '\n', as latin1 bytes. */
  words: Buffer;
}

/** Where the word index for a sessions root and a Claude config dir lives. */
export function prefilterFile(cacheDir: string, root: string, configDir: string): string {
  return path.join(cacheDir, 'search', `${createHash('sha256').update(`${root}\0${configDir}`).digest('hex').slice(0, 32)}.words`);
}

/**
 * The runs of letters and digits a matching file must hold, as bytes; null
 * when the words cannot rule out a file for this query (a non-ASCII query,
 * matched by scanFile with Unicode case folding, or no term with a letter or
 * digit in it).
 */
export function requiredRuns(q: Query): Buffer[] | null {
  if (!q.ascii) return null;
  const runs = [...new Set(q.terms.flatMap((t) => t.match(/[0-9a-z]+/g) ?? []))];
  return runs.length ? runs.map((r) => Buffer.from(r, 'latin1')) : null;
}

const same = (a: FileStamp, b: FileStamp) => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;

// The bytes of U+212A KELVIN SIGN and U+0130 (I with dot above) in UTF-8: their toLowerCase() is ASCII.
const KELVIN = Buffer.from('\u212a');
const DOTTED_I = Buffer.from('\u0130');

/** Reads one file and gives its record; null when it cannot be read. */
function wordsOf(file: string, st: FileStamp, buf: Buffer): Entry | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  const words = new Set<string>();
  let always = false;
  try {
    let have = 0;
    let pos = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, have, buf.length - have, pos);
      pos += n;
      const len = have + n;
      if (len === 0) break;
      const data = buf.subarray(0, len);
      if (!always && (data.includes(KELVIN) || data.includes(DOTTED_I))) always = true;
      // Up to the last byte that is not a letter or digit: a word may go on in the next read.
      let end = len;
      if (n > 0) {
        while (end > 0 && isWordByte(buf[end - 1]!)) end--;
        if (end === 0) {
          if (len > MAX_WORD) always = true; // one word longer than anything kept
          end = len;
        }
      }
      const text = foldAscii(buf, end).toString('latin1');
      for (const m of text.matchAll(/[0-9a-z]+/g)) {
        if (m[0].length > MAX_WORD) always = true;
        else words.add(m[0]);
      }
      if (n === 0) break;
      buf.copy(buf, 0, end, len);
      have = len - end;
    }
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
  const joined = words.size ? [...words].join('\n') + '\n' : '';
  return { ...st, always, words: always ? Buffer.alloc(0) : Buffer.from(joined, 'latin1') };
}

function isWordByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * The word index of one sessions root: `mayMatch` answers for a file from
 * its record, reading and recording the file first when the record is
 * missing or stale; `save` stores what changed. Storing is best effort: the
 * index only saves time.
 */
export class Prefilter {
  private readonly entries: Map<string, Entry>;
  private readonly seen = new Set<string>();
  private changed = false;
  private buf: Buffer | null = null;

  private constructor(private readonly file: string, entries: Map<string, Entry>, private readonly now: number) {
    this.entries = entries;
  }

  /** Opens the index stored in `file` (an empty one when it is missing, unreadable or of another version). */
  static open(file: string, now: number): Prefilter {
    return new Prefilter(file, readIndex(file), now);
  }

  /** False when `file` (with stats `st`) certainly holds no line with every run of `runs`; true when it may. */
  mayMatch(file: string, st: FileStamp, runs: readonly Buffer[]): boolean {
    this.seen.add(file);
    let e = this.entries.get(file);
    if (!e || !same(e, st)) {
      const fresh = wordsOf(file, st, (this.buf ??= Buffer.allocUnsafe(CHUNK)));
      if (!fresh) return true; // unreadable now: scanFile says what it finds
      if (this.now - Math.max(st.mtimeMs, st.ctimeMs) >= RACY_MS) {
        this.entries.set(file, fresh);
        this.changed = true;
      } else if (this.entries.delete(file)) {
        this.changed = true;
      }
      e = fresh;
    }
    if (e.always) return true;
    for (const r of runs) if (e.words.indexOf(r) < 0) return false;
    return true;
  }

  /** Stores the index if anything changed, dropping records of files that no longer exist. */
  save(): void {
    if (!this.changed) return;
    for (const f of [...this.entries.keys()]) if (!this.seen.has(f) && !fs.existsSync(f)) this.entries.delete(f);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, serialize(this.entries), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      // the next search reads the files again
    }
  }
}

/**
 * Layout: MAGIC, a JSON line [[path, size, mtimeMs, ctimeMs, ino, always, wordBytes], ...],
 * then every entry's words, in that order.
 */
function serialize(entries: Map<string, Entry>): Buffer {
  const head = JSON.stringify([...entries].map(([p, e]) => [p, e.size, e.mtimeMs, e.ctimeMs, e.ino, e.always ? 1 : 0, e.words.length]));
  return Buffer.concat([Buffer.from(MAGIC + head + '\n'), ...[...entries.values()].map((e) => e.words)]);
}

function readIndex(file: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return out;
  }
  try {
    if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) return out;
    const nl = data.indexOf(10, MAGIC.length);
    if (nl < 0) return out;
    const rows = JSON.parse(data.toString('utf8', MAGIC.length, nl)) as Array<[string, number, number, number, number, number, number]>;
    let at = nl + 1;
    for (const [p, size, mtimeMs, ctimeMs, ino, always, len] of rows) {
      if (at + len > data.length) return new Map(); // truncated: start over
      out.set(p, { size, mtimeMs, ctimeMs, ino, always: always === 1, words: data.subarray(at, at + len) });
      at += len;
    }
  } catch {
    return new Map();
  }
  return out;
}
