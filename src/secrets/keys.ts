// Names shared by every secrets module: key grammar, keychain service names,
// and where the per-user secret files live.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, UserError } from '../lib/errors.js';
import { homeDir, sessionsRoot } from '../session/paths.js';
import { validateName } from '../session/names.js';
import { exists } from '../lib/fsutil.js';

export const KEY_RULE = 'letters, digits and "_", not starting with a digit';
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidKey(key: string): boolean {
  return KEY_RE.test(key) && key.length <= 256;
}

/** Throws a UsageError naming the rule when `key` is not a usable secret name. */
export function validateKey(key: string): string {
  if (!isValidKey(key)) {
    const shown = JSON.stringify(key.length > 40 ? key.slice(0, 40) + '…' : key);
    throw new UsageError(`invalid secret name ${shown}`, `secret names use ${KEY_RULE}, e.g. API_TOKEN`);
  }
  return key;
}

/** Keychain service of one secret: `cs:<session>:<KEY>`. */
export function serviceName(session: string, key: string): string {
  return `cs:${session}:${key}`;
}

/** `~/.cs-secrets`: encrypted stores, the machine key and the age identity. */
export function secretsHome(env: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), '.cs-secrets');
}

/**
 * The session's secrets as `export` lines for the Bash commands of a running
 * Claude (sourced per command through a line cs puts in CLAUDE_ENV_FILE):
 * `$XDG_RUNTIME_DIR/cs/env/<session>.sh` (memory-backed, private to the user)
 * when there is one, else `~/.cs-secrets/env/<session>.sh`. Outside the
 * workspace, so never synced or committed; mode 0600; exists only from
 * SessionStart until the session ends.
 */
export function sessionEnvFilePath(session: string, env: NodeJS.ProcessEnv): string {
  return path.join(runtimeBase(env), 'env', `${session}.sh`);
}

/**
 * The password of a password-protected encrypted store for the hooks of a
 * hosted session (store.ts writeHostedPassword): beside its env file of
 * secrets, `<session>.password`, mode 0600.
 */
export function hostedPasswordPath(session: string, env: NodeJS.ProcessEnv): string {
  return path.join(runtimeBase(env), 'env', `${session}.password`);
}

/**
 * The user's private folder for what lives only while something runs (the
 * env files of secrets, the resident hook sockets): `$XDG_RUNTIME_DIR/cs`
 * (memory-backed, the user's alone) when XDG_RUNTIME_DIR is an absolute
 * path, else `~/.cs-secrets`.
 */
export function runtimeBase(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime && path.isAbsolute(runtime) ? path.join(runtime, 'cs') : secretsHome(env);
}

export function ageIdentityPath(env: NodeJS.ProcessEnv): string {
  return path.join(secretsHome(env), 'age.key');
}

/** The session's workspace directory, after validating the name; it must exist. */
export function existingSessionDir(session: string, env: NodeJS.ProcessEnv): string {
  validateName(session);
  const dir = path.join(sessionsRoot(env), session);
  if (!exists(dir)) {
    throw new UserError(`session '${session}' does not exist (no ${dir})`, `create it with: cs ${session}`);
  }
  return dir;
}

/** Replaces the home directory with `~` for messages. */
export function tildify(p: string, env: NodeJS.ProcessEnv): string {
  const home = homeDir(env);
  return p === home || p.startsWith(home + path.sep) ? '~' + p.slice(home.length) : p;
}

/** The session's secrets file in its tree, as git names it ('/'-separated). */
export const SECRETS_PATH = '.cs/secrets.age';

/** `<session>/.cs/secrets.age`: the session's secrets, age-encrypted for its recipients (src/secrets/age.ts). */
export function secretsFilePath(sessionDir: string): string {
  return path.join(sessionDir, SECRETS_PATH);
}

/** `<session>/.cs/age-recipients/`: one `<name>.pub` per machine that may read the session's secrets and transcripts. */
export function recipientsDir(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'age-recipients');
}

/**
 * Whether the session names any recipient (a `.pub` file), checked without
 * loading the age code (about 300 KB, on every launch and exit otherwise):
 * with none, nothing is encrypted for anyone.
 */
export function hasRecipientFiles(sessionDir: string): boolean {
  try {
    return fs.readdirSync(recipientsDir(sessionDir)).some((n) => n.endsWith('.pub'));
  } catch {
    return false;
  }
}
