// One Claude Code per session at a time: `.cs/local/lock` holds the pid, host
// and start time of the `cs` process that owns the session. Creation is
// exclusive (link(2) of a fully written temp file), so two processes racing
// for the same session cannot both win.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { ensureDir, tempSibling } from '../fsutil.js';

export interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

export type LockRead = { kind: 'none' } | { kind: 'held'; info: LockInfo } | { kind: 'garbage'; text: string };

export type LockState = 'live' | 'stale' | 'foreign';

export function readLock(lockPath: string): LockRead {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw e;
  }
  const info = parseLock(text);
  return info ? { kind: 'held', info } : { kind: 'garbage', text };
}

export function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isSafeInteger(v.pid) && v.pid! > 0 && typeof v.host === 'string' && typeof v.started === 'string') {
      return { pid: v.pid!, host: v.host, started: v.started };
    }
  } catch {
    // not JSON: reported as garbage by the caller
  }
  return null;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** live: a running process on this host; stale: its process is gone; foreign: another host, cannot tell. */
export function lockState(info: LockInfo, host = os.hostname()): LockState {
  if (info.host !== host) return 'foreign';
  return pidAlive(info.pid) ? 'live' : 'stale';
}

export function describeHolder(info: LockInfo): string {
  return `pid ${info.pid} on ${info.host} since ${info.started}`;
}

export interface LockHandle {
  info: LockInfo;
  /** Took over a lock whose process had died (or, with force, a live one). */
  tookOver: LockInfo | null;
  release(): void;
}

export interface AcquireOptions {
  force?: boolean;
  session: string;
  now?: Date;
  pid?: number;
}

export function acquireLock(lockPath: string, opts: AcquireOptions): LockHandle {
  ensureDir(path.dirname(lockPath), 0o700);
  const info: LockInfo = {
    pid: opts.pid ?? process.pid,
    host: os.hostname(),
    started: (opts.now ?? new Date()).toISOString(),
  };
  const tmp = tempSibling(lockPath);
  fs.writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600 });
  let tookOver: LockInfo | null = null;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(tmp, lockPath);
        return { info, tookOver, release: () => releaseLock(lockPath, info) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const current = readLock(lockPath);
      if (current.kind === 'garbage' && !opts.force) {
        throw new UserError(
          `lock file ${lockPath} is unreadable`,
          `if no other cs is running for '${opts.session}', run: cs ${opts.session} --force`,
        );
      }
      if (current.kind === 'held') {
        const state = lockState(current.info);
        if (state !== 'stale' && !opts.force) {
          const where = state === 'foreign' ? ' (another host: cannot check whether it is still running)' : '';
          throw new UserError(
            `session '${opts.session}' is open in ${describeHolder(current.info)}${where}`,
            `close it there, or use --force to take it over`,
          );
        }
        tookOver = current.info;
      }
      // Stale, garbage-with-force or forced: replace it. Removing then
      // linking keeps the race safe: only one contender's link succeeds.
      fs.rmSync(lockPath, { force: true });
    }
    throw new UserError(`could not take the lock for '${opts.session}': another cs keeps grabbing it`, 'try again');
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Removes the lock only if it is still ours (someone may have forced it away). */
export function releaseLock(lockPath: string, mine: LockInfo): boolean {
  const current = readLock(lockPath);
  if (current.kind !== 'held') return false;
  if (current.info.pid !== mine.pid || current.info.host !== mine.host || current.info.started !== mine.started) return false;
  fs.rmSync(lockPath, { force: true });
  return true;
}
