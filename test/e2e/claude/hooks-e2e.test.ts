// The whole chain with the real Claude Code: install.ts registers our hooks
// in a temp home, `cs <name> -- -p ...` launches the real CLI against the
// scripted fake API, and the workspace is checked afterwards.
import { PLUGIN_ID, pluginHooksFile } from '../../../src/install/plugin.js';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv, runClaude } from '../../support/claude.js';
import { runCs } from '../../support/cs.js';
import { installedHome } from '../../support/installed-home.js';

let api: FakeAnthropic | undefined;
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  tmp = makeTempDir('cs-e2e-');
  // Keep the real D-Bus session: CI runs the suite inside one with gnome-keyring.
  env = installedHome(tmp, process.env.DBUS_SESSION_BUS_ADDRESS ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {});
});

afterEach(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const cs = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCs(args, { env: { ...env, ...extraEnv } });

const SECRET = 'abc123-e2e-token';

function scriptedTurns(ws: string) {
  return [
    [{ type: 'tool_use' as const, name: 'Write', input: { file_path: path.join(ws, 'notes.txt'), content: 'first draft\n' } }],
    [{ type: 'tool_use' as const, name: 'Write', input: { file_path: path.join(ws, 'deploy.sh'), content: `#!/bin/sh\nAPI_TOKEN=${SECRET}\ncurl -H "Authorization: $API_TOKEN" https://example.invalid\n` } }],
    [{ type: 'tool_use' as const, name: 'Edit', input: { file_path: path.join(ws, 'notes.txt'), old_string: 'first draft', new_string: 'second draft' } }],
    // Fails on purpose; first notes whether CS_HOOK_SERVER reached Bash (where a nested `claude` would inherit it).
    [{ type: 'tool_use' as const, name: 'Bash', input: { command: `printf %s "\${CS_HOOK_SERVER-unset}" > ${path.join(ws, '.cs/local/bash-hook-server')}; exit 3`, description: 'fail on purpose' } }],
    'All scripted work is done.',
    // The Stop hook reminds Claude to record discoveries; it does.
    [{ type: 'tool_use' as const, name: 'Bash', input: { command: `printf '\\n## 2026-11-23 deploy\\nThe token goes in the header.\\n' >> ${path.join(ws, '.cs/discoveries.md')}`, description: 'record' } }],
    'Discoveries recorded.',
  ];
}

describe('real Claude Code with our hooks', () => {
  it('logs changes, captures and redacts the artifact, stores the secret, logs the session, archives, commits', { timeout: 90_000 }, async () => {
    const ws = path.join(env.CS_SESSIONS_ROOT!, 'e2e');
    api = await startFakeAnthropic(scriptedTurns(ws));
    const claudeEnv = { ...offlineClaudeEnv({ home: env.HOME!, configDir: env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN };
    const r = await cs(['e2e', '--', '-p', 'do the scripted work', '--allowedTools', 'Write,Edit,Bash'], claudeEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Discoveries recorded.');
    // A local-only session is not nagged about transcript sync on every exit.
    expect(r.stderr).not.toMatch(/transcripts not synced/);
    // The Stop reminder came back to the model as the reason to continue.
    expect(JSON.stringify(api.requests.filter((q) => q.kind === 'agent').at(-2)?.body)).toContain('discoveries.md was last updated');
    expect(fs.readFileSync(path.join(ws, '.cs/discoveries.md'), 'utf8')).toContain('The token goes in the header.');

    // changes.md: every Write and the Edit, at Claude's paths (the captured script included).
    const changes = fs.readFileSync(path.join(ws, '.cs/changes.md'), 'utf8');
    expect(changes).toMatch(/^- \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Write: notes\.txt$/m);
    expect(changes).toMatch(/^- \[[^\]]+\] Edit: notes\.txt$/m);
    expect(changes).toMatch(/^- \[[^\]]+\] Write: deploy\.sh$/m);
    expect(fs.readFileSync(path.join(ws, 'notes.txt'), 'utf8')).toBe('second draft\n');

    // The script: at Claude's path with the value replaced by an env reference, a copy in .cs/artifacts/, in the manifest.
    const written = fs.readFileSync(path.join(ws, 'deploy.sh'), 'utf8');
    expect(written).toBe('#!/bin/sh\nAPI_TOKEN=${API_TOKEN}\ncurl -H "Authorization: $API_TOKEN" https://example.invalid\n');
    expect(fs.readFileSync(path.join(ws, '.cs/artifacts/deploy.sh'), 'utf8')).toBe(written);
    // Claude was told which variable holds the secret.
    expect(JSON.stringify(api.requests.filter((q) => q.kind === 'agent').map((q) => q.body))).toContain('reads them from environment variable API_TOKEN');
    const manifest = JSON.parse(fs.readFileSync(path.join(ws, '.cs/artifacts/MANIFEST.json'), 'utf8'));
    expect(manifest).toMatchObject([{ name: 'deploy.sh', original_path: path.join(ws, 'deploy.sh'), secrets: ['API_TOKEN'] }]);

    // The secret is retrievable, and nowhere in the workspace or its git objects.
    const got = await cs(['e2e', '-secrets', 'get', 'API_TOKEN']);
    expect(got.stdout.trim()).toBe(SECRET);
    const grep = spawnSync('grep', ['-r', '-l', '-a', SECRET, ws], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');
    const revs = execFileSync('git', ['rev-list', '--all'], { cwd: ws, encoding: 'utf8' }).trim().split('\n');
    const gitGrep = spawnSync('git', ['grep', '-l', SECRET, ...revs], { cwd: ws, encoding: 'utf8' });
    expect(gitGrep.stdout).toBe('');
    expect(gitGrep.status).toBe(1);

    // The session log, the failure, the archive, the commit.
    const log = fs.readFileSync(path.join(ws, '.cs/logs/session.log'), 'utf8');
    expect(log).toMatch(/claude session start \(startup/);
    expect(log).toMatch(/artifact captured: deploy\.sh/);
    expect(log).toMatch(/claude session end \(/);
    expect(log).toMatch(/session end \(exit 0\)/);
    // Bash ran with CS_HOOK_SERVER cleared (the env file line), so a nested
    // `claude` would run its own command hooks instead of stepping aside.
    expect(fs.readFileSync(path.join(ws, '.cs/local/bash-hook-server'), 'utf8')).toBe('unset');
    // Served over HTTP, so cs has waited for it before exiting (as an async
    // command hook it could be killed with Claude at a quick -p exit).
    expect(log).toMatch(/tool failed: Bash: Exit code 3/);
    const archives = fs.readdirSync(path.join(ws, '.cs/archives'));
    expect(archives.filter((a) => a.endsWith('.tar.gz'))).toHaveLength(1);
    expect(execFileSync('git', ['log', '-1', '--format=%s'], { cwd: ws, encoding: 'utf8' })).toMatch(/^Session update: \d+ files \(/);
    expect(fs.existsSync(path.join(ws, '.cs/local/lock'))).toBe(false);

    // SessionStart's context reached the model.
    const first = api.requests.find((q) => q.kind === 'agent');
    expect(JSON.stringify(first?.body)).toContain('Follow the protocol in CLAUDE.md');
  });

  it('works through the command hooks when Claude is started in a session without cs (an IDE)', { timeout: 90_000 }, async () => {
    const { createSession } = await import('../../../src/session/workspace.js');
    const session = await createSession(env, 'ide');
    api = await startFakeAnthropic(scriptedTurns(session.dir));
    // A curl that notes each call (its URL and exit status): the hooks hand
    // their Node work to the Claude's resident with it (src/hooks/resident.ts).
    const bin = path.join(tmp, 'bin');
    const curlLog = path.join(tmp, 'curl.log');
    const realCurl = execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'curl'), `#!/bin/sh\n'${realCurl}' "$@"\nrc=$?\nfor a; do last=$a; done\necho "$rc $last" >> '${curlLog}'\nexit $rc\n`, { mode: 0o755 });
    // And a cat that notes where it writes: hooks/post-tool-use writes its input into the resident's spool with it (src/hooks/spool.ts).
    const catLog = path.join(tmp, 'cat.log');
    const realCat = execFileSync('sh', ['-c', 'command -v cat'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(bin, 'cat'), `#!/bin/sh\nto=$(readlink /proc/$$/fd/1)\necho "$to" >> '${catLog}'\nexec '${realCat}' "$@"\n`, { mode: 0o755 });
    const r = await runClaude({ cwd: session.dir, home: env.HOME!, prompt: 'do the scripted work', baseUrl: api.url, env: { PATH: `${bin}:${process.env.PATH}`, CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR, CS_SESSIONS_ROOT: env.CS_SESSIONS_ROOT, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME, DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS }, timeoutMs: 75_000 });
    expect(r.code, r.stderr).toBe(0);
    // The capture of deploy.sh and the Stop hook went to the resident, which answered them.
    const calls = fs.readFileSync(curlLog, 'utf8');
    expect(calls).toMatch(/^0 http:\/\/cs\/hook\/pre-tool-use$/m);
    expect(calls).toMatch(/^0 http:\/\/cs\/hook\/stop$/m);
    // PostToolUse inputs went to its spool: of the four (Write, Write, Edit, the Bash that records),
    // every one after the capture (the resident answered that, so its spool was there).
    const spooled = fs.readFileSync(catLog, 'utf8').split('\n').filter((l) => /\/hooks\/\d+\.spool\/\d+$/.test(l));
    expect(spooled.length).toBeGreaterThanOrEqual(3);
    expect(spooled.length).toBeLessThanOrEqual(4);
    // It went with its Claude, and took its socket with it.
    const sockets = path.join(env.HOME!, '.cs-secrets', 'hooks');
    await expect.poll(() => fs.readdirSync(sockets), { timeout: 10_000 }).toEqual([]);
    expect(fs.readFileSync(path.join(session.artifacts, 'deploy.sh'), 'utf8')).toContain('API_TOKEN=${API_TOKEN}\n');
    expect(fs.readFileSync(path.join(session.dir, 'deploy.sh'), 'utf8')).toContain('API_TOKEN=${API_TOKEN}\n');
    expect(fs.readFileSync(session.changes, 'utf8')).toMatch(/\] Edit: notes\.txt$/m);
    expect(r.stdout).toContain('Discoveries recorded.'); // the command Stop hook reminded
    // With no cs process around, the SessionEnd hook makes the session commit.
    await expect.poll(() => execFileSync('git', ['log', '-1', '--format=%s'], { cwd: session.dir, encoding: 'utf8' }), { timeout: 15_000 }).toMatch(/^Session update:/);
    const got = await cs(['ide', '-secrets', 'get', 'API_TOKEN']);
    expect(got.stdout.trim()).toBe(SECRET);
  });

  it('leaves no trace in a Claude Code session that is not a cs session', { timeout: 60_000 }, async () => {
    const plain = makeTempDir('cs-plain-');
    try {
      api = await startFakeAnthropic(scriptedTurns(plain));
      const r = await runClaude({ cwd: plain, home: env.HOME!, prompt: 'do the scripted work', baseUrl: api.url, env: { CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR }, timeoutMs: 45_000 });
      expect(r.code, r.stderr).toBe(0);
      // Hooks were registered (settings.json enables our plugin, which holds them) and ran, yet did nothing here.
      expect(fs.readFileSync(path.join(env.CLAUDE_CONFIG_DIR!, 'settings.json'), 'utf8')).toContain(PLUGIN_ID);
      expect(fs.readFileSync(pluginHooksFile(env), 'utf8')).toContain('pre-tool-use');
      expect(fs.readdirSync(plain).sort()).toEqual(['deploy.sh', 'notes.txt']);
      expect(fs.readFileSync(path.join(plain, 'deploy.sh'), 'utf8')).toContain(SECRET); // not ours to touch
      expect(fs.existsSync(env.CS_SESSIONS_ROOT!)).toBe(false);
      expect(fs.existsSync(path.join(env.HOME!, '.cs-secrets'))).toBe(false);
      const last = api.requests.filter((q) => q.kind === 'agent')[0];
      expect(JSON.stringify(last?.body)).not.toContain('Follow the protocol in CLAUDE.md');
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });
});
