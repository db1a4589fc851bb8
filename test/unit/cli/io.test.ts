import { describe, expect, it } from 'vitest';
import { wantsColor } from '../../../src/term/io.js';

describe('wantsColor', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true], // no-color.org: only a non-empty value counts
    [{ TERM: 'dumb' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, true],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
  ] as Array<[NodeJS.ProcessEnv, boolean, boolean]>)('%j on a terminal=%s -> %s', (env, tty, expected) => {
    expect(wantsColor(env, tty)).toBe(expected);
  });
});
