// What lets a search skip work, kept in one file per sessions root under
// ~/.cache/cs/search/ and brought up to date by the searches themselves, so
// no hook has to feed it and it is never older than the files:
// - each searched folder's names, valid while the folder's mtime, ctime and
//   inode are those recorded (an entry added, removed or renamed changes
//   them): one stat instead of an open, two getdents and a close;
// - each searched file's words, valid while its size, mtime, ctime and inode
//   are those recorded (a changed file is read again): a file without the
//   query's words is not read at all (a transcript's words are those of what
//   was said in it, not of its metadata: feedTranscript);
// - which of those words it holds with an upper-case letter somewhere: a
//   file where no such word holds the query's runs is searched in its bytes
//   as they are, without case-folding them first (see "Lower case" below).
// Nothing changed less than RACY_MS ago is recorded (a change within the same
// mtime tick would go unseen; git's "racily clean" rule), and a file's words
// only once it has settled (SETTLED_MS).
//
// Exactness of the words: a word is a maximal run of [0-9a-z] in the file's
// ASCII-folded bytes, which is what scanFile matches an ASCII query on. A
// line can match only if the file holds every term, and every run of letters
// and digits in a term then lies inside one of the file's words: a file
// where some run is in no word has no matching line. The words only ever say
// "skip" or "read"; scanFile decides the matches, so results are those of a
// full scan. Files the words cannot vouch for are always read: ones with the
// two characters whose toLowerCase() is ASCII (scanFile lower-cases their
// lines with toLowerCase) and ones with a word too long to keep.
//
// Lower case: an ASCII term occurs in the folded bytes at a place where it
// does not occur in the raw bytes only when a letter there is upper case;
// that letter lies in one of the term's runs, and that run inside one
// maximal run of letters and digits of the file (folding keeps letters
// letters): a word the file holds with an upper-case letter, and which holds
// the run. So when no such word holds any of the query's runs, the raw bytes
// give the folded bytes' answer, and scanFile can skip folding (`lower`).
import * as fs from 'node:fs';
import { readOwnCache } from '../lib/fsutil.js';
import * as path from 'node:path';
import { textKey } from '../lib/stathash.js';
import { ASCII_LOWERING, type Query } from './scan.js';
import { transcriptText } from './transcript.js';

const MAGIC = 'cs-search-cache 3\n';
/** A word longer than this is not kept: its file is then always read (base64 and hex blobs stay out of the index). */
const MAX_WORD = 256;
/** A file changed this recently may change again within the same mtime tick: not recorded (git's "racily clean"). */
const RACY_MS = 2000;
/**
 * A file's words are recorded only once it has been left alone this long: a
 * transcript Claude is still writing to is scanned as before, not indexed
 * anew by every search (indexing a file costs about what scanning it does).
 */
const SETTLED_MS = 10_000;
const CHUNK = 1024 * 1024;
/**
 * How many bytes of files one search indexes (bytes): the rest is scanned as
 * before and indexed by later searches, so no search costs much more than a
 * scan. Measured in CPU time on the bench's 166 MB (scan alone 0.8 s):
 * indexing all of it in the first search 2.0 s (with the regular expression
 * before WordSet: 9x a scan); 64 MB at a time, 1.3-1.4 s for each of three.
 */
export const INDEX_BUDGET_BYTES = 64 * 1024 * 1024;

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
  /**
   * A record made by this search: the file's words, each followed by '\n',
   * then MIXED, then those of them it holds with an upper-case letter, each
   * followed by '\n' (latin1 bytes).
   */
  words: Buffer | null;
  /** A stored record: where it starts in the stored cache's bytes (-1 for a record made by this search), and its length. */
  at: number;
  len: number;
  /** Where MIXED is, from the record's start. */
  split: number;
}

/** Ends a record's words and starts its upper-case ones: a byte no run holds. */
const MIXED = 0x01;

/** What a search does with a file: not read it, read it, or read it without case-folding (see "Lower case" in the header). */
export type Verdict = 'skip' | 'read' | 'lower';

/**
 * Where the search cache for a sessions root and a Claude config dir lives:
 * named by their textKey (node:crypto, which named it before, cost a search
 * a tenth of its start-up). Two pairs that shared a name would only take
 * turns with the file: its records are of paths, each checked by its stats.
 */
export function searchCacheFile(cacheDir: string, root: string, configDir: string): string {
  return path.join(cacheDir, 'search', `${textKey(`${root}\0${configDir}`)}.bin`);
}

/** Caches named by the sha256 of before (32 hex characters): never read again. */
const OLD_NAME = /^[0-9a-f]{32}\.bin$/;

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


/** Byte -> its lower-case ASCII letter or digit, 0 for a byte that ends a word. */
const WORD_BYTE = new Uint8Array(256);
for (let b = 0x30; b <= 0x39; b++) WORD_BYTE[b] = b;
for (let b = 0x61; b <= 0x7a; b++) WORD_BYTE[b] = WORD_BYTE[b - 0x20] = b;

const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Slots of WordSet's table to begin with (it doubles at half full, and starts small again for the next file). */
const SLOTS = 1 << 12;

/**
 * The distinct words of a file, in the order they first occur, each followed
 * by '\n': collected byte by byte (a word is hashed as it is read and looked
 * up in an open-addressing table whose keys are the words already written
 * out), so no string is made per word: what a regular expression over the
 * folded text would give, about ten times faster. One instance serves every
 * file of a search (`reset` between files), so its tables are made once and
 * its loop is compiled once.
 */
class WordSet {
  /** The words so far, each followed by '\n'. */
  private out = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** Open addressing: 0 = free, else 1 + the start of the word in `out`. */
  private slots = new Int32Array(SLOTS);
  private hashes = new Int32Array(SLOTS);
  private count = 0;
  /** The word being read (it may go on in the next read), folded, its length, its FNV-1a hash so far, and whether it had an upper-case letter. */
  private readonly word = new Uint8Array(MAX_WORD + 1);
  private len = 0;
  private hash = FNV_BASIS;
  private upper = false;
  /** The words seen with an upper-case letter (none for the set that is `mixed` itself). */
  private readonly mixed: WordSet | null;
  /** A word longer than MAX_WORD was seen. */
  tooLong = false;

  constructor(withMixed = true) {
    this.mixed = withMixed ? new WordSet(false) : null;
  }

  reset(): void {
    this.mixed?.reset();
    this.upper = false;
    this.used = 0;
    if (this.slots.length > SLOTS) {
      this.slots = new Int32Array(SLOTS);
      this.hashes = new Int32Array(SLOTS);
    } else if (this.count > 0) {
      this.slots.fill(0);
    }
    this.count = 0;
    this.len = 0;
    this.hash = FNV_BASIS;
    this.tooLong = false;
  }

  /** Takes the next `n` bytes of the file; false once a word is too long to keep (the file is then always read). */
  feed(data: Uint8Array, n: number): boolean {
    const word = this.word;
    let len = this.len;
    let h = this.hash;
    let upper = this.upper;
    for (let i = 0; i < n; i++) {
      const b = data[i]!;
      const c = WORD_BYTE[b]!;
      if (c !== 0) {
        if (len <= MAX_WORD) word[len] = c;
        len++;
        h = Math.imul(h ^ c, FNV_PRIME);
        if (c !== b && b < 0x5b) upper = true; // 'A'..'Z' (digits and 'a'..'z' map to themselves)
      } else if (len > 0) {
        if (len > MAX_WORD) {
          this.tooLong = true;
          return false;
        }
        this.add(len, h, upper);
        len = 0;
        h = FNV_BASIS;
        upper = false;
      }
    }
    this.len = len;
    this.hash = h;
    this.upper = upper;
    return true;
  }

  /** The record (see Entry.words) and where MIXED is in it, once the whole file has been fed; null when a word was too long. */
  finish(): { bytes: Buffer; split: number } | null {
    if (this.len > MAX_WORD) this.tooLong = true;
    else if (this.len > 0) this.add(this.len, this.hash, this.upper);
    this.len = 0;
    if (this.tooLong) return null;
    const mixed = this.mixed!;
    const bytes = Buffer.allocUnsafe(this.used + 1 + mixed.used);
    this.out.copy(bytes, 0, 0, this.used);
    bytes[this.used] = MIXED;
    mixed.out.copy(bytes, this.used + 1, 0, mixed.used);
    return { bytes, split: this.used };
  }

  private add(len: number, h: number, upper: boolean): void {
    if (upper) this.mixed!.addWord(this.word, len, h);
    this.addWord(this.word, len, h);
  }

  /** Adds word[0, len) (hash h) unless it is there. */
  private addWord(word: Uint8Array, len: number, h: number): void {
    const { out } = this;
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = this.slots[i]! - 1;
      if (at < 0) break;
      // A stored word of this length ends with the '\n' at at + len (no word holds one).
      if (this.hashes[i] === h && out[at + len] === 10) {
        let j = 0;
        while (j < len && out[at + j] === word[j]) j++;
        if (j === len) return;
      }
    }
    if (this.used + len + 1 > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, this.used + len + 1));
      out.copy(bigger, 0, 0, this.used);
      this.out = bigger;
    }
    const at = this.used;
    this.out.set(word.subarray(0, len), at);
    this.out[at + len] = 10;
    this.used += len + 1;
    if (++this.count * 2 > this.slots.length) this.grow();
    this.put(at, h);
  }

  private put(at: number, h: number): void {
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = at + 1;
    this.hashes[i] = h;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) this.put(slots[i]! - 1, hashes[i]!);
  }
}

/**
 * Reads one file and gives its record; null when it cannot be read. A
 * transcript's record holds the words of what was said in it
 * (feedTranscript), not of its raw lines (feedBytes).
 */
function wordsOf(file: string, st: FileStamp, buf: Buffer, words: WordSet, transcript: boolean): Entry | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  words.reset();
  let always: boolean;
  try {
    always = (transcript ? feedTranscript : feedBytes)(fd, buf, words);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
  const record = (always ? null : words.finish()) ?? { bytes: Buffer.from([MIXED]), split: 0 };
  return { ...st, always: always || words.tooLong, words: record.bytes, at: -1, len: record.bytes.length, split: record.split };
}

/** Feeds the open file's bytes to `words`; true when the file is always to be read (see the header), as far as it got then. */
function feedBytes(fd: number, buf: Buffer, words: WordSet): boolean {
  // The last bytes of the previous read and the first of this one: a character of ASCII_LOWERING may straddle two reads.
  const seam = Buffer.alloc(4);
  let tail = 0;
  for (let pos = 0; ; ) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) return false;
    pos += n;
    const head = buf.copy(seam, tail, 0, Math.min(n, 2));
    if (ASCII_LOWERING.some((b) => buf.subarray(0, n).includes(b) || seam.subarray(0, tail + head).includes(b))) return true;
    tail = Math.min(n, 2);
    buf.copy(seam, 0, n - tail, n);
    if (!words.feed(buf, n)) return true; // a word too long to keep
  }
}

/**
 * A transcript's words: those of each line's readable text (transcriptText),
 * which is all a search matches a transcript on. So a word every line holds
 * only in its metadata (the branch `main`, the working folder, `claude` in
 * the model, `tokens` in the usage) rules the file out without reading it,
 * where its raw bytes would have it read and every line parsed. Exact as the
 * words of raw bytes are (see the header): a line that matches has every
 * term in its text, and the record holds that text's words. Text with a
 * character of ASCII_LOWERING (as written, or as a \u escape) makes the file
 * always read (true). Lines are parsed one at a time; a line longer than the
 * buffer is gathered across reads.
 */
function feedTranscript(fd: number, buf: Buffer, words: WordSet): boolean {
  const newline = Buffer.from('\n');
  const feedLine = (line: string): boolean => {
    const text = transcriptText(line);
    if (text === null) return true;
    if (text.includes('\u0130') || text.includes('\u212a')) return false;
    const bytes = Buffer.from(text);
    return words.feed(bytes, bytes.length) && words.feed(newline, 1);
  };
  let partial: Buffer[] = []; // the start of a line the last reads did not finish
  for (let pos = 0; ; ) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    pos += n;
    if (n === 0) return partial.length > 0 && !feedLine(Buffer.concat(partial).toString('utf8'));
    const data = buf.subarray(0, n);
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      const line = partial.length ? Buffer.concat([...partial, data.subarray(start, nl)]).toString('utf8') : data.toString('utf8', start, nl);
      partial = [];
      start = nl + 1;
      if (!feedLine(line)) return true;
    }
    if (start < n) partial.push(Buffer.from(data.subarray(start, n)));
  }
}

interface Listing {
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  names: string[];
}

/**
 * The search cache of one sessions root: `names` lists a folder, `mayMatch`
 * answers for a file from its words; either reads afresh and records what is
 * missing or stale. `save` stores what changed. Storing is best effort: the
 * cache only saves time.
 */
export class SearchCache {
  private readonly seen = new Set<string>();
  private changed = false;
  private budget = INDEX_BUDGET_BYTES;
  private buf: Buffer | null = null;
  private words: WordSet | null = null;

  private constructor(
    private readonly file: string | null,
    private readonly entries: Map<string, Entry>,
    private readonly dirs: Map<string, Listing>,
    private readonly now: number,
    private readonly settledMs: number,
    /** The stored cache's bytes, where each stored record starts in them (ascending), and its `split`. */
    private readonly blob: Buffer = Buffer.alloc(0),
    private readonly starts: readonly number[] = [],
    private readonly splits: readonly number[] = [],
  ) {}

  /** Opens the cache stored in `file` (an empty one when it is missing, unreadable or of another version); `now` in ms since the epoch; `settledMs` for tests. */
  static open(file: string, now: number, settledMs = SETTLED_MS): SearchCache {
    const { entries, dirs, blob, starts, splits } = readCache(file);
    return new SearchCache(file, entries, dirs, now, settledMs, blob, starts, splits);
  }

  /** A cache that knows nothing and keeps nothing: every folder is listed, every file read. */
  static none(): SearchCache {
    return new SearchCache(null, new Map(), new Map(), 0, SETTLED_MS);
  }

  /**
   * The names in folder `dir` (readdirSync order), [] when it cannot be
   * listed. `st` is the folder's stat (or lstat) when the caller has it
   * (undefined: not taken yet; null: it does not exist); a folder it does not
   * show as a folder has no names.
   */
  names(dir: string, st?: fs.Stats | null): string[] {
    if (st !== undefined && !st?.isDirectory()) return []; // the caller's lstat: a link is not listed
    if (this.file === null) return listing(dir);
    if (st === undefined) st = fs.statSync(dir, { throwIfNoEntry: false }) ?? null;
    if (!st?.isDirectory()) return [];
    this.seen.add(dir);
    const hit = this.dirs.get(dir);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs && hit.ino === st.ino) return hit.names;
    const names = listing(dir);
    if (this.now - Math.max(st.mtimeMs, st.ctimeMs) >= RACY_MS) {
      this.dirs.set(dir, { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, names });
      this.changed = true;
    } else if (this.dirs.delete(dir)) {
      this.changed = true;
    }
    return names;
  }

  /**
   * What to do with `file` (with stats `st`) for a query whose runs are
   * `runs` (requiredRuns): 'skip' when it certainly holds no line with every
   * run; 'lower' when it may and every place a term occurs in it folded is
   * one where it occurs as it is (see "Lower case" in the header); 'read'
   * otherwise. `transcript`: the file is a transcript, whose record holds the
   * words of its readable text (feedTranscript). 'lower' holds for it too: a
   * line is kept only when its text has the terms, and text whose words hold
   * them in lower case only has them so in the line's raw bytes as well (JSON
   * escaping leaves letters and digits alone).
   */
  verdict(file: string, st: FileStamp, runs: readonly Buffer[], transcript = false): Verdict {
    if (this.file === null) return 'read';
    this.seen.add(file);
    let e = this.entries.get(file);
    if (!e || !same(e, st)) {
      if (this.now - Math.max(st.mtimeMs, st.ctimeMs) < this.settledMs) {
        if (this.entries.delete(file)) this.changed = true;
        return 'read'; // still changing: scanned, not indexed
      }
      if (st.size > this.budget) {
        if (this.entries.delete(file)) this.changed = true;
        return 'read'; // over this search's indexing budget: scanned now, indexed by a later search
      }
      this.budget -= st.size;
      const fresh = wordsOf(file, st, (this.buf ??= Buffer.allocUnsafe(CHUNK)), (this.words ??= new WordSet()), transcript);
      if (!fresh) return 'read'; // unreadable now: scanFile says what it finds
      this.entries.set(file, fresh);
      this.changed = true;
      e = fresh;
    }
    if (e.always) return 'read';
    if (e.at >= 0) {
      const stored = this.storedWith(runs);
      return !stored.all.has(e.at) ? 'skip' : stored.mixed.has(e.at) ? 'read' : 'lower';
    }
    const words = e.words!;
    for (const r of runs) if (words.indexOf(r) < 0) return 'skip';
    for (const r of runs) if (words.indexOf(r, e.split + 1) >= 0) return 'read';
    return 'lower';
  }

  private stored: { runs: readonly Buffer[]; all: Set<number>; mixed: Set<number> } | null = null;

  /**
   * The stored records (their `at`) holding every run, and those holding one
   * in their upper-case words: each run is looked for once in all the stored
   * records, not once per file. A match lies within one record, as records
   * end with '\n' and runs hold none.
   */
  private storedWith(runs: readonly Buffer[]): { all: Set<number>; mixed: Set<number> } {
    if (this.stored?.runs === runs) return this.stored;
    const { starts, splits } = this;
    const recordAt = (pos: number): number => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= pos) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    let all = new Set<number>(starts);
    const mixed = new Set<number>();
    for (const r of runs) {
      const here = new Set<number>();
      if (starts.length) {
        for (let i = this.blob.indexOf(r, starts[0]); i >= 0; i = this.blob.indexOf(r, i + 1)) {
          const k = recordAt(i);
          here.add(starts[k]!);
          if (i > starts[k]! + splits[k]!) mixed.add(starts[k]!);
        }
      }
      all = new Set([...all].filter((at) => here.has(at)));
    }
    this.stored = { runs, all, mixed };
    return this.stored;
  }

  /** Stores the cache if anything changed, dropping records of files and folders that no longer exist. */
  save(): void {
    if (!this.changed || this.file === null) return;
    for (const map of [this.entries, this.dirs]) for (const p of [...map.keys()]) if (!this.seen.has(p) && !fs.existsSync(p)) map.delete(p);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, serialize(this.entries, this.dirs, this.blob), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
      for (const name of fs.readdirSync(path.dirname(this.file))) if (OLD_NAME.test(name)) fs.rmSync(path.join(path.dirname(this.file), name), { force: true });
    } catch {
      // the next search lists and reads afresh
    }
  }
}

function listing(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

type FileRow = [path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, always: number, recordBytes: number, split: number];
type DirRow = [path: string, mtimeMs: number, ctimeMs: number, ino: number, names: string[]];

/**
 * Layout: MAGIC, a JSON line of DirRows, a JSON line of FileRows, then every
 * file's record (Entry.words), in the order of its rows.
 */
function serialize(entries: Map<string, Entry>, dirs: Map<string, Listing>, blob: Buffer): Buffer {
  const dirRows: DirRow[] = [...dirs].map(([p, d]) => [p, d.mtimeMs, d.ctimeMs, d.ino, d.names]);
  const fileRows: FileRow[] = [...entries].map(([p, e]) => [p, e.size, e.mtimeMs, e.ctimeMs, e.ino, e.always ? 1 : 0, e.len, e.split]);
  return Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(dirRows)}\n${JSON.stringify(fileRows)}\n`), ...[...entries.values()].map((e) => e.words ?? blob.subarray(e.at, e.at + e.len))]);
}

function readCache(file: string): { entries: Map<string, Entry>; dirs: Map<string, Listing>; blob: Buffer; starts: number[]; splits: number[] } {
  const entries = new Map<string, Entry>();
  const dirs = new Map<string, Listing>();
  const none = { entries: new Map<string, Entry>(), dirs: new Map<string, Listing>(), blob: Buffer.alloc(0), starts: [], splits: [] };
  const starts: number[] = [];
  const splits: number[] = [];
  // Never through a link, never a device or FIFO (a link to /dev/zero hung the search).
  const data = readOwnCache(file);
  if (!data) return none;
  try {
    if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) return none;
    const nl1 = data.indexOf(10, MAGIC.length);
    const nl2 = nl1 < 0 ? -1 : data.indexOf(10, nl1 + 1);
    if (nl2 < 0) return none;
    for (const [p, mtimeMs, ctimeMs, ino, names] of JSON.parse(data.toString('utf8', MAGIC.length, nl1)) as DirRow[]) dirs.set(p, { mtimeMs, ctimeMs, ino, names });
    let at = nl2 + 1;
    for (const [p, size, mtimeMs, ctimeMs, ino, always, len, split] of JSON.parse(data.toString('utf8', nl1 + 1, nl2)) as FileRow[]) {
      if (at + len > data.length || data[at + split] !== MIXED) return none; // truncated or damaged: start over
      // The words stay in `data` (a subarray each would cost more than the rest of the record).
      entries.set(p, { size, mtimeMs, ctimeMs, ino, always: always === 1, words: null, at, len, split });
      starts.push(at);
      splits.push(split);
      at += len;
    }
  } catch {
    return none;
  }
  return { entries, dirs, blob: data, starts, splits };
}
