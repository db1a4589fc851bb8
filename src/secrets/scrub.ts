// Known secret values out of everything cs shows or ships (issue #18): each
// value stored for a session becomes `[secret: KEY]` in search results,
// timeline and log lines, and transcripts. Values shorter than
// MIN_SCRUB_LENGTH are left alone: a 4-character value would shred ordinary
// text wherever it happens to occur.
import * as fs from 'node:fs';
import { sessionEnvFilePath } from './keys.js';
import { crypto } from '../lib/lazy-crypto.js';
import type { ProbeMemo } from './backend.js';

export const MIN_SCRUB_LENGTH = 8;

export function secretMarker(key: string): string {
  return `[secret: ${key}]`;
}

/** The forms a value takes in text: as is, and JSON-escaped (transcripts, JSON answers). */
function forms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return json === value ? [value] : [value, json];
}

/** Ends a key in withValueLines' record: no key name holds it. */
const LINE_OF = '\n';

/**
 * `secrets` with each line of a multi-line value (a private key) as a value
 * of its own, trimmed, when at least MIN_SCRUB_LENGTH long (key `KEY\n<n>`;
 * lineMarker shows it as KEY): for text read a line at a time (search), and
 * for a file Claude read, which a transcript holds with a number before each
 * line: the whole value is never there to be taken out.
 */
export function withValueLines(secrets: Readonly<Record<string, string>>): Record<string, string> {
  const out = { ...secrets };
  for (const [key, value] of Object.entries(secrets)) {
    if (!value.includes('\n')) continue;
    value.split('\n').forEach((line, i) => {
      const piece = line.trim();
      if (piece.length >= MIN_SCRUB_LENGTH) out[`${key}${LINE_OF}${i}`] = piece;
    });
  }
  return out;
}

/** secretMarker for the keys of withValueLines. */
export function lineMarker(key: string): string {
  return secretMarker(key.split(LINE_OF, 1)[0]!);
}

export interface ScrubResult {
  text: string;
  /** How many occurrences were replaced. */
  count: number;
}

/**
 * Replaces every occurrence of each value in `secrets` (key -> value) that
 * is at least MIN_SCRUB_LENGTH long with `[secret: KEY]` (or `marker(KEY)`),
 * longest values first so a value containing another is replaced whole.
 */
export function scrubKnown(text: string, secrets: Readonly<Record<string, string>>, marker: (key: string) => string = secretMarker): ScrubResult {
  const pairs = Object.entries(secrets)
    .filter(([, v]) => v.length >= MIN_SCRUB_LENGTH)
    .flatMap(([k, v]) => forms(v).map((f) => [k, f] as const))
    .sort((a, b) => b[1].length - a[1].length);
  let count = 0;
  let out = text;
  for (const [key, value] of pairs) {
    if (!out.includes(value)) continue;
    const parts = out.split(value);
    count += parts.length - 1;
    out = parts.join(marker(key));
  }
  return { text: out, count };
}

/**
 * `text` with each stored value in it as the `${KEY}` reference that would
 * take its place, and the keys of those found: what a file or a handoff
 * would say once it reads its secrets instead of holding them. The detector
 * then looks at that text, so a stored value is named once, by its key.
 */
export function knownAsReferences(text: string, secrets: Readonly<Record<string, string>>): { text: string; keys: string[] } {
  const keys = new Set<string>();
  const r = scrubKnown(text, secrets, (key) => {
    keys.add(key);
    return `\${${key}}`;
  });
  return { text: r.text, keys: [...keys] };
}

/**
 * Texts (with the stored secrets they were checked against) in which the
 * detector found nothing: its answer depends on nothing else, and the hook
 * endpoint of a long session checks the same targets (a file read, edited,
 * read again) over and over, at a few ms of CPU each. Bounded; in memory
 * only, as digests.
 */
const clean = new Set<string>();
const CLEAN_MAX_TEXT = 4096;
const CLEAN_MAX_ENTRIES = 4096;

/**
 * Runs the file detector over one line of text as if it were a shell
 * command (`export GITHUB_TOKEN=ghp_…`, `curl -H "Authorization: Bearer …"`)
 * and replaces what it finds with `[secret: KEY]`. `fresh` lists values the
 * session does not hold yet (the caller stores them, so later scrubbing of
 * transcripts knows them too).
 */
export async function scrubDetected(text: string, stored: Readonly<Record<string, string>>): Promise<ScrubResult & { fresh: { key: string; value: string }[] }> {
  // Loaded here, not with this module: search, notifications and the page only scrub known values.
  const { findSecrets, nothingToDetect } = await import('./detect.js');
  // Most targets (a path, `ls -la`) cannot hold anything the detector finds: no secretlint run.
  if (nothingToDetect(text)) return { text, count: 0, fresh: [] };
  // A digest, so the cache holds no copy of a stored value or of the text.
  const key = text.length <= CLEAN_MAX_TEXT ? crypto().createHash('sha256').update(JSON.stringify(Object.entries(stored).sort())).update('\0').update(text).digest('base64') : null;
  if (key !== null && clean.has(key)) return { text, count: 0, fresh: [] };
  const { providerSpans } = await import('./providers.js');
  const r = findSecrets('command.sh', text, { stored, spans: await providerSpans('command.sh', text) });
  if (r.secrets.length === 0) {
    if (key !== null) {
      if (clean.size >= CLEAN_MAX_ENTRIES) clean.clear();
      clean.add(key);
    }
    return { text, count: 0, fresh: [] };
  }
  let count = 0;
  // eslint-disable-next-line no-control-regex
  const out = r.content.replace(/\u0000cs-secret:([A-Za-z_][A-Za-z0-9_]*)\u0000/g, (_m, key: string) => {
    count++;
    return secretMarker(key);
  });
  return { text: out, count, fresh: r.fresh };
}

/** Undoes one `'…'` word of exportLines(): `'it'\''s'` -> `it's`. */
function unquote(word: string): string {
  return word.replace(/'\\''/g, "'").replace(/^'|'$/g, '');
}

/**
 * Every value a session is known to hold (key -> value): its store's (a
 * feature's are its base's, src/features/ref.ts) and, over them, the running
 * session's env file of secrets for Bash. A store that cannot be read adds
 * nothing; never throws. `probes`: one keychain probe shared by the calls
 * of a command over many sessions (src/secrets/backend.ts);
 * `keychainListed` as for sessionSecrets.
 */
export async function knownSessionSecrets(session: string, env: NodeJS.ProcessEnv, probes?: ProbeMemo, keychainListed?: ReadonlySet<string> | null): Promise<Record<string, string>> {
  const { secretsOwner } = await import('../features/ref.js');
  const stored = await sessionSecrets(secretsOwner(session), env, probes, keychainListed).catch(() => ({}));
  return { ...stored, ...runningSessionSecrets(session, env) };
}

/**
 * `text` as cs may keep it for `session`: each stored value replaced by
 * `[secret: KEY]`, and each value the detector finds in it (scrubDetected:
 * a `ghp_…` token, `AWS_SECRET=…`) stored for the session first (named as a
 * capture names it) and replaced the same way. For what cs writes into the
 * session from the user's own words (a queued task goes to queue.json, its
 * journal and the timeline, all committed and shown on the page); Claude
 * reads such a value from its environment variable KEY (the running
 * session's env file is rewritten with it). Returns the text and the keys
 * stored now. Throws UserError when a value found cannot be stored: the
 * text is then not to be kept at all.
 */
export async function scrubForSession(session: string, env: NodeJS.ProcessEnv, text: string): Promise<{ text: string; stored: string[] }> {
  const known = await knownSessionSecrets(session, env);
  const found = await scrubDetected(scrubKnown(text, known).text, known);
  if (found.fresh.length === 0) return { text: found.text, stored: [] };
  const fresh = Object.fromEntries(found.fresh.map((f) => [f.key, f.value]));
  try {
    const [{ secretsOwner }, { selectBackend }, { writeSessionEnvFile }] = await Promise.all([import('../features/ref.js'), import('./backend.js'), import('./store.js')]);
    const { backend } = await selectBackend(secretsOwner(session), env);
    await backend.setMany(secretsOwner(session), fresh);
    writeSessionEnvFile(session, await backend.getAll(secretsOwner(session)), env);
  } catch (e) {
    const { UserError } = await import('../lib/errors.js');
    throw new UserError(`the text holds a secret (${Object.keys(fresh).join(', ')}) that could not be stored for '${session}': ${(e as Error).message}`, `store it first (cs ${session} -secrets set KEY), then write $KEY where it goes`);
  }
  return { text: found.text, stored: Object.keys(fresh) };
}

/**
 * scrubForSession for what a hook records (a held permission request's
 * summary, a discovery's title): the values it finds are stored, and said in
 * `log`; one that cannot be stored is still left out of the text (a hook has
 * no one to refuse to), and the log says why.
 */
export async function scrubForRecord(session: string, env: NodeJS.ProcessEnv, text: string, what: string, log: (line: string) => void): Promise<string> {
  try {
    const r = await scrubForSession(session, env, text);
    if (r.stored.length > 0) log(`secrets found in ${what} stored: ${r.stored.join(', ')}`);
    return r.text;
  } catch (e) {
    log(`secrets found in ${what} could not be stored: ${(e as Error).message}`);
    return scrubAll(session, env, text);
  }
}

/**
 * `text` with each stored value of `session` and each value the detector
 * finds replaced by `[secret: KEY]`, storing nothing: for what cs keeps only
 * to be read (a postmortem's copy of the terminal). Never throws.
 */
export async function scrubAll(session: string, env: NodeJS.ProcessEnv, text: string): Promise<string> {
  const known = await knownSessionSecrets(session, env);
  return (await scrubDetected(scrubKnown(text, known).text, known)).text;
}

/** The line telling the user scrubForSession stored values it found: "the task held a secret: stored as GITHUB_TOKEN …". */
export function storedNotice(stored: readonly string[]): string {
  return `the task held ${stored.length === 1 ? 'a secret' : 'secrets'}: stored as ${stored.join(', ')} and queued as [secret: KEY] (Claude reads $KEY)`;
}

/**
 * `x` (JSON data) with each of `known`'s values replaced by `[secret: KEY]`
 * in every string, escaped or not (scrubKnown matches a value's JSON form
 * too): what a session's own files hold is scrubbed again on the way out
 * (a value stored after the text was written).
 */
export function scrubJson<T>(x: T, known: Readonly<Record<string, string>>, marker: (key: string) => string = secretMarker): T {
  return Object.keys(known).length === 0 ? x : (JSON.parse(scrubKnown(JSON.stringify(x), known, marker).text) as T);
}

/**
 * The secrets of a running session as written to its env file (no keychain
 * round trip, so hooks can afford it); {} when the session is not running.
 */
export function runningSessionSecrets(session: string, env: NodeJS.ProcessEnv): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(sessionEnvFilePath(session, env), 'utf8');
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  // exportLines() writes `export KEY='value'`, the value possibly spanning lines.
  for (const m of text.matchAll(/^export ([A-Za-z_][A-Za-z0-9_]*)=('(?:[^']|'\\'')*')$/gm)) out[m[1]!] = unquote(m[2]!);
  return out;
}

/**
 * A session's stored secrets from its backend; {} when it has none or none
 * can be read (the caller says so). `keychainListed`: the sessions listed as
 * holding keychain secrets (keychain-index.ts, complete for their root):
 * the keychain is not asked about another.
 */
export async function sessionSecrets(session: string, env: NodeJS.ProcessEnv, probes?: ProbeMemo, keychainListed?: ReadonlySet<string> | null): Promise<Record<string, string>> {
  if (keychainListed && !keychainListed.has(session)) {
    // None in the keychain (the list is complete): only the encrypted file can hold some, and
    // knowing that takes no keychain probe (loading the keychain module and a D-Bus round trip).
    const file = new (await import('./encrypted.js')).EncryptedFileBackend(env);
    return file.hasStore(session) ? file.getAll(session) : {};
  }
  const { selectBackend } = await import('./backend.js');
  const { backend } = await selectBackend(session, env, { probes });
  return backend.getAll(session);
}

/**
 * The sessions of sessions root `root` that hold keychain secrets, the list
 * made complete first when it is not (asking the keychain about each
 * session of the root, archived ones too; a feature's secrets are its
 * base's); null when the keychain is not what holds secrets here, or did not
 * answer: every session is then asked, as before. For knownSessionSecrets'
 * `keychainListed`. `probes`: the command's one keychain probe.
 */
export async function listedForRoot(env: NodeJS.ProcessEnv, root: string, probes?: ProbeMemo): Promise<Set<string> | null> {
  const index = await import('./keychain-index.js');
  const listed = index.keychainSessions(env, root);
  if (listed) return listed;
  try {
    const { selectBackend } = await import('./backend.js');
    const { backend } = await selectBackend(undefined, env, { probes });
    if (backend.name !== 'keychain') return null;
    const names = (await import('../session/find.js')).sessionEntries(root);
    return await index.completeKeychainIndex(env, root, names, async (s) => (await backend.list(s)).length > 0);
  } catch {
    return null;
  }
}
