// One Claude Code per session at a time: `.cs/local/lock` holds the pid, host
// and start time of the `cs` process that owns the session (src/lib/lockfile.ts).
// A live holder is refused with a message saying who it is; --force takes it.
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { describeHolder, lockState, readLock, tryLock, type LockHandle, type LockInfo } from '../lib/lockfile.js';
import { readRun } from '../host/state.js';

export { describeHolder, lockState, readLock, type LockHandle, type LockInfo } from '../lib/lockfile.js';

export interface AcquireOptions {
  force?: boolean;
  session: string;
  now?: Date;
  pid?: number;
}

export function acquireLock(lockPath: string, opts: AcquireOptions): LockHandle {
  const r = tryLock(lockPath, { force: opts.force, now: opts.now, pid: opts.pid });
  if (r.ok) return r.handle;
  if (r.current.kind === 'garbage') {
    throw new UserError(`lock file ${lockPath} is unreadable`, `if no other cs is running for '${opts.session}', run: cs ${opts.session} --force`);
  }
  const where = lockState(r.current.info) === 'foreign' ? ' (another host: cannot check whether it is still running)' : '';
  throw new UserError(`session '${opts.session}' is open in ${describeHolder(r.current.info)}${where}`, 'close it there, or use --force to take it over');
}

/**
 * The live `cs` on this host that holds the session, or null. Hooks of a
 * Claude that cs did not launch (an IDE on the same directory) use it to
 * keep their hands off that session's crash recovery, pull and session-end
 * commit, which belong to the holder. An unreadable lock counts as none.
 */
export function liveHolder(lockPath: string): LockInfo | null {
  try {
    const r = readLock(lockPath);
    return r.kind === 'held' && lockState(r.info) === 'live' ? r.info : null;
  } catch {
    return null;
  }
}

/**
 * Refuses to change session `name` (its lock file at `lockPath`,
 * .cs/local/lock) while a holder that is not known dead has it, saying how
 * to end it: a hosted run (its supervisor holds the lock with the pid
 * run.json names, src/host/main.ts) with cs <name> -stop, one in a terminal
 * there. `what`: the refused change, as "it cannot be removed". Throws
 * UserError; returns when nothing holds the session.
 */
export function refuseIfOpen(name: string, lockPath: string, what: string): void {
  const lock = readLock(lockPath);
  if (lock.kind !== 'held' || lockState(lock.info) === 'stale') return;
  throw openRefusal(name, lockPath, lock.info, what);
}

/** refuseIfOpen's error for `info` holding the lock at `lockPath` (for a caller that read the lock itself, as tryLock does). */
export function openRefusal(name: string, lockPath: string, info: LockInfo, what: string): UserError {
  if (readRun({ local: path.dirname(lockPath) })?.pid === info.pid) return new UserError(`session '${name}' is running in cs's tmux server; ${what} while Claude runs in it`, `stop it first: cs ${name} -stop`);
  return new UserError(`session '${name}' is open in ${describeHolder(info)}; ${what} while Claude runs in it`, `end Claude there first (/exit), then try again`);
}
