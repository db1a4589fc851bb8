// Installing cs for one user: a versioned copy of the package, `current`
// pointing at it, links on PATH, our slash commands and skill in Claude
// Code's config dir, and our hook entries merged into its settings.json.
// Every step is idempotent; a second run changes nothing. What we add is
// recorded so `cs -uninstall` removes exactly that.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { ensureDir, exists, readFileOr, writeFileAtomic } from '../fsutil.js';
import { HOOKS, type HookRegistration } from '../hooks/registry.js';
import { claudeConfigDir, csConfigDir, homeDir } from '../session/paths.js';
import { which } from '../session/claude-bin.js';
import { currentLink, dataDir, readPackageVersion, replaceSymlink, switchCurrent, versionDir } from '../update/layout.js';
import { parseSettings, sameJson, serialize, withOurHooks, withoutOurHooks } from './settings.js';
import { installCompletions } from '../completions/install.js';

/** What the package ships, copied into each version directory. */
const PACKAGE_ENTRIES = ['package.json', 'dist', 'hooks', 'templates', 'commands', 'completions', 'minisign.pub', 'README.md'];
export const BIN_NAMES = ['cs', 'claude-sessions'] as const;

export interface InstallState {
  version: string;
  bins: string[];
  /** Files and folders we put outside our data dir: into Claude Code's config dir, and shell completions. Uninstall removes each. */
  placedFiles: string[];
  settingsFile: string;
  /** settings.json exactly as it was before our first install (null: absent). */
  settingsBefore: string | null;
}

export function binDir(env: NodeJS.ProcessEnv): string {
  return env.CS_BIN_DIR || path.join(homeDir(env), '.local', 'bin');
}

export function statePath(env: NodeJS.ProcessEnv): string {
  return path.join(csConfigDir(env), 'install.json');
}

export function hooksDir(env: NodeJS.ProcessEnv): string {
  return path.join(currentLink(env), 'hooks');
}

export function settingsPath(env: NodeJS.ProcessEnv): string {
  return path.join(claudeConfigDir(env), 'settings.json');
}

export function readState(env: NodeJS.ProcessEnv): InstallState | null {
  const text = readFileOr(statePath(env), '');
  if (!text) return null;
  let state: InstallState & { claudeFiles?: string[] };
  try {
    state = JSON.parse(text) as InstallState & { claudeFiles?: string[] };
  } catch {
    throw new UserError(`${statePath(env)} is corrupt`, 'remove it and run the installer again');
  }
  // Records written before the field was renamed.
  return { ...state, placedFiles: state.placedFiles ?? state.claudeFiles ?? [] };
}

export interface InstallReport {
  version: string;
  versionDir: string;
  linked: string[];
  skippedCs: string | null;
  settingsChanged: boolean;
  settingsBackup: string | null;
  pathHint: string | null;
  /** Completion scripts written, one per shell found on PATH. */
  completions: string[];
}

function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, dereference: true, preserveTimestamps: true });
}

/** Copies the package into versions/<v>, replacing an older copy of the same version atomically. */
function copyPackage(sourceRoot: string, target: string): void {
  ensureDir(path.dirname(target));
  const staging = `${target}.staging-${randomBytes(4).toString('hex')}`;
  try {
    fs.mkdirSync(staging);
    for (const entry of PACKAGE_ENTRIES) {
      const from = path.join(sourceRoot, entry);
      if (exists(from)) copyTree(from, path.join(staging, entry));
    }
    // keytar is optional and native; ship it when it was built here.
    const keytar = path.join(sourceRoot, 'node_modules', 'keytar');
    if (exists(path.join(keytar, 'build', 'Release', 'keytar.node'))) {
      copyTree(keytar, path.join(staging, 'node_modules', 'keytar'));
    }
    if (exists(target)) {
      const old = `${target}.old-${randomBytes(4).toString('hex')}`;
      fs.renameSync(target, old);
      fs.renameSync(staging, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function readlinkOr(link: string): string | null {
  try {
    return path.resolve(path.dirname(link), fs.readlinkSync(link));
  } catch {
    return null;
  }
}

function isOurLink(link: string, env: NodeJS.ProcessEnv): boolean {
  try {
    if (!fs.lstatSync(link).isSymbolicLink()) return false;
    const target = fs.readlinkSync(link);
    return path.resolve(path.dirname(link), target).startsWith(dataDir(env) + path.sep);
  } catch {
    return false;
  }
}

/** A `cs` on PATH that is not ours (claude-squad ships one too). */
export function foreignCs(env: NodeJS.ProcessEnv): string | null {
  const found = which('cs', env);
  if (!found) return null;
  const ours = path.join(binDir(env), 'cs');
  if (found === ours && isOurLink(ours, env)) return null;
  return found;
}

function linkBins(env: NodeJS.ProcessEnv): { linked: string[]; skippedCs: string | null } {
  const dir = binDir(env);
  ensureDir(dir);
  const target = path.join(currentLink(env), 'dist', 'cs.js');
  const foreign = foreignCs(env);
  const linked: string[] = [];
  for (const name of BIN_NAMES) {
    const link = path.join(dir, name);
    if (name === 'cs' && foreign) continue;
    if (exists(link) && !isOurLink(link, env)) {
      if (name === 'cs') continue;
      throw new UserError(`${link} exists and is not ours`, 'move it away and run the installer again');
    }
    if (!isOurLink(link, env) || fs.readlinkSync(link) !== target) replaceSymlink(link, target);
    // replaceSymlink stores a relative target; that is fine for the shell.
    linked.push(link);
  }
  return { linked, skippedCs: foreign };
}

/** Slash commands (commands/*.md) and skills (commands/skills/<name>/) into Claude's config dir. */
function installClaudeFiles(pkgDir: string, env: NodeJS.ProcessEnv): string[] {
  const claude = claudeConfigDir(env);
  const src = path.join(pkgDir, 'commands');
  const placed: string[] = [];
  if (!exists(src)) return placed;
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.md')) {
      const to = path.join(claude, 'commands', entry.name);
      ensureDir(path.dirname(to));
      const text = fs.readFileSync(path.join(src, entry.name));
      if (!exists(to) || !fs.readFileSync(to).equals(text)) writeFileAtomic(to, text);
      placed.push(to);
    }
  }
  const skills = path.join(src, 'skills');
  if (exists(skills)) {
    for (const skill of fs.readdirSync(skills, { withFileTypes: true })) {
      if (!skill.isDirectory()) continue;
      const to = path.join(claude, 'skills', skill.name);
      fs.rmSync(to, { recursive: true, force: true });
      ensureDir(path.dirname(to));
      copyTree(path.join(skills, skill.name), to);
      placed.push(to);
    }
  }
  return placed;
}

function timestampForFile(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/** Merges our hooks into settings.json; writes (after a backup) only when something changes. */
export function mergeSettingsFile(
  env: NodeJS.ProcessEnv,
  regs: readonly HookRegistration[],
  now: Date,
): { changed: boolean; backup: string | null; before: string | null } {
  const file = settingsPath(env);
  const before = exists(file) ? fs.readFileSync(file, 'utf8') : null;
  const current = parseSettings(before, file);
  const next = withOurHooks(current, hooksDir(env), regs);
  if (sameJson(current, next)) return { changed: false, backup: null, before };
  let backup: string | null = null;
  if (before !== null) {
    backup = `${file}.cs-backup-${timestampForFile(now)}`;
    fs.writeFileSync(backup, before, { mode: 0o600 });
  }
  ensureDir(path.dirname(file));
  writeFileAtomic(file, serialize(next, before));
  return { changed: true, backup, before };
}

/** Takes our hooks out of settings.json; restores the exact original bytes when nothing else changed. */
export function unmergeSettingsFile(env: NodeJS.ProcessEnv, settingsBefore: string | null): boolean {
  const file = settingsPath(env);
  if (!exists(file)) return false;
  const text = fs.readFileSync(file, 'utf8');
  const current = parseSettings(text, file);
  const next = withoutOurHooks(current, hooksDir(env));
  if (sameJson(current, next)) return false;
  const original = settingsBefore === null ? {} : parseSettings(settingsBefore, file);
  if (sameJson(next, original)) {
    if (settingsBefore === null) fs.rmSync(file);
    else writeFileAtomic(file, settingsBefore);
  } else writeFileAtomic(file, serialize(next, text));
  return true;
}

function pathHint(env: NodeJS.ProcessEnv): string | null {
  const dir = binDir(env);
  const onPath = (env.PATH ?? '').split(path.delimiter).some((p) => path.resolve(p) === dir);
  return onPath ? null : `export PATH="${dir}:$PATH"`;
}

export function install(sourceRoot: string, env: NodeJS.ProcessEnv, now = new Date(), regs: readonly HookRegistration[] = HOOKS): InstallReport {
  if (!exists(path.join(sourceRoot, 'dist', 'cs.js'))) {
    throw new UserError(`${sourceRoot}/dist/cs.js is missing`, 'build first: npm run build');
  }
  const version = readPackageVersion(sourceRoot);
  if (!version) throw new UserError(`${sourceRoot}/package.json has no version`, 'run the installer from the cs source tree');
  const target = versionDir(env, version);
  copyPackage(sourceRoot, target);
  switchCurrent(env, target);
  // The hooks run with whatever PATH Claude Code has (an IDE's may lack
  // Node): they use this link to the Node that installed them.
  const node = path.join(dataDir(env), 'node');
  if (readlinkOr(node) !== process.execPath) replaceSymlink(node, process.execPath);
  const { linked, skippedCs } = linkBins(env);
  const claudeFiles = installClaudeFiles(target, env);
  const completions = installCompletions(env, linked.map((l) => path.basename(l)));
  const previous = readState(env);
  const settings = mergeSettingsFile(env, regs, now);
  const state: InstallState = {
    version,
    bins: linked,
    placedFiles: [...claudeFiles, ...completions],
    settingsFile: settingsPath(env),
    // Keep the very first "before": later ones already contain our hooks.
    settingsBefore: previous ? previous.settingsBefore : settings.before,
  };
  ensureDir(csConfigDir(env), 0o700);
  const stateText = JSON.stringify(state, null, 2) + '\n';
  if (readFileOr(statePath(env), '') !== stateText) writeFileAtomic(statePath(env), stateText, 0o600);
  return { version, versionDir: target, linked, skippedCs, settingsChanged: settings.changed, settingsBackup: settings.backup, pathHint: pathHint(env), completions };
}
