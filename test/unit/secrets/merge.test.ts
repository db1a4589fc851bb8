// The per-key three-way merge of secrets.age (src/secrets/merge.ts), as a
// table: each row is one key's state in the common version, on the side
// git calls ours and on theirs, and what the merge must make of it.
import { describe, expect, it } from 'vitest';
import { describeSecretsMerge, mergeSecrets } from '../../../src/secrets/merge.js';
import type { SecretsFile } from '../../../src/secrets/age.js';

/** A key's state in one version: a value, `-` removed (with a mark), or undefined: no entry. */
type S = string | undefined;
const R1 = 'scrypt:' + '1'.repeat(32) + ':' + 'a'.repeat(64);
const R2 = 'scrypt:' + '2'.repeat(32) + ':' + 'b'.repeat(64);

function file(k: string, s: S, mark = R1): SecretsFile {
  if (s === undefined) return { secrets: {}, removed: {} };
  if (s === '-') return { secrets: {}, removed: { [k]: mark } };
  return { secrets: { [k]: s }, removed: {} };
}

describe('mergeSecrets: one key', () => {
  // [case, base, ours, theirs, local side, expected state, note]
  const table: Array<[string, S | null, S, S, 'ours' | 'theirs', S, 'conflicts' | 'keptOverRemoval' | null]> = [
    ['unchanged', 'v', 'v', 'v', 'theirs', 'v', null],
    ['changed on ours only', 'v', 'w', 'v', 'theirs', 'w', null],
    ['changed on theirs only', 'v', 'v', 'w', 'theirs', 'w', null],
    ['changed alike on both', 'v', 'w', 'w', 'theirs', 'w', null],
    ['changed differently, theirs is this machine', 'v', 'w', 'x', 'theirs', 'x', 'conflicts'],
    ['changed differently, ours is this machine', 'v', 'w', 'x', 'ours', 'w', 'conflicts'],
    ['added on ours', undefined, 'v', undefined, 'theirs', 'v', null],
    ['added on theirs', undefined, undefined, 'v', 'ours', 'v', null],
    ['added on both, differently', undefined, 'v', 'w', 'ours', 'v', 'conflicts'],
    ['file new on both sides (no base), same value', null, 'v', 'v', 'theirs', 'v', null],
    ['file new on both sides, different values', null, 'v', 'w', 'theirs', 'w', 'conflicts'],
    ['removed on ours, unchanged on theirs', 'v', '-', 'v', 'theirs', '-', null],
    ['removed on theirs, unchanged on ours', 'v', 'v', '-', 'ours', '-', null],
    ['removed on both', 'v', '-', '-', 'theirs', '-', null],
    ['removed on ours, changed on theirs: the value is newer', 'v', '-', 'w', 'ours', 'w', 'keptOverRemoval'],
    ['removed on theirs, changed on ours', 'v', 'w', '-', 'theirs', 'w', 'keptOverRemoval'],
    ['removed before, set again on ours', '-', 'v', '-', 'theirs', 'v', null],
    ['removed before, set again on both differently', '-', 'v', 'w', 'theirs', 'w', 'conflicts'],
    ['removed before, set again on one, removal kept on other', '-', '-', 'w', 'ours', 'w', null],
    ['no entry on one side (an older cs), changed on the other', 'v', undefined, 'w', 'ours', 'w', null],
    ['dropped on one side, removed on the other', 'v', undefined, '-', 'ours', '-', null],
  ];
  it.each(table)('%s', (_name, base, ours, theirs, local, want, note) => {
    const { file: out, notes } = mergeSecrets(base === null ? null : file('K', base), file('K', ours, R1), file('K', theirs, R2), local);
    if (want === undefined) expect(out).toEqual({ secrets: {}, removed: {} });
    else if (want === '-') {
      expect(out.secrets).toEqual({});
      expect(Object.keys(out.removed)).toEqual(['K']);
      expect([R1, R2]).toContain(out.removed.K);
    } else expect(out).toEqual({ secrets: { K: want }, removed: {} });
    expect(notes).toEqual({ conflicts: note === 'conflicts' ? ['K'] : [], keptOverRemoval: note === 'keptOverRemoval' ? ['K'] : [] });
  });
});

describe('mergeSecrets: whole files', () => {
  it('merges every key on its own and passes marks of an unknown format on', () => {
    const later = 'argon2:a-format-this-version-does-not-know';
    const base: SecretsFile = { secrets: { A: '1', B: '1', C: '1' }, removed: { OLD: later } };
    const ours: SecretsFile = { secrets: { A: '2', B: '1', N1: 'n' }, removed: { OLD: later, C: R1 } };
    const theirs: SecretsFile = { secrets: { A: '1', B: '3', C: '1', N2: 'm' }, removed: { OLD: later } };
    const { file: out, notes } = mergeSecrets(base, ours, theirs, 'theirs');
    expect(out).toEqual({ secrets: { A: '2', B: '3', N1: 'n', N2: 'm' }, removed: { C: R1, OLD: later } });
    expect(notes).toEqual({ conflicts: [], keptOverRemoval: [] });
  });

  it('names what it settled, keys only', () => {
    expect(describeSecretsMerge({ conflicts: [], keptOverRemoval: [] })).toBe('.cs/secrets.age had changed on both machines: merged per key');
    const many = ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7'];
    expect(describeSecretsMerge({ conflicts: many, keptOverRemoval: ['T'] })).toBe(
      ".cs/secrets.age had changed on both machines: merged per key; K1, K2, K3, K4, K5, +2 more set differently on each: kept this machine's value (the other stays in git history); T removed on one and set again on the other: kept the value",
    );
  });
});
