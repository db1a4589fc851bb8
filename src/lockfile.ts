// One lock mechanism for everything cs serialises: a session's Claude run,
// MANIFEST.json updates, the encrypted secrets file, self-update. A lock is
// a file holding the owner's pid, host and start time, created with link(2)
// from a fully written temp file, so two contenders can never both win and
// a reader never sees half a lock. A lock whose process died on this host
// is stale and taken over.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDir, tempSibling } from './fsutil.js';

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
    // not JSON: the caller reports it as garbage
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
  /** The lock that was replaced: a dead holder's, or (with `force`) a live one. */
  tookOver: LockInfo | null;
  release(): boolean;
}

export interface TryLockOptions {
  /** Take the lock from a live or unreadable holder too. */
  force?: boolean;
  /** Unreadable contents count as stale (internal locks nobody writes by hand). */
  garbageIsStale?: boolean;
  now?: Date;
  pid?: number;
}

export type TryLock = { ok: true; handle: LockHandle } | { ok: false; current: Exclude<LockRead, { kind: 'none' }> };

/** Takes the lock at once, or says who holds it. Never waits. */
export function tryLock(lockPath: string, opts: TryLockOptions = {}): TryLock {
  ensureDir(path.dirname(lockPath), 0o700);
  const info: LockInfo = { pid: opts.pid ?? process.pid, host: os.hostname(), started: (opts.now ?? new Date()).toISOString() };
  const tmp = tempSibling(lockPath);
  fs.writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600 });
  let tookOver: LockInfo | null = null;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(tmp, lockPath);
        return { ok: true, handle: { info, tookOver, release: () => releaseLock(lockPath, info) } };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const current = readLock(lockPath);
      if (current.kind === 'garbage' && !opts.force && !opts.garbageIsStale) return { ok: false, current };
      if (current.kind === 'held') {
        if (lockState(current.info) !== 'stale' && !opts.force) return { ok: false, current };
        tookOver = current.info;
      }
      // Removing then linking keeps the race safe: only one contender's link succeeds.
      fs.rmSync(lockPath, { force: true });
    }
    const current = readLock(lockPath);
    return current.kind === 'none' ? tryLock(lockPath, opts) : { ok: false, current };
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

function busyError(lockPath: string, current: Exclude<LockRead, { kind: 'none' }>, timeoutMs: number): Error {
  const who = current.kind === 'held' ? describeHolder(current.info) : 'an unreadable lock';
  return new Error(`${lockPath} is held by ${who} (waited ${timeoutMs} ms)`);
}

/** Runs `fn` under a short-lived lock, waiting (asleep, blocking) for a holder to finish. */
export function withLockSync<T>(lockPath: string, fn: () => T, timeoutMs = 10_000): T {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const r = tryLock(lockPath, { garbageIsStale: true });
    if (r.ok) {
      try {
        return fn();
      } finally {
        r.handle.release();
      }
    }
    if (Date.now() > deadline) throw busyError(lockPath, r.current, timeoutMs);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
  }
}

/** Runs `fn` under a short-lived lock, waiting (without blocking the event loop) for a holder to finish. */
export async function withLock<T>(lockPath: string, fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const r = tryLock(lockPath, { garbageIsStale: true });
    if (r.ok) {
      try {
        return await fn();
      } finally {
        r.handle.release();
      }
    }
    if (Date.now() > deadline) throw busyError(lockPath, r.current, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
  }
}
