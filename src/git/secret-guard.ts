// The last gate before git: a file that holds a secret value is left out of
// what cs commits (the session commit, the autosave snapshot), whatever put
// the value there. Capture keeps secrets out of the scripts and configs
// Claude writes with Write; an Edit, a Bash redirect, a file type capture
// does not take, or the user's own typing reach the workspace without it,
// and from there a commit would carry the value into history and, with
// sync, to the remote. The file itself is left as it is (it is not cs's to
// rewrite); the caller says which were left out and why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstFew } from '../lib/format.js';
import type { Repo } from './repo.js';

/** Files bigger than this are not read (bytes): generated data, not where a hand-written secret sits. */
const MAX_BYTES = 2 * 1024 * 1024;
/** A NUL in this many first bytes: a binary file, not read further (bytes). */
const BINARY_PROBE = 8192;

export interface SecretFile {
  /** As git names it: relative to the repository, '/'-separated. */
  path: string;
  /** `path` as cs may say it: a value in the path itself as `[secret: KEY]`. */
  shown: string;
  /** The names of what was found: a stored secret's key, or the name the detector gives a value. */
  keys: string[];
  /** Those of `keys` that are stored secrets' keys (their values are in the file as they are stored). */
  stored: string[];
}

/**
 * The files among `paths` (relative to `dir`, as git lists them) whose text
 * holds a secret: a value of `known` (as is or JSON-escaped, at least
 * MIN_SCRUB_LENGTH long: scrubKnown's rule) or one the secret detector finds
 * (findSecrets with secretlint's provider rules, as capture uses them).
 * Files that are gone, unreadable, binary or over MAX_BYTES are not looked
 * at. A file that is there and whose path holds such a value (a token as a
 * folder or file name) counts too: git keeps the path in the tree, and the
 * session commit's message names it. Pure but for reading the files; never
 * throws for a file.
 */
async function filesWithSecrets(dir: string, paths: readonly string[], known: Readonly<Record<string, string>>): Promise<SecretFile[]> {
  const out: SecretFile[] = [];
  const { knownAsReferences, scrubDetected, scrubKnown } = await import('../secrets/scrub.js');
  const { findSecrets, nothingToDetect } = await import('../secrets/detect.js');
  for (const rel of paths) {
    const keys = new Set<string>();
    // A deleted path is let go: its deletion takes the value out of the next tree.
    const inPath = lexists(path.join(dir, rel)) ? await scrubDetected(scrubKnown(rel, known).text, known) : null;
    if (inPath && inPath.text !== rel) for (const m of inPath.text.matchAll(/\[secret: ([A-Za-z_][A-Za-z0-9_]*)\]/g)) keys.add(m[1]!);
    const shown = inPath && keys.size > 0 ? inPath.text : rel;
    const text = readText(path.join(dir, rel));
    if (text === null) {
      if (keys.size) out.push({ path: rel, shown, keys: [...keys], stored: [] });
      continue;
    }
    // The detector reads the text with each stored value as the reference that would replace it:
    // a stored value is named once, by its key, not again by the detector's name for it. What it
    // could miss that way is a stored value, which keeps the file out already.
    const { text: rest, keys: stored } = knownAsReferences(text, known);
    for (const k of stored) keys.add(k);
    // secretlint's rules (providers.js) load only for a text the detector could find something in.
    if (!nothingToDetect(rest)) {
      const name = path.posix.basename(rel);
      const { providerSpans } = await import('../secrets/providers.js');
      for (const s of findSecrets(name, rest, { stored: known, spans: await providerSpans(name, rest) }).secrets) keys.add(s.key);
    }
    if (keys.size) out.push({ path: rel, shown, keys: [...keys], stored });
  }
  return out;
}

function lexists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false; // gone, or a parent is no folder: nothing there to commit
  }
}

/** A regular file's text, or null (missing, a link or not a file, too big, binary, unreadable). */
function readText(file: string): string | null {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || st.size > MAX_BYTES) return null;
    const data = fs.readFileSync(file);
    if (data.subarray(0, BINARY_PROBE).includes(0)) return null;
    return data.toString('utf8');
  } catch {
    return null;
  }
}

/**
 * One line for the user: which files were left out of `what` and what to do.
 * A value that is stored already needs only the file changed to read it; one
 * that is not needs storing first.
 */
export function leftOutNotice(files: readonly SecretFile[], what: string, session: string): string {
  const named = files.map((f) => `${f.shown} (${f.keys.join(', ')})`);
  // A value in a file's name is not fixed by storing it: the file needs another name.
  const renamed = files.some((f) => f.shown !== f.path) ? '; a file named with one: rename it' : '';
  const stored = [...new Set(files.flatMap((f) => f.stored))];
  const fresh = files.some((f) => f.keys.some((k) => !f.stored.includes(k)));
  const are = (keys: readonly string[]) => `${firstFew(keys)} ${keys.length === 1 ? 'is' : 'are'} stored already`;
  const fix = fresh
    ? `store it (cs ${session} -secrets set KEY${stored.length ? `; ${are(stored)}` : ''}) and have the file read $KEY`
    : `${are(stored)}: have the file read ${stored.length === 1 ? `$${stored[0]}` : '$KEY'} instead of the value`;
  return `left out of ${what}, as ${files.length === 1 ? 'it holds' : 'they hold'} a secret value: ${firstFew(named)} — ${fix}${renamed}, then it goes in with the next one`;
}

/**
 * The guard at a snapshot, in the index `env` names (GIT_INDEX_FILE: the
 * autosave's and the records' own; {}: the session commit's):
 * the paths the index changes against `base` (a commit or tree; null: every
 * path) that hold a secret (filesWithSecrets) are put back as `base` has
 * them (out of the index when it has none). Returns them; the caller says so.
 */
export async function keepSecretsOut(repo: Repo, env: Record<string, string>, base: string | null, known: Readonly<Record<string, string>>): Promise<SecretFile[]> {
  const changed = (await repo.raw(base ? ['diff-index', '--cached', '--name-only', '--no-renames', '-z', base] : ['ls-files', '-z'], env)).split('\0').filter(Boolean);
  const withSecrets = changed.length ? await filesWithSecrets(repo.dir, changed, known) : [];
  if (withSecrets.length) {
    const paths = withSecrets.map((f) => f.path);
    await repo.raw(base ? ['reset', '-q', base, '--', ...paths] : ['rm', '-q', '--cached', '--', ...paths], env);
  }
  return withSecrets;
}
