// `cs <base> --merge <feature>`: bring a feature back. Refuses while the
// feature runs or either tree is dirty; merges `--no-ff` into the base's
// current branch; a conflict stops with both sides intact and the commands
// to go on; on success the feature's records are folded into the base's and
// its worktree and branch are removed (unless --keep).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { firstFew } from '../lib/format.js';
import type { IO } from '../term/io.js';
import { appendSessionLog } from '../session/log.js';
import { foldRecords, RECORD_FILES } from './fold.js';
import { identityArgs, commitIn, dirtyPaths, workPaths, git, offBranch, offBranchAdvice, readRecord, requireBase, runningHolder, tryGit, writeRecord, type FeatureRecord } from './model.js';
import { featureBranch, featureDir, parseFeatureRef, type FeatureRef } from './ref.js';
import { changedIncluded, removeWorktree } from './remove.js';
import { INCLUDE_FILE } from './create.js';

export interface MergeOptions {
  base: string;
  feature: string;
  keep: boolean;
}

export type MergeOutcome = 'merged' | 'conflict';

/** Merges the feature; returns 'conflict' (after saying what to do) when git stopped on conflicts. Throws UserError on refusals. */
export async function mergeFeature(opts: MergeOptions, env: NodeJS.ProcessEnv, io: IO, now: Date): Promise<MergeOutcome> {
  const ref = parseFeatureRef(`${opts.base}@${opts.feature}`)!;
  const base = requireBase(env, ref.base);
  const baseDir = base.paths.dir;
  const dir = featureDir(env, ref);
  const record = readRecord(dir);
  const branch = featureBranch(ref.feature);
  if (!record) throw new UserError(`'${ref.name}' has no feature worktree here (${dir})`, `see cs ${ref.base} -features; a feature listed there as missing gets its worktree back with: cs ${ref.name}`);
  const holder = runningHolder(path.join(dir, '.cs', 'local', 'lock'));
  if (holder) throw new UserError(`feature session '${ref.name}' is running in ${holder}`, 'let it end (cs commits its work then), then merge');
  // Before anything is written: the merge goes by the branch, which would be missing or not what the worktree holds.
  const off = await offBranch(baseDir, dir, branch, env);
  if (off) {
    const { problem, fix } = offBranchAdvice(ref, dir, off);
    throw new UserError(problem, `${fix}, then merge`);
  }
  const inProgress = await tryGit(baseDir, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'], env);
  if (inProgress.code === 0) throw new UserError(`a merge is in progress in ${baseDir}`, `finish it (git -C ${baseDir} merge --continue) or abort it (git -C ${baseDir} merge --abort), then run this again`);
  const featureDirty = workPaths(await dirtyPaths(dir, env));
  if (featureDirty.length) throw new UserError(`feature '${ref.name}' has uncommitted changes (${firstFew(featureDirty)})`, `commit them in ${dir} (or open cs ${ref.name} and let the session end), then merge`);
  const baseAll = await dirtyPaths(baseDir, env);
  const baseDirty = workPaths(baseAll);
  if (baseDirty.length) throw new UserError(`session '${ref.base}' has uncommitted changes (${firstFew(baseDirty)})`, `commit or stash them in ${baseDir}, then merge`);
  const target = (await tryGit(baseDir, ['symbolic-ref', '-q', '--short', 'HEAD'], env)).stdout.trim();
  if (!target) throw new UserError(`session '${ref.base}' is not on a branch (detached HEAD)`, `check out the branch to merge into (git -C ${baseDir} switch <branch>), then merge`);

  // cs's own records of the base (its logs grow after each session end) go
  // into a commit of their own first, so the merge can union them.
  if (baseAll.length) {
    await git(baseDir, ['add', '--', '.cs'], env);
    if ((await tryGit(baseDir, ['diff', '--cached', '--quiet'], env)).code !== 0) {
      await commitIn(baseDir, ['-m', `Session records of ${ref.base} before merging feature ${ref.feature}`], env);
    }
  }
  const already = (await tryGit(baseDir, ['merge-base', '--is-ancestor', `refs/heads/${branch}`, 'HEAD'], env)).code === 0;
  if (!already) {
    const message = `Merge feature ${ref.feature} (${branch}) into ${target}`;
    const m = await tryGit(baseDir, [...(await identityArgs(baseDir, env)), 'merge', '--no-ff', '--no-commit', '--no-verify', '-m', message, `refs/heads/${branch}`], env);
    // The records are folded below, so the base keeps its own version of them here.
    await keepBaseRecords(baseDir, env);
    const conflicts = (await tryGit(baseDir, ['diff', '--name-only', '--diff-filter=U'], env)).stdout.split('\n').filter(Boolean);
    if (m.code !== 0 && conflicts.length) {
      // Nothing is written to the base now: a changed (tracked) log would keep `git merge --abort` from working.
      say(io, [
        `cs: merging ${branch} into ${target} stopped on conflicts in: ${conflicts.join(', ')}`,
        `    both sides are intact: ${target} in ${baseDir}, ${branch} in ${dir}`,
        `    to finish: fix the files, then  git -C ${baseDir} add ${conflicts.join(' ')} && git -C ${baseDir} commit --no-edit`,
        `               and run  cs ${ref.base} --merge ${ref.feature}  again (it folds the records and removes the feature)`,
        `    to give up:  git -C ${baseDir} merge --abort`,
      ]);
      return 'conflict';
    }
    if (m.code !== 0 && (await tryGit(baseDir, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'], env)).code !== 0) {
      throw new UserError(`git merge failed in ${baseDir}: ${m.stderr.trim().split('\n').at(-1) ?? `exit ${m.code}`}`, 'nothing was merged');
    }
    const folded = await fold(dir, baseDir, ref, record, env);
    await commitIn(baseDir, ['--no-edit'], env);
    writeRecord(dir, { ...record, folded: true });
    report(io, ref, target, folded);
  } else if (!record.folded) {
    // Merged by hand after a conflict (or by git directly): the records still come over.
    const folded = await fold(dir, baseDir, ref, record, env);
    if ((await dirtyPaths(baseDir, env)).length) await commitIn(baseDir, ['-m', `Fold the records of feature ${ref.feature}`], env);
    writeRecord(dir, { ...record, folded: true });
    report(io, ref, target, folded);
  } else {
    io.err(`cs: ${branch} is already merged into ${target}`);
  }
  appendSessionLog(base.paths.sessionLog, `feature ${ref.feature} merged into ${target}`, now);
  if (opts.keep) {
    io.err(io.color.dim(`cs: kept ${dir} and branch ${branch} (--keep)`));
    return 'merged';
  }
  // A file .worktreeinclude brought in and the feature changed (a .env) is in no commit: the merge did not bring it.
  const changed = await changedIncluded(dir, baseDir, env);
  if (changed.length) {
    io.err(io.color.yellow(`cs: kept ${dir} and branch ${branch}: ${firstFew(changed)} changed there (ignored by git, listed in ${INCLUDE_FILE}), and the merge does not bring such files — copy what you need, then: cs -rm ${ref.name} --force`));
    return 'merged';
  }
  await removeWorktree(ref, baseDir, env, { force: false });
  io.err(`cs: removed the worktree ${dir} and branch ${branch}`);
  return 'merged';
}


function say(io: IO, lines: string[]): void {
  for (const l of lines) io.err(l);
}

function report(io: IO, ref: FeatureRef, target: string, f: Awaited<ReturnType<typeof fold>>): void {
  io.err(`cs: merged ${featureBranch(ref.feature)} into ${target}; folded its records into '${ref.base}' (${f.discoveries} discovery lines, ${f.changes} changes, ${f.timeline} timeline events, ${f.conversations} conversations)`);
}

/** Resolves the record files (tracked in the base) to the base's version during a merge. */
async function keepBaseRecords(baseDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const tracked = (await tryGit(baseDir, ['ls-tree', '--name-only', 'HEAD', '--', ...RECORD_FILES], env)).stdout.split('\n').filter(Boolean);
  if (tracked.length) await git(baseDir, ['checkout', 'HEAD', '--', ...tracked], env);
  // Record files the base never committed but the feature did: the fold brings their content.
  const staged = (await tryGit(baseDir, ['diff', '--cached', '--name-only', '--diff-filter=A', '--', ...RECORD_FILES], env)).stdout.split('\n').filter(Boolean);
  if (staged.length) await git(baseDir, ['rm', '-q', '--cached', '-f', '--', ...staged], env);
  for (const rel of staged) fs.rmSync(path.join(baseDir, rel), { force: true });
}

async function fold(dir: string, baseDir: string, ref: FeatureRef, record: FeatureRecord, env: NodeJS.ProcessEnv) {
  // The session log's lines at the fork, from the fork commit (an adopted project keeps it out of git: then all are the feature's own).
  const atFork = await tryGit(baseDir, ['show', `${record.forkCommit}:.cs/logs/session.log`], env);
  const logMark = atFork.code === 0 ? atFork.stdout.split('\n').length - (atFork.stdout.endsWith('\n') ? 1 : 0) : 0;
  const r = foldRecords(dir, baseDir, ref.feature, record.marks, logMark);
  // In a cs workspace the records are tracked: they go into the merge commit.
  // In an adopted project they are ignored: they stay out of the user's branch.
  const present = RECORD_FILES.filter((f) => fs.statSync(path.join(baseDir, f), { throwIfNoEntry: false })?.isFile());
  const ignored = new Set((await tryGit(baseDir, ['check-ignore', '--no-index', '--', ...present], env)).stdout.split('\n').filter(Boolean));
  const add = present.filter((f) => !ignored.has(f));
  if (add.length) await git(baseDir, ['add', '--', ...add], env);
  return r;
}
