// `cs -uninstall`: remove what the installer added — links, hook entries,
// slash commands, skill, the installed package — and nothing else. Sessions
// and secrets stay unless --purge (with confirmation).
import * as fs from 'node:fs';
import { UserError } from '../lib/errors.js';
import { confirm } from '../term/prompt.js';
import { readState, statePath, unmergeSettingsFile } from '../install/install.js';
import { disableStatusLine } from '../install/statusline.js';
import { claudeConfigDir, csCacheDir, csConfigDir, homeDir, sessionsRoot } from '../session/paths.js';
import { sessionEntries } from '../session/find.js';
import { listedKeychainSessions } from '../secrets/keychain-index.js';
import { dataDir } from '../update/layout.js';
import * as path from 'node:path';
import { has, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface UninstallOptions {
  purge: boolean;
  yes: boolean;
}

export function parse(a: Args): UninstallOptions {
  return { purge: has(a, '--purge'), yes: has(a, '--yes') };
}

export async function run(opts: UninstallOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const state = readState(env);
  if (!state) throw new UserError(`cs is not installed for this user (no install record at ${statePath(env)}), so there is nothing to uninstall`, 'an npm install is removed with: npm rm -g claude-sessions; cs -install installs it for this user');
  // The caches hold the sessions' words (the -search index) and objectives (the -ls cache).
  const purgeTargets = [sessionsRoot(env), path.join(homeDir(env), '.cs-secrets'), csCacheDir(env)];
  let fromKeychain = 0;
  if (opts.purge) {
    const keychain = await planKeychainPurge(env);
    await confirm(io, { yes: opts.yes, question: `uninstall cs and DELETE all sessions and secrets (${[...purgeTargets, ...(keychain ? ['the OS keychain\'s cs:* items'] : [])].join(', ')})?`, flag: '--yes' });
    // Before anything else: a keychain that fails midway leaves cs installed, to run this again.
    if (keychain) fromKeychain = await keychain();
  }
  // Our status line first (the user's own comes back), so the hooks' unmerge can restore the file byte for byte.
  if (disableStatusLine(env).outcome === 'disabled') io.err('cs: removed the cs status line');
  if (unmergeSettingsFile(env, state.settingsBefore)) ctx.info(`removed the cs hooks plugin from ${state.settingsFile}`);
  for (const file of state.placedFiles) fs.rmSync(file, { recursive: true, force: true });
  for (const bin of state.bins) fs.rmSync(bin, { force: true });
  fs.rmSync(dataDir(env), { recursive: true, force: true });
  fs.rmSync(statePath(env), { force: true });
  removeEmptyDirs([...state.placedFiles, statePath(env)], env);
  if (opts.purge) {
    for (const t of purgeTargets) fs.rmSync(t, { recursive: true, force: true });
    io.err(`cs: uninstalled; sessions and secrets deleted${fromKeychain ? ` (${fromKeychain} secret${fromKeychain === 1 ? '' : 's'} removed from the OS keychain)` : ''}`);
  } else {
    ctx.info(`uninstalled; your sessions in ${sessionsRoot(env)} and your secrets are kept (cs -uninstall --purge removes them)`);
  }
  // The package itself belongs to npm.
  if (state.layout === 'in-place') io.err('cs: to remove the cs command too: npm rm -g claude-sessions');
  return 0;
}

/**
 * What --purge deletes from the OS keychain: the secrets of every session in
 * the sessions root and of every session the keychain index lists (a
 * workspace deleted by hand leaves its items there). A keychain that does not
 * answer refuses the purge, before anything is removed, when the index says
 * it holds some; null when there is nothing to ask it.
 */
async function planKeychainPurge(env: NodeJS.ProcessEnv): Promise<(() => Promise<number>) | null> {
  const listed = listedKeychainSessions(env);
  const sessions = [...new Set([...sessionEntries(sessionsRoot(env)), ...listed])].sort();
  if (sessions.length === 0) return null;
  const { KeychainBackend, probeKeychain } = await import('../secrets/keychain.js');
  const p = await probeKeychain(env);
  if (!p.ok) {
    if (listed.size === 0) return null; // no keychain here, and none ever held a session's secrets
    throw new UserError(
      `the OS keychain does not answer (${p.reason}), so the secrets it holds for ${[...listed].sort().join(', ')} cannot be deleted; nothing was removed`,
      'make it answer (cs -doctor says how), then run cs -uninstall --purge again; cs -uninstall without --purge keeps sessions and secrets',
    );
  }
  const keychain = new KeychainBackend(p.api, env);
  return async () => {
    let n = 0;
    for (const s of sessions) n += await keychain.purge(s);
    return n;
  };
}

/**
 * The folders that held what we removed (~/.claude/commands, ~/.claude/skills,
 * completion folders, ~/.config/cs), and their parents up to the well-known
 * roots, go when they are left empty. Only inside HOME; rmdir never removes a
 * folder with anything in it (a machine-id, the user's own files).
 */
function removeEmptyDirs(removed: readonly string[], env: NodeJS.ProcessEnv): void {
  const home = path.resolve(homeDir(env));
  const stops = new Set(
    [home, claudeConfigDir(env), path.dirname(csConfigDir(env)), path.join(home, '.local'), path.join(home, '.local', 'share'), env.XDG_DATA_HOME, env.BASH_COMPLETION_USER_DIR]
      .filter((d): d is string => Boolean(d))
      .map((d) => path.resolve(d)),
  );
  for (const file of removed) {
    for (let dir = path.dirname(path.resolve(file)); dir.startsWith(home + path.sep) && !stops.has(dir); dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break; // not empty, or already gone: its parents are not ours to judge
      }
    }
  }
}

export const command: Command<UninstallOptions> = { parse, run };
