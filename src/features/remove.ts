// Removing a feature: its worktree (directory included) and its branch.
// `cs -rm <base>@<feature>` refuses unmerged commits or uncommitted work
// unless --force; the merge removes a feature it has merged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelError, UsageError, UserError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { commandLine } from '../lib/shell.js';
import { dirtyPaths, workPaths, featureState, git, identityArgs, requireBase, tryGit } from './model.js';
import { featureBranch, featureDir, type FeatureRef } from './ref.js';
import { refuseIfOpen } from '../session/lock.js';
import { firstFew } from '../lib/format.js';
import { includedFiles, INCLUDE_FILE } from './create.js';

/** Removes the worktree and branch of `ref` from the base repository at `baseDir`; `force` drops unmerged commits. */
export async function removeWorktree(ref: FeatureRef, baseDir: string, env: NodeJS.ProcessEnv, opts: { force: boolean }): Promise<void> {
  const dir = featureDir(env, ref);
  const branch = featureBranch(ref.feature);
  // --force: our own .cs/local/ and copied ignored files are not work to keep (the caller checked the rest).
  if (fs.existsSync(dir)) await tryGit(baseDir, ['worktree', 'remove', '--force', dir], env);
  fs.rmSync(dir, { recursive: true, force: true });
  await tryGit(baseDir, ['worktree', 'prune'], env);
  if ((await tryGit(baseDir, ['show-ref', '--verify', '-q', `refs/heads/${branch}`], env)).code === 0) {
    await git(baseDir, ['branch', opts.force ? '-D' : '-d', '-q', branch], env);
  }
}

/** The files `includedFiles` finds in the feature at `dir` that its base has not, or has with other bytes. */
export async function changedIncluded(dir: string, baseDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const same = (a: string, b: string) => {
    try {
      return fs.readFileSync(a).equals(fs.readFileSync(b));
    } catch {
      return false;
    }
  };
  return (await includedFiles(dir, env)).filter((rel) => !same(path.join(dir, rel), path.join(baseDir, rel)));
}

/**
 * The commits on `branch` the base's HEAD lacks that change more than the
 * session log: cs commits that log at every session end, so a feature only
 * opened and closed is one commit ahead with nothing in it to lose.
 */
async function commitsWithWork(baseDir: string, branch: string, env: NodeJS.ProcessEnv): Promise<number> {
  const r = await tryGit(baseDir, ['rev-list', '--count', `HEAD..refs/heads/${branch}`, '--', '.', ':(exclude).cs/logs'], env);
  // Not countable (no HEAD yet): every commit counts, as before.
  if (r.code !== 0) return Number((await tryGit(baseDir, ['rev-list', '--count', `refs/heads/${branch}`], env)).stdout.trim()) || 1;
  return Number(r.stdout.trim());
}

/**
 * `cs -rm <base>@<feature> [--force] [--yes]`. Unmerged commits or
 * uncommitted changes need --force, and --force asks on a terminal unless
 * --yes. Without them the usual -rm question is asked (--yes or --force
 * answers it where no one can be asked).
 */
export async function removeFeature(ref: FeatureRef, env: NodeJS.ProcessEnv, io: IO, opts: { force: boolean; yes: boolean }): Promise<void> {
  const base = requireBase(env, ref.base);
  const dir = featureDir(env, ref);
  const branch = featureBranch(ref.feature);
  const hasBranch = (await tryGit(base.paths.dir, ['show-ref', '--verify', '-q', `refs/heads/${branch}`], env)).code === 0;
  if (!fs.existsSync(dir) && !hasBranch) throw new UserError(`no feature session '${ref.name}'`, `see cs ${ref.base} -features`);
  refuseIfOpen(ref.name, path.join(dir, '.cs', 'local', 'lock'), 'it cannot be removed');
  const state = await featureState(env, base.paths.dir, ref);
  const dirty = fs.existsSync(dir) ? workPaths(await dirtyPaths(dir, env)) : [];
  const losses: string[] = [];
  const unmerged = hasBranch && !state.merged && state.ahead > 0 ? await commitsWithWork(base.paths.dir, branch, env) : 0;
  if (unmerged > 0) losses.push(`${unmerged} commit${unmerged === 1 ? '' : 's'} not merged into '${ref.base}'`);
  if (dirty.length) losses.push(`${dirty.length} uncommitted change${dirty.length === 1 ? '' : 's'}`);
  // Ignored files INCLUDE_FILE copied in (a .env) that were changed there, or made there: git status shows none of them.
  const included = fs.existsSync(dir) ? await changedIncluded(dir, base.paths.dir, env) : [];
  if (included.length) losses.push(`changes to ${firstFew(included)} (ignored by git, listed in ${INCLUDE_FILE})`);
  if (losses.length && !opts.force) {
    // The merge refuses a dirty feature: then the way to keep it commits first, as printed here it runs.
    const commit = dirty.length ? `${commandLine(['git', '-C', dir, 'add', '-A'])} && ${commandLine(['git', '-C', dir, ...(await identityArgs(dir, env)), 'commit', '-q', '-m', `Work of feature ${ref.feature}`])} && ` : '';
    const merge = commandLine(['cs', ref.base, '--merge', ref.feature]);
    throw new UserError(`feature '${ref.name}' has ${losses.join(' and ')}`, `to keep it: ${commit}${merge}; to drop it: ${commandLine(['cs', '-rm', ref.name, '--force'])}`);
  }
  const question = `remove feature '${ref.name}' (worktree ${dir} and branch ${branch})${losses.length ? `, losing ${losses.join(' and ')}` : ''}?`;
  if (!opts.yes) {
    if (io.canPrompt) {
      const clack = await import('@clack/prompts');
      const answer = await clack.confirm({ message: question, initialValue: false, output: io.promptOut, input: io.stdin });
      if (clack.isCancel(answer) || answer !== true) throw new CancelError('nothing removed');
    } else if (!opts.force) {
      throw new UsageError(`refusing to ${question.replace(/\?$/, '')} without confirmation`, 'pass --yes to confirm');
    }
  }
  await removeWorktree(ref, base.paths.dir, env, { force: opts.force || losses.length === 0 });
  io.err(`cs: removed feature '${ref.name}' (worktree and branch ${branch})${losses.length ? `; dropped ${losses.join(' and ')}` : ''}`);
}
