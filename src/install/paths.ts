// Where an installed cs's hook scripts are, and the Claude Code settings
// file its installer merges into: for the installer, the doctor and the
// launch (which must not load the installer to know them).
import * as path from 'node:path';
import { claudeConfigDir } from '../session/paths.js';
import { currentLink } from '../update/layout.js';

/** `<data dir>/current/hooks`: the registered hook commands run scripts from here. */
export function hooksDir(env: NodeJS.ProcessEnv): string {
  return path.join(currentLink(env), 'hooks');
}

/** Claude Code's user settings: `<config dir>/settings.json` (CLAUDE_CONFIG_DIR, else ~/.claude). */
export function settingsPath(env: NodeJS.ProcessEnv): string {
  return path.join(claudeConfigDir(env), 'settings.json');
}
