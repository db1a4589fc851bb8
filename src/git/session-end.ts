// The end of a session: one clean commit of everything that changed, the
// shadow ref dropped (its content is now in history), and a push when the
// user asked for auto-sync.
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { dropAutosave } from './autosave.js';
import { guardWrite, openRepo, type GitOptions, type Repo } from './repo.js';
import { pushBranch, RemoteError, syncTimeoutMs } from './sync.js';
import { readSyncConf } from './syncconf.js';

export interface CommitReport {
  /** The new commit, or null when nothing had changed (or committing was not safe). */
  commit: string | null;
  files: string[];
  message: string | null;
  /** Why no commit was made although files had changed. */
  reason?: string;
}

export interface SessionEndReport extends CommitReport {
  pushed: boolean;
  /** Set when a push was due and failed; the commit is kept locally. */
  pushError?: string;
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
 * reason, not an exception) on a detached HEAD or mid-rebase/merge, where a
 * commit would land somewhere the user does not expect.
 */
export async function commitSessionUpdate(repo: Repo): Promise<CommitReport> {
  const busy = await repo.operationInProgress();
  if (busy) return { commit: null, files: [], message: null, reason: `${busy} is in progress` };
  if ((await repo.branch()) === null) return { commit: null, files: [], message: null, reason: 'HEAD is detached' };
  await guardWrite(repo, () => repo.git(['add', '-A']));
  const head = await repo.resolve('HEAD');
  const listed = head
    ? await repo.raw(['diff', '--cached', '--name-only', '--no-renames', '-z', 'HEAD'])
    : await repo.raw(['ls-files', '-z']);
  const files = listed.split('\0').filter(Boolean);
  if (files.length === 0) return { commit: null, files, message: null };
  const message = sessionUpdateMessage(files);
  await guardWrite(repo, () => repo.commitGit(['commit', '-q', '--no-verify', '-m', message]));
  return { commit: await repo.resolve('HEAD'), files, message };
}

/**
 * Session end: commit, drop refs/cs/auto, push when a remote is set and
 * auto-sync is on. A failed push is reported, never thrown: the commit is
 * safe locally and the next push takes it.
 */
export async function sessionEndCommit(dir: string, opts: GitOptions = {}): Promise<SessionEndReport> {
  const repo = await openRepo(dir, opts);
  const report = await commitSessionUpdate(repo);
  // Without a commit the autosave may be the only copy of the work: keep it.
  if (!report.reason) await guardWrite(repo, () => dropAutosave(repo));
  const conf = readSyncConf(dir);
  if (!conf.auto || report.reason) return { ...report, pushed: false };
  const remote = (await repo.tryRaw(['config', '--get', 'remote.origin.url'])).stdout.trim() || conf.remote;
  if (!remote) return { ...report, pushed: false };
  try {
    await pushBranch(repo, { timeoutMs: syncTimeoutMs(opts.env ?? process.env) });
    return { ...report, pushed: true };
  } catch (e) {
    if (e instanceof RemoteError) return { ...report, pushed: false, pushError: e.reason };
    if (e instanceof UserError) return { ...report, pushed: false, pushError: e.message };
    throw e;
  }
}
