// One Claude Code per session at a time: `.cs/local/lock` holds the pid, host
// and start time of the `cs` process that owns the session (src/lockfile.ts).
// A live holder is refused with a message saying who it is; --force takes it.
import { UserError } from '../errors.js';
import { describeHolder, lockState, tryLock, type LockHandle } from '../lockfile.js';

export { describeHolder, lockState, readLock, type LockHandle, type LockInfo } from '../lockfile.js';

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
