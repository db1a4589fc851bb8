// Operations over a whole session's secrets that other modules call: the
// artifact hook stores what redact() found, migrate-backend moves a session
// between backends.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { shellQuote } from '../lib/shell.js';
import { writeFileAtomic } from '../lib/fsutil.js';
import { backendMarkerPath, openBackend, selectBackend, type SelectOptions } from './backend.js';
import type { BackendName, SecretBackend } from './backend-types.js';
import type { DetectedSecret } from './detect.js';
import { hostedPasswordPath, sessionEnvFilePath, validateKey } from './keys.js';

export interface StoreOptions extends SelectOptions {
  /** An already selected backend; otherwise one is selected for the session. */
  backend?: SecretBackend;
}

/**
 * Stores secrets found by redact() for a session (later values of the same
 * key win) and resolves to the backend used. Validates every key before
 * storing any, so a bad key stores nothing.
 */
export async function storeSecrets(
  session: string,
  secrets: readonly DetectedSecret[],
  env: NodeJS.ProcessEnv,
  opts: StoreOptions = {},
): Promise<SecretBackend> {
  const entries: Record<string, string> = {};
  for (const s of secrets) entries[validateKey(s.key)] = s.value;
  const backend = opts.backend ?? (await selectBackend(session, env, opts)).backend;
  if (Object.keys(entries).length > 0) await backend.setMany(session, entries);
  return backend;
}

export interface MigrateResult {
  from: BackendName;
  to: BackendName;
  moved: string[];
}

/**
 * Moves every secret of a session to another backend without loss: copy,
 * read back and compare, record the new backend for the session, and only
 * then delete from the old one. A key the target already holds with another
 * value stops the move before anything changes.
 */
export async function migrateBackend(session: string, from: SecretBackend, toName: BackendName, env: NodeJS.ProcessEnv): Promise<MigrateResult> {
  if (from.name === toName) throw new UserError(`session '${session}' already uses the ${toName} backend`);
  const to = await openBackend(toName, env);
  const secrets = await from.getAll(session);
  const keys = Object.keys(secrets).sort();
  const existing = await to.getAll(session);
  const conflicts = keys.filter((k) => existing[k] !== undefined && existing[k] !== secrets[k]);
  if (conflicts.length > 0) {
    throw new UserError(
      `the ${toName} backend already holds different values for ${conflicts.join(', ')}; nothing was moved`,
      `compare them, then remove the ones you do not want from the ${toName} backend (CS_SECRETS_BACKEND=${toName} cs ${session} -secrets rm --here KEY)`,
    );
  }
  await to.setMany(session, secrets);
  const copied = await to.getAll(session);
  const lost = keys.filter((k) => copied[k] !== secrets[k]);
  if (lost.length > 0) {
    throw new UserError(`copying to the ${toName} backend did not keep ${lost.join(', ')}; the ${from.name} backend was left as it is`);
  }
  // Record the choice before deleting, so a crash in between leaves the
  // session pointing at the complete copy.
  const marker = backendMarkerPath(session, env);
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  writeFileAtomic(marker, toName + '\n');
  for (const k of keys) await from.delete(session, k);
  return { from: from.name, to: toName, moved: keys };
}

/** `export KEY='value'` lines, single-quoted so `eval` (or a sourced env file) takes any value literally. */
export function exportLines(secrets: Record<string, string>): string[] {
  return Object.keys(secrets)
    .sort()
    .map((k) => `export ${validateKey(k)}='${secrets[k]!.replace(/'/g, `'\\''`)}'`);
}

/**
 * Writes the session's env file (sessionEnvFilePath) with `secrets` as
 * export lines: private directories and file (0700/0600), temp file +
 * rename. Without `create` only an existing file (a running session's) is
 * rewritten. Returns whether it wrote.
 */
export function writeSessionEnvFile(session: string, secrets: Record<string, string>, env: NodeJS.ProcessEnv, opts: { create?: boolean } = {}): boolean {
  const file = sessionEnvFilePath(session, env);
  if (!opts.create && !fs.existsSync(file)) return false;
  fs.mkdirSync(path.dirname(path.dirname(file)), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, exportLines(secrets).map((l) => l + '\n').join(''), 0o600);
  return true;
}

/**
 * A hosted session's Claude runs without CS_SECRETS_PASSWORD (cs's own
 * secrets never reach Claude and its Bash tool calls, which print
 * environments into transcripts), yet the hooks Claude runs read and write
 * the session's secrets (captures, scrubbing, the env file for Bash). The
 * supervisor's start step leaves the password for them here
 * (hostedPasswordPath: the env files' folder, 0700 and memory-backed where
 * XDG_RUNTIME_DIR is; the file 0600); its end step removes it. No-op
 * without a password.
 */
export function writeHostedPassword(session: string, env: NodeJS.ProcessEnv): void {
  const pw = env.CS_SECRETS_PASSWORD;
  if (!pw) return;
  const file = hostedPasswordPath(session, env);
  fs.mkdirSync(path.dirname(path.dirname(file)), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, pw, 0o600);
}

export function removeHostedPassword(session: string, env: NodeJS.ProcessEnv): void {
  fs.rmSync(hostedPasswordPath(session, env), { force: true });
}

/**
 * For a hook process of a hosted session (CS_HOSTED=1, CLAUDE_SESSION_NAME)
 * that has no CS_SECRETS_PASSWORD: sets it in `env` from the file
 * writeHostedPassword left, when there is one. Its children never get it
 * (childEnv).
 */
export function loadHostedPassword(env: NodeJS.ProcessEnv): void {
  const session = env.CLAUDE_SESSION_NAME;
  if (env.CS_HOSTED !== '1' || !session || env.CS_SECRETS_PASSWORD) return;
  try {
    env.CS_SECRETS_PASSWORD = fs.readFileSync(hostedPasswordPath(session, env), 'utf8');
  } catch {
    // none: a keychain, a machine key, or no password given to cs
  }
}

/** Removes the session's env file; true when there was one. */
export function removeSessionEnvFile(session: string, env: NodeJS.ProcessEnv): boolean {
  const file = sessionEnvFilePath(session, env);
  if (!fs.existsSync(file)) return false;
  fs.rmSync(file, { force: true });
  return true;
}

/**
 * The line cs appends to CLAUDE_ENV_FILE: Claude Code runs it ahead of every
 * Bash command, so later captures reach them too. It also clears
 * CS_HOOK_SERVER there: that variable tells the command hooks that cs's
 * endpoint serves their event, which is true only for the Claude cs
 * launched, so a `claude` run from its Bash tool must run them all.
 */
export function envFileSourceLine(file: string): string {
  const q = shellQuote(file);
  return `if [ -r ${q} ]; then . ${q}; fi; unset CS_HOOK_SERVER\n`;
}
