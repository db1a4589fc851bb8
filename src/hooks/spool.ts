// The spool of a resident (resident.ts). hooks/post-tool-use runs on every
// tool call and Claude waits for it; reading its input in sh took four
// processes (head, find, tail, date: about 30 ms in place on every call).
// Where this Claude's resident runs, the script instead writes its whole
// input into the resident's spool with one `cat` (cs_spooled, dist/hook.sh)
// and ends, and the resident records it as `dist/hook.js post-tool` would:
// the change log line, the timeline line, the status, with the time the
// input was written (and after them, on a line of its own, the autosave
// when due). It records every waiting input, in
// the order they were written, before it answers any other hook (Stop counts
// the change log lines), and once more before it goes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive } from '../lib/lockfile.js';
import { HOOKS } from './registry.js';
import { skimFd } from './skim.js';

/** The file in a spool that names the resident draining it (its process id, a line): hooks spool only while it is alive. */
export const SPOOL_OWNER = 'resident';
/** A spool sits beside its resident's socket: `<pid>.sock` and `<pid>.spool`. */
export const SOCKET_SUFFIX = '.sock';
export const SPOOL_SUFFIX = '.spool';

/** The spool of the resident listening at `socket`. */
export function spoolOf(socket: string): string {
  return socket.endsWith(SOCKET_SUFFIX) ? socket.slice(0, -SOCKET_SUFFIX.length) + SPOOL_SUFFIX : socket + SPOOL_SUFFIX;
}

/**
 * How long a spooled input may still be being written (ms): Claude Code
 * stops hooks/post-tool-use after its timeout (HOOKS), so an input older
 * than that is whole or never will be, whatever process holds its
 * writer's id now.
 */
const MAX_WRITE_MS = (HOOKS.find((h) => h.script === 'post-tool-use')?.timeout ?? 30) * 1000;

/**
 * Makes spool folder `folder` (0700; its parent is the resident's private
 * folder, checked by the caller) unless it is there, and names this process
 * its drainer in SPOOL_OWNER (temp file + rename). A folder of this user's
 * that others may enter (left so by hand) is closed to them first: the
 * hooks, which cannot see modes without a process, would write into it
 * once named. Throws when the folder is not a real folder of this user's,
 * or cannot be made or written.
 */
export function openSpool(folder: string): void {
  try {
    fs.mkdirSync(folder, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = fs.lstatSync(folder);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) throw new Error(`${folder} is not a folder of this user's`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(folder, st.mode & 0o700);
  const tmp = path.join(folder, `.${SPOOL_OWNER}.${process.pid}`);
  fs.writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600 });
  fs.renameSync(tmp, path.join(folder, SPOOL_OWNER));
}

/**
 * Stops the hooks spooling into `folder`: removes SPOOL_OWNER when it still
 * names this process (a resident started after this one may own the spool
 * now). Hooks that found it a moment before may still write; the caller
 * drains until they have (finishSpool). Never throws.
 */
export function releaseSpool(folder: string): void {
  try {
    const owner = path.join(folder, SPOOL_OWNER);
    if (fs.readFileSync(owner, 'utf8').trim() === String(process.pid)) fs.rmSync(owner);
  } catch {
    // gone, or another resident's
  }
}

/**
 * The last of a spool, once released (releaseSpool): drains it until no
 * input is left or being written (within MAX_WRITE_MS of its writing), then
 * removes the folder. A folder still owned by another resident, or holding
 * what is no input (never read), is left. Rejects only with what `record`
 * rejects with.
 */
export async function finishSpool(folder: string, record: (text: string, written: Date) => Promise<void>, opts: DrainOptions & { retryMs?: number } = {}): Promise<void> {
  for (;;) {
    const pass = await drainSpool(folder, record, opts);
    if (pass.pending) {
      await new Promise((resolve) => setTimeout(resolve, opts.retryMs ?? 20));
      continue;
    }
    if (pass.recorded > 0) continue;
    try {
      fs.rmdirSync(folder);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (e as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
    // Not empty: an input written since the pass (go on), or what is no input, or the owner file of another resident (leave it).
    if (fs.existsSync(path.join(folder, SPOOL_OWNER))) return;
    const again = await drainSpool(folder, record, opts);
    if (!again.pending && again.recorded === 0) return;
  }
}

export interface DrainOptions {
  /** True while the hook script with process id `pid` may still be writing its input (by default pidAlive: a zombie has finished). */
  writing?: (pid: number) => boolean;
  /** True while the drainer with process id `pid` may still record what it claimed (by default pidAlive). */
  drainerAlive?: (pid: number) => boolean;
  /** Milliseconds since the epoch (tests). */
  now?: number;
}

/**
 * An input a drainer has taken (renamed, so no other drainer records it
 * too): `.claim-<drainer's pid>-<writer's pid>`. One whose drainer died
 * before it was done is taken over by the next pass of another.
 */
const CLAIM = /^\.claim-(\d+)-(\d+)$/;

/** Whether spool `folder` holds an input, written or claimed (false once it is gone). */
export function holdsInput(folder: string): boolean {
  try {
    return fs.readdirSync(folder).some((n) => /^\d+$/.test(n) || CLAIM.test(n));
  } catch {
    return false;
  }
}

/**
 * One pass over spool `folder`: every input in it (a regular file of this
 * user's named by the process id of the hook script that wrote it; anything
 * else is never read), oldest first (mtime, then name), is given to
 * `record` with its text (skimmed, as Node reads stdin: skim.ts) and the
 * time it was written (its mtime), then removed. An input whose writer is
 * still running is left for a later pass (within MAX_WRITE_MS). An input cut off (its script was stopped mid-write)
 * is given as it is: runHook reports it in the session log, as Node given
 * the cut stdin would.
 *
 * Each input is first claimed by a rename (CLAIM), so two drainers at once
 * (a resident, and the session end recording what a killed one left)
 * never record one input twice; an input claimed by a drainer that has
 * died since is claimed again. Resolves how many were recorded, and whether
 * one was left. Rejects only with what `record` rejects with.
 */
export async function drainSpool(folder: string, record: (text: string, written: Date) => Promise<void>, opts: DrainOptions = {}): Promise<{ pending: boolean; recorded: number }> {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return { pending: false, recorded: 0 };
  }
  const uid = process.getuid?.();
  const drainerAlive = opts.drainerAlive ?? pidAlive;
  const inputs: Array<{ writer: string; file: string; mtimeMs: number; claimed: boolean }> = [];
  for (const name of names) {
    const claim = CLAIM.exec(name);
    if (!/^\d+$/.test(name) && !(claim && claim[1] !== String(process.pid) && !drainerAlive(Number(claim[1])))) continue;
    const file = path.join(folder, name);
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!st || !st.isFile() || (uid !== undefined && st.uid !== uid)) continue;
    inputs.push({ writer: claim ? claim[2]! : name, file, mtimeMs: st.mtimeMs, claimed: claim !== null });
  }
  inputs.sort((a, b) => a.mtimeMs - b.mtimeMs || Number(a.writer) - Number(b.writer));
  const writing = opts.writing ?? pidAlive;
  const now = opts.now ?? Date.now();
  let pending = false;
  let recorded = 0;
  for (const found of inputs) {
    // A claimed input was whole when its drainer took it.
    if (!found.claimed && now - found.mtimeMs < MAX_WRITE_MS && writing(Number(found.writer))) {
      pending = true;
      continue;
    }
    const claimed = path.join(folder, `.claim-${process.pid}-${found.writer}`);
    try {
      fs.renameSync(found.file, claimed);
    } catch {
      continue; // another drainer took it
    }
    let text = '';
    try {
      // No link, and no blocking on something that is not a file, should one be put in its place meanwhile.
      const fd = fs.openSync(claimed, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
      try {
        if (fs.fstatSync(fd).isFile()) text = skimFd(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // gone meanwhile
      // over the skimmer's bound: recorded as a cut input
    }
    // Removed once recorded: a resident that dies in between leaves its claim to the next drainer (a line twice, not none).
    await record(text, new Date(found.mtimeMs));
    fs.rmSync(claimed, { force: true });
    recorded++;
  }
  return { pending, recorded };
}
