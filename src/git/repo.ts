// The one door to git: simple-git for porcelain, its raw() for plumbing.
// Every failure becomes a GitError carrying git's stderr and exit code, and
// the handful of well-known conditions (not a repo, read-only .git, remote
// unreachable) become a one-line UserError with a hint.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimpleGit, SimpleGitOptions } from 'simple-git';
import { ProcessError, UserError } from '../lib/errors.js';
import { readFileOr } from '../lib/fsutil.js';
import { which } from '../lib/which.js';
import { childEnv, missingProgram, run } from '../lib/proc.js';

export interface GitOptions {
  /** Environment git runs with (HOME decides the user's config). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Kill a network command after this long without output. */
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** git exited non-zero. */
export class GitError extends ProcessError {
  override name = 'GitError';
  constructor(
    args: readonly string[],
    code: number,
    stderr: string,
    readonly stdout = '',
  ) {
    super('git', args, code, stderr);
  }
}

/** A network git command that got no answer in time (and was stopped). */
export class GitTimeoutError extends GitError {
  override name = 'GitTimeoutError';
  constructor(
    args: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(args, 124, `timed out after ${Math.round(timeoutMs / 1000)} s`);
  }
}

// Variables that would point git at another repository, index or namespace.
// A hook running inside a git process inherits them; we must not.
const REPO_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_CEILING_DIRECTORIES',
];
// We never want an editor or a pager; dropping them also keeps simple-git's
// guard against editor/pager injection quiet.
const INTERACTIVE_VARS = ['EDITOR', 'VISUAL', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'PAGER', 'GIT_PAGER'];

// simple-git refuses to run when these are in the environment unless told
// otherwise. They come from the user's own environment (ssh wrappers, askpass
// helpers, test config paths), never from input we parse, so we allow exactly
// the categories whose variables are present.
const ENV_CATEGORIES: Record<string, string> = {
  GIT_ASKPASS: 'allowUnsafeAskPass',
  SSH_ASKPASS: 'allowUnsafeAskPass',
  GIT_CONFIG_GLOBAL: 'allowUnsafeConfigPaths',
  GIT_CONFIG_SYSTEM: 'allowUnsafeConfigPaths',
  GIT_CONFIG: 'allowUnsafeConfigPaths',
  GIT_EXEC_PATH: 'allowUnsafeConfigPaths',
  PREFIX: 'allowUnsafeConfigPaths',
  GIT_CONFIG_COUNT: 'allowUnsafeConfigEnvCount',
  GIT_EXTERNAL_DIFF: 'allowUnsafeDiffExternal',
  GIT_PROXY_COMMAND: 'allowUnsafeGitProxy',
  GIT_TEMPLATE_DIR: 'allowUnsafeTemplateDir',
  GIT_SSH: 'allowUnsafeSshCommand',
  GIT_SSH_COMMAND: 'allowUnsafeSshCommand',
};

/** The environment git runs with: the caller's, minus repo redirections and editors. */
export function gitEnv(env: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(childEnv(env))) {
    if (v === undefined) continue;
    const upper = k.toUpperCase();
    if (REPO_VARS.includes(upper) || INTERACTIVE_VARS.includes(upper)) continue;
    out[k] = v;
  }
  // Never hang on a credential prompt: fail and tell the user instead.
  if (out.GIT_TERMINAL_PROMPT === undefined) out.GIT_TERMINAL_PROMPT = '0';
  // A read (git status, diff) must not rewrite the index to refresh its stat data: in an
  // adopted project it is the user's index, which a git of theirs may be writing at that moment.
  if (out.GIT_OPTIONAL_LOCKS === undefined) out.GIT_OPTIONAL_LOCKS = '0';
  return { ...out, ...extra };
}

function unsafeFor(env: NodeJS.ProcessEnv): SimpleGitOptions['unsafe'] {
  const flags: Record<string, boolean> = {};
  for (const k of Object.keys(env)) {
    const cat = ENV_CATEGORIES[k.toUpperCase()];
    if (cat) flags[cat] = true;
  }
  return flags as SimpleGitOptions['unsafe'];
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `fn` against a fresh simple-git instance whose failures are captured
 * with their exit code (simple-git alone treats a silent non-zero exit as
 * success and loses the code otherwise).
 */
async function withGit<T>(
  dir: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[],
  timeoutMs: number | undefined,
  fn: (git: SimpleGit) => Promise<T>,
): Promise<T> {
  let captured: Captured | undefined;
  // Loaded on first use (160 KB): reopening a session reads its refs from
  // .git (readRef) and may start no git at all before Claude.
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({
    baseDir: dir,
    trimmed: false,
    maxConcurrentProcesses: 1,
    unsafe: unsafeFor(env),
    ...(timeoutMs ? { timeout: { block: timeoutMs } } : {}),
    errors: (error, result) => {
      captured = {
        code: result.exitCode,
        stdout: Buffer.concat(result.stdOut).toString('utf8'),
        stderr: Buffer.concat(result.stdErr).toString('utf8'),
      };
      if (result.exitCode !== 0) return Buffer.from(captured.stderr || `exit code ${result.exitCode}`);
      return error;
    },
  }).env(env);
  try {
    return await fn(git);
  } catch (e) {
    // simple-git reports a git that cannot be spawned as an odd "exit" with a
    // stack for stderr; say what is really wrong.
    if (which('git', env) === null) throw missingProgram('git');
    if (captured && captured.code !== 0) throw new GitError(args, captured.code, captured.stderr, captured.stdout);
    const msg = e instanceof Error ? e.message : String(e);
    if (/ENOENT/.test(msg) && /spawn/.test(msg)) throw missingProgram('git');
    // simple-git refused (unsafe argument) or killed the process (timeout).
    throw new GitError(args, -1, msg);
  }
}

/** For a git whose refusal is matched by its words: a translated git says them otherwise. */
const ENGLISH = { LC_ALL: 'C' };
/** git's refusals to commit without an identity (ident.c: guessing failed, or user.useConfigOnly forbade it), in English: see ENGLISH. */
const NO_IDENTITY = /identity unknown|tell me who you are|unable to auto-detect|empty ident|no email was given|no name was given/i;

/** A git work tree at `dir` with the environment every call uses. */
/** Above this many bytes packed-refs is left to git (readRef). */
const PACKED_REFS_READ_MAX = 256 * 1024;

export class Repo {
  /** What git gets (gitEnv: no cs secrets, no repository variables). */
  readonly env: NodeJS.ProcessEnv;
  /** The environment the caller gave, for what cs itself looks up around git (the session's secrets: secret-guard.ts); never given to git. */
  readonly callerEnv: NodeJS.ProcessEnv;
  private identity?: Promise<string[]>;

  constructor(
    readonly dir: string,
    opts: GitOptions = {},
  ) {
    this.callerEnv = opts.env ?? process.env;
    this.env = gitEnv(this.callerEnv);
  }

  /**
   * Runs a plumbing command and returns its stdout; throws GitError on a
   * non-zero exit. Plumbing goes through our own spawn wrapper rather than
   * simple-git: simple-git waits a fixed 50 ms after any command that prints
   * nothing (update-ref, add, merge-base...), which would make the autosave
   * hook several times slower.
   */
  async raw(args: readonly string[], extraEnv?: Record<string, string>, timeoutMs?: number, input?: string | Buffer): Promise<string> {
    const r = await this.tryRaw(args, extraEnv, timeoutMs, input);
    if (r.code !== 0) throw new GitError(args, r.code, r.stderr, r.stdout);
    return r.stdout;
  }

  /** The bytes of a blob (`<oid>`, `<rev>:<path>`, `:<stage>:<path>`); throws GitError when there is none. */
  async blob(spec: string): Promise<Buffer> {
    const args = ['cat-file', 'blob', spec];
    const r = await run('git', args, { cwd: this.dir, env: this.env, allowFailure: true, bytes: true });
    if (r.code !== 0) throw new GitError(args, r.code, r.stderr, r.stdout);
    return r.stdoutBytes!;
  }

  /** Like raw(), but a non-zero exit is returned, not thrown. */
  async tryRaw(args: readonly string[], extraEnv?: Record<string, string>, timeoutMs?: number, input?: string | Buffer): Promise<GitResult> {
    const env = extraEnv ? { ...this.env, ...extraEnv } : this.env;
    return run('git', args, { cwd: this.dir, env, allowFailure: true, timeoutMs, input });
  }

  /**
   * A git command that talks to a remote (push, fetch, clone, ls-remote): in
   * a process group of its own, so a timeout or Ctrl-C ends git and the ssh
   * it started (src/lib/proc.ts). Throws GitTimeoutError after timeoutMs,
   * CancelError when interrupted, GitError on a non-zero exit.
   */
  async network(args: readonly string[], timeoutMs: number): Promise<string> {
    const r = await run('git', args, { cwd: this.dir, env: this.env, allowFailure: true, timeoutMs, group: true });
    if (r.timedOut) throw new GitTimeoutError(args, timeoutMs);
    if (r.code !== 0) throw new GitError(args, r.code, r.stderr, r.stdout);
    return r.stdout;
  }

  /**
   * Runs a porcelain command (commit, push, fetch, rebase...) through
   * simple-git; throws GitError on a non-zero exit.
   */
  async git(args: readonly string[], timeoutMs?: number): Promise<string> {
    return withGit(this.dir, this.env, args, timeoutMs, (g) => g.raw([...args]));
  }

  /** simple-git's own API, with the same error mapping. */
  async porcelain<T>(what: string[], fn: (git: SimpleGit) => Promise<T>, timeoutMs?: number): Promise<T> {
    return withGit(this.dir, this.env, what, timeoutMs, fn);
  }

  /**
   * The object id a revision names, or null when it does not exist. HEAD and
   * full ref names are read from git's files where they can tell (readRef);
   * anything else asks `git rev-parse`.
   */
  async resolve(rev: string): Promise<string | null> {
    const read = this.readRef(rev);
    if (read !== undefined) return read;
    const r = await this.tryRaw(['rev-parse', '--verify', '-q', '--end-of-options', rev]);
    return r.code === 0 ? r.stdout.trim() : null;
  }

  /**
   * HEAD or a full ref name (`refs/...`) read from the files git keeps them
   * in, without a process (gitrepository-layout(5): HEAD, loose refs under
   * refs/, then packed-refs; a symbolic ref is followed): the object id, or
   * null when there is no such ref (an unborn branch included). undefined
   * when the files cannot tell and git must be asked: no plain .git
   * directory (a linked worktree, a .git file), the reftable format, a name
   * git would not allow, a file that reads as neither an id nor a ref.
   */
  readRef(rev: string): string | null | undefined {
    const okName = (n: string) => n === 'HEAD' || (/^refs\/[A-Za-z0-9._/-]+$/.test(n) && !n.split('/').some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock')));
    if (!okName(rev)) return undefined;
    const gd = path.join(path.resolve(this.dir), '.git');
    if (!fs.lstatSync(gd, { throwIfNoEntry: false })?.isDirectory() || fs.existsSync(path.join(gd, 'reftable'))) return undefined;
    const oid = (t: string) => /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(t);
    let name = rev;
    for (let depth = 0; depth < 5; depth++) {
      let text: string | null;
      try {
        text = fs.readFileSync(path.join(gd, name), 'utf8').trim();
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
        text = null;
      }
      if (text !== null) {
        if (oid(text)) return text;
        const m = /^ref: (\S+)$/.exec(text);
        if (!m || m[1] === 'HEAD' || !okName(m[1]!)) return undefined;
        name = m[1]!;
        continue;
      }
      if (name === 'HEAD') return undefined;
      const packedFile = path.join(gd, 'packed-refs');
      const size = fs.statSync(packedFile, { throwIfNoEntry: false })?.size;
      if (size === undefined) return null;
      // A big one (a repository with thousands of tags) is git's to search, not the event loop's.
      if (size > PACKED_REFS_READ_MAX) return undefined;
      let packed: string;
      try {
        packed = fs.readFileSync(packedFile, 'utf8');
      } catch {
        return undefined;
      }
      for (const line of packed.split('\n')) {
        if (!line.endsWith(` ${name}`)) continue;
        const id = line.slice(0, line.length - name.length - 1);
        return oid(id) ? id : undefined;
      }
      return null;
    }
    return undefined;
  }

  /** Resolves several revisions with one git process; null for each that does not exist. */
  async resolveMany(revs: readonly string[]): Promise<(string | null)[]> {
    const out = await this.raw(['cat-file', '--batch-check=%(objectname)'], undefined, undefined, revs.join('\n') + '\n');
    const lines = out.split('\n');
    return revs.map((_, i) => {
      const line = lines[i]?.trim() ?? '';
      return /^[0-9a-f]{40,64}$/.test(line) ? line : null;
    });
  }

  /**
   * `-c user.name=cs -c user.email=cs@localhost` for whichever half of the
   * identity the user has not configured, so a commit never fails on a
   * fresh machine. Empty when the user has both.
   */
  identityArgs(): Promise<string[]> {
    this.identity ??= (async () => {
      const r = await this.tryRaw(['config', '--get-regexp', '^user\\.(name|email)$']);
      const keys = new Set(r.stdout.split('\n').map((l) => l.split(' ')[0]?.toLowerCase()));
      const e = this.env;
      const hasName = keys.has('user.name') || Boolean(e.GIT_AUTHOR_NAME && e.GIT_COMMITTER_NAME);
      const hasEmail = keys.has('user.email') || Boolean((e.GIT_AUTHOR_EMAIL && e.GIT_COMMITTER_EMAIL) || e.EMAIL);
      const args: string[] = [];
      if (!hasName) args.push('-c', 'user.name=cs');
      if (!hasEmail) args.push('-c', 'user.email=cs@localhost');
      return args;
    })();
    return this.identity;
  }

  /** Runs a plumbing command that creates commits (commit-tree), with the identity fallback. */
  async commitRaw(args: readonly string[], extraEnv?: Record<string, string>): Promise<string> {
    return this.raw([...(await this.identityArgs()), ...args], extraEnv);
  }

  /**
   * commit-tree for the autosave hook: tries git's own identity first and
   * falls back to cs@localhost only when git cannot make one up, which
   * saves a config look-up per snapshot. (Shadow commits never leave the
   * machine, so a guessed identity there is harmless.)
   */
  async commitTreeFast(args: readonly string[]): Promise<string> {
    if (this.identity) return this.commitRaw(args);
    const r = await this.tryRaw(args, ENGLISH);
    if (r.code === 0) return r.stdout;
    if (NO_IDENTITY.test(r.stderr)) return this.commitRaw(args);
    throw new GitError(args, r.code, r.stderr, r.stdout);
  }

  /** Runs a porcelain command that creates commits (rebase), with the identity fallback. */
  async commitGit(args: readonly string[]): Promise<string> {
    return this.git([...(await this.identityArgs()), ...args]);
  }

  /**
   * `git commit <args>` through our own spawn (simple-git waits 50 ms after a
   * command that prints nothing, as `commit -q` does), with the identity
   * fallback: it first runs with user.useConfigOnly (git refuses, changing
   * nothing, rather than guess an identity) and only on that refusal looks
   * the identity up — no `git config` process on a configured machine.
   * Throws GitError as raw() does.
   */
  async commit(args: readonly string[]): Promise<string> {
    if (!this.identity) {
      const r = await this.tryRaw(['-c', 'user.useConfigOnly=true', 'commit', ...args], ENGLISH);
      if (r.code === 0) return r.stdout;
      if (!NO_IDENTITY.test(r.stderr)) throw new GitError(['commit', ...args], r.code, r.stderr, r.stdout);
    }
    return this.commitRaw(['commit', ...args]);
  }

  private absoluteGitDir?: Promise<string>;

  /**
   * Absolute path of the .git directory, asked once per Repo (it does not
   * move). A work tree root with a .git directory (every cs-created session)
   * needs no git process (gitEnv drops GIT_DIR); a linked worktree asks git.
   */
  gitDir(): Promise<string> {
    if (!this.absoluteGitDir) {
      const dotGit = path.join(path.resolve(this.dir), '.git');
      const plain = fs.lstatSync(dotGit, { throwIfNoEntry: false })?.isDirectory();
      this.absoluteGitDir = plain ? Promise.resolve(dotGit) : this.raw(['rev-parse', '--absolute-git-dir']).then((out) => out.trim());
      // A failed look-up is not kept: the next call asks again.
      this.absoluteGitDir.catch(() => (this.absoluteGitDir = undefined));
    }
    return this.absoluteGitDir;
  }

  private infoFolder?: Promise<string>;

  /**
   * Absolute path of the `info/` folder git reads `exclude` and `attributes`
   * from: the common git dir's (gitrepository-layout(5): a linked worktree
   * shares it; its own .git/worktrees/<id>/info is never read). A work tree
   * root with a .git directory needs no git process.
   */
  infoDir(): Promise<string> {
    if (!this.infoFolder) {
      const dotGit = path.join(path.resolve(this.dir), '.git');
      const plain = fs.lstatSync(dotGit, { throwIfNoEntry: false })?.isDirectory();
      this.infoFolder = plain ? Promise.resolve(path.join(dotGit, 'info')) : this.raw(['rev-parse', '--git-path', 'info']).then((out) => path.resolve(this.dir, out.trim()));
      this.infoFolder.catch(() => (this.infoFolder = undefined));
    }
    return this.infoFolder;
  }

  /**
   * Current branch name, or null on a detached HEAD. Read from HEAD itself
   * ("ref: refs/heads/<name>", gitrepository-layout(5)) where that file says
   * so plainly; anything else asks `git symbolic-ref`.
   */
  async branch(): Promise<string | null> {
    const head = readFileOr(path.join(await this.gitDir(), 'HEAD'), '');
    const m = /^ref: refs\/heads\/(\S+)\n?$/.exec(head);
    // A part starting with '.' is no branch git allows: the reftable format's
    // stub HEAD ("refs/heads/.invalid", git >= 2.45) is one. Ask git.
    if (m && !m[1]!.split('/').some((part) => part.startsWith('.'))) return m[1]!;
    if (/^[0-9a-f]{40,64}\n?$/.test(head)) return null;
    const r = await this.tryRaw(['symbolic-ref', '-q', '--short', 'HEAD']);
    return r.code === 0 ? r.stdout.trim() : null;
  }

  /** A rebase, merge, cherry-pick or revert is in progress: name it, else null. */
  async operationInProgress(): Promise<string | null> {
    const gd = await this.gitDir();
    const marks: [string, string][] = [
      ['rebase-merge', 'a rebase'],
      ['rebase-apply', 'a rebase'],
      ['MERGE_HEAD', 'a merge'],
      ['CHERRY_PICK_HEAD', 'a cherry-pick'],
      ['REVERT_HEAD', 'a revert'],
    ];
    for (const [file, what] of marks) if (fs.existsSync(path.join(gd, file))) return what;
    return null;
  }
}

/**
 * Opens the repository whose work tree is exactly `dir`. A directory that is
 * not a repository (or only sits inside another one) is a UserError.
 */
export async function openRepo(dir: string, opts: GitOptions = {}): Promise<Repo> {
  const repo = new Repo(dir, opts);
  if (!fs.existsSync(dir)) throw new UserError(`${dir} does not exist`);
  // The common case costs no process: a .git directory with a HEAD is a repository root.
  if (fs.existsSync(path.join(dir, '.git', 'HEAD'))) return repo;
  const r = await repo.tryRaw(['rev-parse', '--show-toplevel']);
  const top = r.stdout.trim();
  if (r.code !== 0 || !top || !samePath(top, dir)) {
    throw new UserError(`${dir} is not a git repository`, `run git init in ${dir} (your files stay as they are), then try again`);
  }
  return repo;
}

function samePath(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** `git init` with a `main` branch; safe on an existing repository. */
export async function initRepo(dir: string, opts: GitOptions = {}): Promise<Repo> {
  const repo = new Repo(dir, opts);
  await repo.raw(['init', '-q', '--initial-branch=main']);
  return repo;
}

/**
 * Stages everything (respecting .gitignore) and commits it. Returns the new
 * commit id, or null when there was nothing to commit.
 */
export async function commitAll(dir: string, message: string, opts: GitOptions = {}): Promise<string | null> {
  const repo = await openRepo(dir, opts);
  return commitAllIn(repo, message);
}

export async function commitAllIn(repo: Repo, message: string): Promise<string | null> {
  await guardWrite(repo, () => repo.raw(['add', '-A']));
  const head = await repo.resolve('HEAD');
  if (head) {
    const r = await repo.tryRaw(['diff', '--cached', '--quiet', 'HEAD']);
    if (r.code === 0) return null;
  } else {
    const staged = await repo.raw(['ls-files', '-z']);
    if (staged === '') return null;
  }
  await guardWrite(repo, () => repo.commit(['-q', '--no-verify', '-m', message]));
  return (await repo.resolve('HEAD'))!;
}

/**
 * Runs a step that writes to .git and turns the failures a user can fix
 * (read-only .git, another git holding the index lock) into UserErrors.
 */
export async function guardWrite<T>(repo: Repo, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw explainWriteError(repo.dir, e);
  }
}

export function explainWriteError(dir: string, e: unknown): unknown {
  if (!(e instanceof GitError)) return e;
  const s = e.stderr;
  if (/Read-only file system|Permission denied|Operation not permitted|insufficient permission|unable to create temporary file|cannot lock ref|unable to write/i.test(s)) {
    if (/index\.lock': File exists/.test(s)) return e;
    return new UserError(
      `cannot write to ${path.join(dir, '.git')}: ${lastLine(s)}`,
      `check that you own ${dir} and its file system is writable (ls -ld ${path.join(dir, '.git')}); nothing was changed`,
    );
  }
  if (/index\.lock': File exists/.test(s)) {
    return new UserError(
      `another git process is using ${dir}`,
      `wait for it to finish; if none is running, remove ${path.join(dir, '.git', 'index.lock')}`,
    );
  }
  return e;
}

export function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.replace(/^(fatal|error): /, '') ?? '';
}
