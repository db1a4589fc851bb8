// Sync a session between machines through one ordinary git remote
// ("origin"). Only the current branch travels, by explicit refspec, so the
// shadow ref refs/cs/* never leaves the machine. Anything that can conflict
// stops with both sides reachable and the exact commands to finish by hand.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { ensureDir, exists } from '../lib/fsutil.js';
import { LOCAL_DIR, isAncestor, prepareRepo } from './autosave.js';
import { GitError, Repo, explainWriteError, guardWrite, type GitOptions } from './repo.js';
import { refuseLinksUnderMeta } from './links.js';
import { commitSessionUpdate, type CommitReport } from './session-end.js';
import { readSyncConf, updateSyncConf } from './syncconf.js';
import { maskUrlPassword } from './url-password.js';
import { shellQuote } from '../lib/shell.js';
import { writeConfined } from '../lib/confine.js';
import type { SecretsMergeNotes } from '../secrets/merge.js';
import { SECRETS_PATH } from '../secrets/keys.js';
import { recordEvent } from '../timeline/timeline.js';
import { REMOTE, NETWORK_TIMEOUT_MS, assertSyncable, ensureOrigin, explainRemoteError, needOrigin, originUrl, pushBranch, syncTimeoutMs } from './remote.js';

export interface SyncReport {
  branch: string;
  url: string;
  /** The "Session update" commit made first, if anything was uncommitted. */
  committed: string | null;
  committedFiles: number;
  /** Files left out of that commit as they hold a secret value (secret-guard.ts). */
  warnings?: string[];
}

/** `-sync push`: commit what is uncommitted, then push. */
export async function syncPush(repo: Repo, session: string): Promise<SyncReport> {
  await assertSyncable(repo);
  await needOrigin(repo, session);
  const c = await committed(repo, session);
  const { branch, url } = await pushBranch(repo, { session });
  return { branch, url, committed: c.commit, committedFiles: c.files.length, warnings: c.warnings };
}

/** The session commit sync starts with; a reason not to commit (a held index lock) stops the sync. */
async function committed(repo: Repo, session: string): Promise<CommitReport> {
  const c = await commitSessionUpdate(repo, session);
  if (c.reason) throw new UserError(`cannot commit the session: ${c.reason}`, c.hint);
  return c;
}

export interface PullReport extends SyncReport {
  result: 'up-to-date' | 'fast-forward' | 'rebased' | 'no-remote-branch' | 'ahead';
  /** .cs/secrets.age changed on both machines and was merged per key: what was settled by rule. */
  secrets?: SecretsMergeNotes;
}

/**
 * A rebase stopped on conflicts. While `.cs/secrets.age` is the only file
 * in conflict, merges it per key (src/secrets/merge.ts: the commit being
 * replayed, stage 3, is this machine's) and goes on, as often as the
 * rebase stops so. `done` once the rebase finished, with what the merges
 * settled by rule (none when no merge was needed); else the files in
 * conflict where it stopped, and why secrets.age could not be merged when
 * it was the only one. The rebase is left stopped for the caller to abort.
 * Throws GitError when git fails otherwise.
 */
async function settleSecretsInRebase(repo: Repo, session: string): Promise<{ done: true; notes?: SecretsMergeNotes } | { done: false; files: string[]; why?: string }> {
  let notes: SecretsMergeNotes | undefined;
  for (;;) {
    const files = (await repo.tryRaw(['diff', '--name-only', '--diff-filter=U'])).stdout.split('\n').filter(Boolean);
    if (files.length !== 1 || files[0] !== SECRETS_PATH) return { done: false, files };
    const { mergeSecretsVersions } = await import('../secrets/merge.js');
    const { listRecipients } = await import('../secrets/age.js');
    const stage = (n: number) => repo.blob(`:${n}:${SECRETS_PATH}`).catch((e: unknown) => {
      if (e instanceof GitError) return null;
      throw e;
    });
    const [b, ours, theirs] = await Promise.all([stage(1), stage(2), stage(3)]);
    if (!ours || !theirs) return { done: false, files, why: 'it was deleted on one side' };
    let merged: Awaited<ReturnType<typeof mergeSecretsVersions>>;
    try {
      merged = await mergeSecretsVersions({ base: b, ours, theirs, local: 'theirs' }, listRecipients(repo.dir), session, repo.env);
    } catch (e) {
      if (e instanceof UserError) return { done: false, files, why: e.message };
      throw e;
    }
    writeConfined(path.join(repo.dir, SECRETS_PATH), merged.bytes, 0o644);
    await repo.raw(['add', '--', SECRETS_PATH]);
    notes = { conflicts: [...new Set([...(notes?.conflicts ?? []), ...merged.notes.conflicts])].sort(), keptOverRemoval: [...new Set([...(notes?.keptOverRemoval ?? []), ...merged.notes.keptOverRemoval])].sort() };
    // GIT_EDITOR: keep the replayed commit's message without asking.
    const args = [...(await repo.identityArgs()), 'rebase', '--continue'];
    const c = await repo.tryRaw(args, { GIT_EDITOR: 'true' });
    if (c.code === 0) return { done: true, notes };
    if ((await repo.operationInProgress()) !== 'a rebase') throw new GitError(args, c.code, c.stderr, c.stdout);
  }
}

/**
 * What the session commit left changed in the tree (a file holding a secret
 * value, secret-guard.ts) stays as it is through a pull. Where the remote
 * changed the same path git would refuse mid-way; stop before anything
 * moves instead, naming the files.
 */
async function refuseOverLeftOut(repo: Repo, session: string, ours: string, theirs: string): Promise<void> {
  // --no-optional-locks: only a look; -uall: an untracked file the remote adds is in the way too.
  const st = await repo.raw(['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all']);
  const entries = st.split('\0');
  const left: string[] = [];
  const untracked = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (!/^.. /.test(e)) continue;
    left.push(e.slice(3));
    if (e.startsWith('??')) untracked.add(e.slice(3));
    if (/^[RC]/.test(e)) left.push(entries[++i]!); // a rename's source path follows it
  }
  if (left.length === 0) return;
  // --no-renames: a file the remote renamed counts under its old path as well as the new one.
  const changed = new Set((await repo.raw(['diff', '--name-only', '-z', '--no-renames', `${ours}...${theirs}`])).split('\0').filter(Boolean));
  const clash = left.filter((f) => changed.has(f) || (f.endsWith('/') && [...changed].some((c) => c.startsWith(f)))).sort();
  if (clash.length === 0) return;
  const shown = clash.slice(0, 5).join(', ') + (clash.length > 5 ? ` (+${clash.length - 5} more)` : '');
  // Moving a tracked file aside would have the next commit delete it everywhere: put the committed one back instead.
  const tracked = clash.filter((f) => !untracked.has(f));
  const aside = [
    ...(tracked.length ? [`run git -C ${shellQuote(repo.dir)} checkout -- ${tracked.map(shellQuote).join(' ')}`] : []),
    ...(tracked.length < clash.length ? [`move ${clash.filter((f) => untracked.has(f)).join(', ')} out of the session`] : []),
  ].join(' and ');
  throw new UserError(
    `pull stopped: ${shown} changed on the remote, and this machine's copy has changes cs did not commit (a file that holds a secret value stays out of commits); nothing was changed`,
    `store the value (cs ${session} -secrets set KEY) and have the file read $KEY so cs commits it, or keep a copy of yours elsewhere and ${aside}; then run: cs ${session} -sync pull`,
  );
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
  const base = { branch, url, committed: c.commit, committedFiles: c.files.length, warnings: c.warnings };
  const remoteRef = `refs/remotes/${REMOTE}/${branch}`;
  const theirs = await repo.resolve(remoteRef);
  if (!theirs) return { ...base, result: 'no-remote-branch' };
  await refuseLinksUnderMeta(repo, theirs, `${maskUrlPassword(url)} (${branch})`);
  const ours = await repo.resolve('HEAD');
  if (!ours) {
    // Nothing local yet (an empty clone): just take the remote branch.
    await guardWrite(repo, () => repo.git(['reset', '-q', '--hard', theirs]));
    return { ...base, result: 'fast-forward' };
  }
  if (ours === theirs || (await isAncestor(repo, theirs, ours))) return { ...base, result: ours === theirs ? 'up-to-date' : 'ahead' };
  await refuseOverLeftOut(repo, session, ours, theirs);
  if (await isAncestor(repo, ours, theirs)) {
    await guardWrite(repo, () => repo.git(['merge', '--quiet', '--ff-only', theirs]));
    return { ...base, result: 'fast-forward' };
  }
  try {
    // --autostash: files the commit above left out (refuseOverLeftOut: none the remote changed) would
    // make git refuse to rebase at all; they are set aside and put back as they were.
    await repo.commitGit(['rebase', '--quiet', '--autostash', theirs]);
    return { ...base, result: 'rebased' };
  } catch (e) {
    if ((await repo.operationInProgress()) !== 'a rebase') throw explainWriteError(repo.dir, e);
  }
  let settled: Awaited<ReturnType<typeof settleSecretsInRebase>>;
  try {
    settled = await settleSecretsInRebase(repo, session);
  } catch (e) {
    if ((await repo.operationInProgress()) === 'a rebase') await repo.tryRaw(['rebase', '--abort']);
    throw explainWriteError(repo.dir, e);
  }
  if (settled.done) return { ...base, result: 'rebased', ...(settled.notes ? { secrets: settled.notes } : {}) };

  // A real conflict: note the files, put everything back, keep both sides named.
  const files = settled.files;
  await repo.git(['rebase', '--abort']);
  const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const keep = `cs/conflict-${stamp}`;
  await repo.git(['branch', '-f', keep, ours]);
  const short = theirs.slice(0, 12);
  const d = repo.dir;
  // The commands must work as printed: where git has no identity here, with the one cs commits with.
  const g = ['git', ...(await repo.identityArgs())].join(' ');
  throw new SyncConflictError(
    `pull stopped: ${files.length ? files.join(', ') : 'some files'} changed differently on both machines${settled.why ? ` (${SECRETS_PATH} could not be merged per key here: ${settled.why})` : ''}; nothing was lost (your work: branch ${keep}, the remote's: ${short})`,
    [
      'finish by hand:',
      `  cd ${d}`,
      `  ${g} merge ${REMOTE}/${branch}       # then fix the conflicting files`,
      `  git add -A && ${g} commit --no-edit`,
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
async function checkoutWhenHeadless(repo: Repo, url: string, name: string): Promise<void> {
  if (await repo.resolve('HEAD')) return;
  const branches = (await repo.raw(['for-each-ref', '--format=%(refname:strip=3)', 'refs/remotes/origin/'])).split('\n').filter((b) => b && b !== 'HEAD');
  const pick = branches.includes('main') ? 'main' : branches.length === 1 ? branches[0]! : null;
  // The clone is then removed (cloneSession works in a temp directory): the hint is for the remote.
  if (branches.length === 0) throw new UserError('the remote is empty: no session was pushed to it yet; nothing was cloned', `push the session to it from the machine that has it: cs ${name} -sync remote ${maskUrlPassword(url)} && cs ${name} -sync push`);
  if (!pick) throw new UserError(`the remote has no main branch to clone (its branches: ${branches.join(', ')}); nothing was cloned`, `cs sessions push main: push the session from the machine that has it (cs ${name} -sync push), or clone the branch by hand: git clone -b <branch> ${maskUrlPassword(url)}`);
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
    await checkoutWhenHeadless(new Repo(tmp, opts), url, path.basename(target));
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
  /** .cs/secrets.age changed on both machines and was merged per key (PullReport.secrets). */
  secrets?: SecretsMergeNotes;
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
    recordEvent(path.join(dir, '.cs'), { type: 'sync', action: 'pull', result: r.result, url: maskUrlPassword(r.url) });
    return { pulled: true, result: r.result, ...(r.secrets ? { secrets: r.secrets } : {}) };
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
    return { pulled: r.result === 'fast-forward' || r.result === 'merged', ...(r.secrets ? { secrets: r.secrets } : {}) };
  } catch (e) {
    if (e instanceof UserError) return { pulled: false, error: e.message, hint: e.hint };
    throw e;
  }
}
