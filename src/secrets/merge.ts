// Two machines that each exported `.cs/secrets.age` since their last sync
// hand git two encrypted files it can only call a conflict, and keeping
// either side undoes the other's changes, removals included. Sync merges
// them here instead, per key, against the version both started from (git's
// merge base): the side that changed a key wins over the side that did not,
// as the import and export do against a machine's last sync (age.ts). Only
// this machine's age identity is needed; the keychain is not touched (the
// session start's import then brings the merged values in, as it would any
// pulled file).
import { UserError } from '../lib/errors.js';
import { firstFew } from '../lib/format.js';
import { decryptSecrets, encryptSecrets, requireIdentity, type Recipient, type SecretsFile } from './age.js';
import { SECRETS_PATH } from './keys.js';

/** What a per-key merge settled by rule rather than by one side's change alone. */
export interface SecretsMergeNotes {
  /** Keys given a value on both sides since the common version, different ones: this machine's value was kept. */
  conflicts: string[];
  /** Keys removed on one side and given a value on the other since: the value was kept. */
  keptOverRemoval: string[];
}

type KeyState = { kind: 'value'; value: string } | { kind: 'removed'; mark: string } | { kind: 'absent' };

function stateOf(f: SecretsFile | null, k: string): KeyState {
  if (f && Object.hasOwn(f.secrets, k)) return { kind: 'value', value: f.secrets[k]! };
  if (f && Object.hasOwn(f.removed, k)) return { kind: 'removed', mark: f.removed[k]! };
  return { kind: 'absent' };
}

/** Two states the same for a merge: the same value, or both removed (each side's mark is salted afresh, so marks of one removal differ). */
function same(a: KeyState, b: KeyState): boolean {
  return a.kind === b.kind && (a.kind !== 'value' || a.value === (b as { value: string }).value);
}

/**
 * The three-way merge of two secrets files, per key of any of them. `base`
 * is the version both sides started from (null when the file was created on
 * both); `local` names the side this machine wrote. Per key: a side still
 * as in `base` takes the other's state; both changed alike agree; both
 * changed differently is settled: a value over a removal (a value set
 * since a removal is newer than it), a value over no entry, a removal
 * over no entry, and between two values this machine's (named in
 * `conflicts`, as an export names it). Pure; no error.
 */
export function mergeSecrets(base: SecretsFile | null, ours: SecretsFile, theirs: SecretsFile, local: 'ours' | 'theirs'): { file: SecretsFile; notes: SecretsMergeNotes } {
  const keys = new Set([base, ours, theirs].flatMap((f) => (f ? [...Object.keys(f.secrets), ...Object.keys(f.removed)] : [])));
  const out: SecretsFile = { secrets: {}, removed: {} };
  const notes: SecretsMergeNotes = { conflicts: [], keptOverRemoval: [] };
  const rank = { value: 2, removed: 1, absent: 0 } as const;
  for (const k of [...keys].sort()) {
    const o = stateOf(base, k);
    const a = stateOf(ours, k);
    const b = stateOf(theirs, k);
    let take: KeyState;
    if (same(a, b) || same(b, o)) take = a;
    else if (same(a, o)) take = b;
    else if (a.kind !== b.kind) {
      take = rank[a.kind] > rank[b.kind] ? a : b;
      if (take.kind === 'value' && (a.kind === 'removed' || b.kind === 'removed')) notes.keptOverRemoval.push(k);
    } else {
      take = local === 'ours' ? a : b;
      if (take.kind === 'value') notes.conflicts.push(k);
    }
    if (take.kind === 'value') out.secrets[k] = take.value;
    else if (take.kind === 'removed') out.removed[k] = take.mark;
  }
  return { file: out, notes };
}

export interface SecretsVersions {
  /** The merge base's bytes; null when the file is new on both sides. */
  base: Uint8Array | null;
  ours: Uint8Array;
  theirs: Uint8Array;
  /** The side this machine wrote. */
  local: 'ours' | 'theirs';
}

/**
 * Merges the three versions of a conflicting secrets.age (mergeSecrets)
 * and encrypts the result for `recipients`: those of the merged tree, so a
 * recipient removed on either side is not encrypted for. Throws a UserError
 * saying why when this machine cannot do it (no age identity, a version
 * not encrypted to it or damaged, no recipient left); the caller then
 * leaves the conflict to the user as before.
 */
export async function mergeSecretsVersions(v: SecretsVersions, recipients: readonly Recipient[], session: string, env: NodeJS.ProcessEnv): Promise<{ bytes: Uint8Array; notes: SecretsMergeNotes }> {
  const id = await requireIdentity(env);
  if (recipients.length === 0) throw new UserError('the merged session has no age recipients');
  const hint = 'the versions stay in git history: git log -- .cs/secrets.age';
  const read = (bytes: Uint8Array, which: string) => decryptSecrets(bytes, id, `${SECRETS_PATH} (${which})`, hint);
  const base = v.base ? await read(v.base, 'the common version') : null;
  const ours = await read(v.ours, v.local === 'ours' ? "this machine's" : "the remote's");
  const theirs = await read(v.theirs, v.local === 'theirs' ? "this machine's" : "the remote's");
  const { file, notes } = mergeSecrets(base, ours, theirs, v.local);
  return { bytes: await encryptSecrets(session, file, recipients), notes };
}

/**
 * One line for the user about a merge of secrets.age (no value, only key
 * names, at most five of each, as shownKeys does): that it happened, and
 * what was settled by rule.
 */
export function describeSecretsMerge(notes: SecretsMergeNotes): string {
  const parts = [`${SECRETS_PATH} had changed on both machines: merged per key`];
  if (notes.conflicts.length) parts.push(`${firstFew(notes.conflicts, 5)} set differently on each: kept this machine's value (the other stays in git history)`);
  if (notes.keptOverRemoval.length) parts.push(`${firstFew(notes.keptOverRemoval, 5)} removed on one and set again on the other: kept the value`);
  return parts.join('; ');
}
