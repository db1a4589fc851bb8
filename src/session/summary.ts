// What `cs -ls` and the picker show about a session, read with a handful of
// cheap syscalls per session so thousands of sessions list quickly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lockState, readLock } from './lock.js';
import { nameProblem } from './names.js';
import { sessionPaths } from './paths.js';

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
}

// Missing files are the common case here (sync.conf, remote.conf, lock), and
// a thrown ENOENT costs far more than the syscall: look names up in one
// readdir of the folder instead of trying each file.
function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readIfListed(dir: string, names: readonly string[], name: string): string {
  if (!names.includes(name)) return '';
  try {
    return fs.readFileSync(path.join(dir, name), 'utf8');
  } catch {
    return '';
  }
}

/** Counts `## ` sections: one per recorded discovery. */
export function countDiscoveries(text: string): number {
  let n = text.startsWith('## ') ? 1 : 0;
  for (let i = text.indexOf('\n## '); i >= 0; i = text.indexOf('\n## ', i + 1)) n++;
  return n;
}

/** First non-empty line under "## Objective" that is not the template's placeholder. */
export function objectiveOf(readme: string): string {
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

/** Parses `key=value` lines (sync.conf, remote.conf). */
export function parseConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function summarize(root: string, name: string): SessionSummary | null {
  const entry = path.join(root, name);
  let dir = entry;
  let adopted = false;
  let st = fs.lstatSync(entry, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) {
    try {
      dir = fs.realpathSync(entry);
    } catch {
      return null; // dangling link: cs -rm cleans it up
    }
    adopted = true;
    st = fs.statSync(dir, { throwIfNoEntry: false });
  }
  if (!st?.isDirectory()) return null;
  const p = sessionPaths(dir, name);
  const meta = readdirOrEmpty(p.meta);
  if (meta.length === 0) return null;
  const logs = meta.includes('logs') ? fs.statSync(p.sessionLog, { throwIfNoEntry: false }) : undefined;
  const artifacts = meta.includes('artifacts') ? readdirOrEmpty(p.artifacts).filter((f) => f !== 'MANIFEST.json' && !f.startsWith('.')).length : 0;
  const sync = parseConf(readIfListed(p.meta, meta, 'sync.conf'));
  const remote = parseConf(readIfListed(p.meta, meta, 'remote.conf'));
  const lock = meta.includes('local') && readdirOrEmpty(p.local).includes('lock') ? readLock(p.lock) : ({ kind: 'none' } as const);
  return {
    name,
    dir,
    adopted,
    lastUsed: new Date(logs?.mtimeMs ?? st.mtimeMs).toISOString(),
    objective: objectiveOf(readIfListed(p.meta, meta, 'README.md')),
    discoveries: countDiscoveries(readIfListed(p.meta, meta, 'discoveries.md')),
    artifacts,
    sync: sync.remote ? (sync.auto === 'on' ? 'auto' : 'manual') : 'none',
    location: remote.host || 'local',
    open: lock.kind === 'held' && lockState(lock.info) !== 'stale',
  };
}

/** All sessions under the root, most recently used first. */
export function listSessions(root: string): SessionSummary[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SessionSummary[] = [];
  for (const name of names) {
    if (nameProblem(name) !== null) continue; // staging dirs and stray files
    const s = summarize(root, name);
    if (s) out.push(s);
  }
  return out.sort((a, b) => (a.lastUsed < b.lastUsed ? 1 : a.lastUsed > b.lastUsed ? -1 : a.name.localeCompare(b.name)));
}
