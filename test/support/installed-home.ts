// A temp HOME where install.ts has put cs, its hooks and settings: what the
// end-to-end tests with the real Claude Code start from.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { install } from '../../src/install/install.js';
import { repoRoot } from './cs.js';

/** The environment of a user whose HOME is `<base>/home`; cs installed there unless `install: false`. */
export function installedHome(base: string, extra: NodeJS.ProcessEnv = {}, opts: { install?: boolean; home?: string } = {}): NodeJS.ProcessEnv {
  const home = opts.home ?? path.join(base, 'home');
  fs.mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CS_SESSIONS_ROOT: path.join(home, '.claude-sessions'),
    CS_DATA_DIR: path.join(home, '.local/share/cs'),
    CS_BIN_DIR: path.join(home, '.local/bin'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    CS_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...extra,
  };
  if (opts.install !== false) install(repoRoot, env);
  return env;
}
