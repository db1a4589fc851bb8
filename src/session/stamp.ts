// A session's stamp: the stats its -ls summary depends on, hashed. Equal
// stamps mean the cached summary still holds (src/session/summary.ts). Its
// own module so the stamp worker (stamp-worker.ts) loads only this.
import * as fs from 'node:fs';
import { StatHash } from '../lib/stathash.js';

/**
 * Timestamps have the file system's granularity (a kernel tick, a few ms, on
 * ext4): a file changed again within the same tick keeps its mtime. Sessions
 * touched this recently are summarized afresh and not cached (git's "racily
 * clean" rule).
 */
export const RACY_MS = 2000;

/**
 * Everything under `.cs` a summary depends on: session.log (lastUsed), `.cs`
 * itself (a marker such as `archived` made or removed), README and
 * discoveries (edited in place by people and Claude), tags, the artifacts
 * folder (entries added or removed), .cs/local (status.json and the lock are
 * created, replaced by rename, or removed there), postmortem, sync.conf,
 * remote.conf and the queue. Each comes with the index of its folder here:
 * a path that appears or disappears changes its folder's mtime and ctime, so
 * while the folder's stats are unchanged a path that was missing still is,
 * and is not stat'ed again (half of the syscalls -ls made were for files
 * most sessions never have).
 */
const STAMPED: ReadonlyArray<readonly [path: string, folder: number]> = [
  ['/logs/session.log', -1],
  ['', -1],
  ['/README.md', 1],
  ['/discoveries.md', 1],
  ['/tags', 1],
  ['/artifacts', 1],
  ['/local', 1],
  ['/local/status.json', 6],
  ['/local/postmortem', 6],
  ['/sync.conf', 1],
  ['/remote.conf', 1],
  ['/queue', 1],
  ['/queue/queue.json', 11],
  // Which report is unseen (src/host/postmortem.ts): cs replaces it by rename, a person may edit it in place.
  ['/local/postmortem/unseen', 8],
];

/** stamp()'s answer: the two lanes of StatHash over every stat, as unsigned 32-bit integers. */
export interface Stamp {
  k1: number;
  k2: number;
  /** Some path changed within RACY_MS of `now`: the summary must not be cached. */
  racy: boolean;
  /** Bits of STAMPED paths that do not exist (not even as a dangling link). */
  missing: number;
}

/** statSync's options for a path that may be missing (a thrown ENOENT costs far more than the syscall). */
const MAYBE = { throwIfNoEntry: false } as const;

/**
 * The stats a session's summary depends on (STAMPED), hashed. `missing`
 * (a cache row's `m`) names paths known to be missing: they are taken as
 * missing without a stat, which is right exactly when the hash then equals
 * the row's (their folders, never skipped down to `.cs`, are unchanged).
 * Without `missing` every path is stat'ed and the answer's `missing` says
 * which are truly absent (a dangling link is not: its target may appear).
 * Null when the session log is missing (summarize decides).
 */
export function stamp(dir: string, now: number, missing = 0): Stamp | null {
  // Plain concatenation: path.join for these paths of ten thousand sessions shows up in -ls's profile.
  const meta = `${dir}/.cs`;
  const key = new StatHash();
  let racy = false;
  let absent = 0;
  // Paths without stats (skipped or not there), hashed once at the end: with
  // it, the stats hashed before can only belong to the paths they came from.
  let statless = missing;
  for (let i = 0; i < STAMPED.length; i++) {
    const bit = 1 << i;
    if (missing & bit) {
      absent |= bit;
      continue;
    }
    const f = STAMPED[i]![0];
    const st = fs.statSync(meta + f, MAYBE);
    if (!st) {
      if (i === 0) return null;
      statless |= bit;
      if (!fs.lstatSync(meta + f, MAYBE)) absent |= bit;
      continue;
    }
    key.add(st.mtimeMs).add(st.ctimeMs).add(st.size).add(st.ino);
    if (now - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) racy = true;
  }
  key.add(statless);
  return { k1: key.a >>> 0, k2: key.b >>> 0, racy, missing: absent };
}
