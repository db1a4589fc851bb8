// The secrets backend interface and the choice between the OS keychain and
// the encrypted file. Order: CS_SECRETS_BACKEND, then the session's own
// choice recorded by migrate-backend, then an existing encrypted file for the
// session (so secrets never seem to vanish when a keychain appears later),
// then the keychain when it loads and answers a probe in time, else the
// encrypted file with a one-line notice.
// (A person at a terminal also gets the cause and fix once per machine from
// `cs <name>`: see keychain-notice.ts.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { sessionsRoot } from '../session/paths.js';
import { NO_BUS_REASON, noSessionBus } from './bus.js';
import { EncryptedFileBackend } from './encrypted.js';
import { tildify } from './keys.js';

import type { BackendName, SecretBackend } from './backend-types.js';
import type { Probe } from './keychain.js';

export interface Selection {
  backend: SecretBackend;
  /** Why this backend, for `-secrets backend`. */
  reason: string;
}

export interface SelectOptions {
  /** Receives the one-line notice when we fall back to the encrypted file. */
  notice?: (line: string) => void;
  /** Shared by the selections of one command over many sessions (search), so the keychain is probed once: a probe is a D-Bus round trip or more. */
  probes?: ProbeMemo;
}

/** One keychain probe, taken on first need and reused. */
export interface ProbeMemo {
  probe?: Promise<Probe>;
}

async function probe(env: NodeJS.ProcessEnv, memo?: ProbeMemo): Promise<Probe> {
  // Without a session bus the answer is known, and the keychain module need not load.
  if (noSessionBus(env)) return { ok: false, fault: 'no-service', reason: NO_BUS_REASON };
  const { probeKeychain } = await import('./keychain.js');
  return memo ? (memo.probe ??= probeKeychain(env)) : probeKeychain(env);
}

export function parseBackendName(value: string, source: string): BackendName {
  const v = value.trim();
  if (v === 'keychain' || v === 'encrypted') return v;
  throw new UserError(`unknown secrets backend '${value}' in ${source}`, 'use keychain or encrypted');
}

/** The file in which migrate-backend records a session's backend on this machine. */
export function backendMarkerPath(session: string, env: NodeJS.ProcessEnv): string {
  return path.join(sessionsRoot(env), session, '.cs', 'local', 'secrets-backend');
}

function readMarker(session: string, env: NodeJS.ProcessEnv): BackendName | undefined {
  const file = backendMarkerPath(session, env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // no choice recorded: the common case
  }
  return parseBackendName(text, tildify(file, env));
}

/** A backend by name; the keychain must answer, or this throws with the reason. */
export async function openBackend(name: BackendName, env: NodeJS.ProcessEnv, probes?: ProbeMemo): Promise<SecretBackend> {
  if (name === 'encrypted') return new EncryptedFileBackend(env);
  const { KeychainBackend, keychainFix } = await import('./keychain.js');
  const p = await probe(env, probes);
  if (!p.ok) throw new UserError(`the OS keychain is not available: ${p.reason}`, keychainFix(p.fault));
  return new KeychainBackend(p.api, env);
}

export async function selectBackend(session: string | undefined, env: NodeJS.ProcessEnv, opts: SelectOptions = {}): Promise<Selection> {
  const forced = env.CS_SECRETS_BACKEND;
  if (forced !== undefined && forced.trim() !== '') {
    const name = parseBackendName(forced, 'CS_SECRETS_BACKEND');
    return { backend: await openBackend(name, env, opts.probes), reason: 'chosen by CS_SECRETS_BACKEND' };
  }
  if (session !== undefined) {
    const recorded = readMarker(session, env);
    if (recorded) {
      return { backend: await openBackend(recorded, env, opts.probes), reason: `recorded for this session by migrate-backend` };
    }
    const encrypted = new EncryptedFileBackend(env);
    if (encrypted.hasStore(session)) {
      return { backend: encrypted, reason: 'this session already has an encrypted store (migrate-backend moves it)' };
    }
  }
  const p = await probe(env, opts.probes);
  if (p.ok) return { backend: new (await import('./keychain.js')).KeychainBackend(p.api, env), reason: 'the OS keychain answered' };
  const encrypted = new EncryptedFileBackend(env);
  const where = session ? tildify(encrypted.location(session), env) : tildify(encrypted.dir, env);
  opts.notice?.(`cs: OS keychain unavailable (${p.reason}); using the encrypted file ${where}`);
  return { backend: encrypted, reason: `the OS keychain is unavailable (${p.reason})` };
}
