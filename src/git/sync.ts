// Sync a session between machines through one ordinary git remote
// ("origin"). Only the current branch travels, by explicit refspec, so the
// shadow ref refs/cs/* never leaves the machine. Anything that can conflict
// stops with both sides reachable and the exact commands to finish by hand.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { ensureDir, exists } from '../fsutil.js';
import { LOCAL_DIR, isAncestor, prepareRepo } from './autosave.js';
import { GitError, Repo, explainWriteError, guardWrite, lastLine, type GitOptions } from './repo.js';
import { refuseLinksUnderMeta } from './links.js';
import { commitSessionUpdate, type CommitReport } from './session-end.js';
import { readSyncConf, updateSyncConf } from './syncconf.js';
import { synced } from '../timeline/hooks.js';

export const REMOTE = 'origin';
const NETWORK_TIMEOUT_MS = 120_000;

/**
 * Checks a remote URL and returns it ready for git: a relative local path is
 * made absolute against `cwd`. Refuses anything git could read as an option
 * and anything with whitespace or control characters.
 */
export function validateRemoteUrl(url: string, cwd: string): string {
  const hint = 'use an URL like git@github.com:you/session.git, https://host/you/session.git or a path to a bare repository';
  if (url === '') throw new UsageError('remote URL is empty', hint);
  if (url.startsWith('-')) throw new UsageError(`invalid remote URL '${url}': it starts with "-"`, hint);
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(url)) throw new UsageError(`invalid remote URL ${JSON.stringify(url)}: it contains whitespace or control characters`, hint);
  if (/^ext::/i.test(url) || /^[a-z][a-z0-9+.-]*::/i.test(url)) throw new UsageError(`invalid remote URL '${url}': remote helpers ("<helper>::") are not allowed`, hint);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  // scp-like user@host:path (a colon before the first slash)
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) return url;
  return path.resolve(cwd, url);
}

/** The URL of origin, else the one recorded in .cs/sync.conf (then origin is set to it). */
export async function ensureOrigin(repo: Repo): Promise<string | null> {
  const current = await originUrl(repo);
  if (current) return current;
  const conf = readSyncConf(repo.dir).remote;
  if (!conf) return null;
  await guardWrite(repo, () => repo.git(['remote', 'add', REMOTE, conf]));
  return conf;
}

export async function originUrl(repo: Repo): Promise<string | null> {
  const r = await repo.tryRaw(['config', '--get', `remote.${REMOTE}.url`]);
  return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** Sets origin to `url` and records it in sync.conf. Returns the previous URL. */
export async function setRemote(repo: Repo, url: string): Promise<string | null> {
  const previous = await originUrl(repo);
  await guardWrite(repo, async () => {
    if (previous === null) await repo.git(['remote', 'add', REMOTE, url]);
    else if (previous !== url) await repo.git(['remote', 'set-url', REMOTE, url]);
  });
  updateSyncConf(repo.dir, { remote: url });
  return previous;
}

/** The checks every sync operation starts with: a branch, no half-done operation. */
export async function assertSyncable(repo: Repo): Promise<string> {
  const busy = await repo.operationInProgress();
  if (busy) {
    const verb = busy === 'a rebase' ? 'rebase' : busy === 'a merge' ? 'merge' : busy === 'a revert' ? 'revert' : 'cherry-pick';
    throw new UserError(
      `${repo.dir} is in the middle of ${busy}`,
      `finish it (git -C ${repo.dir} ${verb} --continue) or undo it (git -C ${repo.dir} ${verb} --abort), then try again`,
    );
  }
  const branch = await repo.branch();
  if (branch === null) {
    throw new UserError(
      `HEAD is detached in ${repo.dir}: there is no branch to sync`,
      `switch to a branch first: git -C ${repo.dir} switch main (or git -C ${repo.dir} switch -c <new-branch> to keep commits made here)`,
    );
  }
  return branch;
}

/** A remote that could not be reached: `reason` is the short why ("timed out after 15 s"), for one-line reports. */
export class RemoteError extends UserError {
  override name = 'RemoteError';
  constructor(
    readonly url: string,
    readonly reason: string,
    hint: string,
  ) {
    super(`cannot reach remote ${url}: ${reason}`, hint);
  }
}

/** A remote URL that is a local path where nothing exists yet (a bare repository can be made there). */
export function isMissingLocalRemote(url: string): boolean {
  return path.isAbsolute(url) && !fs.existsSync(url);
}

/** The host of an ssh-style or URL remote, for messages. */
function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url) ?? /^(?:[^@/:]*@)?([^:/]+):/.exec(url);
  return m?.[1] ?? url;
}

/**
 * What git's stderr means, in one line, with what to do: the meaningful part
 * of the message (not its last line, which is often boilerplate such as
 * "and the repository exists."). Null when it is not a transport problem.
 */
export function remoteProblem(url: string, stderr: string, code: number | null): { reason: string; hint: string } | null {
  const s = stderr;
  const ls = `git ls-remote ${url} shows what git sees; nothing was changed`;
  if (code === 124 && /^timed out after/.test(s)) return { reason: s.trim(), hint: `the remote did not answer; check your network (${ls}), or raise CS_SYNC_TIMEOUT` };
  if (path.isAbsolute(url) && !fs.existsSync(url)) return { reason: `no repository at ${url} (the path does not exist)`, hint: 'create it with: cs <session> -sync push --create (or git init --bare <path>)' };
  if (/Could not resolve (hostname|host)/i.test(s)) return { reason: `host '${hostOf(url)}' not found (the name does not resolve)`, hint: `check the host name in the URL and your network (${ls})` };
  if (/Permission denied|Authentication failed|terminal prompts disabled|could not read Username|access denied|HTTP 40[13]/i.test(s)) return { reason: 'permission denied (the remote refused these credentials)', hint: `check your ssh key or credentials for ${hostOf(url)} (ssh -T, or a git credential helper); ${ls}` };
  if (/Connection refused/i.test(s)) return { reason: `connection refused by ${hostOf(url)}`, hint: `check the host and port in the URL (${ls})` };
  if (/timed out|Operation timed out/i.test(s)) return { reason: `connection to ${hostOf(url)} timed out`, hint: `check your network (${ls})` };
  if (/does not appear to be a git repository|repository .* (does not exist|not found)|Repository not found|not a git repository|No such file or directory|\bnot found\b/i.test(s)) return { reason: 'repository not found', hint: `check the path in the URL, or create the repository on the remote (${ls})` };
  if (/Could not read from remote|unable to access|Connection (closed|reset)|early EOF|unexpected disconnect/i.test(s) || code === -1) {
    const meaningful = s.split('\n').map((l) => l.trim()).find((l) => /^(fatal|error|ssh):/i.test(l) && !/Could not read from remote repository\.?$/i.test(l));
    return { reason: meaningful ? meaningful.replace(/^(fatal|error): /i, '') : lastLine(s) || 'no answer', hint: `check the URL and your network or credentials (${ls})` };
  }
  return null;
}

/** Turns transport failures into a one-line RemoteError naming the remote and what to do. */
export function explainRemoteError(url: string, e: unknown): unknown {
  if (!(e instanceof GitError)) return e;
  const p = remoteProblem(url, e.stderr, e.code);
  return p ? new RemoteError(url, p.reason, p.hint) : e;
}

/** How long auto-sync at session start and end waits for the remote: CS_SYNC_TIMEOUT seconds, default 15. */
export function syncTimeoutMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.CS_SYNC_TIMEOUT);
  return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : 15_000;
}

async function needOrigin(repo: Repo, session: string): Promise<string> {
  const url = await ensureOrigin(repo);
  if (!url) {
    throw new UserError(`session '${session}' has no sync remote`, `set one: cs ${session} -sync remote <url>`);
  }
  return url;
}

export interface PushOptions {
  timeoutMs?: number;
  session?: string;
}

/** Pushes the current branch (only) to origin and sets it as upstream. */
export async function pushBranch(repo: Repo, opts: PushOptions = {}): Promise<{ branch: string; url: string }> {
  const session = opts.session ?? path.basename(repo.dir);
  const branch = await assertSyncable(repo);
  const url = await needOrigin(repo, session);
  if (!(await repo.resolve('HEAD'))) throw new UserError(`session '${session}' has no commits to push yet`, `cs ${session} -sync push commits your files first`);
  const ref = `refs/heads/${branch}`;
  try {
    await repo.network(['push', '--quiet', '--set-upstream', REMOTE, `${ref}:${ref}`], opts.timeoutMs ?? NETWORK_TIMEOUT_MS);
  } catch (e) {
    if (e instanceof GitError && /\[rejected\]|non-fast-forward|fetch first|failed to push some refs/i.test(e.stderr) && !/unable to access|Could not read/i.test(e.stderr)) {
      throw new UserError(
        `the remote has commits this machine does not have; nothing was pushed`,
        `run cs ${session} -sync pull, then cs ${session} -sync push`,
      );
    }
    throw explainWriteError(repo.dir, explainRemoteError(url, e));
  }
  return { branch, url };
}

export interface SyncReport {
  branch: string;
  url: string;
  /** The "Session update" commit made first, if anything was uncommitted. */
  committed: string | null;
  committedFiles: number;
}

/** `-sync push`: commit what is uncommitted, then push. */
export async function syncPush(repo: Repo, session: string): Promise<SyncReport> {
  await assertSyncable(repo);
  await needOrigin(repo, session);
  const c = await committed(repo, session);
  const { branch, url } = await pushBranch(repo, { session });
  return { branch, url, committed: c.commit, committedFiles: c.files.length };
}

/** The session commit sync starts with; a reason not to commit (a held index lock) stops the sync. */
async function committed(repo: Repo, session: string): Promise<CommitReport> {
  const c = await commitSessionUpdate(repo, session);
  if (c.reason) throw new UserError(`cannot commit the session: ${c.reason}`, c.hint);
  return c;
}

export interface PullReport extends SyncReport {
  result: 'up-to-date' | 'fast-forward' | 'rebased' | 'no-remote-branch' | 'ahead';
}

export class SyncConflictError extends UserError {
  override name = 'SyncConflictError';
  constructor(
    message: string,
    hint: string,
    readonly files: string[],
    readonly localBranch: string,
    readonly remoteCommit: string,
  ) {
    super(message, hint);
  }
}

/**
 * `-sync pull`: commit local work, fetch, then fast-forward or rebase onto
 * the remote. Append-only logs merge as a union (.gitattributes). On a real
 * conflict the rebase is aborted, the local work gets a `cs/conflict-<ts>`
 * branch, and the error says exactly how to finish.
 */
export async function syncPull(repo: Repo, session: string, now: () => Date = () => new Date(), timeoutMs = NETWORK_TIMEOUT_MS): Promise<PullReport> {
  const branch = await assertSyncable(repo);
  const url = await needOrigin(repo, session);
  try {
    await repo.network(['fetch', '--quiet', REMOTE], timeoutMs);
  } catch (e) {
    throw explainWriteError(repo.dir, explainRemoteError(url, e));
  }
  const c = await committed(repo, session);
  const base = { branch, url, committed: c.commit, committedFiles: c.files.length };
  const remoteRef = `refs/remotes/${REMOTE}/${branch}`;
  const theirs = await repo.resolve(remoteRef);
  if (!theirs) return { ...base, result: 'no-remote-branch' };
  await refuseLinksUnderMeta(repo, theirs, `${url} (${branch})`);
  const ours = await repo.resolve('HEAD');
  if (!ours) {
    // Nothing local yet (an empty clone): just take the remote branch.
    await guardWrite(repo, () => repo.git(['reset', '-q', '--hard', theirs]));
    return { ...base, result: 'fast-forward' };
  }
  if (ours === theirs || (await isAncestor(repo, theirs, ours))) return { ...base, result: ours === theirs ? 'up-to-date' : 'ahead' };
  if (await isAncestor(repo, ours, theirs)) {
    await guardWrite(repo, () => repo.git(['merge', '--quiet', '--ff-only', theirs]));
    return { ...base, result: 'fast-forward' };
  }
  try {
    await repo.commitGit(['rebase', '--quiet', theirs]);
    return { ...base, result: 'rebased' };
  } catch (e) {
    if ((await repo.operationInProgress()) !== 'a rebase') throw explainWriteError(repo.dir, e);
  }

  // A real conflict: note the files, put everything back, keep both sides named.
  const files = (await repo.tryRaw(['diff', '--name-only', '--diff-filter=U'])).stdout.split('\n').filter(Boolean);
  await repo.git(['rebase', '--abort']);
  const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const keep = `cs/conflict-${stamp}`;
  await repo.git(['branch', '-f', keep, ours]);
  const short = theirs.slice(0, 12);
  const d = repo.dir;
  throw new SyncConflictError(
    `pull stopped: ${files.length ? files.join(', ') : 'some files'} changed differently on both machines; nothing was lost (your work: branch ${keep}, the remote's: ${short})`,
    [
      'finish by hand:',
      `  cd ${d}`,
      `  git merge ${REMOTE}/${branch}       # then fix the conflicting files`,
      `  git add -A && git commit --no-edit`,
      `  cs ${session} -sync push`,
      `or keep the remote version (yours stays on ${keep}):`,
      `  git -C ${d} reset --hard ${REMOTE}/${branch}`,
    ].join('\n'),
    files,
    keep,
    theirs,
  );
}

export interface SyncStatus {
  session: string;
  branch: string | null;
  remote: string | null;
  auto: boolean;
  ahead: number | null;
  behind: number | null;
  /** Files with uncommitted changes (untracked included). */
  dirty: number;
  /** The autosave commit, when one exists (work not yet in a session commit). */
  autosave: string | null;
  /** False when the fetch failed; ahead/behind then come from the last fetch. */
  reachable: boolean | null;
}

export async function syncStatus(repo: Repo, session: string, opts: { fetch: boolean }): Promise<SyncStatus> {
  const branch = await repo.branch();
  const remote = await ensureOrigin(repo);
  const conf = readSyncConf(repo.dir);
  let reachable: boolean | null = null;
  if (remote && opts.fetch) {
    reachable = await repo.network(['fetch', '--quiet', REMOTE], 30_000).then(
      () => true,
      (e: unknown) => {
        if (e instanceof GitError) return false;
        throw e;
      },
    );
  }
  let ahead: number | null = null;
  let behind: number | null = null;
  if (branch && (await repo.resolve('HEAD')) && (await repo.resolve(`refs/remotes/${REMOTE}/${branch}`))) {
    const out = await repo.raw(['rev-list', '--left-right', '--count', `HEAD...refs/remotes/${REMOTE}/${branch}`]);
    const [a, b] = out.trim().split(/\s+/).map(Number);
    ahead = a ?? 0;
    behind = b ?? 0;
  }
  // --no-optional-locks: a status must not rewrite the user's index.
  const st = await repo.git(['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all']);
  const dirty = st.split('\0').filter((e) => /^.. /.test(e)).length;
  return { session, branch, remote, auto: conf.auto, ahead, behind, dirty, autosave: await repo.resolve('refs/cs/auto'), reachable };
}

/**
 * `cs -sync clone <name|url>`: clones into a temp directory beside the
 * target and renames it into place, so a failed clone leaves nothing behind.
 */
/**
 * A bare remote made with an older git points HEAD at `master` while sessions
 * push `main`: the clone then checks out nothing. Take `main` (or the only
 * branch there is) instead of leaving an empty session.
 */
async function checkoutWhenHeadless(repo: Repo): Promise<void> {
  if (await repo.resolve('HEAD')) return;
  const branches = (await repo.raw(['for-each-ref', '--format=%(refname:strip=3)', 'refs/remotes/origin/'])).split('\n').filter((b) => b && b !== 'HEAD');
  const pick = branches.includes('main') ? 'main' : branches.length === 1 ? branches[0]! : null;
  if (!pick) throw new UserError('the remote has no main branch to check out', `check out a branch by hand: git -C <session> checkout <branch> (branches: ${branches.join(', ') || 'none'})`);
  await repo.git(['checkout', '-q', '-B', pick, '--track', `origin/${pick}`]);
}

export async function cloneSession(url: string, target: string, opts: GitOptions = {}): Promise<Repo> {
  if (exists(target)) {
    throw new UserError(`${target} already exists`, `pick another name, or remove it first (cs -rm ${path.basename(target)})`);
  }
  const parent = path.dirname(target);
  ensureDir(parent);
  const tmp = path.join(parent, `.${path.basename(target)}.clone-${process.pid}-${randomBytes(3).toString('hex')}`);
  const outside = new Repo(parent, opts);
  try {
    await outside.network(['clone', '--quiet', '--', url, tmp], opts.timeoutMs ?? NETWORK_TIMEOUT_MS);
    await checkoutWhenHeadless(new Repo(tmp, opts));
    if (await new Repo(tmp, opts).resolve('HEAD')) await refuseLinksUnderMeta(new Repo(tmp, opts), 'HEAD', url);
    ensureDir(path.join(tmp, LOCAL_DIR));
    await prepareRepo(tmp, opts);
    if (exists(target)) throw new UserError(`${target} appeared while cloning`, `the clone was discarded; remove ${target} or pick another name`);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw explainRemoteError(url, e);
  }
  const repo = new Repo(target, opts);
  if (!readSyncConf(target).remote) updateSyncConf(target, { remote: url });
  return repo;
}

export interface StartPullReport {
  pulled: boolean;
  result?: PullReport['result'];
  /** Why the pull failed (unreachable, conflict...); the session opens anyway. */
  error?: string;
  hint?: string;
}

/**
 * SessionStart with auto-sync on: pull, but never stop the session from
 * opening. A failure (offline, conflict) comes back as a message to show.
 */
export async function sessionStartPull(dir: string, session: string, opts: GitOptions & { now?: () => Date } = {}): Promise<StartPullReport> {
  const conf = readSyncConf(dir);
  if (!conf.auto) return { pulled: false };
  const repo = new Repo(dir, opts);
  const { isAdopted } = await import('../session/adopted.js');
  if (isAdopted(dir)) return adoptedStartPull(repo, session, conf.remote ?? (await originUrl(repo)));
  if (!(await ensureOrigin(repo))) return { pulled: false };
  try {
    const r = await syncPull(repo, session, opts.now, syncTimeoutMs(opts.env ?? process.env));
    // Only here: the session is about to change the tree anyway. A line after a manual push or pull
    // would leave the tree dirty and turn the next fast-forward into a rebase.
    synced(dir, 'pull', { result: r.result, url: r.url });
    return { pulled: true, result: r.result };
  } catch (e) {
    if (e instanceof UserError) return { pulled: false, error: e.message, hint: e.hint };
    throw e;
  }
}

/** An adopted project at session start: pull its records only; the user's branches are theirs. */
async function adoptedStartPull(repo: Repo, session: string, url: string | null): Promise<StartPullReport> {
  if (!url) return { pulled: false };
  const { pullRecords } = await import('./records.js');
  try {
    const r = await pullRecords(repo, url, session);
    return { pulled: r === 'fast-forward' || r === 'merged' };
  } catch (e) {
    if (e instanceof UserError) return { pulled: false, error: e.message, hint: e.hint };
    throw e;
  }
}
