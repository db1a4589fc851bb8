// Installing cs for one user: a versioned copy of the package, `current`
// pointing at it, links on PATH, our slash commands and skill in Claude
// Code's config dir, and our hook entries merged into its settings.json.
// Every step is idempotent; a second run changes nothing. What we add is
// recorded so `cs -uninstall` removes exactly that.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { UserError } from '../lib/errors.js';
import { ensureDir, exists, readFileOr, tempSibling, writeFileAtomic } from '../lib/fsutil.js';
import { HOOKS, type HookRegistration } from '../hooks/registry.js';
import { claudeConfigDir, csConfigDir, homeDir } from '../session/paths.js';
import { which } from '../lib/which.js';
import { currentLink, dataDir, readPackageVersion, replaceSymlink, switchCurrent, versionDir } from '../update/layout.js';
import { parseSettings, sameJson, serialize, validateHookShapes, withoutOurHooks } from './settings.js';
import { hooksDir, settingsPath } from './paths.js';
import { marketplaceDir, pluginState, validatePluginShapes, withOurPlugin, withoutOurPlugin, writePlugin } from './plugin.js';
import { completionHints, installCompletions, plannedCompletions } from '../completions/install.js';
import { clearNotices } from './notices.js';

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
  /** How the package was installed (absent in records before `cs -install`: 'copy'). */
  layout?: InstallOptions['layout'];
}

export function binDir(env: NodeJS.ProcessEnv): string {
  return env.CS_BIN_DIR || path.join(homeDir(env), '.local', 'bin');
}

export function statePath(env: NodeJS.ProcessEnv): string {
  return path.join(csConfigDir(env), 'install.json');
}

export { hooksDir, settingsPath } from './paths.js';

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
  /** What the user's shells still need to load them (completionHints). */
  completionHints: string[];
  /** Files of the user's with the name of one of ours: left alone, ours not placed there. */
  skipped: string[];
  /** The user switched cs's plugin off in /plugin: left off (withOurPlugin). */
  pluginOff: boolean;
}

function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, dereference: true, preserveTimestamps: true });
}

/**
 * The @napi-rs folder holding the keychain module and its platform binary, found as
 * Node finds it from the package: in npx's cache npm hoists it out of the
 * package's own node_modules; a checkout or a global install keeps it inside.
 */
function keyringScopeDir(sourceRoot: string): string | null {
  try {
    const main = createRequire(path.join(sourceRoot, 'package.json')).resolve('@napi-rs/keyring');
    let dir = path.dirname(main);
    while (path.basename(dir) !== 'keyring' || path.basename(path.dirname(dir)) !== '@napi-rs') {
      const up = path.dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
    return path.dirname(dir);
  } catch {
    return null; // not installed (a broken install): secrets use the encrypted file, and -doctor says why
  }
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
    // The keychain module is native (not bundled): ship it with its prebuilt binary for this platform.
    const napi = keyringScopeDir(sourceRoot);
    if (napi) copyTree(napi, path.join(staging, 'node_modules', '@napi-rs'));
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

/**
 * A `cs` on PATH that is not ours (claude-squad ships one too). The package
 * being installed is ours wherever it runs from: npx puts its own bin dir on
 * PATH, so its `cs` leads back into `sourceRoot`.
 */
export function foreignCs(env: NodeJS.ProcessEnv, sourceRoot?: string): string | null {
  const found = which('cs', env);
  if (!found) return null;
  const ours = path.join(binDir(env), 'cs');
  if (found === ours && isOurLink(ours, env)) return null;
  if (sourceRoot !== undefined) {
    try {
      if (fs.realpathSync(found).startsWith(fs.realpathSync(sourceRoot) + path.sep)) return null;
    } catch {
      // a dangling link on PATH: not ours
    }
  }
  return found;
}

/** The links to make: refuses (before anything is placed) when `claude-sessions` is someone else's. */
function planBins(env: NodeJS.ProcessEnv, sourceRoot: string): { names: string[]; skippedCs: string | null } {
  const dir = binDir(env);
  const foreign = foreignCs(env, sourceRoot);
  const names: string[] = [];
  for (const name of BIN_NAMES) {
    const link = path.join(dir, name);
    if (name === 'cs' && foreign) continue;
    if (exists(link) && !isOurLink(link, env)) {
      if (name === 'cs') continue;
      throw new UserError(`${link} exists and is not ours`, 'move it away and run the installer again; nothing was changed');
    }
    names.push(name);
  }
  return { names, skippedCs: foreign };
}

function linkBins(env: NodeJS.ProcessEnv, names: readonly string[]): string[] {
  const dir = binDir(env);
  ensureDir(dir);
  const target = path.join(currentLink(env), 'dist', 'cs.js');
  const linked: string[] = [];
  for (const name of names) {
    const link = path.join(dir, name);
    if (!isOurLink(link, env) || fs.readlinkSync(link) !== target) replaceSymlink(link, target);
    // replaceSymlink stores a relative target; that is fine for the shell.
    linked.push(link);
  }
  return linked;
}

interface Placement {
  from: string;
  to: string;
  dir: boolean;
}

/** Slash commands (commands/*.md) and skills (commands/skills/<name>/) to place in Claude's config dir. */
function claudePlacements(pkgDir: string, env: NodeJS.ProcessEnv): Placement[] {
  const claude = claudeConfigDir(env);
  const src = path.join(pkgDir, 'commands');
  const out: Placement[] = [];
  if (!exists(src)) return out;
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.md')) out.push({ from: path.join(src, entry.name), to: path.join(claude, 'commands', entry.name), dir: false });
  }
  const skills = path.join(src, 'skills');
  if (exists(skills)) {
    for (const skill of fs.readdirSync(skills, { withFileTypes: true })) {
      if (skill.isDirectory()) out.push({ from: path.join(skills, skill.name), to: path.join(claude, 'skills', skill.name), dir: true });
    }
  }
  return out;
}

/**
 * Splits placements into ours to (re)write and the user's to leave alone: a
 * path is ours when it is absent or an earlier install recorded it as placed.
 * A same-named file or folder of the user's is never overwritten, and never
 * recorded, so `-uninstall` cannot delete it either.
 */
export function splitOwned<T extends { to: string }>(items: readonly T[], owned: ReadonlySet<string>): { place: T[]; skipped: string[] } {
  const place: T[] = [];
  const skipped: string[] = [];
  for (const it of items) {
    if (!exists(it.to) || owned.has(it.to)) place.push(it);
    else skipped.push(it.to);
  }
  return { place, skipped };
}

function placeClaudeFiles(items: readonly Placement[]): string[] {
  for (const it of items) {
    ensureDir(path.dirname(it.to));
    if (it.dir) {
      // Ours (absent or recorded): replaced whole, through a staging copy beside it.
      const staging = tempSibling(it.to);
      copyTree(it.from, staging);
      fs.rmSync(it.to, { recursive: true, force: true });
      fs.renameSync(staging, it.to);
    } else {
      const text = fs.readFileSync(it.from);
      if (!exists(it.to) || !fs.readFileSync(it.to).equals(text)) writeFileAtomic(it.to, text);
    }
  }
  return items.map((it) => it.to);
}

function timestampForFile(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/** settings.json itself, or the file its symlink (a dotfiles repo, say) finally points at. */
function settingsTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file; // absent (or a dangling link: then we create the plain file)
  }
}

/**
 * Refuses a settings.json we must not rewrite: read-only (no owner write
 * bit, or not writable by us; root passes access checks, hence the bit).
 */
function assertWritable(target: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return;
  }
  let writable = (st.mode & 0o200) !== 0;
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch {
    writable = false;
  }
  if (!writable) throw new UserError(`${target} is read-only`, 'make it writable (chmod u+w) if cs may add its hooks, then run the installer again; nothing was changed');
}

/**
 * Replaces settings.json's content atomically without changing what it is:
 * through a symlink to its target (the link stays), with the old file's mode
 * and owner; a new file gets 0600.
 */
function writeSettings(file: string, text: string): void {
  const target = settingsTarget(file);
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(target);
  } catch {
    // a new file
  }
  ensureDir(path.dirname(target));
  const mode = st ? st.mode & 0o7777 : 0o600;
  const tmp = tempSibling(target);
  try {
    fs.writeFileSync(tmp, text, { mode });
    fs.chmodSync(tmp, mode); // the umask may have narrowed it
    if (st && (st.uid !== process.getuid?.() || st.gid !== process.getgid?.())) {
      try {
        fs.chownSync(tmp, st.uid, st.gid);
      } catch {
        // only root may give a file away; then the file is ours, as any editor would leave it
      }
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

interface SettingsPlan {
  file: string;
  before: string | null;
  /** The new text, or null when nothing changes. */
  next: string | null;
}

/**
 * What settings.json holds of ours: cs's plugin marketplace declared and
 * its plugin enabled (src/install/plugin.ts). Hook entries of ours that an
 * older cs wrote into settings.json itself are taken out: the plugin has them.
 */
function withOurs(settings: ReturnType<typeof parseSettings>, env: NodeJS.ProcessEnv): ReturnType<typeof parseSettings> {
  return withOurPlugin(withoutOurHooks(settings, hooksDir(env)), marketplaceDir(env)) as ReturnType<typeof parseSettings>;
}

function withoutOurs(settings: ReturnType<typeof parseSettings>, env: NodeJS.ProcessEnv): ReturnType<typeof parseSettings> {
  return withoutOurPlugin(withoutOurHooks(settings, hooksDir(env))) as ReturnType<typeof parseSettings>;
}

/** Reads and checks settings.json and computes the merge; writes nothing. Throws UserError on a file cs must not touch. */
function planSettings(env: NodeJS.ProcessEnv, regs: readonly HookRegistration[]): SettingsPlan {
  const file = settingsPath(env);
  const target = settingsTarget(file);
  const before = exists(target) ? fs.readFileSync(target, 'utf8') : null;
  const current = parseSettings(before, file);
  validateHookShapes(current, regs, file);
  validatePluginShapes(current, file);
  const merged = withOurs(current, env);
  if (sameJson(current, merged)) return { file, before, next: null };
  assertWritable(target);
  return { file, before, next: serialize(merged, before) };
}

function applySettings(plan: SettingsPlan, now: Date): { changed: boolean; backup: string | null } {
  if (plan.next === null) return { changed: false, backup: null };
  let backup: string | null = null;
  if (plan.before !== null) {
    backup = `${plan.file}.cs-backup-${timestampForFile(now)}`;
    fs.writeFileSync(backup, plan.before, { mode: 0o600 });
  }
  writeSettings(plan.file, plan.next);
  return { changed: true, backup };
}

/** Merges our plugin entries into settings.json; writes (after a backup) only when something changes. */
export function mergeSettingsFile(
  env: NodeJS.ProcessEnv,
  regs: readonly HookRegistration[],
  now: Date,
): { changed: boolean; backup: string | null; before: string | null } {
  const plan = planSettings(env, regs);
  return { ...applySettings(plan, now), before: plan.before };
}

/**
 * Takes our plugin entries (and any hook entries of ours) out of
 * settings.json; restores the exact original bytes when nothing else
 * changed since the install (the file is then what our merge made of the
 * original). Writes through a symlink, keeping mode and owner.
 */
export function unmergeSettingsFile(env: NodeJS.ProcessEnv, settingsBefore: string | null): boolean {
  const file = settingsPath(env);
  const target = settingsTarget(file);
  if (!exists(target)) return false;
  const text = fs.readFileSync(target, 'utf8');
  const current = parseSettings(text, file);
  const next = withoutOurs(current, env);
  if (sameJson(current, next)) return false;
  assertWritable(target);
  const original = settingsBefore === null ? {} : parseSettings(settingsBefore, file);
  // The original bytes only when they hold nothing of ours (an older cs's hook entries: those stay gone).
  const untouched = sameJson(next, original) || (sameJson(current, withOurs(original, env)) && sameJson(withoutOurs(original, env), original));
  if (untouched) {
    if (settingsBefore === null) fs.rmSync(file);
    else writeSettings(file, settingsBefore);
  } else writeSettings(file, serialize(next, text));
  return true;
}

function pathHint(env: NodeJS.ProcessEnv): string | null {
  const dir = binDir(env);
  const onPath = (env.PATH ?? '').split(path.delimiter).some((p) => path.resolve(p) === dir);
  return onPath ? null : `export PATH="${dir}:$PATH"`;
}

export interface InstallOptions {
  /**
   * 'copy' (the clone path, `npm run setup`): the package is copied into
   * versions/<v> and `cs` linked into the bin dir. 'in-place' (`cs -install`
   * from an npm install): `current` points at the package where npm put it,
   * and npm's own bin link is the command.
   */
  layout: 'copy' | 'in-place';
}

/**
 * Installs cs for the user in `env`: checks everything first (the package,
 * settings.json, the links), so a refusal (UserError) changes nothing; then
 * places the package, links, slash commands, skill, completions and hooks,
 * and records what it placed for `cs -uninstall`.
 */
export function install(sourceRoot: string, env: NodeJS.ProcessEnv, now = new Date(), regs: readonly HookRegistration[] = HOOKS, opts: InstallOptions = { layout: 'copy' }): InstallReport {
  // 1. Everything that can refuse, before any write.
  if (!exists(path.join(sourceRoot, 'dist', 'cs.js'))) {
    throw new UserError(`${sourceRoot}/dist/cs.js is missing`, 'build first: npm run build');
  }
  const version = readPackageVersion(sourceRoot);
  if (!version) throw new UserError(`${sourceRoot}/package.json has no version`, 'run the installer from the cs source tree');
  const previous = readState(env);
  const owned = new Set(previous?.placedFiles ?? []);
  const settings = planSettings(env, regs);
  // In place (npm), npm made the links; a cs of another program ahead of npm's on PATH still has to be named.
  const bins = opts.layout === 'copy' ? planBins(env, sourceRoot) : { names: [], skippedCs: foreignCs(env, sourceRoot) };
  const claude = splitOwned(claudePlacements(sourceRoot, env), owned);
  const completionNames = opts.layout === 'copy' ? bins.names : ['cs', 'claude-sessions'];
  const completions = splitOwned(plannedCompletions(env, completionNames), owned);

  // 2. Placing.
  const target = opts.layout === 'copy' ? versionDir(env, version) : path.resolve(sourceRoot);
  if (opts.layout === 'copy') copyPackage(sourceRoot, target);
  switchCurrent(env, target);
  // The hooks run with whatever PATH Claude Code has (an IDE's may lack
  // Node): they use this link to the Node that installed them.
  const node = path.join(dataDir(env), 'node');
  if (readlinkOr(node) !== process.execPath) replaceSymlink(node, process.execPath);
  // The plugin before the settings that name it.
  writePlugin(env, hooksDir(env), regs, version);
  const linked = linkBins(env, bins.names);
  const claudeFiles = placeClaudeFiles(claude.place);
  const placedCompletions = installCompletions(completions.place);
  const applied = applySettings(settings, now);
  const state: InstallState = {
    version,
    bins: linked,
    placedFiles: [...claudeFiles, ...placedCompletions],
    settingsFile: settingsPath(env),
    // Keep the very first "before": later ones already contain our hooks.
    settingsBefore: previous ? previous.settingsBefore : settings.before,
    layout: opts.layout,
  };
  ensureDir(csConfigDir(env), 0o700);
  const stateText = JSON.stringify(state, null, 2) + '\n';
  if (readFileOr(statePath(env), '') !== stateText) writeFileAtomic(statePath(env), stateText, 0o600);
  clearNotices(env);
  return {
    version,
    versionDir: target,
    linked,
    skippedCs: bins.skippedCs,
    settingsChanged: applied.changed,
    settingsBackup: applied.backup,
    pathHint: opts.layout === 'copy' ? pathHint(env) : null,
    completions: placedCompletions,
    completionHints: completionHints(env, placedCompletions),
    skipped: [...claude.skipped, ...completions.skipped],
    pluginOff: pluginState(parseSettings(settings.next ?? settings.before, settings.file), marketplaceDir(env)) === 'off',
  };
}
