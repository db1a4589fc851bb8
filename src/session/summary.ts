// `cs -ls`, the picker and others list sessions here: each session is read
// by summarize.ts, or, with a cache file, an unchanged session costs a few
// stats (see listSessions).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { readOwnCache } from '../lib/fsutil.js';
import { textKey } from '../lib/stathash.js';
import { nameProblem } from './names.js';
import { csCacheDir, sessionPaths } from './paths.js';
import type { SessionSummary } from './summarize.js';
import { stamp, type Stamp } from './stamp.js';
import { stampsAhead } from './stamps-ahead.js';
import { shownState } from '../status/shown.js';
import type { State } from '../status/status.js';

export type { SessionSummary } from './summarize.js';

/**
 * Where listSessions keeps its cache for `root`: named by the textKey of the
 * path. Two roots that
 * shared a name would only take turns rewriting it: a row is used only for
 * the session directory it was made from.
 */
export function listCacheFile(env: NodeJS.ProcessEnv, root: string): string {
  return path.join(csCacheDir(env), 'ls', `${textKey(root)}.jsonl`);
}

/** 7: objectives with control and bidi characters escaped (summaries cached before hold them raw); 8: the unseen postmortem named stamped. */
const CACHE_VERSION = 8;
/**
 * The cache file, in JSON Lines: first {"v", "shapes": [keys of a summary,
 * in order]}, then one CacheRow per session. Summaries share a handful of
 * shapes, so their keys are written once and not ten thousand times; key
 * order is kept, so cached summaries print as fresh ones do (--json). A
 * row stays text until its session is looked at (its name is the start of
 * the line), is turned into its summary only when the session's stamp
 * still matches, and is written back as the same text: ten thousand parsed
 * rows are not kept alive through the listing, which left the garbage
 * collector that much less to copy.
 */
type CacheRow = [name: string, k1: number, k2: number, l: boolean, m: number, shape: number, ...values: unknown[]];
/** Where each field sits in a CacheRow: `l` says whether .cs/local/lock existed (`open` is then worked out afresh: the holder may have died), `m` is stamp()'s `missing`. */
const K1 = 1;
const K2 = 2;
const LOCKED = 3;
const MISSING = 4;
const SHAPE = 5;
const VALUES = 6;

interface Cache {
  shapes: string[][];
  /** Session name → its row, as the line of text it is stored as. */
  lines: Map<string, string>;
}

/** The cache, empty when there is none yet or it cannot be read (everything is then summarized afresh). */
function readCache(file: string): Cache {
  const empty: Cache = { shapes: [], lines: new Map() };
  let rows: string[];
  let head: { v?: unknown; shapes?: unknown } | null;
  try {
    // Never through a link, never a device or FIFO: only a file of cs's own.
    const data = readOwnCache(file);
    if (!data) return empty;
    rows = data.toString('utf8').split('\n');
    head = JSON.parse(rows[0]!) as typeof head;
  } catch {
    return empty;
  }
  if (head === null || head.v !== CACHE_VERSION || !Array.isArray(head.shapes)) return empty;
  const lines = new Map<string, string>();
  for (let i = 1; i < rows.length; i++) {
    // A row starts with its name, `["name",`: session names need no JSON escapes (names.ts).
    const line = rows[i]!;
    const quote = line.startsWith('["') ? line.indexOf('"', 2) : -1;
    if (quote > 2) lines.set(line.slice(2, quote), line);
  }
  return { shapes: head.shapes as string[][], lines };
}

/** A row's summary, or null for a line that is not a row fitting its shape (a damaged cache). */
function summaryOf(shapes: readonly string[][], line: string): { row: CacheRow; s: SessionSummary } | null {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Array.isArray(row)) return null;
  const keys = shapes[row[SHAPE] as number];
  if (!Array.isArray(keys) || keys.length !== row.length - VALUES) return null;
  const s: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) s[keys[i]!] = row[VALUES + i];
  return { row: row as CacheRow, s: s as unknown as SessionSummary };
}

/** Stores the cache; it only saves time, so a failure to store costs the next listing its speed, nothing else. */
function writeCache(file: string, cache: Cache): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    const text = [JSON.stringify({ v: CACHE_VERSION, shapes: cache.shapes }), ...cache.lines.values()].join('\n') + '\n';
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
    // Versions up to 5 kept their caches beside it, as single JSON documents: ours, and never read again.
    for (const old of fs.readdirSync(path.dirname(file))) if (old.endsWith('.json')) fs.rmSync(path.join(path.dirname(file), old), { force: true });
  } catch {
    // see above
  }
}

/** A cache row for a fresh summary, as its line; its shape is looked up in (or added to) `shapes` through `shapeIds`. */
function rowLine(name: string, st: Stamp, locked: boolean, s: SessionSummary, shapes: string[][], shapeIds: Map<string, number>): string {
  const keys = Object.keys(s);
  const id = keys.join('\0');
  let shape = shapeIds.get(id);
  if (shape === undefined) {
    shape = shapes.push(keys) - 1;
    shapeIds.set(id, shape);
  }
  const row: CacheRow = [name, st.k1, st.k2, locked, st.missing, shape, ...Object.values(s)];
  return JSON.stringify(row);
}

export interface ListOptions {
  /** A cache file (listCacheFile): unchanged sessions are read from it. */
  cacheFile?: string;
  /** Milliseconds since the epoch (tests). */
  now?: number;
  /** Told of each entry whose link leads nowhere (an adopted project moved or deleted): it is not listed. */
  onDangling?: (name: string) => void;
  /** From how many sessions stamps are taken ahead on a worker thread (stamps-ahead.ts AHEAD_MIN; tests set it low, or to Infinity for none). */
  aheadMin?: number;
}

/**
 * All sessions under the root, most recently used first. With a cache file,
 * a session whose stamp() is the one recorded is taken from the cache
 * (except `open` and the state shown, worked out afresh), others are
 * summarized and recorded; the answer is the same as without the cache.
 */
export async function listSessions(root: string, opts: ListOptions = {}): Promise<SessionSummary[]> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new UserError(`sessions root ${root} is not a directory`, 'point CS_SESSIONS_ROOT at a directory');
    if (code === 'EACCES') throw new UserError(`cannot read sessions root ${root} (EACCES)`, 'make it readable, or point CS_SESSIONS_ROOT at a directory you own');
    throw e;
  }
  const now = opts.now ?? Date.now();
  // Loaded the first time the cache cannot answer for a session (or has to check a lock);
  // `reader ??` spares the sessions after it a promise each.
  let reader: typeof import('./summarize.js') | undefined;
  const read = async () => (reader ??= await import('./summarize.js'));
  // What no cache holds: whether the session is open now, and the state shown for it, the one
  // -live shows (shownState), from the hook status as summarized. `held`: the holder of its lock,
  // read (holder()) only for a session whose lock file exists (or existed when the row was cached:
  // the lock's folder is stamped). Synchronous: a promise per session showed in -ls's profile.
  const settle = (s: SessionSummary, held: ReturnType<typeof import('./summarize.js').holder> | null): SessionSummary => {
    const status = s.status ? { state: s.status as State, ms: Date.parse(s.statusAt ?? '') } : null;
    s.open = held?.open ?? false;
    s.status = shownState({ status, hosted: held?.hosted ?? null, postmortem: s.postmortem !== undefined })?.state ?? '';
    return s;
  };
  const holderOf = async (s: SessionSummary) => (reader ?? (await read())).holder(sessionPaths(s.dir, s.name));
  const cache = opts.cacheFile ? readCache(opts.cacheFile) : null;
  const next: Cache = { shapes: cache?.shapes ?? [], lines: new Map() };
  const shapeIds = new Map(next.shapes.map((keys, i) => [Array.isArray(keys) ? keys.join('\0') : '', i]));
  let changed = false;
  const out: SessionSummary[] = [];
  // Names are checked (nameProblem: no '/', no '..'), so joining by hand gives path.join's
  // answer; path.join for ten thousand names showed in -ls's profile.
  const base = path.join(root);
  const prefix = base.endsWith('/') ? base : `${base}/`;
  // First the sessions and their cached rows, so that with many of them a
  // worker on another core can stamp them from the end of the list while this
  // thread goes through it from the start (stamps-ahead.ts).
  const todo: Array<{ name: string; kind: 'dir' | 'link'; dir: string; line?: string; hit: ReturnType<typeof summaryOf>; usable: boolean }> = [];
  for (const e of entries) {
    if (nameProblem(e.name) !== null) continue; // staging dirs and stray files
    const kind = e.isSymbolicLink() ? 'link' : e.isDirectory() ? 'dir' : null;
    if (!kind) continue; // a plain file in the root
    let dir = prefix + e.name;
    if (kind === 'link') {
      try {
        dir = fs.realpathSync(dir);
      } catch {
        opts.onDangling?.(e.name);
        continue; // as summarize: cs -rm cleans it up
      }
    }
    const line = cache?.lines.get(e.name);
    const hit = line === undefined ? null : summaryOf(cache!.shapes, line);
    todo.push({ name: e.name, kind, dir, line, hit, usable: hit !== null && hit.s.dir === dir && hit.s.adopted === (kind === 'link') });
  }
  // Each stamp is taken as the row's `missing` allows, or in full (0) for a session without a usable row: the one it is then recorded with.
  const missingOf = (t: (typeof todo)[number]) => (t.usable ? (t.hit!.row[MISSING] as number) : 0);
  const ahead = cache ? stampsAhead(todo.map((t) => t.dir), todo.map(missingOf), now, { min: opts.aheadMin }) : null;
  const stampOf = (i: number) => {
    const got = ahead?.take(i);
    return got !== undefined ? got : stamp(todo[i]!.dir, now, missingOf(todo[i]!));
  };
  try {
    for (let i = 0; i < todo.length; i++) {
      const { name, kind, dir, line, hit, usable } = todo[i]!;
      if (!cache) {
        const s = (reader ?? (await read())).summarize(root, name, kind);
        if (s) out.push(settle(s, s.open ? await holderOf(s) : null));
        continue;
      }
      const first = stampOf(i);
      if (usable && first && first.k1 === hit!.row[K1] && first.k2 === hit!.row[K2]) {
        out.push(settle(hit!.s, hit!.row[LOCKED] === true ? await holderOf(hit!.s) : null));
        next.lines.set(name, line!);
        continue;
      }
      // Taken before reading: a change made meanwhile then misses the entry next time.
      const st = usable ? stamp(dir, now) : first;
      const s = (reader ?? (await read())).summarize(root, name, kind);
      if (!s) continue;
      changed = true;
      if (st && !st.racy) next.lines.set(name, rowLine(name, st, fs.existsSync(sessionPaths(dir, name).lock), { ...s, open: false }, next.shapes, shapeIds));
      out.push(settle(s, s.open ? await holderOf(s) : null));
    }
  } finally {
    ahead?.close();
  }
  if (cache && (changed || next.lines.size !== cache.lines.size)) writeCache(opts.cacheFile!, next);
  // Feature sessions (`base@feature`, src/features/) live in <root>/.features/.
  const features = path.join(root, '.features');
  for (const name of fs.existsSync(features) ? fs.readdirSync(features) : []) {
    if (!name.includes('@')) continue;
    const s = (reader ?? (await read())).summarize(features, name, 'dir');
    if (s) out.push(settle(s, s.open ? await holderOf(s) : null));
  }
  return out.sort((a, b) => (a.lastUsed < b.lastUsed ? 1 : a.lastUsed > b.lastUsed ? -1 : a.name.localeCompare(b.name)));
}
