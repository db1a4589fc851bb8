// What cs knows about one feature session, read from git and the files:
// its record (`.cs/local/feature.json` in the worktree, machine-local like
// the lock), the base it belongs to, and its state for -features.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import { run } from '../lib/proc.js';
import { gitEnv } from '../git/repo.js';
import { lockState, readLock, describeHolder } from '../session/lock.js';
import { findSession } from '../session/find.js';
import type { SessionPaths } from '../session/paths.js';
import { FEATURE_RECORD, featureBranch, featureDir, featuresRoot, parseFeatureRef, type FeatureRef } from './ref.js';

/** Lines (or entries) each record file had when the feature was made: what was there before is the base's. */
export interface RecordMarks {
  discoveries: number;
  changes: number;
  timeline: number;
  conversations: string[];
}

/** `.cs/local/feature.json`, version 1. */
export interface FeatureRecord {
  version: 1;
  base: string;
  feature: string;
  branch: string;
  /** The base's HEAD the feature started from. */
  forkCommit: string;
  created: string;
  marks: RecordMarks;
  /** Set once the records went into the base (a merge finished after a conflict folds them then). */
  folded?: boolean;
}

export function recordFile(dir: string): string {
  return path.join(dir, FEATURE_RECORD);
}

export function readRecord(dir: string): FeatureRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(recordFile(dir), 'utf8')) as FeatureRecord;
    return r && r.version === 1 ? r : null;
  } catch {
    return null;
  }
}

export function writeRecord(dir: string, r: FeatureRecord): void {
  writeFileAtomic(recordFile(dir), JSON.stringify(r, null, 2) + '\n', 0o600);
}

/** Runs git in `cwd`; throws a UserError carrying git's own last line on failure. */
export async function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run('git', args, { cwd, env: gitEnv(env), allowFailure: true });
  if (r.code !== 0) {
    const last = r.stderr.trim().split('\n').filter(Boolean).at(-1) ?? `exit ${r.code}`;
    throw new UserError(`git ${args[0]} failed in ${cwd}: ${last}`);
  }
  return r.stdout;
}

/** `git commit <args>` in `dir` with cs's fallback identity where git has none configured (src/git/repo.ts). */
export async function commitIn(dir: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { openRepo, guardWrite } = await import('../git/repo.js');
  const repo = await openRepo(dir, { env });
  await guardWrite(repo, () => repo.commit(['-q', '--no-verify', ...args]));
}

/** `-c user.*` arguments for git commands that make commits where git has no identity configured (src/git/repo.ts). */
export async function identityArgs(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { openRepo } = await import('../git/repo.js');
  return (await openRepo(dir, { env })).identityArgs();
}

export async function tryGit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  // gitEnv as for every git cs runs: no cs secrets, no optional locks (a read never rewrites the user's index).
  return run('git', args, { cwd, env: gitEnv(env), allowFailure: true });
}

/** Pure: the paths that are the user's work, not cs's own records in `.cs/` (its logs change after every session end). */
export function workPaths(paths: readonly string[]): string[] {
  return paths.filter((p) => p !== '.cs' && !p.startsWith('.cs/'));
}

/** Changed or untracked paths of a work tree, cs's machine-local `.cs/local/` left out. */
export async function dirtyPaths(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const out = await git(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=normal'], env);
  return out
    .split('\0')
    .filter(Boolean)
    .map((l) => l.slice(3))
    .filter((p) => p !== '' && !p.startsWith('.cs/local/') && p !== '.cs/local');
}

export interface BaseInfo {
  paths: SessionPaths;
  adopted: boolean;
}

/** The base session of a feature; a UserError when it is missing. */
export function requireBase(env: NodeJS.ProcessEnv, base: string): BaseInfo {
  if (base.includes('@')) throw new UserError(`'${base}' is a feature session; features are made from a plain session`, 'use cs <base>@<feature>');
  const found = findSession(env, base);
  if (!found) throw new UserError(`no session named '${base}'`, `create it first with: cs ${base}`);
  return { paths: found.paths, adopted: found.adopted };
}

/** Whether the session at `lockPath` is open in a live cs; the holder's description when so. */
export function runningHolder(lockPath: string): string | null {
  const lock = fs.existsSync(lockPath) ? readLock(lockPath) : ({ kind: 'none' } as const);
  return lock.kind === 'held' && lockState(lock.info) !== 'stale' ? describeHolder(lock.info) : null;
}

/**
 * Git config `branch.cs/<feature>.csfeature`, set on the branch of each
 * feature cs makes: once its worktree (and the record in it) is gone, what
 * tells cs's feature branch from a branch of the user's that happens to be
 * named cs/<something>. git renames it with the branch and drops it with it.
 */
const FEATURE_MARK = 'csfeature';

export async function markFeatureBranch(baseDir: string, branch: string, env: NodeJS.ProcessEnv): Promise<void> {
  await git(baseDir, ['config', `branch.${branch}.${FEATURE_MARK}`, 'true'], env);
}

/** A worktree git has registered in the base repository (`git worktree list --porcelain`). */
interface Registered {
  dir: string;
  branch: string | null;
  /** Its directory is gone (git: "prunable"). */
  missing: boolean;
}

async function registeredWorktrees(baseDir: string, env: NodeJS.ProcessEnv): Promise<Registered[]> {
  const out = await git(baseDir, ['worktree', 'list', '--porcelain', '-z'], env);
  const list: Registered[] = [];
  for (const line of out.split('\0')) {
    if (line.startsWith('worktree ')) list.push({ dir: line.slice('worktree '.length), branch: null, missing: false });
    else if (line.startsWith('branch refs/heads/') && list.length) list.at(-1)!.branch = line.slice('branch refs/heads/'.length);
    else if ((line === 'prunable' || line.startsWith('prunable ')) && list.length) list.at(-1)!.missing = true;
  }
  return list;
}

/** Pure: whether `registered` (as git wrote it: possibly through the real path) is the directory `dir`. */
function sameDir(registered: string, dir: string): boolean {
  if (registered === dir) return true;
  try {
    return registered === path.join(fs.realpathSync(path.dirname(dir)), path.basename(dir));
  } catch {
    return false;
  }
}

/**
 * Features of `base` known by their branch in the base repository, whether
 * or not their worktree is still there: branches cs marked, and (made by a
 * cs before the mark) branches git still lists as checked out at the
 * feature's place. Other cs/<name> branches are the user's and left out.
 */
export async function featureBranches(env: NodeJS.ProcessEnv, base: string, baseDir: string): Promise<FeatureRef[]> {
  const prefix = featureBranch('');
  const branches = (await git(baseDir, ['for-each-ref', '--format=%(refname:strip=2)', `refs/heads/${prefix}`], env)).split('\n').filter(Boolean);
  if (branches.length === 0) return [];
  const marks = await tryGit(baseDir, ['config', '--get-regexp', `^branch\\.${prefix}.*\\.${FEATURE_MARK}$`], env);
  const marked = new Set(marks.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0]!.slice('branch.'.length, -`.${FEATURE_MARK}`.length)));
  const registered = await registeredWorktrees(baseDir, env);
  const refs: FeatureRef[] = [];
  for (const branch of branches) {
    let ref: FeatureRef | null;
    try {
      ref = parseFeatureRef(`${base}@${branch.slice(prefix.length)}`);
    } catch {
      continue;
    }
    if (!ref || featureBranch(ref.feature) !== branch) continue;
    const dir = featureDir(env, ref);
    if (marked.has(branch) || registered.some((w) => w.branch === branch && sameDir(w.dir, dir))) refs.push(ref);
  }
  return refs;
}

/** Where git still registers the worktree of `ref` though its directory is gone; null otherwise. */
export async function missingRegistration(env: NodeJS.ProcessEnv, baseDir: string, ref: FeatureRef): Promise<string | null> {
  const dir = featureDir(env, ref);
  return (await registeredWorktrees(baseDir, env)).find((w) => w.missing && sameDir(w.dir, dir))?.dir ?? null;
}

/** Feature refs of `base`: those with a worktree here and, given its repository, those whose branch is all that is left (see featureBranches), by name. */
export async function allFeaturesOf(env: NodeJS.ProcessEnv, base: string, baseDir: string): Promise<FeatureRef[]> {
  const here = featuresOf(env, base);
  const names = new Set(here.map((r) => r.name));
  const left = (await featureBranches(env, base, baseDir)).filter((r) => !names.has(r.name) && !fs.existsSync(featureDir(env, r)));
  return [...here, ...left].sort((a, b) => a.feature.localeCompare(b.feature));
}

/** Feature refs of `base` that have a worktree here, by name. */
export function featuresOf(env: NodeJS.ProcessEnv, base: string): FeatureRef[] {
  let names: string[];
  try {
    names = fs.readdirSync(featuresRoot(env));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${base}@`))
    .map((n) => {
      try {
        return parseFeatureRef(n);
      } catch {
        return null;
      }
    })
    .filter((r): r is FeatureRef => r !== null)
    .sort((a, b) => a.feature.localeCompare(b.feature));
}

export interface FeatureState {
  name: string;
  feature: string;
  branch: string;
  dir: string;
  /** Commits on the feature that the base's HEAD lacks, and the other way round. */
  ahead: number;
  behind: number;
  dirty: boolean;
  running: boolean;
  merged: boolean;
  /** Its worktree is gone (deleted by hand); its branch is all that is left. */
  missing: boolean;
  /** Its worktree left `branch` by hand (offBranch); null when it did not, or when the worktree is missing. */
  off: OffBranch | null;
}

/**
 * How a feature's worktree left its branch by hand: `gone` when
 * refs/heads/cs/<feature> no longer exists (deleted after switching away),
 * and what the worktree has checked out instead (`checkedOut`, null for a
 * detached HEAD). Both -features and --merge go by the branch: the first
 * would count a branch that is not there, the second merge it.
 */
export interface OffBranch {
  gone: boolean;
  checkedOut: string | null;
}

/** Whether the worktree at `dir` left `branch` (see OffBranch); null when it is on it, or `dir` is not there. */
export async function offBranch(baseDir: string, dir: string, branch: string, env: NodeJS.ProcessEnv): Promise<OffBranch | null> {
  if (!fs.existsSync(dir)) return null;
  const [head, ref] = await Promise.all([
    tryGit(dir, ['symbolic-ref', '-q', '--short', 'HEAD'], env),
    tryGit(baseDir, ['show-ref', '--verify', '-q', `refs/heads/${branch}`], env),
  ]);
  const checkedOut = head.code === 0 ? head.stdout.trim() : null;
  const gone = ref.code !== 0;
  return gone || checkedOut !== branch ? { gone, checkedOut } : null;
}

/** The one-line problem and the command that puts `ref`'s worktree back on its branch, for a feature that left it (offBranch). */
export function offBranchAdvice(ref: Pick<FeatureRef, 'name' | 'feature'>, dir: string, off: OffBranch): { problem: string; fix: string } {
  const branch = featureBranch(ref.feature);
  const where = off.checkedOut === null ? 'a detached HEAD' : `branch '${off.checkedOut}'`;
  if (off.gone) {
    // switch -c makes the branch again at what the worktree has now: its work is what the feature holds.
    return { problem: `feature '${ref.name}': its branch ${branch} was deleted, and its worktree is on ${where}`, fix: `to make ${branch} again from what the worktree has: git -C ${dir} switch -c ${branch}` };
  }
  return { problem: `feature '${ref.name}': its worktree is on ${where}, not on its branch ${branch}`, fix: `switch it back (git -C ${dir} switch ${branch}) and bring in what you want there` };
}

/** State of one feature as -features shows it. */
export async function featureState(env: NodeJS.ProcessEnv, baseDir: string, ref: FeatureRef): Promise<FeatureState> {
  const dir = featureDir(env, ref);
  const branch = featureBranch(ref.feature);
  const counts = await tryGit(baseDir, ['rev-list', '--left-right', '--count', `HEAD...refs/heads/${branch}`], env);
  const [behind, ahead] = counts.code === 0 ? counts.stdout.trim().split(/\s+/).map(Number) : [0, 0];
  const merged = (await tryGit(baseDir, ['merge-base', '--is-ancestor', `refs/heads/${branch}`, 'HEAD'], env)).code === 0;
  const missing = !fs.existsSync(dir);
  const dirty = missing ? false : workPaths(await dirtyPaths(dir, env)).length > 0;
  const off = await offBranch(baseDir, dir, branch, env);
  return {
    name: ref.name,
    feature: ref.feature,
    branch,
    dir,
    ahead: ahead ?? 0,
    behind: behind ?? 0,
    dirty,
    running: runningHolder(path.join(dir, '.cs', 'local', 'lock')) !== null,
    merged,
    missing,
    off,
  };
}

/** Number of lines of a file (0 when missing), as the marks count them. */
export function lineCount(file: string): number {
  return linesIn(readFileOr(file, ''));
}

/** Pure: number of lines of a text, as the marks count them. */
export function linesIn(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}
