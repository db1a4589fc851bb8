// One lock mechanism for everything cs serialises: a session's Claude run,
// MANIFEST.json updates, the encrypted secrets file, self-update. A lock is
// a file holding the owner's pid, host and start time, created with link(2)
// from a fully written temp file, so two contenders can never both win and
// a reader never sees half a lock. A lock whose process died on this host
// is stale and taken over, atomically (tryLock).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { META_DIR, confinedPath } from './confine.js';
import { ensureDir, tempSibling } from './fsutil.js';
import { crypto } from './lazy-crypto.js';

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
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process that has exited but was not yet reaped (state Z in
 * /proc/<pid>/stat, proc(5)) still answers kill(pid, 0), yet holds nothing:
 * a hosted session's supervisor killed after its tmux server exited is
 * re-parented to an init that may be slow to reap it. False where there is no /proc.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
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

/** A takeover claim nobody finished in this long was left by a crash (a claim lives for microseconds). */
const ABANDONED_CLAIM_MS = 10_000;

/**
 * The claim on one particular lock content: `<lock>.claim-<hash of the
 * content>`, made with link(2) from the lock file itself. link fails when
 * the name exists, so of all the processes that saw the same stale content,
 * exactly one gets the claim; and the claim's content proves what it
 * claimed (if the lock changed before the link, the claim holds the newer
 * content and is given up).
 */
function claimPath(lockPath: string, content: string): string {
  return `${lockPath}.claim-${crypto().createHash('sha256').update(content).digest('hex').slice(0, 20)}`;
}

type Claim = 'claimed' | 'changed' | 'busy';

function claim(lockPath: string, content: string): Claim {
  const c = claimPath(lockPath, content);
  try {
    fs.linkSync(lockPath, c);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'changed';
    if (code !== 'EEXIST') throw e;
    // A claimer that crashed between link and rename leaves its claim: after
    // a while it is dropped so the lock can be taken over again.
    const st = fs.lstatSync(c, { throwIfNoEntry: false });
    if (st && Date.now() - st.ctimeMs > ABANDONED_CLAIM_MS) fs.rmSync(c, { force: true });
    return 'busy';
  }
  let got: string | undefined;
  try {
    got = fs.readFileSync(c, 'utf8');
  } catch {
    got = undefined;
  }
  if (got === content) return 'claimed';
  // We linked a newer lock than the one we saw: the claim is void (the name
  // was free, so removing it touches nobody else's).
  fs.rmSync(c, { force: true });
  return 'changed';
}

/**
 * Takes the lock at once, or says who holds it. Never waits.
 *
 * The lock file changes only in two ways, which is what makes a takeover
 * atomic: link(2) of a complete temp file onto a free name (one contender
 * wins), or, for a lock whose holder is gone (or `force`), by the one
 * process holding the claim on that exact content (claim() above), which
 * replaces it with rename(2) so the name is never free in between. Several
 * processes that all saw the same dead holder therefore end with exactly
 * one owner.
 */
export function tryLock(lockPath: string, opts: TryLockOptions = {}): TryLock {
  lockDir(lockPath);
  const info: LockInfo = { pid: opts.pid ?? process.pid, host: os.hostname(), started: (opts.now ?? new Date()).toISOString() };
  // The nonce makes every lock's content (and so its claim name) unique.
  const text = JSON.stringify({ ...info, nonce: crypto().randomBytes(8).toString('hex') }) + '\n';
  const tmp = tempSibling(lockPath);
  fs.writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  let tookOver: LockInfo | null = null;
  const won = (): TryLock => ({ ok: true, handle: { info, tookOver, release: () => releaseOwned(lockPath, text) } });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        fs.linkSync(tmp, lockPath);
        return won();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let content: string;
      try {
        content = fs.readFileSync(lockPath, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released just now
        throw e;
      }
      const held = parseLock(content);
      const current: Exclude<LockRead, { kind: 'none' }> = held ? { kind: 'held', info: held } : { kind: 'garbage', text: content };
      if (!held && !opts.force && !opts.garbageIsStale) return { ok: false, current };
      if (held && lockState(held) !== 'stale' && !opts.force) return { ok: false, current };
      const c = claim(lockPath, content);
      if (c === 'busy') {
        // Another process is taking this one over, which takes microseconds: look again.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1 + attempt);
        continue;
      }
      if (c === 'changed') continue;
      try {
        fs.renameSync(tmp, lockPath);
      } finally {
        fs.rmSync(claimPath(lockPath, content), { force: true });
      }
      tookOver = held;
      return won();
    }
    const current = readLock(lockPath);
    if (current.kind === 'none') throw new Error(`${lockPath}: could not take the lock (it kept changing)`);
    return { ok: false, current };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The lock's directory: created if missing; under a session's `.cs/` never through a symlink. */
function lockDir(lockPath: string): void {
  if (path.resolve(lockPath).split(path.sep).includes(META_DIR)) confinedPath(lockPath, 0o700);
  else ensureDir(path.dirname(lockPath), 0o700);
}

/**
 * Removes the lock only while it still holds exactly `text` (someone may have
 * forced it away): through the same claim as a takeover, so a release can
 * never remove a lock that replaced ours in the meantime.
 */
function releaseOwned(lockPath: string, text: string): boolean {
  let c: Claim;
  try {
    c = claim(lockPath, text);
  } catch {
    return false;
  }
  if (c !== 'claimed') return false;
  try {
    fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmSync(claimPath(lockPath, text), { force: true });
  }
  return true;
}

/** Removes the lock only if it is still `mine` (same pid, host and start): for callers holding no handle. */
export function releaseLock(lockPath: string, mine: LockInfo): boolean {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return false;
  }
  const current = parseLock(text);
  if (!current || current.pid !== mine.pid || current.host !== mine.host || current.started !== mine.started) return false;
  return releaseOwned(lockPath, text);
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
