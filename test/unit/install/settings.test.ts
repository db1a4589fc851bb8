import { describe, expect, it } from 'vitest';
import { hookCommand, hookGroups, isOurCommand, withoutOurHooks } from '../../../src/install/settings.js';
import { MARKETPLACE, PLUGIN_ID, pluginEnabled, pluginFiles, pluginState, withOurPlugin, withoutOurPlugin } from '../../../src/install/plugin.js';
import { hookSettings, SERVED } from '../../../src/hooks/server.js';
import { HOOKS } from '../../../src/hooks/registry.js';

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
    expect(hookGroups(dir, [reg])).toEqual({ Stop: [{ hooks: [{ type: 'command', command: `${dir}/stop`, args: [], timeout: 10 }] }] });
    expect(hookGroups('/a b/hooks', [reg])).toEqual({ Stop: [{ hooks: [{ type: 'command', command: `'/a b/hooks/stop'`, timeout: 10 }] }] });
  });
});

describe('the hooks plugin', () => {
  const market = '/home/u/.local/share/cs/claude-plugin';
  it("is declared and enabled beside the user's plugins, once however often it is merged, and taken out leaving theirs", () => {
    const mine = { model: 'opus', enabledPlugins: { 'x@y': false }, extraKnownMarketplaces: { y: { source: { source: 'github', repo: 'a/b' } } } };
    const once = withOurPlugin(mine, market);
    expect(once).toEqual({
      model: 'opus',
      enabledPlugins: { 'x@y': false, [PLUGIN_ID]: true },
      extraKnownMarketplaces: { y: mine.extraKnownMarketplaces.y, [MARKETPLACE]: { source: { source: 'directory', path: market } } },
    });
    expect(withOurPlugin(once, market)).toEqual(once);
    expect(withoutOurPlugin(once)).toEqual(mine);
    expect(withoutOurPlugin(withOurPlugin({}, market))).toEqual({});
    // Switched off by the user (/plugin writes false): merging again leaves it off.
    const off = { ...once, enabledPlugins: { ...(once.enabledPlugins as object), [PLUGIN_ID]: false } };
    expect(withOurPlugin(off, market)).toEqual(off);
  });
  it('counts as enabled only when enabled from our marketplace at our path', () => {
    const table: Array<[unknown, boolean]> = [
      [withOurPlugin({}, market), true],
      [withOurPlugin({}, '/elsewhere'), false],
      [{ ...withOurPlugin({}, market), enabledPlugins: { [PLUGIN_ID]: false } }, false],
      [{ enabledPlugins: { [PLUGIN_ID]: true } }, false],
      [null, false],
      [[], false],
    ];
    for (const [settings, want] of table) expect(pluginEnabled(settings, market), JSON.stringify(settings)).toBe(want);
    const states: Array<[unknown, string]> = [
      [withOurPlugin({}, market), 'on'],
      [{ ...withOurPlugin({}, market), enabledPlugins: { [PLUGIN_ID]: false } }, 'off'],
      [{ ...withOurPlugin({}, market), enabledPlugins: {} }, 'none'],
      [{ ...withOurPlugin({}, '/elsewhere'), enabledPlugins: { [PLUGIN_ID]: false } }, 'none'],
      [{ enabledPlugins: { [PLUGIN_ID]: false } }, 'none'],
      [null, 'none'],
    ];
    for (const [settings, want] of states) expect(pluginState(settings, market), JSON.stringify(settings)).toBe(want);
  });
  it("holds the registry's entries in its hooks.json", () => {
    const files = pluginFiles(dir, HOOKS, '1.2.3');
    expect(JSON.parse(files['cs/hooks/hooks.json']!).hooks).toEqual(hookGroups(dir, HOOKS));
    expect(JSON.parse(files['cs/.claude-plugin/plugin.json']!)).toMatchObject({ name: 'cs', version: '1.2.3' });
    expect(JSON.parse(files['.claude-plugin/marketplace.json']!)).toMatchObject({ name: MARKETPLACE, plugins: [{ name: 'cs', source: './cs' }] });
  });
  it('is switched off for a Claude that cs launches, which gets the unserved command hooks and the http ones instead', () => {
    const s = hookSettings('http://127.0.0.1:1', 't', { hooksDir: dir, enabled: true }) as { enabledPlugins: object; hooks: Record<string, Array<{ hooks: Array<{ type: string; command?: string }> }>> };
    expect(s.enabledPlugins).toEqual({ [PLUGIN_ID]: false });
    const commands = Object.values(s.hooks).flatMap((gs) => gs.flatMap((g) => g.hooks.filter((h) => h.type === 'command').map((h) => h.command!.slice(dir.length + 1))));
    const unserved = HOOKS.filter((h) => !SERVED.some((x) => x.script === h.script)).map((h) => h.script);
    expect(commands.sort()).toEqual([...unserved].sort());
    expect(commands).toContain('session-start');
    expect(commands).not.toContain('post-tool-use');
    expect(Object.values(s.hooks).flat().filter((g) => g.hooks[0]!.type === 'http')).toHaveLength(new Set(SERVED.map((x) => x.event)).size);
    // Switched off by the user: the same hooks, and nothing to switch off.
    const off = hookSettings('http://127.0.0.1:1', 't', { hooksDir: dir, enabled: false }) as typeof s;
    expect(off).not.toHaveProperty('enabledPlugins');
    expect(off.hooks).toEqual(s.hooks);
    // Without the plugin installed: the http hooks only, as before.
    expect(hookSettings('http://127.0.0.1:1', 't')).not.toHaveProperty('enabledPlugins');
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
