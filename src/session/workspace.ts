// The workspace model: create a session from templates, adopt an existing
// directory, and check that an existing one is sound. Creation happens in a
// temp directory beside the target and is renamed into place, so a failure
// never leaves a half-made session behind.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { firstFew } from '../lib/format.js';
import { exists, writeFileAtomic } from '../lib/fsutil.js';
import { run } from '../lib/proc.js';
import { adoptedAs } from './here.js';
import { appendSessionLog } from './log.js';
import { validateName } from './names.js';
import { homeDir, sessionPaths, sessionsRoot, type SessionPaths } from './paths.js';
import { readTemplate, WORKSPACE_FILES, type TemplateVars } from './templates.js';
import { recordSessionName } from './session-name.js';
import { ADOPTED_MARKER, EXCLUDE_LINES, LOCAL_PROTOCOL_FILE, isAdopted, localProtocolProblem, migrateOldAdoption, migrationNotice, writeLocalProtocol } from './adopted.js';
import type { Repo } from '../git/repo.js';
import { updateSyncConf } from '../git/syncconf.js';

const META_DIRS = ['.cs', '.cs/artifacts', '.cs/logs', '.cs/local'] as const;
/** Marks a checkout whose old-style adoption was moved over (machine-local: another checkout needs its own move). */
const LOCAL_DIR_MIGRATED = '.cs/local/adoption-migrated';

function templateVars(name: string, now: Date): TemplateVars {
  return { name, created: now.toISOString().slice(0, 10), host: os.hostname() };
}

/** Makes sure the sessions root exists and is writable, with a clear error otherwise. */
export function ensureRoot(root: string): void {
  try {
    // Below an existing folder, one plain mkdir: Node's recursive one spins
    // forever at 100% CPU where mkdir says ENOENT under a folder that exists
    // (a pseudo file system: CS_SESSIONS_ROOT=/proc/x).
    if (fs.existsSync(path.dirname(root))) {
      if (!fs.existsSync(root)) fs.mkdirSync(root, { mode: 0o700 });
    } else fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    fs.accessSync(root, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot use sessions root ${root} (${code ?? 'error'})`,
      'make it writable, or point CS_SESSIONS_ROOT at a directory you own',
    );
  }
  if (!fs.statSync(root).isDirectory()) {
    throw new UserError(`sessions root ${root} is not a directory`, 'point CS_SESSIONS_ROOT at a directory');
  }
}

function writeFromTemplates(dir: string, vars: TemplateVars): void {
  for (const d of META_DIRS) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: d === '.cs/local' ? 0o700 : 0o755 });
  for (const { file, template } of WORKSPACE_FILES) {
    fs.writeFileSync(path.join(dir, file), readTemplate(template, vars));
  }
  fs.writeFileSync(path.join(dir, '.cs/artifacts/MANIFEST.json'), '[]\n');
  fs.writeFileSync(path.join(dir, '.cs/logs/session.log'), '');
}

/** Creates `<root>/<name>` from the templates with a first commit. */
export async function createSession(env: NodeJS.ProcessEnv, name: string, now = new Date()): Promise<SessionPaths> {
  validateName(name);
  const root = sessionsRoot(env);
  ensureRoot(root);
  const target = path.join(root, name);
  if (exists(target)) throw new UserError(`session '${name}' already exists`, `resume it with: cs ${name}`);
  const staging = path.join(root, `.creating-${name}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(staging, { mode: 0o700 });
  try {
    writeFromTemplates(staging, templateVars(name, now));
    appendSessionLog(path.join(staging, '.cs/logs/session.log'), `session created: ${name}`, now);
    const { initRepo, commitAll } = await import('../git/repo.js');
    const { prepareRepo } = await import('../git/autosave.js');
    await initRepo(staging, { env });
    await prepareRepo(staging, { env });
    await commitAll(staging, `Create session ${name}`, { env });
    fs.renameSync(staging, target);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(`session '${name}' was created by another cs at the same moment`, `resume it with: cs ${name}`);
    }
    throw e;
  }
  return sessionPaths(fs.realpathSync(target), name);
}

export interface AdoptResult {
  paths: SessionPaths;
  createdRepo: boolean;
  alreadyAdopted: boolean;
  /** Set when the project had been adopted by an older version and was moved to the new layout. */
  migration?: { notice: string };
  /** Why the protocol is not in CLAUDE.local.md (a link or a tracked file there), if it is not. */
  protocolProblem?: string;
  /** --from: the records were taken from this remote (false: it had none yet). */
  received?: boolean;
}

/** `p` with its links resolved, or as given when it cannot be (a worktree since removed). */
function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Turns `dir` into a session in place without writing into anything of the
 * user's (see adopted.ts for what goes where), and links `<root>/<name>` to
 * it. A directory inside a repository but not at its root is refused, naming
 * the root; so are a bare repository, a folder inside a .git, a project
 * that tracks files under .cs/ itself, and a .cs/ (or a folder of it) that
 * is a link or a file, each before anything is written. With `from`, the session's records are fetched from that remote
 * and checked before anything is written too (a second checkout of the same
 * project). Running it again changes nothing.
 */
export async function adoptSession(env: NodeJS.ProcessEnv, name: string, dir: string, now = new Date(), from?: string): Promise<AdoptResult> {
  validateName(name);
  const root = sessionsRoot(env);
  ensureRoot(root);
  const real = fs.realpathSync(dir);
  const realRoot = fs.realpathSync(root);
  if (real === realRoot || real.startsWith(realRoot + path.sep)) {
    throw new UserError(`${real} is inside the sessions root`, 'adopt a directory outside it, or open the session with cs <name>');
  }
  if (real === fs.realpathSync(homeDir(env)) || real === '/') {
    throw new UserError(`refusing to adopt ${real} as a whole`, 'cd into a project directory first');
  }
  const link = path.join(root, name);
  let alreadyAdopted = false;
  // The link of a session whose project was moved or deleted: adopting the project again (where it is now) replaces it.
  let goneFrom: string | null = null;
  if (exists(link)) {
    const isLink = fs.lstatSync(link).isSymbolicLink();
    let linkedTo: string | null = null;
    try {
      linkedTo = isLink ? fs.realpathSync(link) : null;
    } catch {
      if (isLink) goneFrom = fs.readlinkSync(link);
    }
    if (goneFrom === null && linkedTo !== real) {
      throw new UserError(`session '${name}' already exists at ${link}`, 'choose another name');
    }
    alreadyAdopted = goneFrom === null;
  }
  if (!alreadyAdopted) {
    // A second name for the same project would share its .cs/ and
    // CLAUDE.local.md, each adopt or open rewriting them for its own name.
    const other = adoptedAs(env, real);
    if (other !== null) throw new UserError(`${real} is already session '${other}'`, `open it with: cs ${other}, or rename it with: cs -mv ${other} ${name}`);
  }

  // The records live on a ref of the project's own repository, so the
  // session must sit at its root; a nested repository would hide the
  // project's files from it.
  const { gitEnv, initRepo, openRepo } = await import('../git/repo.js');
  const top = await run('git', ['rev-parse', '--show-toplevel'], { cwd: real, env: gitEnv(env), allowFailure: true });
  const topDir = top.code === 0 ? fs.realpathSync(top.stdout.trim()) : null;
  if (topDir === null) {
    // No work tree, yet inside a repository: a bare one, or a .git folder. `git init` here would hide it.
    const inGitDir = await run('git', ['rev-parse', '--is-inside-git-dir'], { cwd: real, env: gitEnv(env), allowFailure: true });
    if (inGitDir.code === 0 && inGitDir.stdout.trim() === 'true') {
      throw new UserError(`${real} is a git repository's own folder (a bare repository or inside a .git), not a project`, 'adopt a checkout of it instead: git clone <it> <folder> && cd <folder> && cs -adopt <name>');
    }
  }
  if (topDir && topDir !== real) {
    const owner = adoptedAs(env, topDir);
    if (owner !== null) throw new UserError(`${real} is inside session '${owner}' (${topDir})`, `open it with: cs ${owner}`);
    throw new UserError(`${real} is inside the git repository ${topDir}`, `adopt the repository as a whole: cd ${topDir} && cs -adopt ${name}`);
  }
  // Two checkouts of one repository (git worktree add) share its refs: the records
  // (refs/cs/session) of one adopted checkout would be the other's too. One adopted
  // checkout per repository, then: none of the others adopted, and no records yet.
  if (topDir && !isAdopted(real)) {
    const shared = await run('git', ['for-each-ref', '--count=1', '--format=%(refname)', 'refs/cs/session'], { cwd: real, env: gitEnv(env), allowFailure: true });
    const trees = await run('git', ['worktree', 'list', '--porcelain'], { cwd: real, env: gitEnv(env), allowFailure: true });
    const others = trees.stdout.split('\n').filter((l) => l.startsWith('worktree ')).map((l) => realOrSelf(l.slice('worktree '.length))).filter((t) => t !== real && isAdopted(t));
    if ((shared.code === 0 && shared.stdout.trim() !== '') || others.length > 0) {
      const common = await run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: real, env: gitEnv(env), allowFailure: true });
      throw new UserError(
        `${real} shares its git repository (${common.stdout.trim() || 'another checkout'}) with a checkout cs adopted already${others.length ? ` (${others[0]})` : ''}: their session records would be one`,
        `adopt one checkout of a repository only (a clone of its own works: git clone <url> elsewhere), or, if that session is gone, drop its records first: git -C ${real} update-ref -d refs/cs/session`,
      );
    }
  }
  checkMetaDirs(real);
  if (topDir && !isAdopted(real)) {
    // A .cs/ of the project's own (another tool's): cs would edit tracked files there.
    const tracked = await run('git', ['ls-files', '--', '.cs'], { cwd: real, env: gitEnv(env), allowFailure: true });
    const files = tracked.stdout.split('\n').filter(Boolean);
    if (files.length > 0) {
      throw new UserError(
        `${real} tracks files under .cs/ (${firstFew(files)}): cs keeps a session's records there and would edit them`,
        'move them out of .cs/ in a commit of yours (git mv .cs <elsewhere>), then adopt again',
      );
    }
  }
  if (!isAdopted(real)) {
    // An untracked .cs/ that is not cs's records (another tool's, or the user's
    // own notes): cs would rewrite and append to files it did not make there
    // (conversations.json, logs/session.log, …) and record them all on refs/cs/session.
    const foreign = foreignMetaEntries(real);
    if (foreign.length > 0) {
      const meta = path.join(real, '.cs');
      throw new UserError(
        `${meta} holds files cs did not make (${firstFew(foreign)}): cs keeps a session's records there and would edit them`,
        `move it out of the way (mv '${meta}' '${meta}.old'), then adopt again`,
      );
    }
  }
  const { prepareRepo, UNION_ATTRIBUTE_LINES } = await import('../git/autosave.js');
  const hadRecords = exists(path.join(real, '.cs'));
  // A plain directory gets a repository with no commit: the first commit is the user's call.
  const createdRepo = topDir === null;
  const madeGitDir = createdRepo && !fs.lstatSync(path.join(real, '.git'), { throwIfNoEntry: false });
  if (createdRepo) await initRepo(real, { env });
  const repo = await openRepo(real, { env });
  // A second checkout of the project: the remote's records are fetched and
  // checked before cs writes anything here, so that a refusal (or an
  // unreachable remote) leaves the project as it was; a repository made for
  // them just now goes again.
  const records = from === undefined ? undefined : await import('../git/records.js');
  let fetched: string | null | undefined;
  if (records && from !== undefined) {
    try {
      fetched = await records.fetchCheckedRecords(repo, from);
    } catch (e) {
      if (madeGitDir) fs.rmSync(path.join(real, '.git'), { recursive: true, force: true });
      throw e;
    }
  }
  // A refusal from here on (the merge with this checkout's records conflicts) must leave the
  // project as it was too: what prepareRepo and the records write is put back (src/git/undo.ts).
  const { undoPoint, undoTo } = await import('../git/undo.js');
  const undo = from === undefined ? null : await undoPoint(repo, real);
  let received: boolean | undefined;
  try {
    await prepareRepo(real, { env, adopted: true, adoptedExcludes: EXCLUDE_LINES });
    if (records && from !== undefined) {
      // Merged with what is here when this checkout has records already.
      received = hadRecords ? (await records.pullRecords(repo, from, name, fetched)).result !== 'no-remote-records' : await records.receiveRecords(repo, from, fetched);
    }
  } catch (e) {
    if (undo) {
      await undoTo(repo, undo).catch(() => {});
      if (madeGitDir) fs.rmSync(path.join(real, '.git'), { recursive: true, force: true });
    }
    throw e;
  }
  const vars = templateVars(name, now);
  const wasAdopted = isAdopted(real);
  for (const d of META_DIRS) fs.mkdirSync(path.join(real, d), { recursive: true, mode: d === '.cs/local' ? 0o700 : 0o755 });
  for (const { file, template } of WORKSPACE_FILES) {
    if (!file.startsWith('.cs/')) continue;
    const target = path.join(real, file);
    if (!exists(target)) writeFileAtomic(target, readTemplate(template, vars));
  }
  const manifest = path.join(real, '.cs/artifacts/MANIFEST.json');
  if (!exists(manifest)) writeFileAtomic(manifest, '[]\n');
  // Tells the hooks that the files here are the user's project: secrets are
  // redacted in place, nothing is moved into .cs/artifacts/.
  const marker = path.join(real, ADOPTED_MARKER);
  if (!exists(marker)) writeFileAtomic(marker, 'This session was adopted in place (cs -adopt); hooks never move its files.\n');
  recordSessionName(real, name);
  const localTracked = await isTracked(repo, LOCAL_PROTOCOL_FILE);
  const migration = wasAdopted ? await migrateAdopted(repo, vars, UNION_ATTRIBUTE_LINES, localTracked) : undefined;
  const protocolProblem = localProtocolProblem(writeLocalProtocol(real, vars, localTracked));
  if (from !== undefined) updateSyncConf(real, { remote: from });

  if (!alreadyAdopted) {
    if (goneFrom === null) fs.symlinkSync(real, link);
    else {
      // Made beside it and renamed over it: the old link is never gone without the new one.
      const next = path.join(root, `.adopting-${name}-${process.pid}`);
      fs.symlinkSync(real, next);
      fs.renameSync(next, link);
    }
    appendSessionLog(path.join(real, '.cs/logs/session.log'), `session adopted: ${name} (${real})${goneFrom ? `, was at ${goneFrom}` : ''}`, now);
  }
  return {
    paths: sessionPaths(real, name),
    createdRepo,
    alreadyAdopted,
    ...(migration ? { migration } : {}),
    ...(received !== undefined ? { received } : {}),
    ...(protocolProblem ? { protocolProblem } : {}),
  };
}

/**
 * Before anything is written for an adoption: `.cs` and each of META_DIRS
 * that exists is a real folder. A link there would take cs's records
 * wherever it leads (cs refuses to write through one, but only once the
 * first files are made), and a file where a folder belongs stops every
 * write. Throws UserError naming it.
 */
function checkMetaDirs(real: string): void {
  for (const d of META_DIRS) {
    const p = path.join(real, d);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isSymbolicLink()) {
      throw new UserError(`${p} is a symbolic link (to ${fs.readlinkSync(p)}): cs keeps the session's records in a real ${d}/ folder and never writes through a link`, `remove the link (rm '${p}'), then adopt again`);
    }
    if (!st.isDirectory()) throw new UserError(`${p} is a file, where cs keeps the session's records in a ${d}/ folder`, `move it out of the way (mv '${p}' '${p}.old'), then adopt again`);
  }
}

/**
 * The entries of an existing, unmarked `.cs/` when it is not cs's records, else
 * none. cs's records keep the headings of the files cs made (`# Discoveries`,
 * `# Changes`, the README's `## Objective`) or its conversations format, also
 * when the `.cs/adopted` marker went; `.cs/local/` alone (machine-local
 * state) is nothing of anyone's work.
 */
function foreignMetaEntries(real: string): string[] {
  const meta = path.join(real, '.cs');
  let entries: string[];
  try {
    entries = fs.readdirSync(meta).filter((e) => e !== 'local').sort();
  } catch {
    return [];
  }
  if (entries.length === 0) return [];
  const head = (file: string): string => {
    try {
      return fs.readFileSync(path.join(meta, file), 'utf8').slice(0, 4096);
    } catch {
      return '';
    }
  };
  if (head('discoveries.md').startsWith('# Discoveries')) return [];
  if (head('changes.md').startsWith('# Changes')) return [];
  if (/^## Objective$/m.test(head('README.md'))) return [];
  if (head('conversations.json').includes('"format":"cs-conversations"')) return [];
  return entries;
}

/** The project tracks `file` (then it is the user's, whatever it holds). */
async function isTracked(repo: Repo, file: string): Promise<boolean> {
  return (await repo.tryRaw(['ls-files', '--error-unmatch', '--', file])).code === 0;
}

/**
 * Moves a project adopted by an older version to the current layout (see
 * migrateOldAdoption) and returns the notice to show, or undefined when there
 * was nothing to move.
 */
export async function migrateAdopted(repo: Repo, vars: TemplateVars, unionLines: readonly string[], localTracked: boolean): Promise<{ notice: string } | undefined> {
  // Once per checkout: a user who puts the old lines back meant it.
  const done = path.join(repo.dir, LOCAL_DIR_MIGRATED);
  if (exists(done)) return undefined;
  const r = migrateOldAdoption(repo.dir, vars, unionLines, localTracked);
  if (r.edited.length === 0 && r.removed.length === 0) return undefined;
  writeFileAtomic(done, `${new Date().toISOString()} ${[...r.edited, ...r.removed].join(' ')}\n`);
  const tracked = (await repo.tryRaw(['ls-files', '--', '.cs'])).stdout.trim() !== '';
  return { notice: migrationNotice(r, tracked) };
}

/**
 * Before opening an adopted session: its rules in .git/info, its protocol in
 * CLAUDE.local.md, and a project adopted by an older version moved over.
 */
export async function refreshAdopted(env: NodeJS.ProcessEnv, p: SessionPaths, now = new Date()): Promise<{ notice?: string; protocolProblem?: string }> {
  const { openRepo } = await import('../git/repo.js');
  const { prepareRepo, UNION_ATTRIBUTE_LINES } = await import('../git/autosave.js');
  const repo = await openRepo(p.dir, { env });
  await prepareRepo(p.dir, { env, adopted: true, adoptedExcludes: EXCLUDE_LINES });
  const vars = templateVars(p.name, now);
  const localTracked = await isTracked(repo, LOCAL_PROTOCOL_FILE);
  const migration = await migrateAdopted(repo, vars, UNION_ATTRIBUTE_LINES, localTracked);
  const protocolProblem = localProtocolProblem(writeLocalProtocol(p.dir, vars, localTracked));
  return { ...migration, ...(protocolProblem ? { protocolProblem } : {}) };
}

/**
 * Checks an existing workspace before opening it. A missing `.cs/` means the
 * directory is not a session; missing template files are restored (nothing
 * is lost by that) and reported.
 */
export function checkWorkspace(p: SessionPaths, now = new Date()): string[] {
  if (!exists(p.meta) || !fs.statSync(p.meta).isDirectory()) {
    throw new UserError(`${p.dir} has no .cs/ directory: it is not a cs session`, `to make it one, cd there and run: cs -adopt ${p.name}`);
  }
  const restored: string[] = [];
  const vars = templateVars(p.name, now);
  for (const d of META_DIRS) {
    if (!exists(path.join(p.dir, d))) {
      fs.mkdirSync(path.join(p.dir, d), { recursive: true, mode: d === '.cs/local' ? 0o700 : 0o755 });
      if (d !== '.cs/local') restored.push(d + '/');
    }
  }
  for (const { file, template } of WORKSPACE_FILES) {
    if (file === '.gitignore' || file === 'CLAUDE.md') continue;
    const target = path.join(p.dir, file);
    if (!exists(target)) {
      writeFileAtomic(target, readTemplate(template, vars));
      restored.push(file);
    }
  }
  return restored;
}
