import { describe, expect, it } from 'vitest';
import { hookCommand, isOurCommand, withOurHooks, withoutOurHooks } from '../../../src/install/settings.js';

const dir = '/home/u/.local/share/cs/current/hooks';

describe('settings merge', () => {
  it('recognises our commands, quoted or not', () => {
    expect(isOurCommand(`${dir}/stop`, dir)).toBe(true);
    expect(isOurCommand(`'${dir}/stop'`, dir)).toBe(true);
    expect(isOurCommand('/other/stop', dir)).toBe(false);
    expect(isOurCommand(`${dir}-evil/stop`, dir)).toBe(false);
    expect(isOurCommand(42, dir)).toBe(false);
  });
  it('quotes hook paths with spaces for sh, and recognises them as ours', () => {
    expect(hookCommand("/a b/it's/hooks", { event: 'Stop', script: 'stop' })).toBe(`'/a b/it'\\''s/hooks/stop'`);
    expect(hookCommand('/plain/hooks', { event: 'Stop', script: 'stop' })).toBe('/plain/hooks/stop');
    expect(isOurCommand(hookCommand('/a b/hooks', { event: 'Stop', script: 'stop' }), '/a b/hooks')).toBe(true);
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
  it('registers exec form (args: []) where the path needs no quoting, shell form where it does', () => {
    const reg = { event: 'Stop', script: 'stop', timeout: 10 };
    expect(withOurHooks({}, dir, [reg])).toEqual({ hooks: { Stop: [{ hooks: [{ type: 'command', command: `${dir}/stop`, args: [], timeout: 10 }] }] } });
    expect(withOurHooks({}, '/a b/hooks', [reg])).toEqual({ hooks: { Stop: [{ hooks: [{ type: 'command', command: `'/a b/hooks/stop'`, timeout: 10 }] }] } });
  });
  it('does not duplicate on re-merge', () => {
    const once = withOurHooks({}, dir, [{ event: 'Stop', script: 'stop' }]);
    expect(withOurHooks(once, dir, [{ event: 'Stop', script: 'stop' }])).toEqual(once);
  });
});

describe('registered matchers', () => {
  it('the needs-you status hook matches the notifications that wait on the user, not the idle reminder', async () => {
    const { HOOKS } = await import('../../../src/hooks/registry.js');
    const reg = HOOKS.find((h) => h.script === 'status-notification')!;
    // Claude Code tests a matcher as a regular expression against notification_type.
    const matches = (type: string) => new RegExp(`^(?:${reg.matcher})$`).test(type);
    expect(['permission_prompt', 'worker_permission_prompt', 'agent_needs_input'].filter(matches)).toHaveLength(3);
    expect(['idle_prompt', 'auth_success', 'elicitation_complete', 'agent_completed'].filter(matches)).toEqual([]);
  });
});
