// The installer against temp homes: idempotence, foreign settings kept byte
// for byte, uninstall restoring settings.json exactly.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { install, readState, settingsPath, statePath } from '../../../src/install/install.js';
import { MARKETPLACE, marketplaceDir, PLUGIN_ID, pluginHooksFile } from '../../../src/install/plugin.js';
import type { HookRegistration } from '../../../src/hooks/registry.js';
import { startHookServer } from '../../../src/hooks/server.js';
import { createSession } from '../../../src/session/workspace.js';
import { repoRoot, runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  sb = sandbox();
  env = { ...sb.env, CS_DATA_DIR: path.join(sb.home, '.local/share/cs'), CS_BIN_DIR: path.join(sb.home, '.local/bin'), XDG_CONFIG_HOME: path.join(sb.home, '.config') };
});
afterEach(() => sb.cleanup());

const regs: HookRegistration[] = [
  { event: 'PreToolUse', matcher: 'Write', script: 'pre-tool-use', timeout: 10 },
  { event: 'PostToolUseFailure', script: 'post-tool-use-failure', async: true },
];

const foreignSettings = `{
    "model": "opus",
    "permissions": { "allow": ["Bash(ls:*)"] },
    "hooks": {
        "PreToolUse": [
            { "matcher": "Bash", "hooks": [ { "type": "command", "command": "/opt/other-tool/guard.sh" } ] }
        ]
    },
    "zzz_unknown_key": [1, 2, 3]
}
`;

function runInstaller(extraEnv: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'install.ts')], { env: { ...env, ...extraEnv }, encoding: 'utf8', cwd: repoRoot });
}

describe('install.ts', () => {
  it('installs a versioned copy, links cs, and a second run changes nothing', () => {
    const first = runInstaller();
    expect(first.status, first.stderr).toBe(0);
    const cs = path.join(env.CS_BIN_DIR!, 'cs');
    expect(fs.lstatSync(cs).isSymbolicLink()).toBe(true);
    expect(execFileSync(cs, ['-v'], { encoding: 'utf8' })).toMatch(/^cs \d+\.\d+\.\d+/);
    expect(fs.existsSync(path.join(env.CS_BIN_DIR!, 'claude-sessions'))).toBe(true);
    expect(first.stderr).toContain('add this to your shell profile');
    const snapshot = () => execFileSync('sh', ['-c', 'find . -printf "%p %l %s\\n" | sort'], { cwd: sb.home, encoding: 'utf8' });
    const before = snapshot();
    const second = runInstaller();
    expect(second.status, second.stderr).toBe(0);
    expect(snapshot()).toBe(before);
  });

  it('installs the slash commands, the skill and every hook, and uninstall removes them', async () => {
    expect(runInstaller().status).toBe(0);
    const claude = env.CLAUDE_CONFIG_DIR!;
    expect(fs.readFileSync(path.join(claude, 'commands/summary.md'), 'utf8')).toMatch(/^---\ndescription:/);
    expect(fs.existsSync(path.join(claude, 'commands/compact-discoveries.md'))).toBe(true);
    expect(fs.readFileSync(path.join(claude, 'skills/store-secret/SKILL.md'), 'utf8')).toContain('cs -secrets set');
    // The hooks come as Claude Code plugin that settings.json enables (src/install/plugin.ts).
    const settings = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
    expect(settings.hooks).toBeUndefined();
    expect(settings.enabledPlugins).toEqual({ [PLUGIN_ID]: true });
    expect(settings.extraKnownMarketplaces).toEqual({ [MARKETPLACE]: { source: { source: 'directory', path: marketplaceDir(env) } } });
    const market = JSON.parse(fs.readFileSync(path.join(marketplaceDir(env), '.claude-plugin/marketplace.json'), 'utf8'));
    expect(market.plugins.map((p: { name: string; source: string }) => [p.name, p.source])).toEqual([['cs', './cs']]);
    expect(JSON.parse(fs.readFileSync(path.join(marketplaceDir(env), 'cs/.claude-plugin/plugin.json'), 'utf8')).name).toBe('cs');
    const plugin = JSON.parse(fs.readFileSync(pluginHooksFile(env), 'utf8'));
    const events = Object.keys(plugin.hooks).sort();
    expect(events).toEqual(['Notification', 'PermissionRequest', 'PostToolUse', 'PostToolUseFailure', 'PreCompact', 'PreToolUse', 'SessionEnd', 'SessionStart', 'Stop', 'SubagentStart', 'UserPromptSubmit']);
    for (const groups of Object.values(plugin.hooks) as Array<Array<{ hooks: Array<{ command: string }> }>>) {
      for (const g of groups) for (const h of g.hooks) expect(fs.statSync(h.command).mode & 0o111).not.toBe(0);
    }
    expect((await runCs(['-uninstall'], { env })).code).toBe(0);
    expect(fs.existsSync(path.join(claude, 'commands/summary.md'))).toBe(false);
    expect(fs.existsSync(path.join(claude, 'skills/store-secret'))).toBe(false);
    expect(fs.existsSync(settingsPath(env))).toBe(false);
  });

  it('uninstall removes the folders it left empty, and keeps one holding a file of the user', async () => {
    expect(runInstaller().status).toBe(0);
    const claude = env.CLAUDE_CONFIG_DIR!;
    const placed = JSON.parse(fs.readFileSync(statePath(env), 'utf8')).placedFiles as string[];
    const completionDirs = placed.filter((f) => !f.startsWith(claude)).map((f) => path.dirname(f));
    fs.writeFileSync(path.join(claude, 'commands', 'mine.md'), 'my own command\n');
    expect((await runCs(['-uninstall'], { env })).code).toBe(0);
    expect(fs.readdirSync(path.join(claude, 'commands'))).toEqual(['mine.md']);
    expect(fs.existsSync(path.join(claude, 'skills'))).toBe(false);
    expect(fs.existsSync(path.dirname(statePath(env)))).toBe(false);
    for (const d of completionDirs) expect(fs.existsSync(d), d).toBe(false);
    expect(fs.existsSync(claude)).toBe(true);
    expect(fs.existsSync(sb.home)).toBe(true);
  });

  it('hooks find the Node that installed them even when PATH has none', async () => {
    expect(runInstaller().status).toBe(0);
    const nodeLink = path.join(env.CS_DATA_DIR!, 'node');
    expect(fs.realpathSync(nodeLink)).toBe(fs.realpathSync(process.execPath));
    await runCs(['nodeless'], { env });
    const dir = path.join(sb.root, 'nodeless');
    // A PATH with the tools the sh scripts use, and no node.
    const bin = path.join(sb.dir, 'no-node-bin');
    fs.mkdirSync(bin);
    for (const tool of ['sh', 'cat', 'sed', 'date', 'tr', 'find', 'head', 'git']) {
      fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool));
    }
    const hook = path.join(env.CS_DATA_DIR!, 'current', 'hooks', 'pre-tool-use');
    const input = JSON.stringify({ hook_event_name: 'PreToolUse', cwd: dir, tool_name: 'Write', tool_input: { file_path: path.join(dir, 'run.sh'), content: 'API_TOKEN=abc123\n' } });
    const r = spawnSync(hook, [], { input, encoding: 'utf8', env: { PATH: bin, HOME: sb.home, CLAUDE_SESSION_DIR: dir, CLAUDE_SESSION_NAME: 'nodeless', CS_SECRETS_BACKEND: 'encrypted' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).hookSpecificOutput.updatedInput).toEqual({ file_path: path.join(dir, 'run.sh'), content: 'API_TOKEN=${API_TOKEN}\n' });
    expect(fs.readFileSync(path.join(dir, '.cs/artifacts/run.sh'), 'utf8')).toBe('API_TOKEN=${API_TOKEN}\n');
  });

  it('leaves a foreign cs alone and installs claude-sessions', () => {
    const other = path.join(sb.dir, 'other-bin');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'cs'), '#!/bin/sh\necho claude-squad\n', { mode: 0o755 });
    const r = runInstaller({ PATH: `${other}:${env.CS_BIN_DIR}:${process.env.PATH}` });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/another 'cs' is on your PATH/);
    expect(fs.existsSync(path.join(env.CS_BIN_DIR!, 'cs'))).toBe(false);
    expect(fs.existsSync(path.join(env.CS_BIN_DIR!, 'claude-sessions'))).toBe(true);
  });

  it('refuses a settings.json that is not JSON and changes nothing', () => {
    fs.mkdirSync(env.CLAUDE_CONFIG_DIR!, { recursive: true });
    fs.writeFileSync(settingsPath(env), '{ "model": ');
    expect(() => install(repoRoot, env, new Date(), regs)).toThrow(/is not valid JSON/);
    expect(fs.readFileSync(settingsPath(env), 'utf8')).toBe('{ "model": ');
  });
});

describe('hook registration through settings.json', () => {
  it('enables our plugin beside foreign entries, keeps a backup, is idempotent, and uninstall restores the bytes', async () => {
    fs.mkdirSync(env.CLAUDE_CONFIG_DIR!, { recursive: true });
    fs.writeFileSync(settingsPath(env), foreignSettings);
    const r1 = install(repoRoot, env, new Date('2026-11-23T10:00:00Z'), regs);
    expect(r1.settingsChanged).toBe(true);
    expect(fs.readFileSync(r1.settingsBackup!, 'utf8')).toBe(foreignSettings);
    const text1 = fs.readFileSync(settingsPath(env), 'utf8');
    const s = JSON.parse(text1);
    expect(Object.keys(s)).toEqual(['model', 'permissions', 'hooks', 'zzz_unknown_key', 'extraKnownMarketplaces', 'enabledPlugins']);
    expect(s.hooks).toEqual({ PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/opt/other-tool/guard.sh' }] }] });
    expect(s.enabledPlugins).toEqual({ [PLUGIN_ID]: true });
    const hooksDir = path.join(env.CS_DATA_DIR!, 'current', 'hooks');
    const plugin = JSON.parse(fs.readFileSync(pluginHooksFile(env), 'utf8'));
    expect(plugin.hooks).toEqual({
      PreToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: `${hooksDir}/pre-tool-use`, args: [], timeout: 10 }] }],
      PostToolUseFailure: [{ hooks: [{ type: 'command', command: `${hooksDir}/post-tool-use-failure`, args: [], async: true }] }],
    });
    expect(text1).toMatch(/^ {4}"model"/m); // the file's own indentation is kept

    const r2 = install(repoRoot, env, new Date('2026-11-23T11:00:00Z'), regs);
    expect(r2.settingsChanged).toBe(false);
    expect(r2.settingsBackup).toBeNull();
    expect(fs.readFileSync(settingsPath(env), 'utf8')).toBe(text1);
    expect(readState(env)!.settingsBefore).toBe(foreignSettings);

    const un = await runCs(['-uninstall'], { env });
    expect(un.code, un.stderr).toBe(0);
    expect(fs.readFileSync(settingsPath(env), 'utf8')).toBe(foreignSettings);
    expect(fs.existsSync(path.join(env.CS_BIN_DIR!, 'cs'))).toBe(false);
    expect(fs.existsSync(env.CS_DATA_DIR!)).toBe(false);
    // Again: nothing to uninstall, said so with what removes the other kind of install.
    const again = await runCs(['-uninstall'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^cs: cs is not installed for this user \(no install record at .*install\.json\), so there is nothing to uninstall — an npm install is removed with: npm rm -g claude-sessions; cs -install installs it for this user\n$/);
  });

  it('moves the hook entries an older cs wrote into settings.json into the plugin, keeping foreign ones and other plugins', async () => {
    const hooksDir = path.join(env.CS_DATA_DIR!, 'current', 'hooks');
    const older = {
      enabledPlugins: { 'other@market': true },
      hooks: {
        PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/opt/other-tool/guard.sh' }] }, { matcher: 'Write', hooks: [{ type: 'command', command: `${hooksDir}/pre-tool-use`, args: [], timeout: 10 }] }],
        PostToolUseFailure: [{ hooks: [{ type: 'command', command: `${hooksDir}/post-tool-use-failure`, args: [], async: true }] }],
      },
    };
    fs.mkdirSync(env.CLAUDE_CONFIG_DIR!, { recursive: true });
    fs.writeFileSync(settingsPath(env), JSON.stringify(older, null, 2));
    install(repoRoot, env, new Date(), regs);
    const s = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
    expect(s.hooks).toEqual({ PreToolUse: [older.hooks.PreToolUse[0]] });
    expect(s.enabledPlugins).toEqual({ 'other@market': true, [PLUGIN_ID]: true });
    expect((await runCs(['-uninstall'], { env })).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'))).toEqual({ enabledPlugins: { 'other@market': true }, hooks: { PreToolUse: [older.hooks.PreToolUse[0]] } });
  });

  it("a cs <name> launch brings the plugin's hooks up to this version (after an update) and switches it off for its own Claude", async () => {
    install(repoRoot, env, new Date());
    const want = fs.readFileSync(pluginHooksFile(env), 'utf8');
    fs.writeFileSync(pluginHooksFile(env), JSON.stringify({ hooks: {} })); // as an older version left it
    const session = await createSession(env, 'refresh');
    const server = await startHookServer(session, env);
    try {
      expect(fs.readFileSync(pluginHooksFile(env), 'utf8')).toBe(want);
      const given = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8'));
      expect(given.enabledPlugins).toEqual({ [PLUGIN_ID]: false });
      expect(JSON.stringify(given.hooks.SessionStart)).toContain(path.join(env.CS_DATA_DIR!, 'current', 'hooks', 'session-start'));
    } finally {
      await server.close();
    }
  });

  it('leaves the plugin off when the user switched it off, says so, and a cs <name> launch still gets every hook', async () => {
    install(repoRoot, env, new Date());
    const st = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
    st.enabledPlugins[PLUGIN_ID] = false; // what /plugin writes
    fs.writeFileSync(settingsPath(env), JSON.stringify(st, null, 2));
    const before = fs.readFileSync(settingsPath(env), 'utf8');
    const again = await runCs(['-install'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/hooks plugin is switched off in Claude Code \(\/plugin\): left off/);
    expect(fs.readFileSync(settingsPath(env), 'utf8')).toBe(before);
    const { checkHooks } = await import('../../../src/doctor/checks.js');
    expect(await checkHooks(env)).toMatchObject({ level: 'warn', detail: expect.stringMatching(/switched off/) });
    const session = await createSession(env, 'off');
    const server = await startHookServer(session, env);
    try {
      const given = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8'));
      expect(given).not.toHaveProperty('enabledPlugins'); // nothing to switch off
      expect(JSON.stringify(given.hooks.SessionStart)).toContain(path.join(env.CS_DATA_DIR!, 'current', 'hooks', 'session-start'));
      expect(JSON.stringify(given.hooks.PreCompact)).toContain('pre-compact');
    } finally {
      await server.close();
    }
  });

  it('keeps changes the user made after install when uninstalling', async () => {
    install(repoRoot, env, new Date(), regs);
    const s = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
    s.theme = 'dark';
    fs.writeFileSync(settingsPath(env), JSON.stringify(s, null, 2));
    const un = await runCs(['-uninstall'], { env });
    expect(un.code, un.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'))).toEqual({ theme: 'dark' });
  });

  it('removes settings.json on uninstall when the installer created it', async () => {
    install(repoRoot, env, new Date(), regs);
    expect(fs.existsSync(settingsPath(env))).toBe(true);
    expect((await runCs(['-uninstall'], { env })).code).toBe(0);
    expect(fs.existsSync(settingsPath(env))).toBe(false);
  });

  it('keeps sessions on uninstall unless --purge --yes', async () => {
    install(repoRoot, env, new Date(), regs);
    await runCs(['keep'], { env });
    expect((await runCs(['-uninstall'], { env })).code).toBe(0);
    expect(fs.existsSync(path.join(sb.root, 'keep'))).toBe(true);
    install(repoRoot, env, new Date(), regs);
    expect((await runCs(['-uninstall', '--purge'], { env })).code).toBe(2);
    // The -ls cache keeps the sessions' names and objectives: a purge takes it too.
    expect((await runCs(['-ls'], { env })).code).toBe(0);
    expect(fs.existsSync(path.join(sb.home, '.cache/cs/ls'))).toBe(true);
    expect((await runCs(['-uninstall', '--purge', '--yes'], { env })).code).toBe(0);
    expect(fs.existsSync(sb.root)).toBe(false);
    expect(fs.existsSync(path.join(sb.home, '.cache/cs'))).toBe(false);
  });
});

// #14 item 6: the installer must never destroy or expose a user's file.
describe('installer faults: user files, links, modes, shapes, validation first', () => {
  const claudeDir = () => env.CLAUDE_CONFIG_DIR!;
  const bashCompletion = () => path.join(sb.home, '.local/share/bash-completion/completions/cs');
  const allPlaced = () =>
    [env.CS_DATA_DIR!, path.join(env.CS_BIN_DIR!, 'cs'), path.join(env.CS_BIN_DIR!, 'claude-sessions'), path.join(claudeDir(), 'commands'), path.join(claudeDir(), 'skills'), bashCompletion(), path.join(env.XDG_CONFIG_HOME!, 'cs', 'install.json')].filter((p) => fs.existsSync(p));

  it('a same-named command, skill folder and completion of the user are neither overwritten nor deleted by uninstall', async () => {
    fs.mkdirSync(path.join(claudeDir(), 'commands'), { recursive: true });
    fs.writeFileSync(path.join(claudeDir(), 'commands/summary.md'), 'my own summary command\n');
    fs.mkdirSync(path.join(claudeDir(), 'skills/store-secret'), { recursive: true });
    fs.writeFileSync(path.join(claudeDir(), 'skills/store-secret/notes.md'), 'my notes\n');
    fs.mkdirSync(path.dirname(bashCompletion()), { recursive: true });
    fs.writeFileSync(bashCompletion(), '# my completion\n');
    const r = runInstaller();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${path.join(claudeDir(), 'commands/summary.md')} is yours`);
    expect(r.stderr).toContain(`${path.join(claudeDir(), 'skills/store-secret')} is yours`);
    expect(r.stderr).toContain(`${bashCompletion()} is yours`);
    expect(fs.readFileSync(path.join(claudeDir(), 'commands/summary.md'), 'utf8')).toBe('my own summary command\n');
    expect(fs.readdirSync(path.join(claudeDir(), 'skills/store-secret'))).toEqual(['notes.md']);
    expect(fs.readFileSync(bashCompletion(), 'utf8')).toBe('# my completion\n');
    // Ours without a clash are placed and recorded; the user's are not recorded.
    expect(fs.existsSync(path.join(claudeDir(), 'commands/compact-discoveries.md'))).toBe(true);
    const placed = readState(env)!.placedFiles;
    expect(placed).toContain(path.join(claudeDir(), 'commands/compact-discoveries.md'));
    expect(placed).not.toContain(path.join(claudeDir(), 'commands/summary.md'));
    // A second install still leaves them alone.
    expect(runInstaller().status).toBe(0);
    expect(fs.readFileSync(path.join(claudeDir(), 'commands/summary.md'), 'utf8')).toBe('my own summary command\n');
    const un = await runCs(['-uninstall'], { env });
    expect(un.code, un.stderr).toBe(0);
    expect(fs.readFileSync(path.join(claudeDir(), 'commands/summary.md'), 'utf8')).toBe('my own summary command\n');
    expect(fs.readFileSync(path.join(claudeDir(), 'skills/store-secret/notes.md'), 'utf8')).toBe('my notes\n');
    expect(fs.readFileSync(bashCompletion(), 'utf8')).toBe('# my completion\n');
    expect(fs.existsSync(path.join(claudeDir(), 'commands/compact-discoveries.md'))).toBe(false);
  });

  it('writes through a symlinked settings.json, keeping the link, and uninstall restores the target byte for byte', async () => {
    const dotfiles = path.join(sb.dir, 'dotfiles');
    fs.mkdirSync(dotfiles);
    fs.writeFileSync(path.join(dotfiles, 'settings.json'), foreignSettings);
    fs.mkdirSync(claudeDir(), { recursive: true });
    fs.symlinkSync(path.join(dotfiles, 'settings.json'), settingsPath(env));
    install(repoRoot, env, new Date(), regs);
    expect(fs.lstatSync(settingsPath(env)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dotfiles, 'settings.json'), 'utf8')).enabledPlugins).toEqual({ [PLUGIN_ID]: true });
    const un = await runCs(['-uninstall'], { env });
    expect(un.code, un.stderr).toBe(0);
    expect(fs.lstatSync(settingsPath(env)).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dotfiles, 'settings.json'), 'utf8')).toBe(foreignSettings);
  });

  it('keeps a 0600 settings.json 0600 through install and uninstall, and makes a new one 0600', async () => {
    fs.mkdirSync(claudeDir(), { recursive: true });
    fs.writeFileSync(settingsPath(env), foreignSettings, { mode: 0o600 });
    install(repoRoot, env, new Date(), regs);
    expect(fs.statSync(settingsPath(env)).mode & 0o777).toBe(0o600);
    fs.writeFileSync(settingsPath(env), fs.readFileSync(settingsPath(env), 'utf8').replace('"opus"', '"sonnet"')); // a change of the user's: no byte restore
    expect((await runCs(['-uninstall'], { env })).code).toBe(0);
    expect(fs.statSync(settingsPath(env)).mode & 0o777).toBe(0o600);
    fs.rmSync(settingsPath(env));
    install(repoRoot, env, new Date(), regs);
    expect(fs.statSync(settingsPath(env)).mode & 0o777).toBe(0o600);
  });

  it('refuses a read-only settings.json with a hint and changes nothing', () => {
    fs.mkdirSync(claudeDir(), { recursive: true });
    fs.writeFileSync(settingsPath(env), foreignSettings, { mode: 0o444 });
    const r = runInstaller();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/settings\.json is read-only — make it writable \(chmod u\+w\)/);
    expect(fs.readFileSync(settingsPath(env), 'utf8')).toBe(foreignSettings);
    expect(fs.statSync(settingsPath(env)).mode & 0o777).toBe(0o444);
    expect(allPlaced()).toEqual([]);
  });

  it.each([
    ['"hooks" is an array', '{"hooks": ["x"]}\n', /"hooks" in .* is an array, not an object of events/],
    ['an event is an object', '{"hooks": {"PreToolUse": {"matcher": "Bash"}}}\n', /"hooks.PreToolUse" in .* is an object, not an array of matcher groups/],
    ['enabledPlugins is an array', '{"enabledPlugins": ["x@y"]}\n', /"enabledPlugins" in .* is not an object/],
    ['extraKnownMarketplaces is a string', '{"extraKnownMarketplaces": "x"}\n', /"extraKnownMarketplaces" in .* is not an object/],
    ['comments', '{\n  // mine\n  "model": "opus"\n}\n', /is not valid JSON/],
    ['a trailing comma', '{"model": "opus",}\n', /is not valid JSON/],
    ['5,000 levels of nesting', `{"deep": ${'['.repeat(5000)}${']'.repeat(5000)}}\n`, /nests 5001 levels deep \(cs merges into at most 64\)/],
  ])('refuses settings.json where %s, before placing anything, and keeps it as it was', (_what, text, message) => {
    fs.mkdirSync(claudeDir(), { recursive: true });
    fs.writeFileSync(settingsPath(env), text);
    const r = runInstaller();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(r.stderr).not.toMatch(/Maximum call stack|\n\s+at /);
    expect(fs.readFileSync(settingsPath(env), 'utf8')).toBe(text);
    expect(allPlaced()).toEqual([]);
    expect(fs.readdirSync(claudeDir())).toEqual(['settings.json']);
  });

  it('"hooks": {} comes back byte-identical after install and uninstall', async () => {
    const text = '{\n  "hooks": {}\n}\n';
    fs.mkdirSync(claudeDir(), { recursive: true });
    fs.writeFileSync(settingsPath(env), text);
    install(repoRoot, env, new Date());
    // The user's empty "hooks" stays as it is; ours are in the plugin.
    expect(JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'))).toMatchObject({ hooks: {}, enabledPlugins: { [PLUGIN_ID]: true } });
    expect((await runCs(['-uninstall'], { env })).code).toBe(0);
    expect(fs.readFileSync(settingsPath(env), 'utf8')).toBe(text);
  });
});
