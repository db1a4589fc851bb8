// Pure parts of feature sessions: names, list order, record marking.
import { describe, expect, it } from 'vitest';
import { featuresUnderBases } from '../../../src/features/order.js';
import { markChanges, markDiscoveries, markTimeline } from '../../../src/features/fold.js';
import { parseFeatureRef, secretsOwner, sessionRefProblem, validateSessionRef } from '../../../src/features/ref.js';
import { workPaths } from '../../../src/features/model.js';
import { buildRows } from '../../../src/commands/pick.js';
import { glyphs } from '../../../src/term/picker.js';
import type { SessionSummary } from '../../../src/session/summary.js';

describe('feature refs', () => {
  const ok: Array<[string, string, string]> = [
    ['api@retry', 'api', 'retry'],
    ['my.app@fix_2', 'my.app', 'fix_2'],
  ];
  it.each(ok)('%s → base %s, feature %s', (word, base, feature) => {
    expect(parseFeatureRef(word)).toEqual({ base, feature, name: word });
    expect(validateSessionRef(word)).toBe(word);
    expect(secretsOwner(word)).toBe(base);
  });
  const bad: Array<[string, string]> = [
    ['@x', 'session name is empty'],
    ['api@', 'feature name is empty'],
    ['api@-x', `feature name '-x' starts with "-"`],
    ['api@.x', `feature name '.x' starts with "."`],
    ['api@a@b', `feature name 'a@b' contains "@"`],
    ['../x@y', 'starts with "."'],
    ['a/b@y', 'contains characters other than'],
    // Valid session names that git refuses as branch names (cs/<feature>).
    ['base@x..y', `feature name 'x..y' contains ".."`],
    ['base@y.lock', `feature name 'y.lock' ends with ".lock"`],
    ['base@z.', `feature name 'z.' ends with "."`],
  ];
  it.each(bad)('%s is refused: %s', (word, why) => {
    expect(sessionRefProblem(word)).toContain(why);
    expect(() => validateSessionRef(word)).toThrow(why);
  });
  it('plain names keep their rules', () => {
    expect(parseFeatureRef('api')).toBeNull();
    expect(validateSessionRef('api')).toBe('api');
    expect(sessionRefProblem('-api')).toContain('starts with "-"');
    expect(secretsOwner('api')).toBe('api');
  });
});

describe('featuresUnderBases', () => {
  const n = (...names: string[]) => names.map((name) => ({ name }));
  const cases: Array<[string, string[], string[]]> = [
    ['features move under their base', ['a@x', 'b', 'a', 'a@y'], ['b', 'a', 'a@x', 'a@y']],
    ['a feature without its base keeps its place', ['z@x', 'b'], ['z@x', 'b']],
    ['nothing to move', ['a', 'b'], ['a', 'b']],
  ];
  it.each(cases)('%s', (_what, input, expected) => {
    expect(featuresUnderBases(n(...input)).map((i) => i.name)).toEqual(expected);
  });
});

describe('picker rows', () => {
  const now = new Date(2025, 2, 12, 10, 30);
  const s = (name: string, lastUsed: Date): SessionSummary => ({ name, dir: `/s/${name}`, adopted: false, lastUsed: lastUsed.toISOString(), objective: '', discoveries: 0, artifacts: 0, sync: 'none', location: 'local', open: false, status: '', statusAt: '' }) as SessionSummary;
  it('lists a feature under its base, in the base group, even when used on another day', () => {
    const rows = buildRows([s('app@x', now), s('other', new Date(2025, 2, 11, 9)), s('app', new Date(2025, 2, 1))], '', now, glyphs(false), 100);
    expect(rows.map((r) => (r.kind === 'header' ? `[${r.group}]` : r.kind === 'session' ? r.value : 'new'))).toEqual(['[Yesterday]', 'other', '[Older]', 'app', 'app@x', 'new']);
  });
  it('offers a new feature of an existing base', () => {
    const rows = buildRows([s('app', now)], 'app@new', now, glyphs(false), 100);
    expect(rows.at(-1)).toEqual({ kind: 'new', value: '\0new', name: 'app@new' });
    expect(buildRows([s('app', now)], 'nobase@new', now, glyphs(false), 100).at(-1)).toMatchObject({ name: null });
  });
});

describe('marking folded records', () => {
  it('discoveries: headings get the feature; loose text gets a heading of its own', () => {
    expect(markDiscoveries(['', '## Cache bug', 'stale after 5 min', ''], 'f')).toEqual(['## Cache bug [feature f]', 'stale after 5 min']);
    expect(markDiscoveries(['- a loose note'], 'f')).toEqual(['## From feature f', '', '- a loose note']);
    expect(markDiscoveries(['', '  '], 'f')).toEqual([]);
  });
  it('changes lines get the feature; timeline objects a feature field; torn lines dropped', () => {
    expect(markChanges(['- [2025-01-01 10:00:00] Write: a.ts', ''], 'f')).toEqual(['- [2025-01-01 10:00:00] Write: a.ts (feature f)']);
    expect(markTimeline(['{"type":"tool","name":"Write"}', '{"type":"to', '[1]'], 'f')).toEqual(['{"type":"tool","name":"Write","feature":"f"}']);
  });
  it("workPaths leaves cs's own records out", () => {
    expect(workPaths(['.cs/logs/session.log', '.cs', 'src/a.ts', '.csrc'])).toEqual(['src/a.ts', '.csrc']);
  });
});
