// The workspace model: create a session from templates, adopt an existing
// directory, and check that an existing one is sound. Creation happens in a
// temp directory beside the target and is renamed into place, so a failure
// never leaves a half-made session behind.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { exists, readFileOr, writeFileAtomic } from '../fsutil.js';
import { run } from '../proc.js';
import { appendSessionLog } from './log.js';
import { validateName } from './names.js';
import { validateSessionRef } from '../features/ref.js';
import { homeDir, sessionPaths, sessionsRoot, type SessionPaths } from './paths.js';
import { mergeGitignore, mergeProtocol, readTemplate, WORKSPACE_FILES, type TemplateVars } from './templates.js';

const META_DIRS = ['.cs', '.cs/artifacts', '.cs/logs', '.cs/local'] as const;

function templateVars(name: string, now: Date): TemplateVars {
  return { name, created: now.toISOString().slice(0, 10), host: os.hostname() };
}

/** Makes sure the sessions root exists and is writable, with a clear error otherwise. */
export function ensureRoot(root: string): void {
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
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

export interface ResolvedSession {
  paths: SessionPaths;
  /** The entry in the root is a link to a directory elsewhere (adopted). */
  adopted: boolean;
}

/** Finds a session by name; null when it does not exist. */
export function findSession(env: NodeJS.ProcessEnv, name: string): ResolvedSession | null {
  // `base@feature`: a feature session, whose directory is its worktree (src/features/).
  if (name.includes('@')) validateSessionRef(name);
  else validateName(name);
  const entry = name.includes('@') ? path.join(sessionsRoot(env), '.features', name) : path.join(sessionsRoot(env), name);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(entry);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = fs.realpathSync(entry);
    } catch {
      throw new UserError(`session '${name}' links to ${fs.readlinkSync(entry)}, which no longer exists`, `remove the link with: cs -rm ${name}`);
    }
    return { paths: sessionPaths(target, name), adopted: true };
  }
  if (!st.isDirectory()) throw new UserError(`${entry} is not a session directory`, 'move that file away');
  return { paths: sessionPaths(entry, name), adopted: false };
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
  return sessionPaths(target, name);
}

export interface AdoptResult {
  paths: SessionPaths;
  createdRepo: boolean;
  alreadyAdopted: boolean;
}

/**
 * Turns `dir` into a session in place: adds what is missing of `.cs/`,
 * merges the protocol into CLAUDE.md, keeps an existing git repo, and links
 * `<root>/<name>` to it. Running it again changes nothing.
 */
export async function adoptSession(env: NodeJS.ProcessEnv, name: string, dir: string, now = new Date()): Promise<AdoptResult> {
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
  if (exists(link)) {
    let linkedTo: string | null = null;
    try {
      linkedTo = fs.lstatSync(link).isSymbolicLink() ? fs.realpathSync(link) : null;
    } catch {
      linkedTo = null;
    }
    if (linkedTo !== real) {
      throw new UserError(`session '${name}' already exists at ${link}`, 'choose another name');
    }
    alreadyAdopted = true;
  }

  const vars = templateVars(name, now);
  for (const d of META_DIRS) fs.mkdirSync(path.join(real, d), { recursive: true, mode: d === '.cs/local' ? 0o700 : 0o755 });
  for (const { file, template } of WORKSPACE_FILES) {
    const target = path.join(real, file);
    const fresh = readTemplate(template, vars);
    if (file === 'CLAUDE.md') {
      const current = readFileOr(target, '');
      const merged = mergeProtocol(current, fresh);
      if (merged !== current) writeFileAtomic(target, merged);
    } else if (file === '.gitignore') {
      const current = readFileOr(target, '');
      const merged = mergeGitignore(current, fresh);
      if (merged !== current) writeFileAtomic(target, merged);
    } else if (!exists(target)) {
      writeFileAtomic(target, fresh);
    }
  }
  const manifest = path.join(real, '.cs/artifacts/MANIFEST.json');
  if (!exists(manifest)) writeFileAtomic(manifest, '[]\n');
  // Tells the hooks that the files here are the user's project: secrets are
  // redacted in place, nothing is moved into .cs/artifacts/.
  const marker = path.join(real, '.cs/adopted');
  if (!exists(marker)) writeFileAtomic(marker, 'This session was adopted in place (cs -adopt); hooks never move its files.\n');

  // Keep an existing repository (HEAD, index and branch untouched); a new
  // one gets a first commit of our files only: the rest is the user's call.
  // The directory may also sit inside a larger repository: that one is kept.
  const { initRepo } = await import('../git/repo.js');
  const { prepareRepo } = await import('../git/autosave.js');
  const top = await run('git', ['rev-parse', '--show-toplevel'], { cwd: real, env, allowFailure: true });
  const createdRepo = top.code !== 0;
  const repo = createdRepo ? await initRepo(real, { env }) : null;
  await prepareRepo(createdRepo ? real : top.stdout.trim(), { env });
  if (repo) {
    const ours = ['.cs', 'CLAUDE.md', '.gitignore', '.gitattributes'].filter((f) => exists(path.join(real, f)));
    await repo.git(['add', '--', ...ours]);
    await repo.commitGit(['commit', '-q', '--no-verify', '-m', `Adopt ${name} as a cs session`, '--', ...ours]);
  }
  if (!alreadyAdopted) {
    fs.symlinkSync(real, link);
    appendSessionLog(path.join(real, '.cs/logs/session.log'), `session adopted: ${name} (${real})`, now);
  }
  return { paths: sessionPaths(real, name), createdRepo, alreadyAdopted };
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
