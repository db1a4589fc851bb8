// Secrets sync between machines through the session's git history: the
// session's secrets are encrypted with age (age-encryption, interoperable
// with the `age` CLI) to every recipient in `.cs/age-recipients/*.pub` and
// written to `.cs/secrets.age`. Each machine decrypts with its own identity
// `~/.cs-secrets/age.key` (age-keygen format).
//
// Plaintext inside secrets.age: JSON {"format":"cs-secrets","version":1,
// "session":..., "secrets":{KEY: value}}. Import also accepts a flat JSON
// object of strings or KEY=value lines, so a file made with the age CLI
// from a .env file imports too.
//
// Nothing here loses a secret silently: export first adopts keys that only
// the existing file holds, and refuses (unless forced) when it cannot read
// the existing file. Per key, the side that changed a value since this
// machine's last sync wins over the side that did not, at import and at
// export alike; a change on both sides is named. The bookkeeping (file
// hash, key names, MACs of the values keyed by the local identity, never a
// value) lives in the machine-local `.cs/local/secrets-age.json`.
//
// A removal travels too, when it was one: `-secrets rm KEY` (removeFromSync)
// notes in the marker the value the file holds and exports at once, which
// leaves it out and lists it under `"removed": {KEY: a salted scrypt hash of
// the value}`. Whichever of import and export reads such a file first
// removes KEY locally, but only while the local value is that value and
// this machine held it at its last sync, so a value set since, here or
// elsewhere, is never taken away. A key that is merely missing here
// (`-secrets purge`, a keychain that did not answer and the fallback file
// standing in, another backend) is never a removal: the export keeps it in
// the file as it was, and imports leave it missing here. Older cs versions
// ignore `removed` (they keep the key).
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { userAtHost } from '../lib/machine.js';
import { SESSION_IN_HINT, UsageError, UserError, errorMessage } from '../lib/errors.js';
import { writeConfined } from '../lib/confine.js';
import { ensureDir, readFileOr, tempSibling, writeFileAtomic } from '../lib/fsutil.js';
import { sessionPaths } from '../session/paths.js';
import { selectBackend } from './backend.js';
import type { SecretBackend } from './backend-types.js';
import { ageIdentityPath, isValidKey, recipientsDir, secretsFilePath, secretsHome, tildify } from './keys.js';
export { secretsFilePath } from './keys.js';

// --- identity ----------------------------------------------------------------

export interface AgeIdentity {
  identity: string;
  recipient: string;
  file: string;
}

/** The local age identity, or undefined when `age init` has not been run. */
export async function readIdentity(env: NodeJS.ProcessEnv): Promise<AgeIdentity | undefined> {
  const file = ageIdentityPath(env);
  const text = readFileOr(file, null);
  if (text === null) return undefined;
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.startsWith('AGE-SECRET-KEY-'));
  if (!line) throw new UserError(`${tildify(file, env)} holds no age identity (AGE-SECRET-KEY-1…)`, `restore it from a backup, or move it away and run: ${SESSION_IN_HINT} -secrets age init`);
  try {
    return { identity: line, recipient: await identityToRecipient(line), file };
  } catch {
    throw new UserError(`${tildify(file, env)} holds an invalid age identity`, `restore it from a backup, or move it away and run: ${SESSION_IN_HINT} -secrets age init`);
  }
}

export async function requireIdentity(env: NodeJS.ProcessEnv): Promise<AgeIdentity> {
  const id = await readIdentity(env);
  if (!id) {
    throw new UserError(
      `no age identity on this machine (${tildify(ageIdentityPath(env), env)})`,
      `run: ${SESSION_IN_HINT} -secrets age init, then have a machine that can read .cs/secrets.age export again`,
    );
  }
  return id;
}

/** Creates `~/.cs-secrets/age.key` (0600) unless it exists; never overwrites. */
export async function initIdentity(env: NodeJS.ProcessEnv, now: Date): Promise<{ created: boolean; id: AgeIdentity }> {
  const existing = await readIdentity(env);
  if (existing) return { created: false, id: existing };
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const dir = secretsHome(env);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = ageIdentityPath(env);
  const created = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const tmp = tempSibling(file);
  fs.writeFileSync(tmp, `# created: ${created}\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file); // no-clobber: a concurrent init keeps the first key
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { created: false, id: (await readIdentity(env))! };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { created: true, id: { identity, recipient, file } };
}

/** A default recipient name for this machine: `user@host`. */
export function localRecipientName(env: NodeJS.ProcessEnv): string {
  const clean = userAtHost(env).replace(/[^A-Za-z0-9._@+-]/g, '_');
  return /^[A-Za-z0-9_]/.test(clean) ? clean : `_${clean}`;
}

// --- recipients --------------------------------------------------------------

export interface Recipient {
  name: string;
  recipient: string;
}

const RECIPIENT_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._@+-]{0,127}$/;

export function validateRecipientName(name: string): string {
  if (!RECIPIENT_NAME_RE.test(name) || name.includes('..')) {
    throw new UsageError(`invalid recipient name '${name}'`, 'use letters, digits and . _ @ + -, e.g. alice@laptop');
  }
  return name;
}

export function validatePublicKey(pubkey: string): string {
  const key = pubkey.trim();
  try {
    new Encrypter().addRecipient(key);
  } catch {
    throw new UsageError(`'${key.slice(0, 80)}' is not an age public key`, `it looks like age1…; print it on the other machine with: ${SESSION_IN_HINT} -secrets age pubkey`);
  }
  return key;
}


/** The recipients of `.cs/age-recipients/` in `sessionDir`, by file name. Throws a UserError for a file with no valid key. */
export function listRecipients(sessionDir: string): Recipient[] {
  const dir = recipientsDir(sessionDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith('.pub'))
    .sort()
    .map((file) => parseRecipient(file, fs.readFileSync(path.join(dir, file), 'utf8')));
}

/**
 * One recipient file (`<name>.pub`, its text: the first line that is not
 * blank or a comment is the key), from the work tree or a git tree. Throws
 * a UserError when it holds no valid age public key.
 */
export function parseRecipient(file: string, text: string): Recipient {
  const key = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  const name = file.slice(0, -'.pub'.length);
  if (!key) throw new UserError(`recipient file ${path.join('.cs', 'age-recipients', file)} is empty`, `remove it with: -secrets age remove ${name}`);
  try {
    validatePublicKey(key);
  } catch {
    throw new UserError(`recipient file ${path.join('.cs', 'age-recipients', file)} holds no valid age public key`, `remove it with: -secrets age remove ${name}`);
  }
  return { name, recipient: key };
}

/** Adds or replaces a recipient; resolves to true when it replaced a different key. */
export function addRecipient(sessionDir: string, name: string, pubkey: string): { replaced: boolean; existing?: string } {
  validateRecipientName(name);
  const key = validatePublicKey(pubkey);
  // One key, one entry: the same key under a second name is recognised, not added.
  const same = listRecipients(sessionDir).find((r) => r.recipient === key && r.name !== name);
  if (same) return { replaced: false, existing: same.name };
  const dir = recipientsDir(sessionDir);
  ensureDir(dir);
  const file = path.join(dir, `${name}.pub`);
  let prior: string | undefined;
  try {
    prior = fs.readFileSync(file, 'utf8').trim();
  } catch {
    prior = undefined;
  }
  writeConfined(file, key + '\n');
  return { replaced: prior !== undefined && prior !== key };
}

export function removeRecipient(sessionDir: string, name: string): void {
  validateRecipientName(name);
  const file = path.join(recipientsDir(sessionDir), `${name}.pub`);
  if (!fs.existsSync(file)) {
    throw new UserError(`no recipient named '${name}' in this session`, 'see the names with: -secrets age list');
  }
  fs.rmSync(file);
}

// --- secrets.age ------------------------------------------------------------


function markerPath(sessionDir: string): string {
  return path.join(sessionPaths(sessionDir, '').local, 'secrets-age.json');
}

interface Marker {
  /** SHA-256 of the secrets.age we last wrote or imported. */
  file?: string;
  /**
   * Key names known right after that import or export (the file's and this
   * machine's). A key the file has, this list has, and the backend no longer
   * has is missing here: sync does not bring it back here (nor drop it).
   */
  keys?: string[];
  /** HMAC of the secrets and recipients we last exported (keyed by the local identity). */
  state?: string;
  /**
   * Per key of `keys`, a MAC (valueMacs) of the value the file had at that
   * import or export (this machine's, for a key the file lacked): what
   * changed since, here or there.
   */
  seen?: Record<string, string>;
  /** Keys `-secrets rm` removed since the last export, with the MAC of the value removed: that export lists them as removed. */
  removedHere?: Record<string, string>;
  /** SHA-256 of the sorted recipients the last export encrypted for: an import vouches for the file only for those. */
  exportedFor?: string;
}

function recipientsHash(recipients: Recipient[]): string {
  return createHash('sha256').update(recipients.map((r) => r.recipient).sort().join('\n')).digest('hex');
}

function readMarker(sessionDir: string): Marker {
  try {
    return JSON.parse(fs.readFileSync(markerPath(sessionDir), 'utf8')) as Marker;
  } catch {
    return {};
  }
}

function writeMarker(sessionDir: string, marker: Marker): void {
  const file = markerPath(sessionDir);
  writeConfined(file, JSON.stringify(marker) + '\n', 0o600);
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The HMAC key for the marker's MACs of one `purpose`, from the local identity (so they give nothing to guess secrets against). */
function macKey(id: AgeIdentity, purpose: 'state' | 'seen'): Buffer {
  return createHash('sha256').update(`cs secrets ${purpose}\0${id.identity}`).digest();
}

/**
 * A fingerprint of what an export would contain. Keyed by the local identity
 * so the marker, though machine-local, gives nothing to guess secrets against.
 */
function stateMac(id: AgeIdentity, secrets: Record<string, string>, recipients: Recipient[]): string {
  const key = macKey(id, 'state');
  const canonical = JSON.stringify([Object.entries(secrets).sort(([a], [b]) => (a < b ? -1 : 1)), recipients.map((r) => r.recipient).sort()]);
  return createHmac('sha256', key).update(canonical).digest('hex');
}

/**
 * A removed value as the `removed` list of secrets.age names it:
 * `scrypt:<salt, 32 hex>:<scrypt of the value, 64 hex>`. Salted and slow,
 * since a recipient added after the removal, who never held the value,
 * can read the list: a weak password must not fall to a quick guess. About
 * 50 ms each (Node's default cost, N = 16384), paid once per removal.
 */
function removedMark(value: string): string {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('hex')}:${scryptSync(value, salt, 32).toString('hex')}`;
}

const REMOVED_MARK = /^scrypt:([0-9a-f]{32}):([0-9a-f]{64})$/;

/** Whether `value` is the value a `removed` entry names. */
function isRemovedValue(value: string, mark: string): boolean {
  const m = REMOVED_MARK.exec(mark);
  return m !== null && timingSafeEqual(scryptSync(value, Buffer.from(m[1]!, 'hex'), 32), Buffer.from(m[2]!, 'hex'));
}

/** Per key, an HMAC of its value keyed by the local identity: the marker's `seen` and `removedHere` (the marker is plain text on disk). */
function valueMacs(id: AgeIdentity, secrets: Record<string, string>): Record<string, string> {
  const key = macKey(id, 'seen');
  return Object.fromEntries(Object.keys(secrets).sort().map((k) => [k, createHmac('sha256', key).update(`${k}\0${secrets[k]}`).digest('hex')]));
}

const has = (o: Record<string, string>, k: string) => Object.hasOwn(o, k);

/**
 * `-secrets rm KEY` on a machine that syncs secrets (it has an age
 * identity), once KEY is removed here (`localValue`: the value it had, or
 * undefined when it was not set here): where secrets.age holds KEY, notes
 * that value as removed here and exports at once, so the file lists it for
 * the other machines. 'listed': the file lists it now; 'noted': the file
 * holds it but has no recipient to export for, so the next export will;
 * 'absent': the file does not hold KEY (no other machine has it through
 * sync). A KEY not set here (a keychain that did not answer) stays known
 * with the value this machine saw, so the removal applies here too when
 * that value comes back. Throws what decryptSecretsFile and
 * exportSecretsFile throw (a UserError when the file or the identity
 * cannot be read); nothing is noted then.
 */
export async function removeFromSync(t: SyncTarget, key: string, localValue: string | undefined): Promise<'listed' | 'noted' | 'absent'> {
  const id = await readIdentity(t.env);
  if (!id) return 'absent';
  const file = secretsFilePath(t.sessionDir);
  const inFile = fs.existsSync(file) ? (await decryptSecretsFile(file, id, '.cs/secrets.age')).secrets : {};
  if (!has(inFile, key)) return 'absent';
  const before = readMarker(t.sessionDir);
  writeMarker(t.sessionDir, { ...before, removedHere: { ...before.removedHere, [key]: valueMacs(id, { [key]: inFile[key]! })[key]! } });
  if (listRecipients(t.sessionDir).length === 0) return 'noted';
  const r = await exportSecretsFile(t);
  const seen = before.seen?.[key];
  if (localValue === undefined && seen !== undefined) {
    const after = readMarker(t.sessionDir);
    writeMarker(t.sessionDir, { ...after, keys: [...new Set([...(after.keys ?? []), key])].sort(), seen: { ...after.seen, [key]: seen } });
  }
  return r.removed.includes(key) ? 'listed' : 'noted';
}

/**
 * Keys of the file that are missing here, not removed: known at the last
 * sync with the value the file still has (any value, for a marker from
 * before `seen`), or removed here with `-secrets rm` from that very value.
 * Sync leaves them missing here. A value changed elsewhere since is not
 * among them: it is newer than what went missing.
 */
function missingHere(marker: Marker, local: Record<string, string>, fileMacs: Record<string, string>): Set<string> {
  const known = new Set(marker.keys ?? []);
  return new Set(
    Object.keys(fileMacs).filter(
      (k) => !has(local, k) && ((known.has(k) && (marker.seen?.[k] === undefined || marker.seen[k] === fileMacs[k])) || marker.removedHere?.[k] === fileMacs[k]),
    ),
  );
}

/**
 * Keys `file` lists as removed that go here: the local value is the one
 * removed, and it is the value this machine held at its last sync (so one
 * set since, even the same, stays).
 */
function removalsFor(marker: Marker, local: Record<string, string>, file: SecretsFile, id: AgeIdentity): string[] {
  const known = new Set(marker.keys ?? []);
  const localMacs = valueMacs(id, local);
  return Object.keys(file.removed)
    .filter((k) => !has(file.secrets, k) && has(local, k) && known.has(k) && marker.seen?.[k] === localMacs[k] && isRemovedValue(local[k]!, file.removed[k]!))
    .sort();
}

/**
 * Keys of `file` (a FILE other than the session's) that the session's
 * secrets.age lists as removed with that very value. None when that file
 * is absent or cannot be read (the import then goes on as asked).
 */
async function removedSince(t: SyncTarget, id: AgeIdentity, file: Record<string, string>): Promise<string[]> {
  const own = secretsFilePath(t.sessionDir);
  if (!fs.existsSync(own)) return [];
  let current: SecretsFile;
  try {
    current = await decryptSecretsFile(own, id, '.cs/secrets.age');
  } catch (e) {
    if (e instanceof UserError) return [];
    throw e;
  }
  return Object.keys(file)
    .filter((k) => has(current.removed, k) && !has(current.secrets, k) && isRemovedValue(file[k]!, current.removed[k]!))
    .sort();
}

/** Key names as an error shows them: printable, and only the first few, each cut short. */
function shownKeys(keys: string[]): string {
  return keys
    .slice(0, 5)
    .map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k))
    .join(', ');
}

/** What secrets.age holds: the secrets, and the keys removed with the hash of the value each had. */
export interface SecretsFile {
  secrets: Record<string, string>;
  removed: Record<string, string>;
}

function parsePlaintext(text: string, shown: string): SecretsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  let entries: [string, unknown][];
  let removedEntries: [string, unknown][] = [];
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const obj = data as Record<string, unknown>;
    const inner = obj.format === 'cs-secrets' ? obj.secrets : obj;
    if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new UserError(`${shown} decrypted, but holds no secrets object`);
    entries = Object.entries(inner as Record<string, unknown>);
    if (obj.format === 'cs-secrets' && obj.removed !== undefined) {
      if (!obj.removed || typeof obj.removed !== 'object' || Array.isArray(obj.removed)) throw new UserError(`${shown} decrypted, but its removed list is not an object; nothing was imported`);
      removedEntries = Object.entries(obj.removed as Record<string, unknown>);
    }
  } else {
    entries = [];
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (m) entries.push([m[1]!, m[2]!.replace(/^(['"])(.*)\1$/, '$2')]);
      else if (line.trim() !== '' && !line.trim().startsWith('#')) throw new UserError(`${shown} decrypted, but is neither JSON nor KEY=value lines`);
    }
  }
  const out: Record<string, string> = {};
  const bad: string[] = [];
  for (const [k, v] of entries) {
    if (isValidKey(k) && typeof v === 'string') out[k] = v;
    else bad.push(k);
  }
  if (bad.length > 0) throw new UserError(`${shown} holds invalid entries (${shownKeys(bad)}); nothing was imported`);
  // A mark of a format this version does not know (a later one's) is kept and passed on, never applied.
  const removed: Record<string, string> = {};
  for (const [k, v] of removedEntries) {
    if (isValidKey(k) && typeof v === 'string' && v.length <= 1024) removed[k] = v;
    else bad.push(k);
  }
  if (bad.length > 0) throw new UserError(`${shown} holds invalid removed entries (${shownKeys(bad)}); nothing was imported`);
  return { secrets: out, removed };
}

/**
 * Decrypts a secrets.age file with the local identity. Throws a UserError
 * when the file is damaged, not encrypted to `id`, or holds invalid entries.
 */
export async function decryptSecretsFile(file: string, id: AgeIdentity, shown: string): Promise<SecretsFile> {
  const own = path.basename(file) === 'secrets.age' && path.basename(path.dirname(file)) === '.cs';
  return decryptSecrets(fs.readFileSync(file), id, shown, own ? 'restore it from git history: git log -- .cs/secrets.age' : 'check that FILE is the one meant: an age file (made by export-file or the age CLI)');
}

/**
 * Decrypts the bytes of a secrets.age (binary or armored) with the local
 * identity; `shown` names them in errors, `restore` is the hint for damaged
 * ones. Throws a UserError when they are damaged, not encrypted to `id`, or
 * hold invalid entries; none of the age library's messages is shown (they
 * can quote the first line, which for a plain .env given by mistake is a
 * secret).
 */
export async function decryptSecrets(data: Uint8Array, id: AgeIdentity, shown: string, restore: string): Promise<SecretsFile> {
  let bytes = data;
  const head = Buffer.from(bytes.subarray(0, 40)).toString('latin1');
  if (head.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')) {
    try {
      bytes = armor.decode(Buffer.from(bytes).toString('latin1'));
    } catch {
      throw new UserError(`${shown} is damaged (its armor does not decode); it was left as it is`, restore);
    }
  } else if (!head.startsWith('age-encryption.org/')) {
    throw new UserError(`${shown} is not an age file (it does not start with age's header); it was left as it is`, restore);
  }
  const d = new Decrypter();
  d.addIdentity(id.identity);
  let text: string;
  try {
    text = await d.decrypt(bytes, 'text');
  } catch (e) {
    const msg = errorMessage(e);
    if (/no identity matched/.test(msg)) {
      throw new UserError(
        `${shown} is not encrypted to this machine's key (${id.recipient})`,
        `add this machine on one that can read the file: ${SESSION_IN_HINT} -secrets age add ${localRecipientName(process.env)} ${id.recipient}, then export-file there and sync`,
      );
    }
    throw new UserError(`${shown} is damaged: it does not decrypt; it was left as it is`, restore);
  }
  return parsePlaintext(text, shown);
}

/**
 * The bytes of a secrets.age (binary age) holding `file` for `session`,
 * encrypted to every one of `recipients` (at least one). The plaintext is
 * the format the header describes; `removed` only when it lists a key.
 */
export async function encryptSecrets(session: string, file: SecretsFile, recipients: readonly Recipient[]): Promise<Uint8Array> {
  const enc = new Encrypter();
  for (const r of recipients) enc.addRecipient(r.recipient);
  const removedKeys = Object.keys(file.removed).sort();
  return enc.encrypt(
    JSON.stringify({
      format: 'cs-secrets',
      version: 1,
      session,
      secrets: file.secrets,
      ...(removedKeys.length > 0 ? { removed: Object.fromEntries(removedKeys.map((k) => [k, file.removed[k]!])) } : {}),
    }),
  );
}

export interface SyncTarget {
  session: string;
  sessionDir: string;
  env: NodeJS.ProcessEnv;
  /** Selected on first need when omitted, so a SessionStart with nothing to import never probes the keychain. */
  backend?: SecretBackend;
}

async function backendOf(t: SyncTarget): Promise<SecretBackend> {
  t.backend ??= (await selectBackend(t.session, t.env)).backend;
  return t.backend;
}

export interface ExportResult {
  file: string;
  count: number;
  recipients: string[];
  /** Keys only the previous file held, now stored locally and kept in the export. */
  adopted: string[];
  /** Keys whose value the file had changed since this machine's last sync (and this machine had not): taken from it. */
  updated: string[];
  /** Keys changed both here and in the file since the last sync: this machine's value was written. */
  conflicts: string[];
  /** Keys this export lists as removed for the first time (`-secrets rm` here since the last export). */
  removed: string[];
  /** Keys the existing file lists as removed, removed here now (this machine held that value at its last sync). */
  removedHere: string[];
  /** Keys kept in the file for the other machines, missing here. */
  kept: number;
}

/**
 * Writes `.cs/secrets.age` encrypted to every recipient of the session:
 * this machine's secrets; the keys the existing file holds that are
 * missing here (missingHere) as the file has them; the ones `-secrets rm`
 * removed here from the value the file holds, listed as removed (with the
 * removals the file lists already, for keys not set again). Other keys
 * only the existing file holds (new, or newer elsewhere) are adopted:
 * stored locally and kept; so is a value the file changed since this
 * machine's last sync where this machine did not (a file pulled but not
 * imported yet). A FILE other than the session's (a backup) is only
 * written: what only it holds stays in it, never stored here. When the
 * existing file cannot be read, export refuses unless `force`, since that
 * would drop secrets only other machines know.
 */
export async function exportSecretsFile(t: SyncTarget, opts: { force?: boolean; file?: string } = {}): Promise<ExportResult> {
  const recipients = listRecipients(t.sessionDir);
  if (recipients.length === 0) {
    throw new UserError('this session has no age recipients', `run: cs ${t.session} -secrets age init (adds this machine), or -secrets age add <name> <pubkey>`);
  }
  const file = opts.file ?? secretsFilePath(t.sessionDir);
  const shown = path.relative(t.sessionDir, file) || file;
  const isDefault = file === secretsFilePath(t.sessionDir);
  const secrets = await (await backendOf(t)).getAll(t.session);
  const marker = isDefault ? readMarker(t.sessionDir) : {};
  const adopted: string[] = [];
  const updated: string[] = [];
  const conflicts: string[] = [];
  const appliedHere: string[] = [];
  const kept: Record<string, string> = {};
  const removed: Record<string, string> = {};
  const fresh: string[] = [];
  const id = await readIdentity(t.env);
  if (fs.existsSync(file)) {
    try {
      if (!id) await requireIdentity(t.env);
      const theirs = await decryptSecretsFile(file, id!, shown);
      // Its removals first, as an import would take them (a keychain that was down then has the value back now).
      const gone = removalsFor(marker, secrets, theirs, id!);
      for (const k of gone) {
        await (await backendOf(t)).delete(t.session, k);
        delete secrets[k];
        appliedHere.push(k);
      }
      const fileMacs = valueMacs(id!, theirs.secrets);
      const localMacs = valueMacs(id!, secrets);
      const missing = missingHere(marker, secrets, fileMacs);
      const toAdopt: Record<string, string> = {};
      for (const [k, v] of Object.entries(theirs.secrets)) {
        if (has(secrets, k)) {
          // Unchanged here since the last sync, changed in the file since (a file pulled, not imported yet): the file's is newer.
          if (secrets[k] !== v && marker.seen?.[k] === localMacs[k] && marker.seen?.[k] !== fileMacs[k]) {
            toAdopt[k] = v;
            updated.push(k);
          } else if (secrets[k] !== v && marker.seen?.[k] !== undefined && marker.seen[k] !== fileMacs[k]) conflicts.push(k); // changed on both sides: this export keeps this machine's
          continue;
        }
        if (marker.removedHere?.[k] === fileMacs[k]) {
          removed[k] = removedMark(v);
          fresh.push(k);
        } else if (missing.has(k) || !isDefault) kept[k] = v; // a FILE of the user's (a backup) is written to, never taken in
        else toAdopt[k] = v;
      }
      for (const [k, mark] of Object.entries(theirs.removed)) if (!has(secrets, k) && !has(toAdopt, k) && !has(kept, k)) removed[k] ??= mark;
      if (Object.keys(toAdopt).length > 0) {
        await (await backendOf(t)).setMany(t.session, toAdopt);
        Object.assign(secrets, toAdopt);
        adopted.push(...Object.keys(toAdopt).filter((k) => !updated.includes(k)).sort());
      }
    } catch (e) {
      if (!opts.force || !(e instanceof UserError)) {
        if (e instanceof UserError) {
          throw new UserError(
            `cannot read the existing ${shown}, so exporting could drop secrets only other machines have: ${e.message}`,
            'export from a machine that can read it, or pass --force to replace it with this machine\'s secrets',
          );
        }
        throw e;
      }
    }
  }
  const inFile = { ...kept, ...secrets };
  const removedKeys = Object.keys(removed).sort();
  const bytes = await encryptSecrets(t.session, { secrets: inFile, removed }, recipients);
  // The default file is cs's own (inside .cs/, never through a link); a FILE
  // the user named on the command line is theirs to place anywhere.
  if (isDefault) writeConfined(file, bytes, 0o644);
  else writeFileAtomic(file, bytes, 0o644);
  if (isDefault) {
    // The removals noted are done (listed, or superseded by a newer value adopted). Known now: what the
    // file holds; and, as at an import, a key it lists as removed that this machine knew and lacks (a
    // keychain that did not answer), but not one this export listed or removed here itself.
    const seen = id ? valueMacs(id, inFile) : undefined;
    if (seen) for (const k of removedKeys) if (!has(secrets, k) && !fresh.includes(k) && !appliedHere.includes(k) && marker.seen?.[k] !== undefined) seen[k] = marker.seen[k];
    writeMarker(t.sessionDir, { file: sha256(bytes), state: id ? stateMac(id, secrets, recipients) : undefined, keys: seen ? Object.keys(seen).sort() : Object.keys(inFile).sort(), seen, exportedFor: recipientsHash(recipients) });
  }
  return { file, count: Object.keys(secrets).length, recipients: recipients.map((r) => r.name), adopted, updated: updated.sort(), conflicts: conflicts.sort(), removed: fresh.sort(), removedHere: appliedHere.sort(), kept: Object.keys(kept).length };
}

export interface ImportResult {
  file: string;
  /** Keys whose local value was added or changed. */
  changed: string[];
  /** Keys removed locally: the file lists them as removed, with the value this machine had, unchanged since its last sync. */
  removed: string[];
  /** Keys whose local value, changed here since the last sync, was kept over the file's unchanged one (`keepLocal` only). */
  keptLocal: string[];
  /** Keys changed both here and in the file since the last sync: the file's value was taken. */
  conflicts: string[];
  /** Keys of a FILE (a backup) left out: the session's secrets.age lists that value as removed since. */
  leftOut: string[];
  count: number;
}

/**
 * Decrypts secrets.age (or `file`) with the local identity and stores its
 * keys (the file wins), and removes the keys it lists as removed where the
 * local value is the one removed and unchanged since this machine's last
 * sync. With `keepLocal` (the automatic import at session start), what
 * changed here since the last sync stays: a key missing here (missingHere)
 * stays missing, and a value changed here is kept over the file's, where
 * the file's is the one this machine saw at that sync.
 */
export async function importSecretsFile(t: SyncTarget, opts: { file?: string; keepLocal?: boolean } = {}): Promise<ImportResult> {
  const file = opts.file ?? secretsFilePath(t.sessionDir);
  const shown = path.relative(t.sessionDir, file) || file;
  if (!fs.existsSync(file)) throw new UserError(`${shown} does not exist`, `create it on a machine that has the secrets: cs ${t.session} -secrets export-file`);
  const id = await requireIdentity(t.env);
  const bytes = fs.readFileSync(file);
  const { secrets: theirs, removed } = await decryptSecretsFile(file, id, shown);
  const isDefault = file === secretsFilePath(t.sessionDir);
  const marker = isDefault ? readMarker(t.sessionDir) : {};
  const backend = await backendOf(t);
  const local = await backend.getAll(t.session);
  const fileMacs = valueMacs(id, theirs);
  const localMacs = valueMacs(id, local);
  const missing = opts.keepLocal ? missingHere(marker, local, fileMacs) : new Set<string>();
  const keptLocal = Object.keys(theirs)
    .filter((k) => opts.keepLocal && has(local, k) && local[k] !== theirs[k] && marker.seen?.[k] === fileMacs[k] && marker.seen?.[k] !== localMacs[k])
    .sort();
  // A backup brings back nothing the session's own file lists as removed since (that very value).
  const leftOut = isDefault ? [] : await removedSince(t, id, theirs);
  const changed = Object.keys(theirs)
    .filter((k) => local[k] !== theirs[k] && !missing.has(k) && !keptLocal.includes(k) && !leftOut.includes(k))
    .sort();
  const conflicts = changed.filter((k) => has(local, k) && marker.seen?.[k] !== undefined && marker.seen[k] !== localMacs[k] && marker.seen[k] !== fileMacs[k]);
  const gone = removalsFor(marker, local, { secrets: theirs, removed }, id);
  const updates: Record<string, string> = {};
  for (const k of changed) updates[k] = theirs[k]!;
  if (changed.length > 0) await backend.setMany(t.session, updates);
  for (const k of gone) await backend.delete(t.session, k);
  if (isDefault) {
    const after: Record<string, string> = { ...local, ...updates };
    for (const k of gone) delete after[k];
    // Known now: the file's keys, with the value the file has (a value kept here is newer than it); and a
    // key the file lists as removed that this machine held at its last sync and lacks now (an empty
    // keychain standing in): should the value come back, the removal still applies. A key only this
    // machine has is not known: a removal listed for it is older than it.
    const seen: Record<string, string> = { ...fileMacs };
    for (const k of Object.keys(removed)) if (!has(after, k) && !has(theirs, k) && !gone.includes(k) && marker.seen?.[k] !== undefined) seen[k] = marker.seen[k];
    // A removal noted here is still to be listed while the file has the value removed.
    const pending = Object.fromEntries(Object.entries(marker.removedHere ?? {}).filter(([k, mac]) => !has(after, k) && (!has(theirs, k) || fileMacs[k] === mac)));
    // What an export would now leave as it is: the file's secrets that this machine holds too, so a change
    // made here after this import (back to the value of an earlier export, even) is exported.
    // Not vouched for: a recipient added or removed since this machine's last export (the file may not
    // be encrypted for it), or a removal noted here and not listed yet. The next export then writes.
    const inSync = Object.fromEntries(Object.entries(theirs).filter(([k]) => !missing.has(k)));
    const recipients = listRecipients(t.sessionDir);
    const vouch = marker.exportedFor === recipientsHash(recipients) && Object.keys(pending).length === 0;
    writeMarker(t.sessionDir, {
      ...marker,
      file: sha256(bytes),
      keys: Object.keys(seen).sort(),
      seen,
      state: vouch ? stateMac(id, inSync, recipients) : undefined,
      removedHere: Object.keys(pending).length > 0 ? pending : undefined,
    });
  }
  return { file, changed, removed: gone, keptLocal, conflicts, leftOut, count: Object.keys(theirs).length };
}

export type AutoStatus = 'imported' | 'exported' | 'unchanged' | 'absent' | 'no-identity' | 'no-recipients' | 'not-recipient';

/**
 * For SessionStart: imports `.cs/secrets.age` when it differs from the file
 * this machine last imported or wrote (by SHA-256). Normal reasons to skip
 * resolve to a status; a damaged file throws a UserError.
 */
export async function importIfNewer(t: SyncTarget): Promise<{ status: AutoStatus; changed: string[]; removed: string[]; keptLocal?: string[]; conflicts?: string[] }> {
  const file = secretsFilePath(t.sessionDir);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'absent', changed: [], removed: [] };
    throw e;
  }
  if (readMarker(t.sessionDir).file === sha256(bytes)) return { status: 'unchanged', changed: [], removed: [] };
  if (!(await readIdentity(t.env))) return { status: 'no-identity', changed: [], removed: [] };
  try {
    const r = await importSecretsFile(t, { keepLocal: true });
    return { status: 'imported', changed: r.changed, removed: r.removed, ...(r.keptLocal.length ? { keptLocal: r.keptLocal } : {}), ...(r.conflicts.length ? { conflicts: r.conflicts } : {}) };
  } catch (e) {
    if (e instanceof UserError && /not encrypted to this machine/.test(e.message)) return { status: 'not-recipient', changed: [], removed: [] };
    throw e;
  }
}

/**
 * The line SessionStart prints when .cs/secrets.age is there but this
 * machine cannot open it (importIfNewer: no-identity, not-recipient), with
 * the commands as they are to be run: the session's name and this
 * machine's key filled in. Which ones depends on whether this machine is
 * already listed in .cs/age-recipients (age init in the session, after the
 * file was written): then the listing has to reach a machine that can read
 * the file; otherwise that machine has to add this key.
 */
export async function unreadableAdvice(session: string, sessionDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const id = await readIdentity(env);
  if (!id) {
    return `.cs/secrets.age holds secrets this machine cannot read: it has no age key — run: cs ${session} -secrets age init && cs ${session} -sync push; then on a machine that can read it run: cs ${session} -sync pull && cs ${session} -sync push`;
  }
  const listed = listRecipients(sessionDir).find((r) => r.recipient === id.recipient);
  if (listed) {
    return `.cs/secrets.age is not encrypted to this machine yet, so its secrets are not here — this machine is recipient '${listed.name}': push that (cs ${session} -sync push); then on a machine that can read it run: cs ${session} -sync pull && cs ${session} -sync push`;
  }
  return `.cs/secrets.age is not encrypted to this machine's key (${id.recipient}), so its secrets are not here — on a machine that can read it run: cs ${session} -secrets age add ${localRecipientName(env)} ${id.recipient} && cs ${session} -sync push`;
}

/**
 * For SessionEnd: exports when the session's secrets or recipients changed
 * since this machine's last export, so an idle session does not rewrite
 * secrets.age (age output differs on every run) and dirty git.
 */
export async function exportIfChanged(t: SyncTarget): Promise<{ status: AutoStatus; count: number; removed?: string[]; conflicts?: string[] }> {
  const recipients = listRecipients(t.sessionDir);
  if (recipients.length === 0) return { status: 'no-recipients', count: 0 };
  const id = await readIdentity(t.env);
  if (!id) return { status: 'no-identity', count: 0 };
  const file = secretsFilePath(t.sessionDir);
  const hashOf = () => {
    try {
      return sha256(fs.readFileSync(file));
    } catch {
      return undefined;
    }
  };
  // A file this machine has not seen yet (pulled mid-session) is newer: take it in first.
  const taken = hashOf() !== undefined && readMarker(t.sessionDir).file !== hashOf() ? await importIfNewer(t) : undefined;
  const conflicts = taken?.conflicts?.length ? { conflicts: taken.conflicts } : {};
  const marker = readMarker(t.sessionDir);
  const secrets = await (await backendOf(t)).getAll(t.session);
  const current = hashOf();
  const unchanged = current !== undefined && marker.file === current && marker.state === stateMac(id, secrets, recipients);
  if (unchanged || (current === undefined && Object.keys(secrets).length === 0)) return { status: 'unchanged', count: Object.keys(secrets).length, ...conflicts };
  const r = await exportSecretsFile(t);
  return { status: 'exported', count: r.count, ...(r.removedHere.length ? { removed: r.removedHere } : {}), ...conflicts };
}
