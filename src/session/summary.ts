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

function mtimeMs(file: string): number | null {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function readSmall(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Counts `## ` sections: one per recorded discovery. */
export function countDiscoveries(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('## ')) n++;
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
  let st: fs.Stats;
  let dir = entry;
  let adopted = false;
  try {
    st = fs.lstatSync(entry);
    if (st.isSymbolicLink()) {
      dir = fs.realpathSync(entry);
      adopted = true;
      st = fs.statSync(dir);
    }
  } catch {
    return null;
  }
  if (!st.isDirectory()) return null;
  const p = sessionPaths(dir, name);
  if (mtimeMs(p.meta) === null) return null;
  const last = mtimeMs(p.sessionLog) ?? st.mtimeMs;
  let artifacts = 0;
  try {
    artifacts = fs.readdirSync(p.artifacts).filter((f) => f !== 'MANIFEST.json' && !f.startsWith('.')).length;
  } catch {
    artifacts = 0;
  }
  const sync = parseConf(readSmall(p.syncConf));
  const remote = parseConf(readSmall(p.remoteConf));
  const lock = readLock(p.lock);
  return {
    name,
    dir,
    adopted,
    lastUsed: new Date(last).toISOString(),
    objective: objectiveOf(readSmall(p.readme)),
    discoveries: countDiscoveries(readSmall(p.discoveries)),
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
