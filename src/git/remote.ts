// The sync remote ("origin") of a session's repository: checking a URL,
// reading and setting it, explaining git's network errors in the user's
// terms, and pushing the current branch (only, by explicit refspec, so the
// shadow ref refs/cs/* never leaves the machine). src/git/sync.ts builds
// push/pull/status on these; the session end (src/git/session-end.ts) pushes with them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SESSION_IN_HINT, UsageError, UserError } from '../lib/errors.js';
import { GitError, Repo, explainWriteError, guardWrite, lastLine } from './repo.js';
import { readSyncConf, updateSyncConf } from './syncconf.js';
import { maskUrlPassword, refuseUrlPassword } from './url-password.js';

export const REMOTE = 'origin';
/** How long one network git call may take before it is stopped (ms). */
export const NETWORK_TIMEOUT_MS = 120_000;

/**
 * Checks a remote URL and returns it ready for git: a relative local path is
 * made absolute against `cwd`. Every way a sync remote enters cs goes
 * through here.
 * @throws UsageError for anything git could read as an option, whitespace or
 *   control characters, a remote helper; UserError for a URL that holds a
 *   password (see refuseUrlPassword). Messages show the password as `***`.
 */
export function validateRemoteUrl(url: string, cwd: string): string {
  const hint = 'use an URL like git@github.com:you/session.git, https://host/you/session.git or a path to a bare repository';
  const shown = maskUrlPassword(url);
  if (url === '') throw new UsageError('remote URL is empty', hint);
  if (url.startsWith('-')) throw new UsageError(`invalid remote URL '${shown}': it starts with "-"`, hint);
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(url)) throw new UsageError(`invalid remote URL ${JSON.stringify(shown)}: it contains whitespace or control characters`, hint);
  if (/^ext::/i.test(url) || /^[a-z][a-z0-9+.-]*::/i.test(url)) throw new UsageError(`invalid remote URL '${shown}': remote helpers ("<helper>::") are not allowed`, hint);
  refuseUrlPassword(url);
  // A user or host that starts with "-" would reach ssh as an option (git refuses them as "strange"
  // only when it is about to connect: cs would have saved the remote by then).
  const optionLike = (authority: string) => {
    let decoded = authority;
    try {
      decoded = decodeURIComponent(authority);
    } catch {
      // not percent-encoded text: looked at as it is
    }
    return decoded.split('@').some((part) => part.startsWith('-'));
  };
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/([^/]*)/i.exec(url);
  if (scheme) {
    if (optionLike(scheme[1]!)) throw new UsageError(`invalid remote URL '${shown}': its user or host starts with "-"`, hint);
    return url;
  }
  // scp-like user@host:path (a colon before the first slash)
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) {
    if (optionLike(url.slice(0, colon))) throw new UsageError(`invalid remote URL '${shown}': its user or host starts with "-"`, hint);
    return url;
  }
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
    super(`cannot reach remote ${maskUrlPassword(url)}: ${reason}`, hint);
  }
}

/** A remote URL that is a local path where nothing exists yet (a bare repository can be made there). */
export function isMissingLocalRemote(url: string): boolean {
  return path.isAbsolute(url) && !fs.existsSync(url);
}

/** The host of an ssh-style or URL remote, for messages. */
function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url) ?? /^(?:[^@/:]*@)?([^:/]+):/.exec(url);
  return m?.[1] ?? maskUrlPassword(url);
}

/**
 * What git's stderr means, in one line, with what to do: the meaningful part
 * of the message (not its last line, which is often boilerplate such as
 * "and the repository exists."). Null when it is not a transport problem.
 */
export function remoteProblem(url: string, stderr: string, code: number | null): { reason: string; hint: string } | null {
  const s = stderr;
  const ls = `git ls-remote ${maskUrlPassword(url)} shows what git sees; nothing was changed`;
  if (code === 124 && /^timed out after/.test(s)) return { reason: s.trim(), hint: `the remote did not answer; check your network (${ls}), or raise CS_SYNC_TIMEOUT` };
  if (path.isAbsolute(url) && !fs.existsSync(url)) return { reason: `no repository at ${url} (the path does not exist)`, hint: `create it with: ${SESSION_IN_HINT} -sync push --create (or git init --bare ${url})` };
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

/** The session's origin URL, or a UserError saying how to set one. */
export async function needOrigin(repo: Repo, session: string): Promise<string> {
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

