// The OS keychain backend through @napi-rs/keyring (Keychain on macOS,
// Credential Manager on Windows, Secret Service over D-Bus on Linux). It
// ships prebuilt binaries as optional dependencies, one per platform, so it
// needs no compiler and no install script; where none fits it is missing,
// which is an answer, not a crash: it is imported lazily.
//
// Each secret is the keychain item service `cs:<session>:<KEY>`, account
// `<KEY>`. Items can only be found by exact service, so a second item per
// key, service `cs:<session>`, account `<KEY>`, indexes the session for
// `list` (its password is the service name of the real item, not a secret).
// Earlier versions stored the same items through keytar; on Linux those carry
// an `account` attribute where keyring-rs writes `username`, so they are
// read, listed and deleted through legacy.ts as well.
//
// Every call is bounded by a timeout: a D-Bus without a Secret Service, or a
// keyring waiting for an unlock prompt nobody can see, must not hang cs. A
// call refused because gnome-keyring had not yet registered us is asked again
// once (retryRefusedCall in dbus.ts).
import { UserError, errorMessage } from '../lib/errors.js';
import type { BackendName, SecretBackend } from './backend-types.js';
import { NO_BUS_REASON, noSessionBus } from './bus.js';
import { probeSecretService, retryRefusedCall } from './dbus.js';
import { deleteLegacy, findLegacy, type LegacyItem } from './legacy.js';
import { isValidKey, serviceName, validateKey } from './keys.js';
import { noteKeychainSession } from './keychain-index.js';
import { TIMED_OUT, within } from '../lib/deadline.js';

/** The four calls cs needs, keyed by (service, account) as keytar had them. */
export interface KeyringApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** The module cs loads, and the npm package that provides it. */
export const KEYRING_MODULE = '@napi-rs/keyring';

const DEFAULT_PROBE_MS = 1500;
const DEFAULT_CALL_MS = 15_000;

function msFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = Number(env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

class Timeout extends Error {}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  const r = await within(p, ms);
  if (r === TIMED_OUT) throw new Timeout(`no answer within ${ms} ms`);
  return r;
}

let loaded: Promise<KeyringApi | string> | undefined;

/**
 * Imports @napi-rs/keyring once per process; resolves to the API or to why it
 * could not load. CS_TEST_KEYRING_MISSING=1 imports a module that does not
 * exist, the only way tests can reproduce a platform without a prebuilt binary.
 */
export function loadKeyring(env: NodeJS.ProcessEnv): Promise<KeyringApi | string> {
  if (env.CS_TEST_KEYRING_MISSING === '1') return importKeyring('cs-keyring-missing-for-tests');
  loaded ??= importKeyring(KEYRING_MODULE);
  return loaded;
}

interface KeyringModule {
  AsyncEntry: new (service: string, account: string) => {
    getPassword(): Promise<string | null>;
    setPassword(password: string): Promise<void>;
    deletePassword(): Promise<boolean>;
  };
  findCredentialsAsync(service: string): Promise<Array<{ account: string; password: string }>>;
}

async function importKeyring(specifier: string): Promise<KeyringApi | string> {
  let mod: KeyringModule;
  try {
    const m = (await import(specifier)) as { default?: KeyringModule } & Partial<KeyringModule>;
    mod = (m.default ?? m) as KeyringModule;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // The package resolves but its platform binary (an optional dependency) does not: also "missing".
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find native binding|Cannot find module/.test(errorMessage(e))) {
      return `${KEYRING_MODULE} is not installed for ${process.platform}-${process.arch}`;
    }
    return `${KEYRING_MODULE} did not load: ${firstLine(errorMessage(e))}`;
  }
  if (typeof mod.AsyncEntry !== 'function' || typeof mod.findCredentialsAsync !== 'function') return `${KEYRING_MODULE} has an unexpected shape`;
  return {
    getPassword: (service, account) => new mod.AsyncEntry(service, account).getPassword(),
    setPassword: (service, account, password) => new mod.AsyncEntry(service, account).setPassword(password),
    deletePassword: (service, account) => new mod.AsyncEntry(service, account).deletePassword(),
    findCredentials: (service) => mod.findCredentialsAsync(service),
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** Why no keychain answered: the module is missing, no Secret Service runs, the keyring is locked (or waits for an unlock prompt), or anything else. */
export type KeychainFault = 'missing' | 'no-service' | 'locked' | 'error';

export type Probe = { ok: true; api: KeyringApi } | { ok: false; fault: KeychainFault; reason: string };

/** What to do about each fault, one line, for the terminal notice and `-doctor`. */
export function keychainFix(fault: KeychainFault): string {
  switch (fault) {
    case 'missing':
      return `reinstall cs with npm on this platform so ${KEYRING_MODULE} and its prebuilt binary install (npm i -g claude-sessions), or set CS_SECRETS_BACKEND=encrypted`;
    case 'no-service':
      return 'start a Secret Service in your login session (gnome-keyring or KeePassXC; on a server: dbus-run-session and gnome-keyring-daemon --unlock), or set CS_SECRETS_BACKEND=encrypted';
    case 'locked':
      return 'unlock your login keyring (log in to the desktop, or: printf %s "$PW" | gnome-keyring-daemon --unlock), or set CS_SECRETS_BACKEND=encrypted';
    case 'error':
      return 'check the keyring (cs -doctor), or set CS_SECRETS_BACKEND=encrypted';
  }
}

/**
 * Loads the keyring module and asks the keychain one harmless question,
 * within CS_KEYCHAIN_PROBE_MS (default 1500). On Linux the Secret Service is
 * pinged over our own D-Bus connection first (see dbus.ts).
 */
export async function probeKeychain(env: NodeJS.ProcessEnv): Promise<Probe> {
  // No session bus at all: the Secret Service cannot answer, and the module need not load.
  if (noSessionBus(env)) return { ok: false, fault: 'no-service', reason: NO_BUS_REASON };
  const api = await loadKeyring(env);
  if (typeof api === 'string') return { ok: false, fault: 'missing', reason: api };
  const ms = msFrom(env, 'CS_KEYCHAIN_PROBE_MS', DEFAULT_PROBE_MS);
  // Ask the bus ourselves first: a keyring call that never returns would hold the process at exit.
  const bus = await probeSecretService(env, ms);
  if (!bus.ok) return { ok: false, fault: 'no-service', reason: bus.reason };
  try {
    await withTimeout(retryRefusedCall(() => api.findCredentials('cs:probe')), ms);
    return { ok: true, api };
  } catch (e) {
    const reason = firstLine(errorMessage(e));
    // A locked collection either says so or waits for a prompt nobody sees.
    if (e instanceof Timeout) return { ok: false, fault: 'locked', reason: `the keyring did not answer within ${ms} ms (locked, waiting for an unlock prompt?)` };
    if (/lock/i.test(reason)) return { ok: false, fault: 'locked', reason: `the keyring is locked (${reason})` };
    if (/no.*(secret service|provider)|ServiceUnknown|not provided by any/i.test(reason)) return { ok: false, fault: 'no-service', reason };
    return { ok: false, fault: 'error', reason };
  }
}

export class KeychainBackend implements SecretBackend {
  readonly name: BackendName = 'keychain';
  private readonly callMs: number;

  constructor(
    private readonly api: KeyringApi,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.callMs = msFrom(env, 'CS_KEYCHAIN_TIMEOUT_MS', DEFAULT_CALL_MS);
  }

  /** Items of `service` stored by earlier versions through keytar (Linux; see legacy.ts). */
  private legacy(service: string): Promise<LegacyItem[]> {
    return this.call('read a secret stored by an earlier cs', () => findLegacy(this.env, service, this.callMs));
  }

  location(session: string): string {
    return `OS keychain, services cs:${session}:*`;
  }

  private async call<T>(what: string, p: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(retryRefusedCall(p), this.callMs);
    } catch (e) {
      throw new UserError(
        `the OS keychain failed to ${what}: ${firstLine(errorMessage(e))}`,
        'is the keyring unlocked? CS_SECRETS_BACKEND=encrypted uses the encrypted file instead',
      );
    }
  }

  async get(session: string, key: string): Promise<string | undefined> {
    validateKey(key);
    // Found by search, not getPassword: @napi-rs/keyring 2.1.2's getPassword
    // resolves null when the Secret Service refuses the call (measured), so a
    // refused read would pass for "no such secret" and never be asked again.
    const found = await this.call('read a secret', () => this.api.findCredentials(serviceName(session, key)));
    const v = found.find((c) => c.account === key)?.password;
    if (v !== undefined) return v;
    return (await this.legacy(serviceName(session, key))).find((i) => i.account === key)?.password;
  }

  async set(session: string, key: string, value: string): Promise<void> {
    validateKey(key);
    if (value === '') throw new UserError(`the value of ${key} is empty`, 'the OS keychain cannot store empty values');
    const service = serviceName(session, key);
    // Listed first (keychain-index.ts): a session listed without secrets costs a look-up, one
    // holding secrets unlisted would have its values shown by a search.
    noteKeychainSession(session, this.env);
    // The value first, then the index: a crash in between leaves an unlisted
    // item that the next set of the same key repairs, never a listed key without a value.
    await this.call('store a secret', () => this.api.setPassword(service, key, value));
    await this.call('store a secret', () => this.api.setPassword(`cs:${session}`, key, service));
    // An item of the same key from an earlier version would now be a stale twin.
    await this.deleteLegacyOf(service, key);
    await this.deleteLegacyOf(`cs:${session}`, key);
  }

  private async deleteLegacyOf(service: string, key: string): Promise<boolean> {
    const items = (await this.legacy(service)).filter((i) => i.account === key);
    return (await this.call('delete a secret stored by an earlier cs', () => deleteLegacy(this.env, items, this.callMs))) > 0;
  }

  async setMany(session: string, entries: Record<string, string>): Promise<void> {
    for (const key of Object.keys(entries)) validateKey(key);
    for (const [key, value] of Object.entries(entries)) await this.set(session, key, value);
  }

  async delete(session: string, key: string): Promise<boolean> {
    validateKey(key);
    const had = await this.call('delete a secret', () => this.api.deletePassword(serviceName(session, key), key));
    const listed = await this.call('delete a secret', () => this.api.deletePassword(`cs:${session}`, key));
    const hadOld = await this.deleteLegacyOf(serviceName(session, key), key);
    const listedOld = await this.deleteLegacyOf(`cs:${session}`, key);
    return had || listed || hadOld || listedOld;
  }

  async list(session: string): Promise<string[]> {
    const found = await this.call('list secrets', () => this.api.findCredentials(`cs:${session}`));
    const old = await this.legacy(`cs:${session}`);
    return [...new Set([...found, ...old].map((c) => c.account).filter(isValidKey))].sort();
  }

  async getAll(session: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const key of await this.list(session)) {
      const v = await this.get(session, key);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  async purge(session: string): Promise<number> {
    let n = 0;
    for (const key of await this.list(session)) if (await this.delete(session, key)) n++;
    return n;
  }
}
