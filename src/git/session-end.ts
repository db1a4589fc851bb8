// The end of a session: one clean commit of everything that changed, the
// shadow ref dropped (its content is now in history), and a push when the
// user asked for auto-sync.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { dropAutosave } from './autosave.js';
import { guardWrite, openRepo, type GitOptions, type Repo } from './repo.js';
import { originUrl, pushBranch, RemoteError, syncTimeoutMs } from './remote.js';
import { clearStaleIndexLock } from './index-lock.js';
import { isAdopted } from '../session/adopted.js';
import { isFeatureWorktree } from '../features/ref.js';
import { readSyncConf } from './syncconf.js';
import { sessionsRoot } from '../session/paths.js';

export interface CommitReport {
  /** The new commit, or null when nothing had changed (or committing was not safe). */
  commit: string | null;
  files: string[];
  message: string | null;
  /** Why no commit was made although files had changed. */
  reason?: string;
  /** With a reason: what to run (ends with the command that finishes the job). */
  hint?: string;
  /** Things done on the way the user should hear of (a stale lock removed, a nested repository left out). */
  notices?: string[];
  /** Files left out because they hold a secret value (secret-guard.ts): the user has to act. */
  warnings?: string[];
}

export interface SessionEndReport extends CommitReport {
  pushed: boolean;
  /** Set when a push was due and failed; the commit is kept locally. */
  pushError?: string;
  /** What to do about pushError, when the push said (a remote ahead: pull first). */
  pushHint?: string;
  /** Adopted projects: the snapshot of `.cs/` on refs/cs/session. */
  records?: { commit: string | null; changed: boolean };
}

/** "Session update: 5 files (notes.md, run.sh, app.ts, +2 more)" */
export function sessionUpdateMessage(files: readonly string[]): string {
  const n = files.length;
  // Name the user's own files before our bookkeeping under .cs/.
  const ordered = [...files].sort((a, b) => Number(a.startsWith('.cs/')) - Number(b.startsWith('.cs/')));
  const shown = ordered.slice(0, 3);
  const base = shown.map((f) => path.posix.basename(f));
  const names = shown.map((f, i) => (base.filter((b) => b === base[i]).length > 1 ? shortPath(f) : base[i]!));
  const more = n > shown.length ? [`+${n - shown.length} more`] : [];
  return `Session update: ${n} file${n === 1 ? '' : 's'} (${[...names, ...more].join(', ')})`;
}

function shortPath(f: string): string {
  const parts = f.split('/');
  return parts.length <= 2 ? f : parts.slice(-2).join('/');
}

/**
 * Stages everything and commits it as a "Session update". Refuses (with a
 * reason and the command to run, not an exception) on a detached HEAD,
 * mid-rebase/merge, or while another git holds the index lock, where a
 * commit would land somewhere the user does not expect or fail. A lock left
 * by a killed git is removed (with a notice). Nested repositories (Claude
 * Code's own worktrees under .claude/worktrees/, a cloned dependency) are
 * left out instead of being recorded as gitlinks.
 */
export async function commitSessionUpdate(repo: Repo, session = path.basename(repo.dir)): Promise<CommitReport> {
  const then = `then run: cs ${session} -sync push`;
  const none = (reason: string, hint: string, notices: string[] = []): CommitReport => ({ commit: null, files: [], message: null, reason, hint, notices });
  const busy = await repo.operationInProgress();
  if (busy) {
    const verb = busy === 'a rebase' ? 'rebase' : busy === 'a merge' ? 'merge' : busy === 'a revert' ? 'revert' : 'cherry-pick';
    return none(`${busy} is in progress`, `finish it (git -C ${repo.dir} ${verb} --continue) or abort it (git -C ${repo.dir} ${verb} --abort), ${then}`);
  }
  if ((await repo.branch()) === null) return none('HEAD is detached', `check out a branch, ${then}`);
  const notices: string[] = [];
  const lock = await clearStaleIndexLock(await repo.gitDir(), repo.dir);
  if (lock.state === 'removed') notices.push(`removed a stale ${lock.file} left by a git that stopped ${Math.round(lock.ageMs / 1000)} s ago`);
  if (lock.state === 'busy') {
    return none(
      `another git process holds ${lock.file}`,
      lock.held ? `when it is done, ${then}` : `if no git is running, remove ${lock.file}, ${then}`,
    );
  }
  await guardWrite(repo, () => repo.raw(['add', '-A']));
  const head = await repo.resolve('HEAD');
  const staged = await stagedChanges(repo, head);
  for (const p of staged.newGitlinks) {
    await guardWrite(repo, () => repo.raw(['update-index', '--force-remove', '--', p]));
    notices.push(`left ${p} out of the session commit: it is a git repository of its own`);
  }
  const left = new Set(staged.newGitlinks);
  // The last gate before history (and, with sync, the remote): a changed file holding a secret value
  // goes back to what HEAD has (a new file: out of the index); the file on disk stays as it is. The
  // store (a keychain round trip) is read only when something changed.
  const warnings: string[] = [];
  if (staged.files.some((f) => !left.has(f))) {
    const { keepSecretsOut, leftOutNotice } = await import('./secret-guard.js');
    const known = await (await import('../secrets/scrub.js')).knownSessionSecrets(session, repo.callerEnv);
    const withSecrets = await guardWrite(repo, () => keepSecretsOut(repo, {}, head, known));
    for (const f of withSecrets) left.add(f.path);
    if (withSecrets.length) warnings.push(leftOutNotice(withSecrets, 'the session commit', session));
  }
  const files = staged.files.filter((f) => !left.has(f));
  if (files.length === 0) return { commit: null, files, message: null, notices, warnings };
  const message = sessionUpdateMessage(files);
  await guardWrite(repo, () => repo.commit(['-q', '--no-verify', '-m', message]));
  return { commit: await repo.resolve('HEAD'), files, message, notices, warnings };
}

/**
 * What `add -A` staged, from one git process: the changed paths against HEAD
 * (every path without a HEAD), and the gitlinks (mode 160000: nested
 * repositories) among them that HEAD does not already have as gitlinks.
 * Formats: git diff --raw -z (":<old mode> <new mode> <old> <new> <status>\0<path>\0")
 * and git ls-files -s -z ("<mode> <object> <stage>\t<path>\0").
 */
async function stagedChanges(repo: Repo, head: string | null): Promise<{ files: string[]; newGitlinks: string[] }> {
  if (!head) {
    const entries = (await repo.raw(['ls-files', '-s', '-z'])).split('\0').filter(Boolean);
    const parsed = entries.map((e) => /^(\d+) [0-9a-f]+ \d\t(.*)$/s.exec(e)).filter((m): m is RegExpExecArray => m !== null);
    return { files: parsed.map((m) => m[2]!), newGitlinks: parsed.filter((m) => m[1] === '160000').map((m) => m[2]!) };
  }
  const parts = (await repo.raw(['diff', '--cached', '--raw', '-z', '--no-renames', 'HEAD'])).split('\0');
  const files: string[] = [];
  const newGitlinks: string[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const m = /^:(\d+) (\d+) /.exec(parts[i]!);
    const file = parts[i + 1]!;
    if (!m) continue;
    files.push(file);
    if (m[2] === '160000' && m[1] !== '160000') newGitlinks.push(file);
  }
  return { files, newGitlinks };
}

/**
 * Session end: commit, drop refs/cs/auto, push when a remote is set and
 * auto-sync is on. A failed push is reported, never thrown: the commit is
 * safe locally and the next push takes it. An adopted project gets no
 * commit on any branch: its records are snapshotted to refs/cs/session
 * (and that ref alone pushed with auto-sync).
 */
export async function sessionEndCommit(dir: string, opts: GitOptions & { session?: string } = {}): Promise<SessionEndReport> {
  const repo = await openRepo(dir, opts);
  const session = opts.session ?? path.basename(dir);
  // A feature of an adopted project commits on its own branch cs/<feature>
  // (made at the user's request, merged only by cs <base> --merge), never on
  // the user's; its .cs/ stays out through info/exclude. Its records are
  // folded into the base's at the merge, not put on the shared refs/cs/session.
  if (isAdopted(dir) && !isFeatureWorktree(dir)) return adoptedSessionEnd(repo, session);
  // Without the marker, a branch commit only where cs made the repository: an adopted project
  // whose .cs/adopted went (deleted, or taken away by a records pull), or a project with a .cs/
  // of another tool's where a Claude with cs's hooks ran, is the user's.
  if (!madeByCs(repo.dir, opts.env ?? process.env)) {
    return {
      commit: null,
      files: [],
      message: null,
      pushed: false,
      reason: `${repo.dir} is not a workspace cs made (those are in ${sessionsRoot(opts.env ?? process.env)}) and has no .cs/adopted marker, so cs commits nothing on its branches`,
      hint: `if cs adopted it, adopt it again to mark it: cd ${repo.dir} && cs -adopt ${session}`,
    };
  }
  const report = await commitSessionUpdate(repo, session);
  // Without a commit the autosave may be the only copy of the work: keep it.
  if (!report.reason) await guardWrite(repo, () => dropAutosave(repo));
  const conf = readSyncConf(dir);
  if (!conf.auto || report.reason) return { ...report, pushed: false };
  const remote = (await repo.tryRaw(['config', '--get', 'remote.origin.url'])).stdout.trim() || conf.remote;
  if (!remote) return { ...report, pushed: false };
  try {
    await pushBranch(repo, { timeoutMs: syncTimeoutMs(opts.env ?? process.env), session });
    return { ...report, pushed: true };
  } catch (e) {
    if (e instanceof RemoteError) return { ...report, pushed: false, pushError: e.reason };
    if (e instanceof UserError) return { ...report, pushed: false, pushError: e.message, ...(e.hint ? { pushHint: e.hint } : {}) };
    throw e;
  }
}

/** `dir` is a session folder cs made: straight in the sessions root, or a feature worktree in its .features/. */
function madeByCs(dir: string, env: NodeJS.ProcessEnv): boolean {
  let root: string;
  let parent: string;
  try {
    root = fs.realpathSync(sessionsRoot(env));
    parent = path.dirname(fs.realpathSync(dir));
  } catch {
    return false;
  }
  return parent === root || parent === path.join(root, '.features');
}

async function adoptedSessionEnd(repo: Repo, session: string): Promise<SessionEndReport> {
  const { snapshotRecords, pushRecords } = await import('./records.js');
  const snap = await snapshotRecords(repo, session);
  // The work is in the tree, where the user reviews it; a later recovery
  // must not bring back what they discard after this clean exit.
  await guardWrite(repo, () => dropAutosave(repo));
  const warnings = snap.withSecrets ? [(await import('./secret-guard.js')).leftOutNotice(snap.withSecrets, 'the records', session)] : [];
  const report: SessionEndReport = { commit: null, files: [], message: null, pushed: false, records: snap, warnings };
  const conf = readSyncConf(repo.dir);
  const url = conf.remote ?? (await originUrl(repo));
  if (!conf.auto || !url) return report;
  try {
    await pushRecords(repo, url, session);
    return { ...report, pushed: true };
  } catch (e) {
    if (e instanceof RemoteError) return { ...report, pushError: e.reason };
    if (e instanceof UserError) return { ...report, pushError: e.message, ...(e.hint ? { pushHint: e.hint } : {}) };
    throw e;
  }
}
