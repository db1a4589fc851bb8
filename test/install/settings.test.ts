import { describe, expect, it } from 'vitest';
import { isOurCommand, shellQuote, withOurHooks, withoutOurHooks } from '../../src/install/settings.js';

const dir = '/home/u/.local/share/cs/current/hooks';

describe('settings merge', () => {
  it('recognises our commands, quoted or not', () => {
    expect(isOurCommand(`${dir}/stop`, dir)).toBe(true);
    expect(isOurCommand(`'${dir}/stop'`, dir)).toBe(true);
    expect(isOurCommand('/other/stop', dir)).toBe(false);
    expect(isOurCommand(`${dir}-evil/stop`, dir)).toBe(false);
    expect(isOurCommand(42, dir)).toBe(false);
  });
  it('quotes paths with spaces for sh', () => {
    expect(shellQuote('/a b/it\'s')).toBe(`'/a b/it'\\''s'`);
    expect(shellQuote('/plain/path')).toBe('/plain/path');
  });
  it('removes only our hooks and drops what becomes empty', () => {
    const settings = {
      hooks: {
        Stop: [{ hooks: [{ type: 'command', command: `${dir}/stop` }, { type: 'command', command: '/x/mine' }] }],
        SessionEnd: [{ hooks: [{ type: 'command', command: `${dir}/session-end` }] }],
        Weird: 'not an array',
      },
    };
    expect(withoutOurHooks(settings, dir)).toEqual({
      hooks: { Stop: [{ hooks: [{ type: 'command', command: '/x/mine' }] }], Weird: 'not an array' },
    });
  });
  it('does not duplicate on re-merge', () => {
    const once = withOurHooks({}, dir, [{ event: 'Stop', script: 'stop' }]);
    expect(withOurHooks(once, dir, [{ event: 'Stop', script: 'stop' }])).toEqual(once);
  });
});
