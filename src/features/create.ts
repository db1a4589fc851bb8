// `cs <base>@<feature>` the first time: a git worktree of the base's
// repository on branch `cs/<feature>` from the base's HEAD, under
// `<root>/.features/`, with the base's `.worktreeinclude` files copied in,
// a `.cs/` of its own, and `.cs/worktree-setup` run once. Any failure
// removes everything made so far (worktree, branch, directory).
//
// A feature whose worktree was deleted by hand still has its branch: then
// the worktree is made again on that branch, its commits kept; a failure
// removes the new worktree and never the branch.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError, UserError } from '../lib/errors.js';
import { firstFew } from '../lib/format.js';
import { ensureDir, exists, readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import type { IO } from '../term/io.js';
import { writeConfined } from '../lib/confine.js';
import { childEnv } from '../lib/proc.js';
import { readSyncConf } from '../git/syncconf.js';
import { appendSessionLog } from '../session/log.js';
import { sessionEnv, sessionPaths, type SessionPaths } from '../session/paths.js';
import { readTemplate } from '../session/templates.js';
import { ADOPTED_MARKER, EXCLUDE_LINES, LOCAL_PROTOCOL_FILE } from '../session/adopted.js';
import { parseConversations, readConversations } from '../conversations/store.js';
import { dirtyPaths, workPaths, featureBranches, git, lineCount, linesIn, markFeatureBranch, missingRegistration, requireBase, tryGit, writeRecord, type FeatureRecord, type RecordMarks } from './model.js';
import { featureBranch, featureDir, featuresRoot, type FeatureRef } from './ref.js';

export interface CreateOptions {
  /** --from-head: start from the last commit even though the base has uncommitted changes. */
  fromHead: boolean;
  /** --allow-setup: run `.cs/worktree-setup` though this machine has not allowed its text (setupAllowed). */
  allowSetup?: boolean;
}

export const SETUP_SCRIPT = '.cs/worktree-setup';
export const INCLUDE_FILE = '.worktreeinclude';

/** Steps share this; each uses only what it needs. */
interface Ctx {
  ref: FeatureRef;
  env: NodeJS.ProcessEnv;
  io: IO;
  baseDir: string;
  dir: string;
  branch: string;
  head: string;
  /** The branch was there before (a feature whose worktree was deleted): never deleted on failure. */
  kept: boolean;
}

export interface Created {
  paths: SessionPaths;
  /** Set when the feature's branch was already there and its worktree was made again: its commits ahead of the base. */
  kept: { ahead: number } | null;
}

/**
 * Makes the feature session `ref` (or its worktree again, on the branch it
 * left) and returns its paths. Throws a UserError (having removed what it
 * made) when any step fails.
 */
export async function createFeature(ref: FeatureRef, env: NodeJS.ProcessEnv, io: IO, opts: CreateOptions, now: Date): Promise<Created> {
  const base = requireBase(env, ref.base);
  const baseDir = base.paths.dir;
  const top = (await tryGit(baseDir, ['rev-parse', '--show-toplevel'], env)).stdout.trim();
  if (!top || fs.realpathSync(top) !== fs.realpathSync(baseDir)) {
    throw new UserError(`session '${ref.base}' is not the root of a git repository (${baseDir})`, 'features need the session to be its own repository');
  }
  const head = (await tryGit(baseDir, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], env)).stdout.trim();
  if (!head) throw new UserError(`session '${ref.base}' has no commit yet`, `commit in ${baseDir} first; a feature starts from the base's last commit`);
  const branch = featureBranch(ref.feature);
  const kept = (await tryGit(baseDir, ['show-ref', '--verify', '-q', `refs/heads/${branch}`], env)).code === 0;
  if (kept && !(await featureBranches(env, ref.base, baseDir)).some((r) => r.feature === ref.feature)) {
    throw new UserError(`branch ${branch} already exists in '${ref.base}'`, `rename or delete it (git -C ${baseDir} branch -m ${branch} <other>), or pick another feature name`);
  }
  // Git keeps a branch as a file under refs/heads/: a branch named `cs` leaves no room for cs/<feature>.
  if (!kept && (await tryGit(baseDir, ['show-ref', '--verify', '-q', 'refs/heads/cs'], env)).code === 0) {
    throw new UserError(`'${ref.base}' has a branch named cs, and git cannot have both it and the feature branch ${branch}; nothing was made`, `rename it (git -C ${baseDir} branch -m cs <other>), then try again`);
  }
  // A kept branch goes on from its own commits, not from the base's last one.
  if (!kept) await askIfDirty({ env, io, baseDir, head, ref }, opts);
  const setup = await setupAllowed({ env, io, baseDir, ref }, opts);

  const dir = featureDir(env, ref);
  if (exists(dir)) throw new UserError(`${dir} is in the way of feature '${ref.name}' but is not one`, 'move it away, then try again');
  ensureDir(featuresRoot(env), 0o700);
  const ctx: Ctx = { ref, env, io, baseDir, dir, branch, head, kept };
  try {
    if (kept) {
      // Deleted by hand but not pruned: git still holds the branch for the missing worktree. Only that entry goes.
      const stale = await missingRegistration(env, baseDir, ref);
      if (stale) await git(baseDir, ['worktree', 'remove', '--force', stale], env);
      await git(baseDir, ['worktree', 'add', '-q', dir, branch], env);
    } else {
      await git(baseDir, ['worktree', 'add', '-q', '-b', branch, dir, head], env);
    }
    await markFeatureBranch(baseDir, branch, env);
    await copyIncluded(ctx);
    const meta = makeMeta(ctx, base.adopted, now);
    await excludeRecordsIfUntracked(ctx);
    if (setup) await runSetup(ctx, meta, setup);
    const fork = kept ? (await tryGit(baseDir, ['merge-base', head, `refs/heads/${branch}`], env)).stdout.trim() || head : head;
    writeRecord(dir, {
      version: 1,
      base: ref.base,
      feature: ref.feature,
      branch,
      forkCommit: fork,
      created: now.toISOString(),
      marks: kept ? await marksAtFork(ctx, meta, fork) : marksNow(meta),
    } satisfies FeatureRecord);
    if (!kept) {
      appendSessionLog(meta.sessionLog, `feature created: ${ref.name} on ${branch} from ${head.slice(0, 12)}`, now);
      return { paths: meta, kept: null };
    }
    const ahead = Number((await git(baseDir, ['rev-list', '--count', `${head}..refs/heads/${branch}`], env)).trim());
    appendSessionLog(meta.sessionLog, `feature worktree made again: ${ref.name} on its existing ${branch} (${ahead} commits ahead of ${ref.base})`, now);
    return { paths: meta, kept: { ahead } };
  } catch (e) {
    await undo(ctx);
    throw e;
  }
}

/** The marks of a new feature: every line its records have now is the base's. */
function marksNow(meta: SessionPaths): RecordMarks {
  return {
    discoveries: lineCount(meta.discoveries),
    changes: lineCount(meta.changes),
    timeline: lineCount(path.join(meta.meta, 'timeline.jsonl')),
    conversations: readConversations(meta.dir).conversations.map((c) => c.uuid),
  };
}

/**
 * The marks of a feature whose worktree is made again on its branch: what
 * the fork commit holds of a record file is the base's, the rest the
 * feature's. A record file the branch does not track (an adopted project's
 * records stay off the branch, so they went with the worktree) is counted as
 * the new worktree has it: nothing in it is the feature's.
 */
async function marksAtFork(c: Pick<Ctx, 'env' | 'dir'>, meta: SessionPaths, fork: string): Promise<RecordMarks> {
  const now = marksNow(meta);
  const atFork = async (rel: string): Promise<string | null> => {
    const r = await tryGit(c.dir, ['cat-file', 'blob', `${fork}:${rel}`], c.env);
    return r.code === 0 ? r.stdout : null;
  };
  const tracked = async (rel: string) => (await tryGit(c.dir, ['cat-file', '-e', `HEAD:${rel}`], c.env)).code === 0;
  const lines = async (rel: string, current: number): Promise<number> => {
    const text = await atFork(rel);
    if (text !== null) return linesIn(text);
    return (await tracked(rel)) ? 0 : current;
  };
  const conversations = await atFork('.cs/conversations.json');
  return {
    discoveries: await lines('.cs/discoveries.md', now.discoveries),
    changes: await lines('.cs/changes.md', now.changes),
    timeline: await lines('.cs/timeline.jsonl', now.timeline),
    conversations:
      conversations !== null
        ? parseConversations(conversations).conversations.map((x) => x.uuid)
        : (await tracked('.cs/conversations.json'))
          ? []
          : now.conversations,
  };
}

async function askIfDirty(c: Pick<Ctx, 'env' | 'io' | 'baseDir' | 'head' | 'ref'>, opts: CreateOptions): Promise<void> {
  const dirty = workPaths(await dirtyPaths(c.baseDir, c.env));
  if (dirty.length === 0) return;
  const subject = (await git(c.baseDir, ['log', '-1', '--format=%h %s', c.head], c.env)).trim();
  const what = `'${c.ref.base}' has ${dirty.length} uncommitted change${dirty.length === 1 ? '' : 's'} (${firstFew(dirty)}); the feature starts from the last commit, ${subject}`;
  if (opts.fromHead) {
    c.io.err(c.io.color.yellow(`cs: ${what}`));
    return;
  }
  if (!c.io.canPrompt) throw new UsageError(what, `commit them first, or pass --from-head to start from the last commit anyway`);
  const clack = await import('@clack/prompts');
  const answer = await clack.confirm({ message: `${what}. Continue?`, initialValue: true, output: c.io.promptOut, input: c.io.stdin });
  if (clack.isCancel(answer) || answer !== true) {
    const { CancelError } = await import('../lib/errors.js');
    throw new CancelError('no feature made');
  }
}

/**
 * `.worktreeinclude` (Claude Code's meaning): files that match its
 * gitignore-style patterns *and* are ignored by git are copied into the
 * new worktree. Git does the matching. Regular files only; `.cs/` never.
 */
/**
 * The files of the work tree at `dir` that INCLUDE_FILE (there) lists and
 * git ignores, as paths relative to it, sorted: what a new feature gets
 * copied from its base (a .env, local settings), and what removing a
 * feature would lose unseen (git status does not show ignored files).
 */
export async function includedFiles(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const list = path.join(dir, INCLUDE_FILE);
  if (!fs.statSync(list, { throwIfNoEntry: false })?.isFile()) return [];
  const listed = async (args: string[]) => new Set((await git(dir, ['ls-files', '-z', '--others', '--ignored', ...args], env)).split('\0').filter(Boolean));
  const matching = await listed([`--exclude-from=${list}`]);
  const ignored = await listed(['--exclude-standard']);
  return [...matching].filter((rel) => ignored.has(rel) && rel !== '.cs' && !rel.startsWith('.cs/')).sort();
}

async function copyIncluded(c: Pick<Ctx, 'env' | 'baseDir' | 'dir' | 'io'>): Promise<void> {
  let n = 0;
  for (const rel of await includedFiles(c.baseDir, c.env)) {
    const from = path.join(c.baseDir, rel);
    const st = fs.lstatSync(from, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    const to = path.join(c.dir, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(to, st.mode & 0o777);
    n++;
  }
  if (n) c.io.err(c.io.color.dim(`cs: copied ${n} file${n === 1 ? '' : 's'} listed in ${INCLUDE_FILE}`));
}

/**
 * The feature's own `.cs/`. A cs workspace's worktree already holds the
 * base's committed `.cs/` (its history; the feature appends to it); an
 * adopted project's holds none, so one is made from the templates, with
 * the base's protocol file (CLAUDE.local.md) and adopted marker.
 */
function makeMeta(c: Pick<Ctx, 'ref' | 'baseDir' | 'dir'>, adopted: boolean, now: Date): SessionPaths {
  const p = sessionPaths(c.dir, c.ref.name);
  const vars = { name: c.ref.name, created: now.toISOString().slice(0, 10), host: os.hostname() };
  for (const d of ['.cs', '.cs/artifacts', '.cs/logs']) ensureDir(path.join(c.dir, d));
  ensureDir(p.local, 0o700);
  const fresh: Array<[string, string]> = [
    [p.readme, 'cs/README.md'],
    [p.discoveries, 'cs/discoveries.md'],
    [p.changes, 'cs/changes.md'],
  ];
  for (const [file, template] of fresh) if (!exists(file)) writeFileAtomic(file, readTemplate(template, vars));
  if (!exists(p.manifest)) writeFileAtomic(p.manifest, '[]\n');
  if (!exists(p.sessionLog)) writeFileAtomic(p.sessionLog, '');
  if (adopted) {
    for (const rel of [LOCAL_PROTOCOL_FILE, ADOPTED_MARKER]) {
      const from = path.join(c.baseDir, rel);
      const to = path.join(c.dir, rel);
      if (exists(from) && !exists(to)) writeFileAtomic(to, readFileOr(from, ''));
    }
  }
  return p;
}

/**
 * When the base keeps `.cs/` out of git (an adopted project), the
 * feature's `.cs/` and protocol file must stay out of its branch too:
 * the lines go where the adopted project keeps its rules, the shared
 * `info/exclude` (idempotent).
 */
async function excludeRecordsIfUntracked(c: Pick<Ctx, 'env' | 'baseDir' | 'head'>): Promise<void> {
  const tracked = (await git(c.baseDir, ['ls-tree', '--name-only', c.head, '--', '.cs'], c.env)).trim();
  if (tracked) return;
  const common = (await git(c.baseDir, ['rev-parse', '--path-format=absolute', '--git-common-dir'], c.env)).trim();
  const exclude = path.join(common, 'info', 'exclude');
  ensureDir(path.dirname(exclude));
  // In place, its mode kept, never through a link (autosave.ts ensureLines).
  (await import('../git/autosave.js')).ensureLines(exclude, EXCLUDE_LINES);
}

/** sha256 (hex) of each `.cs/worktree-setup` text this machine has allowed to run, one a line (machine-local). */
const SETUP_ALLOWED = '.cs/local/setup-allowed';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Whether the base's `.cs/worktree-setup` may run, decided before anything
 * is made: its digest (to run exactly that text), or null when there is no
 * script. It runs as the user, and a session that syncs can receive it from
 * another machine or person (-sync pull, -adopt --from), like direnv's
 * .envrc: a text runs once this machine allowed it — by having no sync
 * remote (nothing came from elsewhere), by --allow-setup, or by a yes on the
 * terminal — and is recorded in SETUP_ALLOWED. Otherwise UserError: nothing
 * was made.
 */
async function setupAllowed(c: Pick<Ctx, 'env' | 'io' | 'baseDir' | 'ref'>, opts: CreateOptions): Promise<string | null> {
  const script = path.join(c.baseDir, SETUP_SCRIPT);
  const st = fs.statSync(script, { throwIfNoEntry: false });
  if (!st?.isFile()) return null;
  if ((st.mode & 0o111) === 0) throw new UserError(`${script} is not executable`, `chmod +x ${script}, or remove it`);
  const digest = sha256(fs.readFileSync(script));
  const allowedFile = path.join(c.baseDir, SETUP_ALLOWED);
  const allowed = readFileOr(allowedFile, '').split('\n');
  if (allowed.includes(digest)) return digest;
  const remote = readSyncConf(c.baseDir).remote;
  let yes = remote === null || opts.allowSetup === true;
  if (!yes && c.io.canPrompt) {
    const clack = await import('@clack/prompts');
    const answer = await clack.confirm({ message: `${SETUP_SCRIPT} of '${c.ref.base}' is new or changed since this machine last ran it (the session syncs with ${remote}). Run it in the new worktree? (read it first: ${script})`, initialValue: false, output: c.io.promptOut, input: c.io.stdin });
    yes = !clack.isCancel(answer) && answer === true;
  }
  if (!yes) {
    throw new UserError(`${SETUP_SCRIPT} of '${c.ref.base}' is new or changed since this machine last ran it, and the session syncs with ${remote}: not run, and no feature made`, `read it (${script}), then: cs ${c.ref.name} --allow-setup`);
  }
  if (remote !== null) writeConfined(allowedFile, [...allowed.filter(Boolean), digest].join('\n') + '\n', 0o600);
  return digest;
}

/** Runs `.cs/worktree-setup` of the base once in the new worktree, if its text is still the one allowed (`digest`); its output goes to stderr; non-zero exit fails creation. */
async function runSetup(c: Pick<Ctx, 'env' | 'io' | 'baseDir' | 'dir' | 'ref'>, p: SessionPaths, digest: string): Promise<void> {
  const script = path.join(c.baseDir, SETUP_SCRIPT);
  if (sha256(fs.readFileSync(script)) !== digest) throw new UserError(`${script} changed while the feature was being made; not run, and no feature made`, `run cs ${c.ref.name} again`);
  c.io.err(c.io.color.dim(`cs: running ${SETUP_SCRIPT} in ${c.dir}`));
  // cs's own secrets stay with cs (childEnv), as for every program it starts.
  const env = { ...childEnv(c.env), ...sessionEnv(p), CS_BASE_DIR: c.baseDir, CS_FEATURE: c.ref.feature };
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(script, [], { cwd: c.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => c.io.stderr.write(b));
    child.stderr!.on('data', (b: Buffer) => c.io.stderr.write(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  if (code !== 0) throw new UserError(`${SETUP_SCRIPT} failed (exit ${code}); the feature was not created and nothing of it is left`, `fix the script (it runs in the new worktree, with CS_BASE_DIR set), then run cs ${c.ref.name} again`);
}

/** Removes the worktree, directory and (unless it was there before) branch of a failed creation; never throws. */
async function undo(c: Ctx): Promise<void> {
  await tryGit(c.baseDir, ['worktree', 'remove', '--force', c.dir], c.env);
  fs.rmSync(c.dir, { recursive: true, force: true });
  await tryGit(c.baseDir, ['worktree', 'prune'], c.env);
  if (!c.kept) await tryGit(c.baseDir, ['branch', '-D', '-q', c.branch], c.env);
}
