// The picker's pure parts: day groups (local calendar days, injected clock),
// filtering, row building and the scroll window.
import { describe, expect, it } from 'vitest';
import { buildRows, groupOf, matches } from '../../../src/commands/pick.js';
import { glyphs, keysHelp, sessionCells, truncate, visibleWindow, NEW_VALUE, type Row } from '../../../src/term/picker.js';
import type { SessionSummary } from '../../../src/session/summary.js';

// Local times, so the tables hold in every time zone.
const now = new Date(2025, 2, 12, 10, 30); // Wed 12 March 2025, 10:30

function session(name: string, lastUsed: Date, extra: Partial<SessionSummary> = {}): SessionSummary {
  return { name, dir: `/s/${name}`, adopted: false, lastUsed: lastUsed.toISOString(), objective: '', discoveries: 0, artifacts: 0, sync: 'none', location: 'local', open: false, tags: [], archived: false, ...extra };
}

describe('groupOf', () => {
  const cases: Array<[string, Date, string]> = [
    ['a minute ago', new Date(2025, 2, 12, 10, 29), 'Today'],
    ['just after midnight', new Date(2025, 2, 12, 0, 1), 'Today'],
    ['in the future (clock skew)', new Date(2025, 2, 13, 9, 0), 'Today'],
    ['yesterday late evening', new Date(2025, 2, 11, 23, 59), 'Yesterday'],
    ['yesterday just after midnight', new Date(2025, 2, 11, 0, 0), 'Yesterday'],
    ['two days ago', new Date(2025, 2, 10, 12, 0), 'This week'],
    ['six days ago', new Date(2025, 2, 6, 0, 0), 'This week'],
    ['seven days ago', new Date(2025, 2, 5, 23, 0), 'Older'],
    ['last year', new Date(2024, 5, 1), 'Older'],
  ];
  it.each(cases)('%s → %s', (_what, when, group) => {
    expect(groupOf(when, now)).toBe(group);
  });

  it('counts calendar days across a month boundary', () => {
    expect(groupOf(new Date(2025, 1, 28, 23, 0), new Date(2025, 2, 1, 1, 0))).toBe('Yesterday');
  });
});

describe('matches', () => {
  const s = { name: 'fix-login', objective: 'Refresh tokens expire too early', location: 'mini' };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['login', true],
    ['LOGIN', true],
    ['refresh', true],
    ['login expire', true],
    ['login billing', false],
    ['mini', true],
    ['zzz', false],
  ];
  it.each(cases)('%j → %s', (q, want) => expect(matches(s, q)).toBe(want));

  const tagged = { ...s, tags: ['client-x', 'urgent'] };
  const tagCases: Array<[string, boolean]> = [
    ['#urgent', true],
    ['#URG', true],
    ['#client-x login', true],
    ['#billing', false],
    ['#urgent billing', false],
    // A tag word matches tags only, not the name or objective.
    ['#login', false],
  ];
  it.each(tagCases)('tags: %j → %s', (q, want) => expect(matches(tagged, q)).toBe(want));
  it('a #tag word matches nothing on an untagged session', () => expect(matches(s, '#urgent')).toBe(false));
});

describe('truncate', () => {
  it.each([
    ['abcdef', 10, 'abcdef'],
    ['abcdef', 6, 'abcdef'],
    ['abcdef', 4, 'abc…'],
    ['abcdef', 1, '…'],
    ['abcdef', 0, ''],
  ] as const)('%s in %i → %s', (s, w, want) => expect(truncate(s, w)).toBe(want));
});

describe('sessionCells', () => {
  const s = session('api', now, { objective: 'Find why the API returns 502 under load', discoveries: 3, artifacts: 12, open: true });
  it('shows name, objective, counts and location, fitted to the width', () => {
    const c = sessionCells(s, 8, 60, glyphs(false));
    expect(c.name).toBe('● api     ');
    expect(c.stats).toBe(' 3 disc  12 art');
    expect(c.location).toBe('local');
    const line = `${c.name}  ${c.objective}  ${c.stats}  ${c.location}`;
    expect([...line].length).toBe(60);
    expect(c.objective).toBe('Find why the API return…');
  });
  it('shows the tags before the objective', () => {
    const c = sessionCells({ ...s, tags: ['ops', 'p1'] }, 8, 60, glyphs(false));
    expect(c.objective).toBe('#ops #p1 Find why the A…') // the same 24 columns as without tags;
  });
  it('uses Nerd Font icons when asked', () => {
    const c = sessionCells({ ...s, location: 'mini' }, 8, 80, glyphs(true));
    expect(c.stats).toContain('\uf0eb 3');
    expect(c.stats).toContain('\uf15b 12');
    expect(c.location).toBe('\uf233 mini');
    expect(c.name.startsWith('\uf111')).toBe(true);
  });
});

describe('buildRows', () => {
  const sessions = [
    session('today-a', new Date(2025, 2, 12, 9, 0), { objective: 'billing export' }),
    session('today-b', new Date(2025, 2, 12, 8, 0)),
    session('yday', new Date(2025, 2, 11, 18, 0), { objective: 'billing bug' }),
    session('old', new Date(2024, 11, 1)),
  ];
  const shape = (rows: Row[]) => rows.map((r) => (r.kind === 'header' ? `# ${r.group}` : r.kind === 'new' ? `+ ${r.name ?? ''}` : r.value));

  it('groups all sessions under day headers, then the new-session row', () => {
    expect(shape(buildRows(sessions, '', now, glyphs(false), 80))).toEqual(['# Today', 'today-a', 'today-b', '# Yesterday', 'yday', '# Older', 'old', '+ ']);
  });
  it('drops headers of groups without matches', () => {
    expect(shape(buildRows(sessions, 'billing', now, glyphs(false), 80))).toEqual(['# Today', 'today-a', '# Yesterday', 'yday', '+ billing']);
  });
  it('offers the query as a new name only when it is usable and not taken', () => {
    expect(shape(buildRows(sessions, 'yday', now, glyphs(false), 80)).at(-1)).toBe('+ ');
    expect(shape(buildRows(sessions, 'new thing', now, glyphs(false), 80))).toEqual(['+ ']);
    expect(shape(buildRows(sessions, 'fresh-one', now, glyphs(false), 80))).toEqual(['+ fresh-one']);
  });
  it('works with no sessions at all', () => {
    const rows = buildRows([], '', now, glyphs(false), 80);
    expect(rows).toEqual([{ kind: 'new', value: NEW_VALUE, name: null }]);
  });
});

describe('visibleWindow', () => {
  it.each([
    [5, 0, 10, { start: 0, end: 5 }],
    [30, 0, 10, { start: 0, end: 10 }],
    [30, 12, 10, { start: 7, end: 17 }],
    [30, 29, 10, { start: 20, end: 30 }],
  ] as const)('%i rows, cursor %i, room %i', (total, cursor, room, want) => expect(visibleWindow(total, cursor, room)).toEqual(want));
});

describe('keysHelp: the key help fits the width, dropping the least needed first, Esc quit last', () => {
  it.each([
    [120, '↑/↓ PgUp/PgDn move · Enter resume · Tab actions · #tag filters by tag · Esc quit'],
    [70, '↑/↓ PgUp/PgDn move · Enter resume · Tab actions · Esc quit'],
    [56, '↑/↓ PgUp/PgDn move · Enter resume · Esc quit'],
    [36, 'Enter resume · Esc quit'],
    [12, 'Esc quit'],
    [6, 'Esc q…'],
  ])('%i columns', (width, help) => {
    expect(keysHelp(width)).toBe(help);
    expect([...keysHelp(width)].length).toBeLessThanOrEqual(width);
  });
});
