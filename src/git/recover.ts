// After a crash: bring back what the autosave holds and the work tree lost,
// without ever overwriting newer work. A file is restored only where the
// work tree still matches the last commit (or is missing where the commit
// lacks it); anything changed since is left alone and reported. Whatever we
// overwrite or delete is first copied to .cs/local/recovered-<timestamp>/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { confinedPath } from '../lib/confine.js';
import { ensureDir } from '../lib/fsutil.js';
import { autoRefOf, LOCAL_DIR, isAncestor } from './autosave.js';
import { explainWriteError, openRepo, type GitOptions, type Repo } from './repo.js';

export interface RecoveryReport {
  /** Paths written back (or deleted) from the autosave. */
  restored: string[];
  /** Paths that differ from both the commit and the autosave: left alone. */
  skipped: string[];
  /** Where the overwritten versions were copied, when anything was. */
  backupDir: string | null;
  /** The autosave commit used, or null when there was nothing to recover. */
  autosave: string | null;
  /**
   * Set when nothing was restored because HEAD is no longer the commit the
   * autosave was taken on (a switch or reset since): that commit.
   */
  takenOn?: string | null;
}

export interface RecoverOptions extends GitOptions {
  now?: () => Date;
}

const NONE: RecoveryReport = { restored: [], skipped: [], backupDir: null, autosave: null };

export async function recoverFromAutosave(dir: string, opts: RecoverOptions = {}): Promise<RecoveryReport> {
  const repo = await openRepo(dir, opts);
  const auto = await repo.resolve(autoRefOf(repo.dir));
  if (!auto) return NONE;
  const head = await repo.resolve('HEAD');
  // An autosave HEAD does not descend into is older than HEAD: the work was
  // committed (or deliberately replaced) since.
  if (head && !(await isAncestor(repo, head, auto))) return NONE;
  // HEAD moved back since the autosave (the user switched from the branch the
  // session worked on to one it grew from, or reset): the autosave's
  // difference from HEAD now holds that branch's commits too, and writing it
  // would carry them into this checkout. Only work on the same commit is restored.
  const takenOn = await autosaveHead(repo, auto);
  if (takenOn !== undefined && takenOn !== head) return { ...NONE, autosave: auto, takenOn };

  const changed = await diffPaths(repo, head, auto);
  if (changed.length === 0) return { ...NONE, autosave: auto };

  const local = path.join(dir, LOCAL_DIR);
  ensureDir(local);
  // Our own indexes, never through a link (git writes through one): UnsafePathError.
  const headIndex = confinedPath(path.join(local, `recover-head.${process.pid}.index`));
  const autoIndex = confinedPath(path.join(local, `recover-auto.${process.pid}.index`));
  try {
    const [differsFromHead, differsFromAuto] = await Promise.all([
      worktreeDiffers(repo, headIndex, head, changed),
      worktreeDiffers(repo, autoIndex, auto, changed),
    ]);
    const inHead = head ? await presentIn(repo, head, changed) : new Set<string>();
    const inAuto = await presentIn(repo, auto, changed);

    const restore: string[] = [];
    const skipped: string[] = [];
    for (const p of changed) {
      const onDisk = lexists(path.join(dir, p));
      const matchesAuto = inAuto.has(p) ? onDisk && !differsFromAuto.has(p) : !onDisk;
      if (matchesAuto) continue; // the work tree already has the saved version
      const matchesHead = inHead.has(p) ? onDisk && !differsFromHead.has(p) : !onDisk;
      if (matchesHead) restore.push(p);
      else skipped.push(p);
    }
    if (restore.length === 0) return { restored: [], skipped, backupDir: null, autosave: auto };

    const stamp = (opts.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
    const backupDir = path.join(local, `recovered-${stamp}`);
    let backedUp = false;
    for (const p of restore) {
      const src = path.join(dir, p);
      if (!lexists(src)) continue;
      const dst = path.join(backupDir, p);
      ensureDir(path.dirname(dst));
      fs.cpSync(src, dst, { recursive: true, verbatimSymlinks: true });
      backedUp = true;
    }
    const toWrite = restore.filter((p) => inAuto.has(p));
    const toDelete = restore.filter((p) => !inAuto.has(p));
    try {
      // checkout-index writes from our private index (built from the
      // autosave), so filters, modes and symlinks come out right and the
      // user's index stays as it was.
      for (let i = 0; i < toWrite.length; i += 200) {
        await repo.raw(['checkout-index', '-f', '--', ...toWrite.slice(i, i + 200)], { GIT_INDEX_FILE: autoIndex });
      }
    } catch (e) {
      throw explainWriteError(dir, e);
    }
    for (const p of toDelete) fs.rmSync(path.join(dir, p), { force: true });
    return { restored: restore, skipped, backupDir: backedUp ? backupDir : null, autosave: auto };
  } finally {
    fs.rmSync(headIndex, { force: true });
    fs.rmSync(autoIndex, { force: true });
  }
}

/** The HEAD an autosave commit was taken on, from its message (null: none yet; undefined: not recorded). */
async function autosaveHead(repo: Repo, auto: string): Promise<string | null | undefined> {
  const m = /^workspace snapshot; HEAD was (\S+)$/m.exec(await repo.raw(['show', '-s', '--format=%B', auto]));
  if (!m) return undefined;
  return m[1] === '(none)' ? null : m[1];
}

function lexists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw e;
  }
}

function splitZ(s: string): string[] {
  return s.split('\0').filter((x) => x !== '');
}

/** Files that differ between two commits (from = null: everything in `to`). */
async function diffPaths(repo: Repo, from: string | null, to: string): Promise<string[]> {
  const args = from
    ? ['diff-tree', '-r', '-z', '--no-renames', '--name-only', from, to]
    : ['ls-tree', '-r', '-z', '--name-only', to];
  return splitZ(await repo.raw(args)).filter((p) => p !== LOCAL_DIR && !p.startsWith(LOCAL_DIR + '/'));
}

async function presentIn(repo: Repo, commit: string, paths: string[]): Promise<Set<string>> {
  const all = new Set(splitZ(await repo.raw(['ls-tree', '-r', '-z', '--name-only', commit])));
  return new Set(paths.filter((p) => all.has(p)));
}

/**
 * Which of `paths` differ in the work tree from `commit`'s version, judged by
 * git itself (clean filters, modes, symlinks) through a private index.
 */
async function worktreeDiffers(repo: Repo, index: string, commit: string | null, paths: string[]): Promise<Set<string>> {
  const env = { GIT_INDEX_FILE: index };
  if (commit) await repo.raw(['read-tree', commit], env);
  else await repo.raw(['read-tree', '--empty'], env);
  // Fill in stat data (hashing the files) so diff-files compares content.
  await repo.tryRaw(['update-index', '-q', '--refresh'], env);
  const differs = new Set(splitZ(await repo.raw(['diff-files', '-z', '--name-only'], env)));
  return new Set(paths.filter((p) => differs.has(p)));
}
