// Which sessions hold secrets in this machine's OS keychain, listed beside
// the encrypted stores (~/.cs-secrets/keychain-sessions, 0600; names only,
// never a value), so that a command scrubbing the values of many sessions
// (cs -search) asks the keychain only about the sessions listed. On Linux a
// keychain look-up is several D-Bus round trips per session (measured with
// gnome-keyring: a two-word search over 300 sessions took 1.1 s, 0.23 s
// without a keychain).
//
// The file is append-only, so writers running at once lose nothing: a line
// with a session's name when cs stores a secret of it in the keychain
// (KeychainBackend.set), and `COMPLETE <root>` once every session of that
// sessions root that held keychain secrets then is listed (made once per
// root, from the keychain itself, by the first command that needs it). A
// name is never taken out: a session listed without secrets costs one
// look-up, a session missing would have its values shown, so only a root
// with its COMPLETE line is trusted. Items put in the keychain by hand under
// cs's names are not cs's to know of.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { secretsHome } from './keys.js';

const FILE = 'keychain-sessions';
const COMPLETE = 'COMPLETE ';

function indexFile(env: NodeJS.ProcessEnv): string {
  return path.join(secretsHome(env), FILE);
}

/** Appends `lines` in one write (O_APPEND: whole lines, whoever else appends), making the folder (0700) and file (0600) as needed. */
function append(env: NodeJS.ProcessEnv, lines: readonly string[]): void {
  const file = indexFile(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    fs.writeSync(fd, lines.map((l) => `${l}\n`).join(''));
  } finally {
    fs.closeSync(fd);
  }
}

/** Records that `session` holds secrets in the keychain (when not listed yet). Throws on a file system error: the caller's store must not pass for unlisted. */
export function noteKeychainSession(session: string, env: NodeJS.ProcessEnv): void {
  const listed = readIndex(env);
  if (!listed.names.has(session)) append(env, [session]);
}

function readIndex(env: NodeJS.ProcessEnv): { names: Set<string>; complete: Set<string> } {
  let text = '';
  try {
    text = fs.readFileSync(indexFile(env), 'utf8');
  } catch {
    // none yet
  }
  const names = new Set<string>();
  const complete = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith(COMPLETE)) complete.add(line.slice(COMPLETE.length));
    else if (line) names.add(line);
  }
  return { names, complete };
}

/** Every session listed as holding keychain secrets, complete or not (cs -uninstall --purge deletes theirs). */
export function listedKeychainSessions(env: NodeJS.ProcessEnv): Set<string> {
  return readIndex(env).names;
}

/**
 * The sessions listed as holding keychain secrets, when the list is complete
 * for sessions root `root` (as sessionsRoot gives it: another spelling of
 * the same folder is completed once more); null when it is not (yet).
 */
export function keychainSessions(env: NodeJS.ProcessEnv, root: string): Set<string> | null {
  const { names, complete } = readIndex(env);
  return complete.has(root) ? names : null;
}

/**
 * Makes the list complete for `root`: asks the keychain about each of
 * `sessions` (the root's session names, through `holds`) and appends those
 * that hold secrets, then the COMPLETE line. Returns the listed sessions.
 * `holds` throwing (the keychain stopped answering) leaves the list
 * incomplete, and the error goes to the caller.
 */
export async function completeKeychainIndex(env: NodeJS.ProcessEnv, root: string, sessions: readonly string[], holds: (session: string) => Promise<boolean>): Promise<Set<string>> {
  const found: string[] = [];
  for (const s of sessions) if (await holds(s)) found.push(s);
  const { names } = readIndex(env);
  append(env, [...found.filter((s) => !names.has(s)), `${COMPLETE}${root}`]);
  return new Set([...names, ...found]);
}

