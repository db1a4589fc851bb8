// One Claude Code per session at a time: `.cs/local/lock` holds the pid, host
// and start time of the `cs` process that owns the session (src/lib/lockfile.ts).
// A live holder is refused with a message saying who it is; --force takes it.
import { UserError } from '../lib/errors.js';
import { describeHolder, lockState, readLock, tryLock, type LockHandle, type LockInfo } from '../lib/lockfile.js';

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
