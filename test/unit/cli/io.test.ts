import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { promptStream, wantsColor } from '../../../src/term/io.js';

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

describe('promptStream (where prompts draw)', () => {
  const sink = () => {
    let text = '';
    const s = new PassThrough();
    s.on('data', (b: Buffer) => (text += b.toString()));
    return { s, text: () => text };
  };

  it('takes colour and style codes out when colour is off, and leaves cursor moves', async () => {
    for (const [color, want] of [[false, 'hi\x1b[1A\x1b[2K'], [true, '\x1b[2mhi\x1b[22m\x1b[1A\x1b[2K']] as const) {
      const { s, text } = sink();
      const out = promptStream(s, color);
      await new Promise<void>((r) => out.write('\x1b[2mhi\x1b[22m\x1b[1A\x1b[2K', () => r()));
      expect(text()).toBe(want);
    }
  });

  it('gives a terminal that reports no size 80 columns and 24 rows; a pipe none', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 0, rows: 0 });
    expect(promptStream(tty, false)).toMatchObject({ columns: 80, rows: 24, isTTY: true });
    Object.assign(tty, { columns: 120, rows: 40 });
    expect(promptStream(tty, false)).toMatchObject({ columns: 120, rows: 40 });
    const pipe = promptStream(new PassThrough(), false);
    expect(pipe.columns).toBeUndefined();
  });
});
