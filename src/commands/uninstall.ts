// `cs -uninstall`: remove what the installer added — links, hook entries,
// slash commands, skill, the installed package — and nothing else. Sessions
// and secrets stay unless --purge (with confirmation).
import * as fs from 'node:fs';
import { flag, expectPositionals, parseArgs } from '../args.js';
import { UserError } from '../errors.js';
import { confirm } from '../prompt.js';
import { readState, statePath, unmergeSettingsFile } from '../install/install.js';
import { disableStatusLine } from '../install/statusline.js';
import { homeDir, sessionsRoot } from '../session/paths.js';
import { dataDir } from '../update/layout.js';
import * as path from 'node:path';
import type { Context } from './types.js';

export interface UninstallOptions {
  purge: boolean;
  yes: boolean;
}

export function parse(args: string[]): UninstallOptions {
  const parsed = parseArgs(args, { booleans: ['--purge', '--yes', '-y'] }, '-uninstall');
  expectPositionals(parsed, 0, 0, '-uninstall', 'cs -uninstall [--purge] [--yes]');
  return { purge: flag(parsed, '--purge'), yes: flag(parsed, '--yes', '-y') };
}

export async function run(opts: UninstallOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const state = readState(env);
  if (!state) throw new UserError('cs is not installed for this user (no install record)', `expected ${statePath(env)}`);
  const purgeTargets = [sessionsRoot(env), path.join(homeDir(env), '.cs-secrets')];
  if (opts.purge) {
    await confirm(io, { yes: opts.yes, question: `uninstall cs and DELETE all sessions and secrets (${purgeTargets.join(', ')})?`, flag: '--yes' });
  }
  // Our status line first (the user's own comes back), so the hooks' unmerge can restore the file byte for byte.
  if (disableStatusLine(env).outcome === 'disabled') io.err('cs: removed the cs status line');
  if (unmergeSettingsFile(env, state.settingsBefore)) io.err(`cs: removed our hooks from ${state.settingsFile}`);
  for (const file of state.placedFiles) fs.rmSync(file, { recursive: true, force: true });
  for (const bin of state.bins) fs.rmSync(bin, { force: true });
  fs.rmSync(dataDir(env), { recursive: true, force: true });
  fs.rmSync(statePath(env), { force: true });
  if (opts.purge) {
    for (const t of purgeTargets) fs.rmSync(t, { recursive: true, force: true });
    io.err('cs: uninstalled; sessions and secrets deleted');
  } else {
    io.err(`cs: uninstalled; your sessions in ${sessionsRoot(env)} and your secrets are kept (cs -uninstall --purge removes them)`);
  }
  return 0;
}
