// What a session changed: a feature since it branched from its base, any
// other session since the commit recorded when it last started. The diff
// is git's own, run on the terminal, so git's pager and colour settings
// apply (NO_COLOR turns colour off, as everywhere in cs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { mkdirConfined, writeConfined } from '../lib/confine.js';
import { run, runAttached } from '../lib/proc.js';
import { Repo, gitEnv } from '../git/repo.js';
import { tryGit, readRecord, requireBase } from './model.js';
import { parseFeatureRef } from './ref.js';

/** `.cs/local/start-commit`: HEAD when the session last started. */
export function startCommitFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'local', 'start-commit');
}

/** Records the session's HEAD as its start commit (nothing when there is no commit yet). */
export async function recordStartCommit(sessionDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  // HEAD read from .git itself where it can be (Repo.readRef): no git process on the launch path.
  // (any directory of the work tree: an old adoption may sit below its repository's root).
  const head = await new Repo(sessionDir, { env }).resolve('HEAD').catch(() => null);
  if (!head) return;
  // Under .cs/local/: never through a link there (writeConfined makes the folders as real ones).
  mkdirConfined(path.dirname(startCommitFile(sessionDir)), 0o700);
  writeConfined(startCommitFile(sessionDir), head + '\n', 0o600);
}

/** The commit a session's changes are counted from, and what it is, for messages. */
export async function diffBase(name: string, sessionDir: string, env: NodeJS.ProcessEnv): Promise<{ commit: string; what: string }> {
  const ref = parseFeatureRef(name);
  if (ref) {
    const base = requireBase(env, ref.base);
    const baseHead = (await tryGit(base.paths.dir, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], env)).stdout.trim();
    const mb = baseHead ? (await tryGit(sessionDir, ['merge-base', 'HEAD', baseHead], env)).stdout.trim() : '';
    const commit = mb || readRecord(sessionDir)?.forkCommit;
    if (!commit) throw new UserError(`cannot tell where '${name}' branched from '${ref.base}'`, `compare by hand: git -C ${sessionDir} diff <commit>`);
    return { commit, what: `since it branched from '${ref.base}'` };
  }
  const recorded = (() => {
    try {
      return fs.readFileSync(startCommitFile(sessionDir), 'utf8').trim();
    } catch {
      return '';
    }
  })();
  if (recorded) return { commit: recorded, what: 'since the session started' };
  // No commit at all yet (an adopted plain folder, a fresh `git init`): there is no
  // HEAD to record at a start, so opening the session again would never help.
  // Everything in the tree is new, counted from git's empty tree (of the repository's hash).
  const head = (await tryGit(sessionDir, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], env)).stdout.trim();
  if (!head) {
    const empty = (await tryGit(sessionDir, ['hash-object', '-t', 'tree', '/dev/null'], env)).stdout.trim();
    if (empty) return { commit: empty, what: 'since the project has no commit yet' };
  }
  throw new UserError(`no start commit is recorded for '${name}'`, `cs records it each time it opens the session: open it with cs ${name}`);
}

/**
 * Runs `git diff [--stat] <commit>` in the session (the working tree
 * against the commit, so uncommitted work counts), `.cs/` left out: that is
 * cs's record of the work, not the work. New files not yet added count too
 * (what Claude writes mid-session is mostly that): they are marked
 * intent-to-add in a copy of the index in .cs/local/, never in the
 * session's own (an adopted project's index is the user's). Returns git's
 * exit code.
 */
export async function showDiff(sessionDir: string, commit: string, opts: { stat: boolean }, env: NodeJS.ProcessEnv): Promise<number> {
  const colour = env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? ['--no-color'] : [];
  const scope = ['--', '.', ':(exclude).cs'];
  const args = ['diff', ...colour, ...(opts.stat ? ['--stat'] : []), commit, ...scope];
  const untracked = (await tryGit(sessionDir, ['ls-files', '-z', '--others', '--exclude-standard', ...scope], env)).stdout.split('\0').filter(Boolean);
  if (untracked.length === 0) return (await runAttached('git', args, { cwd: sessionDir, env })).code;
  const index = path.join(sessionDir, '.cs', 'local', 'diff.index');
  mkdirConfined(path.dirname(index), 0o700);
  try {
    const own = (await tryGit(sessionDir, ['rev-parse', '--git-path', 'index'], env)).stdout.trim();
    const real = path.resolve(sessionDir, own);
    // A copy (or none, before the first add): git then reads the session's own index nowhere.
    fs.rmSync(index, { force: true });
    if (own && fs.existsSync(real)) writeConfined(index, fs.readFileSync(real), 0o600);
    // gitEnv drops a GIT_INDEX_FILE of the caller's; this one is set after that, on purpose.
    const withCopy = gitEnv(env, { GIT_INDEX_FILE: index });
    const added = await run('git', ['add', '--intent-to-add', '--', ...untracked.map((f) => `:(literal)${f}`)], { cwd: sessionDir, env: withCopy, allowFailure: true });
    return (await runAttached('git', args, { cwd: sessionDir, env: added.code === 0 ? withCopy : env })).code;
  } finally {
    fs.rmSync(index, { force: true });
  }
}
