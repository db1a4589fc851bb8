// The name of an adopted project's session, kept in the project: its folder
// is the project's (`~/.claude-sessions/<name>` only links to it), so the
// folder's name says nothing, and a Claude started some other way (an IDE)
// gives the hooks no CLAUDE_SESSION_NAME. Without it they would file what
// they capture (secrets above all) under the folder's name. Machine-local
// (.cs/local/ never syncs): another checkout may adopt the project under
// another name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeConfined } from '../lib/confine.js';
import { nameProblem } from './names.js';

/** Relative to the session's folder; dist/hook.sh reads it too (src/hooks/shlib.ts). */
export const SESSION_NAME_FILE = '.cs/local/session-name';

/**
 * The name recorded in `dir`, or null when none is, it is not a valid
 * session name, or the sessions root has no session of that name leading
 * to `dir` (the file can come with the project's git history, and stays
 * after `cs -rm`: only a session that is there vouches for it). The root
 * as dist/hook.sh finds it: CS_SESSIONS_ROOT, else $HOME's; with neither,
 * no name is taken.
 */
export function recordedSessionName(dir: string, env: NodeJS.ProcessEnv): string | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, SESSION_NAME_FILE), 'utf8');
  } catch {
    return null;
  }
  const name = text.split('\n')[0]!;
  if (nameProblem(name) !== null) return null;
  const root = env.CS_SESSIONS_ROOT || (env.HOME ? path.join(env.HOME, '.claude-sessions') : '');
  if (!root) return null;
  try {
    return fs.realpathSync(path.join(root, name)) === fs.realpathSync(dir) ? name : null;
  } catch {
    return null;
  }
}

/** Records `name` for the session in `dir` (adopt, open, rename), unless it is recorded already. Never through a link (writeConfined). */
export function recordSessionName(dir: string, name: string): void {
  const file = path.join(dir, SESSION_NAME_FILE);
  let now: string | null = null;
  try {
    now = fs.readFileSync(file, 'utf8');
  } catch {
    now = null;
  }
  if (now !== `${name}\n`) writeConfined(file, `${name}\n`, 0o600);
}
