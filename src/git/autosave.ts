// Crash-safe autosave to a shadow ref. The snapshot is built in our own
// index file (kept in .cs/local/ between runs, so git only re-hashes files
// whose stat data changed), written as a tree, and committed on top of the
// previous autosave with plumbing. The user's index, HEAD, branch and stash
// are never touched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { ensureDir, exists, readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import { confinedDir, confinedPath, writeConfined } from '../lib/confine.js';
import { keepSecretsOut, type SecretFile } from './secret-guard.js';
import { GitError, explainWriteError, openRepo, type GitOptions, type Repo } from './repo.js';

export const AUTO_REF = 'refs/cs/auto';
export const HIDDEN_PREFIX = 'refs/cs';
/** A linked worktree's own shadow ref (feature sessions, src/features/): refs/worktree/ is per worktree, refs/cs/ is shared by all. */
export const WORKTREE_AUTO_REF = 'refs/worktree/cs/auto';

/** The shadow ref of the work tree at `dir`: a linked worktree (`.git` is a file) gets its own, so its autosaves never touch its base's. */
export function autoRefOf(dir: string): string {
  return fs.statSync(path.join(dir, '.git'), { throwIfNoEntry: false })?.isFile() ? WORKTREE_AUTO_REF : AUTO_REF;
}
/** Files two laptops both append to: a union merge keeps every line of both. */
export const UNION_PATTERNS = ['.cs/changes.md', '.cs/logs/*', '.cs/timeline.jsonl', '.cs/conversations.json', '.cs/queue/journal.jsonl'];
export const UNION_ATTRIBUTE_LINES = UNION_PATTERNS.map((p) => `${p} merge=union`);
/**
 * Files each machine adds to at the end (discoveries, newest at the bottom):
 * when both sides only appended to what they shared, the merge keeps the
 * shared text, then ours, then theirs; any other change to both sides stays
 * a conflict (a union merge would keep both versions of an edited line).
 * The driver is a line of sh in the repository's own config (no path to cs
 * that an update could move); a machine without it merges as git does.
 * Driver contract: gitattributes(5), "Defining a custom merge driver".
 */
export const APPEND_PATTERNS = ['.cs/discoveries.md'];
export const APPEND_DRIVER = 'cs-append';
const APPEND_ATTRIBUTE_LINES = APPEND_PATTERNS.map((p) => `${p} merge=${APPEND_DRIVER}`);
/** %O the common ancestor, %A ours (the result is written there), %B theirs. */
export const APPEND_DRIVER_COMMAND = `sh -c 'o=$(wc -c < "$1") && head -c "$o" "$2" | cmp -s - "$1" && head -c "$o" "$3" | cmp -s - "$1" && tail -c +$((o + 1)) "$3" >> "$2"' ${APPEND_DRIVER} %O %A %B`;
/** Excluded from every snapshot: locks, caches, our own index. */
export const LOCAL_DIR = '.cs/local';
/** When the last autosave the hooks asked for started (ms since the epoch, as text), relative to the work tree: hooks/post-tool-use reads its age. */
export const AUTOSAVE_STAMP = `${LOCAL_DIR}/autosave.stamp`;
const LOCAL_IGNORE_LINE = `/${LOCAL_DIR}/`;
// An index lock older than this was left by a killed git, not a running one.
const STALE_LOCK_MS = 10 * 60 * 1000;

export interface AutosaveOptions extends GitOptions {
  /** Clock for the throttle (tests). */
  now?: () => number;
  /**
   * The session's secret values (key -> value): a changed file holding one
   * stays out of the snapshot (secret-guard.ts; the detector's finds stay out
   * without them). The hooks pass the running session's (runningSessionSecrets).
   */
  known?: Readonly<Record<string, string>>;
}

export type AutosaveResult = (
  | { saved: true; commit: string; tree: string; parent: string | null }
  | { saved: false; reason: 'unchanged' | 'busy' | 'throttled' }
) & {
  /** Changed files left out of the snapshot as they hold a secret value (secret-guard.ts). */
  withSecrets?: SecretFile[];
};

function localDir(dir: string): string {
  return path.join(dir, LOCAL_DIR);
}

export function autosaveIndexPath(dir: string): string {
  return path.join(localDir(dir), 'autosave.index');
}

/**
 * Makes a repository ready for cs (idempotent): refs/cs hidden from anyone
 * fetching from it, union merge for append-only logs, .cs/local/ ignored.
 * The workspace creator calls this before the first commit so
 * .gitattributes is part of it.
 */
export async function prepareRepo(dir: string, opts: GitOptions & { adopted?: boolean; adoptedExcludes?: readonly string[] } = {}): Promise<{ changed: boolean }> {
  const repo = await openRepo(dir, opts);
  // An adopted project's .gitattributes and .gitignore are the user's: our
  // rules go where only this clone sees them.
  const infoDir = opts.adopted ? await repo.infoDir() : null;
  const attrs = infoDir ? path.join(infoDir, 'attributes') : path.join(dir, '.gitattributes');
  const exclude = path.join(await repo.infoDir(), 'exclude');
  // Before any change: a link where a line must go is refused (ensureLines), and nothing is half done.
  for (const file of [attrs, exclude]) refuseLink(file);
  let changed = false;
  try {
    for (const key of ['transfer.hideRefs', 'uploadpack.hideRefs']) {
      const r = await repo.tryRaw(['config', '--get-all', key]);
      const values = r.stdout.split('\n').map((s) => s.trim());
      if (!values.includes(HIDDEN_PREFIX)) {
        await repo.raw(['config', '--add', key, HIDDEN_PREFIX]);
        changed = true;
      }
    }
  } catch (e) {
    throw explainWriteError(dir, e);
  }
  try {
    const driver = await repo.tryRaw(['config', '--get', `merge.${APPEND_DRIVER}.driver`]);
    if (driver.stdout.trim() !== APPEND_DRIVER_COMMAND) {
      await repo.raw(['config', `merge.${APPEND_DRIVER}.name`, 'cs: both sides appended (discoveries)']);
      await repo.raw(['config', `merge.${APPEND_DRIVER}.driver`, APPEND_DRIVER_COMMAND]);
      changed = true;
    }
  } catch (e) {
    throw explainWriteError(dir, e);
  }
  if (infoDir) ensureDir(infoDir);
  if (ensureLines(attrs, [...UNION_ATTRIBUTE_LINES, ...APPEND_ATTRIBUTE_LINES])) changed = true;
  if (await ensureLocalIgnored(repo)) changed = true;
  if (infoDir && ensureLines(exclude, opts.adoptedExcludes ?? [])) changed = true;
  confinedDir(localDir(dir), 0o700);
  return { changed };
}

/**
 * .cs/local/ goes in info/exclude, whatever the work tree's .gitignore says
 * (an adopted repository may not mention it): never committed, never
 * snapshotted.
 */
async function ensureLocalIgnored(repo: Repo): Promise<boolean> {
  const exclude = path.join(await repo.infoDir(), 'exclude');
  ensureDir(path.dirname(exclude));
  return ensureLines(exclude, [LOCAL_IGNORE_LINE]);
}

/** `file`'s lstat (undefined when missing); throws UserError when it is a symbolic link (see ensureLines). */
function refuseLink(file: string): fs.Stats | undefined {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) {
    throw new UserError(`${file} is a symbolic link, and cs adds its lines to that file (it never writes through a link)`, `make it a file of its own (cp --remove-destination "$(readlink -f '${file}')" '${file}'), then run the command again`);
  }
  return st;
}

/**
 * Appends the lines `file` lacks (made, 0644, when missing); true when it
 * wrote. An existing file is appended to in place, so its mode, owner and
 * other hard links stay as they are (git's info/exclude is the user's file
 * too); never through a symbolic link: a link there (a shared exclude file)
 * is refused with a UserError naming it, as writing through it would change
 * every repository sharing it, and leaving it without the lines would let
 * `git add -A` take .cs/ in.
 */
export function ensureLines(file: string, lines: readonly string[]): boolean {
  const st = refuseLink(file);
  const text = st ? readFileOr(file, '') : '';
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = lines.filter((l) => !have.has(l));
  if (missing.length === 0) return false;
  if (!st) {
    writeFileAtomic(file, missing.join('\n') + '\n');
    return true;
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | (fs.constants.O_NOFOLLOW ?? 0));
  try {
    fs.writeSync(fd, sep + missing.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Snapshots the whole workspace into refs/cs/auto now. */
export async function autosave(dir: string, opts: AutosaveOptions = {}): Promise<AutosaveResult> {
  const repo = await openRepo(dir, opts);
  return autosaveIn(repo, opts.known);
}

/**
 * The hooks' entry point: autosaves unless the last one started less than
 * `minIntervalMs` ago. The stamp lives in .cs/local/.
 */
export async function autosaveIfDue(dir: string, minIntervalMs: number, opts: AutosaveOptions = {}): Promise<AutosaveResult> {
  const now = opts.now ?? Date.now;
  const stamp = path.join(dir, AUTOSAVE_STAMP);
  const last = Number.parseInt(readFileOr(stamp, '0'), 10) || 0;
  const t = now();
  if (t >= last && t - last < minIntervalMs) return { saved: false, reason: 'throttled' };
  const repo = await openRepo(dir, opts);
  writeConfined(stamp, String(t));
  return autosaveIn(repo, opts.known);
}

/** Snapshots the workspace of `repo` into refs/cs/auto; `known` as AutosaveOptions.known. */
export async function autosaveIn(repo: Repo, known: Readonly<Record<string, string>> = {}): Promise<AutosaveResult> {
  confinedDir(localDir(repo.dir), 0o700);
  try {
    await ensureLocalIgnored(repo);
  } catch (e) {
    throw explainFsError(repo.dir, e);
  }
  // git writes its index (and the lock beside it) through links: the path is checked first (UnsafePathError).
  const index = confinedPath(autosaveIndexPath(repo.dir));
  const env = { GIT_INDEX_FILE: index };
  // One round of parallel look-ups instead of a chain of them: this runs in a hook.
  const autoRef = autoRefOf(repo.dir);
  const ids = await repo.resolveMany([autoRef, 'HEAD', `${autoRef}^{tree}`, 'HEAD^{tree}']);
  const [prev, head, prevTree, headTree] = [0, 1, 2, 3].map((i) => ids[i] ?? null) as [string | null, string | null, string | null, string | null];

  let built: { tree: string; withSecrets: SecretFile[] };
  try {
    built = await buildTree(repo, index, env, head, prev ?? head, known);
  } catch (e) {
    if (e instanceof GitError && isLockBusy(e)) {
      if (!removeStaleLock(index)) return { saved: false, reason: 'busy' };
      built = await buildTree(repo, index, env, head, prev ?? head, known);
    } else throw explainWriteError(repo.dir, e);
  }
  const { tree } = built;
  const withSecrets = built.withSecrets.length ? { withSecrets: built.withSecrets } : {};

  if (prev && tree === prevTree) return { saved: false, reason: 'unchanged', ...withSecrets };
  if (!prev && tree === (headTree ?? EMPTY_TREE(tree))) return { saved: false, reason: 'unchanged', ...withSecrets };

  // Chain on the previous autosave. When the user has committed since, HEAD
  // becomes a second parent, so "HEAD is an ancestor of the autosave" always
  // means "the autosave holds everything HEAD has, plus newer work".
  const parents: string[] = [];
  if (prev) parents.push(prev);
  if (head && (!prev || !(await headIncluded(repo, head, prev)))) parents.push(head);
  try {
    const commit = (
      await repo.commitTreeFast(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', `cs autosave\n\nworkspace snapshot; HEAD was ${head ?? '(none)'}`])
    ).trim();
    // Compare-and-swap: a concurrent autosave that got there first wins.
    const r = await repo.tryRaw(['update-ref', '-m', 'cs autosave', autoRef, commit, prev ?? '']);
    if (r.code !== 0) {
      if (/cannot lock ref|but expected|is at .* but/i.test(r.stderr) && !/Permission denied|Read-only/i.test(r.stderr)) {
        return { saved: false, reason: 'busy' };
      }
      throw new GitError(['update-ref', autoRef], r.code, r.stderr);
    }
    writeConfined(headStatePath(repo.dir), `${commit} ${head ?? ''}\n`);
    return { saved: true, commit, tree, parent: prev ?? head, ...withSecrets };
  } catch (e) {
    throw explainWriteError(repo.dir, e);
  }
}

function headStatePath(dir: string): string {
  return path.join(localDir(dir), 'autosave.head');
}

/**
 * Is HEAD already in the autosave's history? The last autosave records the
 * HEAD it included, which answers the usual case without running git.
 */
async function headIncluded(repo: Repo, head: string, prev: string): Promise<boolean> {
  const [savedCommit, savedHead] = readFileOr(headStatePath(repo.dir), '').trim().split(' ');
  if (savedCommit === prev && savedHead === head) return true;
  return isAncestor(repo, head, prev);
}

// The empty tree's id depends on the hash algorithm; sha1 and sha256 ids differ in length.
function EMPTY_TREE(sample: string): string {
  return sample.length === 64
    ? '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321'
    : '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
}

/**
 * Stages the workspace in our index and writes its tree; the changed files
 * (against `base`, the last autosave or HEAD; everything without one) that
 * hold a secret value are put back as `base` has them first (secret-guard.ts).
 */
async function buildTree(repo: Repo, index: string, env: Record<string, string>, head: string | null, base: string | null, known: Readonly<Record<string, string>>): Promise<{ tree: string; withSecrets: SecretFile[] }> {
  if (!exists(index)) await seedIndex(repo, index, env, head);
  try {
    await repo.raw(['add', '-A'], env);
  } catch (e) {
    if (!(e instanceof GitError) || isLockBusy(e) || !/index file|index uses|bad signature|corrupt|smaller than expected/i.test(e.stderr)) throw e;
    // Our index is damaged (a crash mid-write on a file system without
    // atomic rename): it is only a cache, so rebuild it from scratch.
    fs.rmSync(index, { force: true });
    await seedIndex(repo, index, env, head);
    await repo.raw(['add', '-A'], env);
  }
  const withSecrets = await keepSecretsOut(repo, env, base, known);
  return { tree: (await repo.raw(['write-tree'], env)).trim(), withSecrets };
}

/**
 * First run: start from a copy of the user's index, which already carries
 * stat data for every tracked file, so even the first snapshot only hashes
 * what changed. Without one, start from HEAD's tree (or empty).
 */
async function seedIndex(repo: Repo, index: string, env: Record<string, string>, head: string | null): Promise<void> {
  const userIndex = path.join(await repo.gitDir(), 'index');
  const tmp = `${index}.seed`;
  if (exists(userIndex)) {
    fs.copyFileSync(userIndex, tmp);
    fs.renameSync(tmp, index);
    // A copy that git cannot use as a plain index (split index, unknown
    // extension) is dropped in favour of HEAD's tree.
    const r = await repo.tryRaw(['rm', '-r', '-q', '--cached', '--ignore-unmatch', '--', LOCAL_DIR], env);
    if (r.code === 0) return;
    fs.rmSync(index, { force: true });
  }
  if (head) await repo.raw(['read-tree', head], env);
  else await repo.raw(['read-tree', '--empty'], env);
}

function isLockBusy(e: GitError): boolean {
  return /\.lock': File exists/.test(e.stderr);
}

/** Removes our index lock when it is old enough to belong to a dead git. */
function removeStaleLock(index: string): boolean {
  const lock = `${index}.lock`;
  try {
    const age = Date.now() - fs.statSync(lock).mtimeMs;
    if (age < STALE_LOCK_MS) return false;
    fs.rmSync(lock, { force: true });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
}

function explainFsError(dir: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new UserError(`cannot write to ${path.join(dir, '.git')}: ${(e as Error).message}`, `check that you own ${dir} and its file system is writable; nothing was changed`);
  }
  return e;
}

export async function isAncestor(repo: Repo, ancestor: string, descendant: string): Promise<boolean> {
  const r = await repo.tryRaw(['merge-base', '--is-ancestor', ancestor, descendant]);
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw new GitError(['merge-base', '--is-ancestor'], r.code, r.stderr);
}

/** Drops the shadow ref (after a session-end commit has taken its content). */
export async function dropAutosave(repo: Repo): Promise<void> {
  const autoRef = autoRefOf(repo.dir);
  const prev = await repo.resolve(autoRef);
  if (prev) await repo.raw(['update-ref', '-d', autoRef, prev]);
}
