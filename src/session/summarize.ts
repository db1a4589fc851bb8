// What `cs -ls` and the picker show about one session, read with a handful
// of cheap syscalls. Loaded by listSessions (summary.ts) only for a session
// its cache cannot answer for: a listing of unchanged sessions loads none of
// the modules below (their loading was a tenth of cs -ls's start-up).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConf } from '../lib/conf.js';
import { escapeControls } from '../lib/format.js';
import { syncConfFrom } from '../git/syncconf.js';
import { lockState, readLock } from './lock.js';
import { sessionPaths, type SessionPaths } from './paths.js';
import { readStatus } from '../status/status.js';
import { unseenPostmortem } from '../host/postmortem.js';
import { readRun } from '../host/state.js';
import { archiveMarker, parseTags, tagsFile } from './marks.js';
import { queueFile } from '../queue/queue.js';

export interface SessionSummary {
  name: string;
  dir: string;
  adopted: boolean;
  /** ISO time of the last session event (start/end), else of creation. */
  lastUsed: string;
  objective: string;
  discoveries: number;
  artifacts: number;
  /** 'auto' | 'manual' (remote set, auto-sync off) | 'none' */
  sync: string;
  /** 'local' or the remote host of a stub. */
  location: string;
  open: boolean;
  /**
   * The state cs shows, as -live does (src/status/shown.ts): working | needs-you | idle | closed
   * from hook events, starting, ended-unexpectedly, or '' (never recorded). summarize() gives the
   * hook status alone; listSessions works out the rest when listing.
   */
  status?: string;
  /** ISO time of that status, or ''. */
  statusAt?: string;
  /** One line about the last run's unexpected end, until the next `cs <name>` (src/host/postmortem.ts). */
  postmortem?: string;
  /** Tags from `.cs/tags` (src/session/marks.ts), sorted. */
  tags: string[];
  /** Archived with cs -archive: hidden from listings unless asked for. */
  archived: boolean;
  /** Pending tasks in the session's queue (src/queue/), when there are any. */
  queued?: number;
}

// Missing files are the common case here (sync.conf, remote.conf, lock), and
// a thrown ENOENT costs far more than the syscall: existsSync never throws.
function readIfExists(file: string): string {
  if (!fs.existsSync(file)) return '';
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function countArtifacts(dir: string): number {
  try {
    let n = 0;
    for (const f of fs.readdirSync(dir)) if (f !== 'MANIFEST.json' && !f.startsWith('.')) n++;
    return n;
  } catch {
    return 0;
  }
}

/** Counts `## ` sections: one per recorded discovery. */
export function countDiscoveries(text: string): number {
  let n = text.startsWith('## ') ? 1 : 0;
  for (let i = text.indexOf('\n## '); i >= 0; i = text.indexOf('\n## ', i + 1)) n++;
  return n;
}

/**
 * First non-empty line under "## Objective" that is not the template's
 * placeholder, with control and bidi characters made visible (escapeControls):
 * it is shown on terminals (-ls, the picker), and a README may come from
 * another machine.
 */
export function objectiveOf(readme: string): string {
  return escapeControls(objectiveLine(readme));
}

function objectiveLine(readme: string): string {
  const lines = readme.split('\n');
  const at = lines.findIndex((l) => /^##\s+Objective\s*$/i.test(l));
  if (at < 0) return '';
  for (const l of lines.slice(at + 1)) {
    if (l.startsWith('#')) break;
    const t = l.trim();
    if (t && !t.startsWith('(')) return t;
  }
  return '';
}

/** Files every session has: read directly, a missing one costs a rare exception. */
function readPresent(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * `kind` comes from the root's readdir when known (saves an lstat per
 * session; syscalls are what -ls spends its time on).
 */
export function summarize(root: string, name: string, kind?: 'dir' | 'link'): SessionSummary | null {
  const entry = path.join(root, name);
  let dir = entry;
  let adopted = false;
  const isLink = kind ? kind === 'link' : fs.lstatSync(entry, { throwIfNoEntry: false })?.isSymbolicLink();
  if (isLink) {
    try {
      dir = fs.realpathSync(entry);
    } catch {
      return null; // dangling link: cs -rm cleans it up
    }
    adopted = true;
  }
  const p = sessionPaths(dir, name);
  // The session log stands for `.cs/` existing; only without it do we look further.
  const logs = fs.statSync(p.sessionLog, { throwIfNoEntry: false });
  const meta = logs ? null : fs.statSync(p.meta, { throwIfNoEntry: false });
  if (!logs && !meta?.isDirectory()) return null;
  const sync = syncConfFrom(readIfExists(p.syncConf));
  const remote = parseConf(readIfExists(p.remoteConf));
  const status = readStatus(dir);
  const pm = unseenPostmortem(p);
  return {
    name,
    dir,
    adopted,
    lastUsed: new Date((logs ?? meta)!.mtimeMs).toISOString(),
    objective: objectiveOf(readPresent(p.readme)),
    discoveries: countDiscoveries(readPresent(p.discoveries)),
    artifacts: countArtifacts(p.artifacts),
    sync: sync.remote ? (sync.auto ? 'auto' : 'manual') : 'none',
    location: remote.host || 'local',
    open: fs.existsSync(p.lock) && heldOpen(p.lock),
    status: status?.state ?? '',
    statusAt: status?.at ?? '',
    ...(pm ? { postmortem: pm.line } : {}),
    tags: parseTags(readIfExists(tagsFile(dir))),
    archived: fs.existsSync(archiveMarker(dir)),
    ...queuedField(dir),
  };
}

/** `{ queued: n }` for n > 0 pending tasks: a substring count, no JSON parse (listing thousands must stay fast). */
function queuedField(dir: string): { queued?: number } {
  const text = readIfExists(queueFile(dir));
  const n = text ? text.split('"state": "pending"').length - 1 : 0;
  return n > 0 ? { queued: n } : {};
}

/** Whether a live process holds the session's lock (a stale lock's holder is gone). */
export function heldOpen(lockFile: string): boolean {
  const lock = readLock(lockFile);
  return lock.kind === 'held' && lockState(lock.info) !== 'stale';
}

/**
 * Who holds the session open now, which no cache may answer for (the holder
 * may have died since): `open`, a live holder; `hosted`, that holder is the
 * supervisor of a hosted run (src/host/main.ts writes run.json with the pid
 * it locks with), with the time its Claude was launched.
 */
export function holder(p: Pick<SessionPaths, 'lock' | 'local'>): { open: boolean; hosted: { started: string } | null } {
  const lock = readLock(p.lock);
  const state = lock.kind === 'held' ? lockState(lock.info) : 'stale';
  if (lock.kind !== 'held' || state === 'stale') return { open: false, hosted: null };
  const run = state === 'live' ? readRun(p) : null;
  return { open: true, hosted: run && run.pid === lock.info.pid ? { started: run.started } : null };
}

