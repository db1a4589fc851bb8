// `cs -search`: every session's discoveries, changes, artifacts and README,
// and the Claude Code transcripts of its directory (of a project folder two
// sessions share, only the conversations each pins: src/conversations/owned.ts),
// scanned line by line (src/search/scan.ts) and ranked: where the text was
// found (a discovery weighs more than a transcript line), how often, whether
// the whole phrase and whole words matched, and how recent the file is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ownedBySession, ownedConversations, ownsEntry, type Owned } from '../conversations/owned.js';
import { UserError } from '../lib/errors.js';
import { claudeProjectDir } from '../session/claude-project.js';
import { archiveMarker, isArchived, visible, type Visibility } from '../session/marks.js';
import { nameProblem } from '../session/names.js';
import { claudeConfigDir, csCacheDir, sessionsRoot } from '../session/paths.js';
import { SearchCache, searchCacheFile, requiredRuns } from './cache.js';
import { choosePlan, compileQuery, countBytes, jsonQuery, lineNumberAt, scanFile, type Query } from './scan.js';
import { transcriptText } from './transcript.js';

export type Source = 'discoveries' | 'readme' | 'artifact' | 'changes' | 'transcript';

const WEIGHT: Record<Source, number> = { discoveries: 3, readme: 2, artifact: 1.5, changes: 1.2, transcript: 1 };
const SNIPPET = 160;
const KEEP_LINES = 3;
const DAY_MS = 86_400_000;

export interface SearchOptions {
  env: NodeJS.ProcessEnv;
  query: string;
  session?: string;
  limit?: number;
  now?: Date;
  /** Archived sessions (src/session/marks.ts): left out unless asked for, or named with `session`. */
  show?: Visibility;
  /** false: list every folder and read every file (tests compare the cached answer with it). */
  useCache?: boolean;
  /** How long a file must be left alone before its words are recorded (tests; src/search/cache.ts). */
  cacheSettledMs?: number;
}

export interface SearchHit {
  session: string;
  source: Source;
  /** Shown name: relative to the session (.cs/discoveries.md) or transcript/<id>.jsonl. */
  file: string;
  path: string;
  /** 1-based line of the best snippet. */
  line: number;
  snippet: string;
  /** Further matching lines (up to 2), as snippets. */
  more: Array<{ line: number; snippet: string }>;
  /** Matching lines in the file. */
  matches: number;
  score: number;
  modified: string;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Hits before the limit cut. */
  total: number;
  sessions: number;
  files: number;
  /** Bytes scanned (files the word index rules out are not read). */
  bytes: number;
}

interface Target {
  session: string;
  source: Source;
  file: string;
  path: string;
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
}

interface SessionDir {
  name: string;
  dir: string;
  metaNames: string[];
  /** The transcripts of its project folder it owns (src/conversations/owned.ts). */
  owned: Owned;
}

/**
 * The sessions to search, each with its real path, the names in its `.cs`
 * folder and what it owns of its Claude Code project folder. A session
 * folder (not a link) of a real root is its own real path: only links are
 * resolved (realpath costs a readlink per path component). The archive
 * marker is looked for only when `.cs` lists it.
 */
function sessionDirs(root: string, cache: SearchCache, only?: string, show: Visibility = {}): SessionDir[] {
  let entries: Array<{ name: string; plain: boolean }>;
  let realRoot = root;
  if (only !== undefined) {
    entries = [{ name: only, plain: false }];
  } else {
    try {
      realRoot = fs.realpathSync.native(root);
      entries = fs.readdirSync(root, { withFileTypes: true }).map((d) => ({ name: d.name, plain: d.isDirectory() }));
    } catch {
      entries = [];
    }
  }
  const all: Array<{ name: string; dir: string; metaNames: string[] }> = [];
  for (const { name, plain } of entries) {
    if (nameProblem(name) !== null) continue;
    let dir: string;
    try {
      dir = plain ? `${realRoot}/${name}` : fs.realpathSync.native(path.join(root, name));
    } catch {
      continue;
    }
    // lstat: a .cs that is a link is not the session's own (nothing is read through a link there).
    const meta = fs.lstatSync(`${dir}/.cs`, { throwIfNoEntry: false });
    if (!meta?.isDirectory()) continue;
    all.push({ name, dir, metaNames: cache.names(`${dir}/.cs`, meta) });
  }
  // Found among all the sessions, archived ones included (they own their conversations too);
  // for one named session, whether another shares its folder takes a look at the root.
  const owners = only === undefined ? ownedBySession(root, all.map((s) => ({ name: s.name, realDir: s.dir }))) : null;
  const out: SessionDir[] = [];
  for (const { name, dir, metaNames } of all) {
    if (only === undefined && visible([{ archived: metaNames.includes(path.basename(archiveMarker(dir))) && isArchived(dir) }], show).length === 0) continue;
    out.push({ name, dir, metaNames, owned: owners ? owners.get(name)! : ownedConversations(root, name, dir) });
  }
  return out;
}

/**
 * The files of one session worth searching, with their stats. With the word
 * index sparing the reading, a search spends its time here, in syscalls:
 * folders are listed through the cache, files lstat'ed. Nothing in .cs is
 * read through a symbolic link (a link made by hand to a folder or file
 * outside would put what it holds in the results); a transcript folder may
 * be one (~/.claude kept elsewhere). Paths are joined by hand: `dir` is a
 * real path and names hold no slash.
 */
function targetsOf({ name: session, dir, metaNames, owned }: SessionDir, configDir: string, cache: SearchCache): Target[] {
  const out: Target[] = [];
  const add = (source: Source, file: string, p: string, st: fs.Stats | undefined) => {
    if (st?.isFile()) out.push({ session, source, file, path: p, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino });
  };
  const meta = `${dir}/.cs`;
  for (const name of metaNames) {
    const p = `${meta}/${name}`;
    if (name === 'README.md') add('readme', '.cs/README.md', p, fs.lstatSync(p, { throwIfNoEntry: false }));
    else if (/^discoveries.*\.md$/.test(name)) add('discoveries', `.cs/${name}`, p, fs.lstatSync(p, { throwIfNoEntry: false }));
    else if (name === 'changes.md') add('changes', '.cs/changes.md', p, fs.lstatSync(p, { throwIfNoEntry: false }));
  }
  const artifacts = `${meta}/artifacts`;
  for (const name of cache.names(artifacts, fs.lstatSync(artifacts, { throwIfNoEntry: false }) ?? null)) {
    if (name === 'MANIFEST.json' || name.startsWith('.')) continue;
    const p = `${artifacts}/${name}`;
    add('artifact', `.cs/artifacts/${name}`, p, fs.lstatSync(p, { throwIfNoEntry: false }));
  }
  const transcripts = claudeProjectDir(configDir, dir);
  for (const name of cache.names(transcripts)) {
    if (!name.endsWith('.jsonl') || !ownsEntry(owned, name)) continue;
    const p = `${transcripts}/${name}`;
    add('transcript', `transcript/${name}`, p, fs.lstatSync(p, { throwIfNoEntry: false }));
  }
  return out;
}

/** ~160 characters around the first term, on one line. */
export function snippet(text: string, q: Query): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\s\x00-\x1f\x7f\u009b]+/g, ' ').trim();
  const lower = flat.toLowerCase();
  let at = lower.indexOf(q.text.toLowerCase());
  if (at < 0) at = Math.min(...q.terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0), flat.length);
  if (flat.length <= SNIPPET) return flat;
  const start = Math.max(0, Math.min(at - 50, flat.length - SNIPPET));
  const end = Math.min(flat.length, start + SNIPPET);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}

function termsIn(text: string, q: Query): boolean {
  const lower = text.toLowerCase();
  return q.terms.every((t) => lower.includes(t));
}

/** Each query's whole-word patterns, compiled once for all the files it ranks. */
const wordPatterns = new WeakMap<Query, RegExp[]>();

function wordMatch(text: string, q: Query): boolean {
  let patterns = wordPatterns.get(q);
  if (!patterns) {
    patterns = q.terms.map((t) => new RegExp(`(^|[^\\p{L}\\p{N}_])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}_])`, 'iu'));
    wordPatterns.set(q, patterns);
  }
  return patterns.every((re) => re.test(text));
}

export function score(source: Source, matches: number, best: string, q: Query, ageMs: number): number {
  let s = WEIGHT[source] * (1 + Math.log2(1 + matches));
  if (q.terms.length > 1 && best.toLowerCase().includes(q.text.toLowerCase())) s *= 1.5;
  if (wordMatch(best, q)) s *= 1.2;
  s *= 1 + 0.5 * Math.exp(-Math.max(0, ageMs) / (30 * DAY_MS));
  return Math.round(s * 1000) / 1000;
}

const SAMPLE_FILES = 8;
const SAMPLE_BYTES = 64 * 1024;

/** Byte frequencies from the start of a few files spread over the targets decide how to look (scan.ts Plan). */
function samplePlan(q: Query, targets: readonly Target[], buf: Buffer) {
  if (!q.ascii) return q.plan;
  const histogram = new Uint32Array(256);
  let total = 0;
  const step = Math.max(1, Math.floor(targets.length / SAMPLE_FILES));
  for (let i = 0; i < targets.length && total < SAMPLE_FILES * SAMPLE_BYTES; i += step) {
    let fd: number;
    try {
      fd = fs.openSync(targets[i]!.path, 'r');
    } catch {
      continue;
    }
    try {
      const n = fs.readSync(fd, buf, 0, Math.min(SAMPLE_BYTES, buf.length), 0);
      countBytes(buf.subarray(0, n), histogram);
      total += n;
    } finally {
      fs.closeSync(fd);
    }
  }
  return choosePlan(q, histogram, total);
}

/** Each session's known secret values (knownSessionSecrets), for scrubbing; the keychain is probed once for them all. */
async function knownSecrets(sessions: Set<string>, env: NodeJS.ProcessEnv, root: string): Promise<Map<string, Record<string, string>>> {
  if (sessions.size === 0) return new Map();
  const { knownSessionSecrets, listedForRoot, withValueLines } = await import('../secrets/scrub.js');
  const probes = {};
  const listed = await listedForRoot(env, root, probes);
  // All at once: with the OS keychain each session costs a few D-Bus round trips, which then overlap.
  // Files are searched a line at a time: each line of a multi-line value is taken out on its own.
  return new Map(await Promise.all([...sessions].map(async (s) => [s, withValueLines(await knownSessionSecrets(s, env, probes, listed))] as const)));
}

export async function searchSessions(opts: SearchOptions): Promise<SearchResult> {
  const q = compileQuery(opts.query);
  if (q.terms.length === 0) throw new UserError('nothing to search for', 'cs -search <text>');
  const root = sessionsRoot(opts.env);
  if (opts.session !== undefined && !fs.existsSync(path.join(root, opts.session))) {
    throw new UserError(`no session named '${opts.session}'`, 'see cs -ls');
  }
  const configDir = claudeConfigDir(opts.env);
  const now = (opts.now ?? new Date()).getTime();
  const cache = opts.useCache === false ? SearchCache.none() : SearchCache.open(searchCacheFile(csCacheDir(opts.env), root, configDir), Date.now(), opts.cacheSettledMs);
  const sessions = sessionDirs(root, cache, opts.session, opts.show);
  const buf = Buffer.allocUnsafe(1024 * 1024);
  const found: Array<{ t: Target; matches: number; lines: Array<{ offset: number; text: string }> }> = [];
  let bytes = 0;
  const targets = sessions.flatMap((s) => targetsOf(s, configDir, cache));
  // Sampled from every file searched, never from what the word index leaves, so the index's state
  // never decides how a search looks (every plan gives the same answer: scan.ts).
  q.plan = samplePlan(q, targets, buf);
  // A transcript stores what was said as JSON strings: its raw lines are searched for the terms so escaped.
  const qJson = jsonQuery(q);
  // Files without the query's words are not read (cache.ts); scanFile decides on the rest.
  const runs = requiredRuns(q);
  for (const t of targets) {
    const verdict = runs ? cache.verdict(t.path, t, runs, t.source === 'transcript') : 'read';
    if (verdict === 'skip') continue;
    const r = scanFile(t.path, t.source === 'transcript' ? qJson : q, {
      keep: KEEP_LINES,
      skipBinary: t.source === 'artifact',
      lower: verdict === 'lower',
      // In a transcript the match must be in what was said, not in ids, paths or metadata.
      accept: t.source === 'transcript' ? (line) => termsIn(transcriptText(line) ?? '', q) : undefined,
    }, buf);
    bytes += r.bytes;
    if (r.matches > 0) found.push({ t, matches: r.matches, lines: r.lines });
  }
  cache.save();
  // Stored secret values never decide a match (a match only inside a value
  // would answer, one query at a time, what the value holds): the files of
  // sessions that have secrets are judged again, line by line, on their
  // text with each value taken out. Loaded only when something matched.
  const { lineMarker, scrubKnown } = await import('../secrets/scrub.js');
  const secrets = found.length ? await knownSecrets(new Set(found.map((f) => f.t.session)), opts.env, root) : new Map<string, Record<string, string>>();
  for (let i = found.length - 1; i >= 0; i--) {
    const t = found[i]!.t;
    const known = secrets.get(t.session) ?? {};
    if (Object.keys(known).length === 0) continue;
    const r = scanFile(t.path, t.source === 'transcript' ? qJson : q, {
      keep: KEEP_LINES,
      skipBinary: t.source === 'artifact',
      accept: (line) => termsIn(scrubKnown(t.source === 'transcript' ? transcriptText(line) ?? '' : line, known, () => '\0').text, q),
      judgeEvery: true,
    }, buf);
    if (r.matches > 0) found[i] = { t, matches: r.matches, lines: r.lines };
    else found.splice(i, 1);
  }
  const ranked = found
    .map((f) => {
      const texts = f.lines.map((l) => (f.t.source === 'transcript' ? transcriptText(l.text) ?? l.text : l.text));
      return { ...f, texts, score: score(f.t.source, f.matches, texts[0] ?? '', q, now - f.t.mtimeMs) };
    })
    .sort((a, b) => b.score - a.score || b.t.mtimeMs - a.t.mtimeMs || a.t.session.localeCompare(b.t.session));
  const limit = opts.limit ?? 20;
  const shown = ranked.slice(0, limit);
  // Known secret values never reach the output (issue #18): each line is
  // scrubbed whole, before the snippet could cut a value in two.
  if (shown.length === 0) return { hits: [], total: 0, sessions: sessions.length, files: targets.length, bytes };
  const hits: SearchHit[] = shown.map((f) => {
    const known = secrets.get(f.t.session) ?? {};
    const lines = f.lines.map((l, i) => ({ line: lineNumberAt(f.t.path, l.offset, buf), snippet: snippet(scrubKnown(f.texts[i]!, known, lineMarker).text, q) }));
    return {
      session: f.t.session,
      source: f.t.source,
      file: f.t.file,
      path: f.t.path,
      line: lines[0]!.line,
      snippet: lines[0]!.snippet,
      more: lines.slice(1),
      matches: f.matches,
      score: f.score,
      modified: new Date(f.t.mtimeMs).toISOString(),
    };
  });
  return { hits, total: ranked.length, sessions: sessions.length, files: targets.length, bytes };
}
