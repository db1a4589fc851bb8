// A git killed mid-write leaves `.git/index.lock` behind, and every later
// commit then fails with "another git process is using ...". git itself
// never removes it. We do, when it is old enough and no live git holds it;
// otherwise we say exactly which file to remove.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../lib/proc.js';

/** A lock younger than this may belong to a git that is still starting up or writing. */
export const STALE_INDEX_LOCK_MS = 5_000;

export interface IndexLock {
  file: string;
  ageMs: number;
  /** A live git process may hold it (its cwd is in the repository, or we cannot tell). */
  held: boolean;
}

/** Pids of running `git` processes whose cwd lies in `repoDir`, or null when that cannot be told. */
async function gitProcessesIn(repoDir: string): Promise<number[] | null> {
  let real: string;
  try {
    real = fs.realpathSync(repoDir);
  } catch {
    real = repoDir;
  }
  if (fs.existsSync('/proc/self/cwd')) {
    const found: number[] = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'git') continue;
        const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
        if (cwd === real || cwd.startsWith(real + path.sep)) found.push(Number(entry));
      } catch {
        // the process went away, or is not ours to look at
      }
    }
    return found;
  }
  // No /proc (macOS): any running git might be the holder.
  const r = await run('ps', ['-A', '-o', 'pid=,comm='], { allowFailure: true }).catch(() => null);
  if (!r || r.code !== 0) return null;
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, comm]) => comm !== undefined && path.basename(comm) === 'git')
    .map(([pid]) => Number(pid));
}

/** The index lock of the repository whose .git directory is `gitDir`, or null when there is none. */
export async function inspectIndexLock(gitDir: string, workTree: string, now = Date.now()): Promise<IndexLock | null> {
  const file = path.join(gitDir, 'index.lock');
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!st) return null;
  const pids = await gitProcessesIn(workTree);
  return { file, ageMs: Math.max(0, now - st.mtimeMs), held: pids === null || pids.length > 0 };
}

export type LockOutcome = { state: 'none' } | { state: 'removed'; file: string; ageMs: number } | { state: 'busy'; file: string; ageMs: number; held: boolean };

/**
 * Removes a stale index lock (older than STALE_INDEX_LOCK_MS, no live git in
 * the repository). 'busy' when one is there and must stay.
 */
export async function clearStaleIndexLock(gitDir: string, workTree: string, now = Date.now()): Promise<LockOutcome> {
  const lock = await inspectIndexLock(gitDir, workTree, now);
  if (!lock) return { state: 'none' };
  if (lock.held || lock.ageMs < STALE_INDEX_LOCK_MS) return { state: 'busy', file: lock.file, ageMs: lock.ageMs, held: lock.held };
  fs.rmSync(lock.file, { force: true });
  return { state: 'removed', file: lock.file, ageMs: lock.ageMs };
}
