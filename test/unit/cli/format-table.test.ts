// table() lays out columns; tableWidth() gives the length of its longest
// line without making the lines (cs -ls fits its OBJECTIVE column with it).
import { describe, expect, it } from 'vitest';
import { firstFew, table, tableWidth } from '../../../src/lib/format.js';

const longest = (lines: string[]) => lines.reduce((n, l) => Math.max(n, l.length), 0);

describe('table', () => {
  it('pads every column but the last to its longest cell, two spaces apart, trimmed', () => {
    expect(table(['NAME', 'N', 'SYNC'], [['alpha', '2', '-'], ['b', '10', 'auto']])).toEqual(['NAME   N   SYNC', 'alpha  2   -', 'b      10  auto']);
  });

  it('styles row cells after padding, never the header', () => {
    const lines = table(['A', 'B'], [['x', 'y']], (col, cell, padded) => (col === 0 ? `<${padded}>` : `${cell}!`));
    expect(lines).toEqual(['A  B', '<x>  y!']);
  });
});

describe('tableWidth', () => {
  const cases: Array<[string, string[], string[][]]> = [
    ['plain', ['NAME', 'STATUS', 'SYNC'], [['alpha', 'needs-you', '-'], ['b', '-', 'manual']]],
    ['header widest', ['A LONG HEADER', 'X'], [['a', 'b']]],
    ['empty last cell (trimmed)', ['NAME', 'LOCATION'], [['a-very-long-name', ''], ['b', 'box']]],
    ['last cell ending in spaces', ['NAME', 'LOC'], [['abc', 'x   '], ['a', 'y']]],
    ['short rows', ['A', 'B', 'C'], [['only one'], ['a', 'b']]],
    ['no rows', ['NAME', 'STATUS'], []],
    ['unicode', ['NAME', 'OBJ'], [['sess ●', 'fix … this'], ['x ↗', '']]],
  ];
  it.each(cases)('is the longest line table() makes: %s', (_label, header, rows) => {
    expect(tableWidth(header, rows)).toBe(longest(table(header, rows)));
  });
});

describe('firstFew', () => {
  it.each([
    [[], 3, ''],
    [['a'], 3, 'a'],
    [['a', 'b', 'c'], 3, 'a, b, c'],
    [['a', 'b', 'c', 'd'], 3, 'a, b, c, +1 more'],
    [['a', 'b', 'c', 'd', 'e', 'f', 'g'], 5, 'a, b, c, d, e, +2 more'],
  ])('%j (at most %i) -> %j', (items, max, expected) => expect(firstFew(items, max)).toBe(expected));
});
