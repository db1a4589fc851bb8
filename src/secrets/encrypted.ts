// The encrypted-file backend: one file per session, ~/.cs-secrets/<session>.enc,
// AES-256-GCM over a JSON object of the session's secrets. The key comes
// from scrypt over CS_SECRETS_PASSWORD, or over a random machine key in
// ~/.cs-secrets/machine.key. The KDF parameters, salt and session name sit in
// a JSON envelope that is authenticated as associated data, so a file moved
// to another session's name or with edited parameters fails to open.
//
// Failure rule: a file we cannot read (damaged, wrong password, missing
// machine key) is never rewritten; every change decrypts first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { tempSibling, writeFileAtomic } from '../lib/fsutil.js';
import { withLockSync } from '../lib/lockfile.js';
import type { BackendName, SecretBackend } from './backend-types.js';
import { secretsHome, tildify, validateKey } from './keys.js';
import { crypto } from '../lib/lazy-crypto.js';

type KeySource = 'password' | 'machine';

interface Kdf {
  name: 'scrypt';
  source: KeySource;
  N: number;
  r: number;
  p: number;
  salt: string;
}

interface Envelope {
  format: 'cs-secrets';
  version: 1;
  session: string;
  kdf: Kdf;
  iv: string;
  tag: string;
  data: string;
}

// A password needs stretching (N=2^15, r=8: about 32 MiB and 70 ms here).
// The machine key is 32 random bytes, which no amount of guessing reaches,
// so scrypt at minimal cost only binds it to the salt; anything more would
// be paid on every `secrets get` for nothing (N=2^10 cost 4 ms).
const PASSWORD_COST = { N: 1 << 15, r: 8, p: 1 };
const MACHINE_COST = { N: 1 << 4, r: 1, p: 1 };
const MAX_N = 1 << 20;

interface Opened {
  secrets: Record<string, string>;
  /** The derived key and its envelope parameters, reused when writing back. */
  kdf?: Kdf;
  key?: Buffer;
}

/** Derived file keys by a digest of (cost, salt, secret): see derive(). Bounded; the oldest goes first. */
const derivedKeys = new Map<string, Buffer>();
const DERIVED_KEYS_MAX = 256;

export class EncryptedFileBackend implements SecretBackend {
  readonly name: BackendName = 'encrypted';
  readonly dir: string;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.dir = secretsHome(env);
  }

  location(session: string): string {
    return path.join(this.dir, `${session}.enc`);
  }

  hasStore(session: string): boolean {
    return fs.existsSync(this.location(session));
  }

  async get(session: string, key: string): Promise<string | undefined> {
    return this.open(session).secrets[validateKey(key)];
  }

  async getAll(session: string): Promise<Record<string, string>> {
    return { ...this.open(session).secrets };
  }

  async list(session: string): Promise<string[]> {
    return Object.keys(this.open(session).secrets).sort();
  }

  async set(session: string, key: string, value: string): Promise<void> {
    await this.setMany(session, { [key]: value });
  }

  async setMany(session: string, entries: Record<string, string>): Promise<void> {
    for (const key of Object.keys(entries)) validateKey(key);
    this.change(session, (secrets) => Object.assign(secrets, entries));
  }

  async delete(session: string, key: string): Promise<boolean> {
    validateKey(key);
    let found = false;
    this.change(session, (secrets) => {
      found = Object.hasOwn(secrets, key);
      delete secrets[key];
    });
    return found;
  }

  async purge(session: string): Promise<number> {
    let count = 0;
    this.change(session, (secrets) => {
      count = Object.keys(secrets).length;
      for (const k of Object.keys(secrets)) delete secrets[k];
    });
    return count;
  }

  // --- file format -------------------------------------------------------

  private show(file: string): string {
    return tildify(file, this.env);
  }

  private password(): string | undefined {
    const pw = this.env.CS_SECRETS_PASSWORD;
    return pw !== undefined && pw !== '' ? pw : undefined;
  }

  private machineKeyPath(): string {
    return path.join(this.dir, 'machine.key');
  }

  private readMachineKey(): Buffer | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.machineKeyPath(), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32) {
      throw new UserError(`${this.show(this.machineKeyPath())} is damaged (expected 32 bytes in base64)`, 'restore it from a backup; files encrypted with it cannot be opened without it');
    }
    return key;
  }

  /** The machine key, created on first use; two processes racing get the same key. */
  private machineKey(): Buffer {
    const existing = this.readMachineKey();
    if (existing) return existing;
    this.ensureDir();
    const tmp = tempSibling(this.machineKeyPath());
    fs.writeFileSync(tmp, crypto().randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    try {
      fs.linkSync(tmp, this.machineKeyPath()); // fails if another process won the race
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return this.readMachineKey()!;
  }

  private ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.dir, 0o700);
  }

  private damaged(file: string, why: string): UserError {
    return new UserError(
      `${this.show(file)} is damaged (${why}); it was left as it is`,
      'restore it from a backup, or move it away to start an empty store',
    );
  }

  private parseEnvelope(file: string, session: string, text: string): Envelope {
    let env: Envelope;
    try {
      env = JSON.parse(text) as Envelope;
    } catch {
      throw this.damaged(file, 'not a cs secrets file');
    }
    const k = env?.kdf;
    const ok =
      env?.format === 'cs-secrets' &&
      env.version === 1 &&
      typeof env.iv === 'string' &&
      typeof env.tag === 'string' &&
      typeof env.data === 'string' &&
      k?.name === 'scrypt' &&
      (k.source === 'password' || k.source === 'machine') &&
      Number.isInteger(k.N) && k.N > 1 && k.N <= MAX_N && (k.N & (k.N - 1)) === 0 &&
      Number.isInteger(k.r) && k.r >= 1 && k.r <= 32 &&
      Number.isInteger(k.p) && k.p >= 1 && k.p <= 16 &&
      typeof k.salt === 'string';
    if (!ok) throw this.damaged(file, 'unknown format');
    if (env.session !== session) throw this.damaged(file, `it belongs to session '${String(env.session)}'`);
    return env;
  }

  private secretFor(source: KeySource, file: string): Buffer | string {
    if (source === 'password') {
      const pw = this.password();
      if (!pw) throw new UserError(`${this.show(file)} is protected by a password`, 'set CS_SECRETS_PASSWORD to the password it was written with');
      return pw;
    }
    const key = this.readMachineKey();
    if (!key) {
      throw new UserError(
        `${this.show(file)} was encrypted with the machine key ${this.show(this.machineKeyPath())}, which is missing`,
        'restore machine.key from a backup; the file was left as it is',
      );
    }
    return key;
  }

  /**
   * The file key for `secret` and `kdf` (scrypt: about a quarter of a second
   * at the default cost, on the event loop). Remembered per process for a
   * salt already seen (a file's salt changes only when it is written): a
   * long-running cs (-serve reads every listed session's values every few
   * seconds) then pays it once per file, not per read.
   */
  private derive(secret: Buffer | string, kdf: Kdf): Buffer {
    const id = crypto().createHash('sha256').update(JSON.stringify([kdf.N, kdf.r, kdf.p, kdf.salt])).update('\0').update(secret).digest('base64');
    const hit = derivedKeys.get(id);
    if (hit) return hit;
    const key = crypto().scryptSync(secret, Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + (1 << 20) });
    if (derivedKeys.size >= DERIVED_KEYS_MAX) derivedKeys.delete(derivedKeys.keys().next().value!);
    derivedKeys.set(id, key);
    return key;
  }

  private aad(env: Pick<Envelope, 'format' | 'version' | 'session' | 'kdf'>): Buffer {
    const { format, version, session, kdf } = env;
    return Buffer.from(JSON.stringify({ format, version, session, kdf: [kdf.name, kdf.source, kdf.N, kdf.r, kdf.p, kdf.salt] }));
  }

  private open(session: string): Opened {
    const file = this.location(session);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { secrets: {} };
      throw e;
    }
    const env = this.parseEnvelope(file, session, text);
    const key = this.derive(this.secretFor(env.kdf.source, file), env.kdf);
    let plain: string;
    try {
      const decipher = crypto().createDecipheriv('aes-256-gcm', key, Buffer.from(env.iv, 'base64'));
      decipher.setAAD(this.aad(env));
      decipher.setAuthTag(Buffer.from(env.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(env.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      if (env.kdf.source === 'password') {
        throw new UserError(
          `cannot decrypt ${this.show(file)}: wrong CS_SECRETS_PASSWORD, or the file is damaged`,
          'set the password it was written with; the file was left as it is',
        );
      }
      throw new UserError(
        `cannot decrypt ${this.show(file)}: it does not match the machine key, or it is damaged`,
        'the file was left as it is; was machine.key replaced? restore the original from a backup',
      );
    }
    let secrets: unknown;
    try {
      secrets = JSON.parse(plain);
    } catch {
      throw this.damaged(file, 'its content is not JSON');
    }
    if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) throw this.damaged(file, 'unexpected content');
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(secrets)) if (typeof v === 'string') out[k] = v;
    return { secrets: out, kdf: env.kdf, key };
  }

  private write(session: string, secrets: Record<string, string>, prior: Opened): void {
    const file = this.location(session);
    if (Object.keys(secrets).length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    const source: KeySource = this.password() ? 'password' : 'machine';
    let kdf: Kdf;
    let key: Buffer;
    // Reuse the derived key when the source is unchanged: one scrypt per change, not two.
    if (prior.kdf && prior.key && prior.kdf.source === source) {
      kdf = prior.kdf;
      key = prior.key;
    } else {
      const cost = source === 'password' ? PASSWORD_COST : MACHINE_COST;
      kdf = { name: 'scrypt', source, ...cost, salt: crypto().randomBytes(16).toString('base64') };
      key = this.derive(source === 'password' ? this.password()! : this.machineKey(), kdf);
    }
    const iv = crypto().randomBytes(12);
    const head = { format: 'cs-secrets' as const, version: 1 as const, session, kdf };
    const cipher = crypto().createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(this.aad(head));
    const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    const envelope: Envelope = { ...head, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    this.ensureDir();
    writeFileAtomic(file, JSON.stringify(envelope) + '\n', 0o600);
  }

  /** Read, change, write, under a lock so concurrent hooks do not lose each other's secrets. */
  private change(session: string, fn: (secrets: Record<string, string>) => void): void {
    this.ensureDir();
    withLockSync(this.location(session) + '.lock', () => {
      const opened = this.open(session);
      const secrets = { ...opened.secrets };
      fn(secrets);
      this.write(session, secrets, opened);
    });
  }
}

