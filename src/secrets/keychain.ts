// The OS keychain backend through keytar (Keychain on macOS, Credential
// Vault on Windows, Secret Service over D-Bus on Linux). keytar is an
// optional native module: it is imported lazily and its absence is an
// answer, not a crash.
//
// Each secret is the keychain item service `cs:<session>:<KEY>`, account
// `<KEY>`. keytar can only find items by exact service, so a second item per
// key, service `cs:<session>`, account `<KEY>`, indexes the session for
// `list` (its password is the service name of the real item, not a secret).
//
// Every call is bounded by a timeout: a D-Bus without a Secret Service, or a
// keyring waiting for an unlock prompt nobody can see, must not hang cs.
import { UserError, errorMessage } from '../errors.js';
import type { BackendName, SecretBackend } from './backend.js';
import { probeSecretService } from './dbus.js';
import { isValidKey, serviceName, validateKey } from './keys.js';

export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

const DEFAULT_PROBE_MS = 1500;
const DEFAULT_CALL_MS = 15_000;

function msFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = Number(env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

class Timeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

let loaded: Promise<KeytarApi | string> | undefined;

/**
 * Imports keytar once per process; resolves to the API or to why it could
 * not load. CS_TEST_KEYTAR_MISSING=1 imports a module that does not exist,
 * the only way tests can reproduce a machine where the native build failed.
 */
export function loadKeytar(env: NodeJS.ProcessEnv): Promise<KeytarApi | string> {
  if (env.CS_TEST_KEYTAR_MISSING === '1') return importKeytar('cs-keytar-missing-for-tests');
  loaded ??= importKeytar('keytar');
  return loaded;
}

async function importKeytar(specifier: string): Promise<KeytarApi | string> {
  try {
    const mod = (await import(specifier)) as { default?: KeytarApi } & Partial<KeytarApi>;
    const api = (mod.default ?? mod) as KeytarApi;
    if (typeof api.getPassword !== 'function') return 'keytar has an unexpected shape';
    return api;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'keytar is not installed';
    return `keytar did not load: ${firstLine(errorMessage(e))}`;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

export type Probe = { ok: true; api: KeytarApi } | { ok: false; reason: string };

/**
 * Loads keytar and asks the keychain one harmless question, within
 * CS_KEYCHAIN_PROBE_MS (default 1500). On Linux the Secret Service is pinged
 * over our own D-Bus connection first (see dbus.ts).
 */
export async function probeKeychain(env: NodeJS.ProcessEnv): Promise<Probe> {
  const api = await loadKeytar(env);
  if (typeof api === 'string') return { ok: false, reason: api };
  const ms = msFrom(env, 'CS_KEYCHAIN_PROBE_MS', DEFAULT_PROBE_MS);
  // Ask the bus ourselves first: a keytar call that never returns would hold the process at exit.
  const bus = await probeSecretService(env, ms);
  if (!bus.ok) return { ok: false, reason: bus.reason };
  try {
    await withTimeout(api.findCredentials('cs:probe'), ms);
    return { ok: true, api };
  } catch (e) {
    return { ok: false, reason: firstLine(errorMessage(e)) };
  }
}

export class KeychainBackend implements SecretBackend {
  readonly name: BackendName = 'keychain';
  private readonly callMs: number;

  constructor(
    private readonly api: KeytarApi,
    env: NodeJS.ProcessEnv,
  ) {
    this.callMs = msFrom(env, 'CS_KEYCHAIN_TIMEOUT_MS', DEFAULT_CALL_MS);
  }

  location(session: string): string {
    return `OS keychain, services cs:${session}:*`;
  }

  private async call<T>(what: string, p: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(p(), this.callMs);
    } catch (e) {
      throw new UserError(
        `the OS keychain failed to ${what}: ${firstLine(errorMessage(e))}`,
        'is the keyring unlocked? CS_SECRETS_BACKEND=encrypted uses the encrypted file instead',
      );
    }
  }

  async get(session: string, key: string): Promise<string | undefined> {
    validateKey(key);
    const v = await this.call('read a secret', () => this.api.getPassword(serviceName(session, key), key));
    return v ?? undefined;
  }

  async set(session: string, key: string, value: string): Promise<void> {
    validateKey(key);
    if (value === '') throw new UserError(`the value of ${key} is empty`, 'the OS keychain cannot store empty values');
    const service = serviceName(session, key);
    // The value first, then the index: a crash in between leaves an unlisted
    // item that the next set of the same key repairs, never a listed key without a value.
    await this.call('store a secret', () => this.api.setPassword(service, key, value));
    await this.call('store a secret', () => this.api.setPassword(`cs:${session}`, key, service));
  }

  async setMany(session: string, entries: Record<string, string>): Promise<void> {
    for (const key of Object.keys(entries)) validateKey(key);
    for (const [key, value] of Object.entries(entries)) await this.set(session, key, value);
  }

  async delete(session: string, key: string): Promise<boolean> {
    validateKey(key);
    const had = await this.call('delete a secret', () => this.api.deletePassword(serviceName(session, key), key));
    const listed = await this.call('delete a secret', () => this.api.deletePassword(`cs:${session}`, key));
    return had || listed;
  }

  async list(session: string): Promise<string[]> {
    const found = await this.call('list secrets', () => this.api.findCredentials(`cs:${session}`));
    return [...new Set(found.map((c) => c.account).filter(isValidKey))].sort();
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
