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

/** The name recorded in `dir`, or null when none is, or it is not a valid session name (the file is then ignored). */
export function recordedSessionName(dir: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, SESSION_NAME_FILE), 'utf8');
  } catch {
    return null;
  }
  const name = text.split('\n')[0]!;
  return nameProblem(name) === null ? name : null;
}

/** Records `name` for the session in `dir` (adopt, open, rename), unless it is recorded already. Never through a link (writeConfined). */
export function recordSessionName(dir: string, name: string): void {
  if (recordedSessionName(dir) !== name) writeConfined(path.join(dir, SESSION_NAME_FILE), `${name}\n`, 0o600);
}
