// Secrets with the real Claude Code: what it writes keeps working from
// environment variables, and no value is ever lost or replaced (issue #26).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { runCs, startCs, waitFor } from '../../support/cs.js';
import { installedHome } from '../../support/installed-home.js';

let api: FakeAnthropic | undefined;
let tmp: string;
let env: NodeJS.ProcessEnv;
// The keychain (gnome-keyring) keeps its items beyond one run and is shared by
// every test file: session names unique to this run, purged afterwards, so no
// earlier run's values can stand in for this run's.
const RUN = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const T = `tokens-${RUN}`;
const D = `deploy-${RUN}`;

beforeEach(() => {
  tmp = makeTempDir('cs-secrets-e2e-');
  env = installedHome(tmp, process.env.DBUS_SESSION_BUS_ADDRESS ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {});
});

afterEach(async () => {
  await api?.close();
  for (const name of [T, D]) await cs([name, '-secrets', 'purge', '--yes']);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const cs = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCs(args, { env: { ...env, ...extraEnv } });
const write = (file: string, content: string) => [{ type: 'tool_use' as const, name: 'Write', input: { file_path: file, content } }];
const bash = (command: string) => [{ type: 'tool_use' as const, name: 'Bash', input: { command, description: 'run' } }];

describe('secrets with the real Claude Code', () => {
  it('three TOKEN values in three files stay three secrets; a fourth file with the first value shares its key', { timeout: 120_000 }, async () => {
    const ws = path.join(env.CS_SESSIONS_ROOT!, T);
    const values = ['first-token-value-1111', 'second-token-value-2222', 'third-token-value-3333'];
    const script = (v: string) => `#!/bin/sh\nTOKEN=${v}\necho "token=$TOKEN"\n`;
    api = await startFakeAnthropic([
      write(path.join(ws, 'one.sh'), script(values[0]!)),
      write(path.join(ws, 'two.sh'), script(values[1]!)),
      write(path.join(ws, 'three.sh'), script(values[2]!)),
      write(path.join(ws, 'four.sh'), script(values[0]!)),
      // A later Bash command gets the captured values in its environment.
      bash(`sh ${path.join(ws, 'two.sh')} > ${path.join(ws, 'bash-saw.txt')}; printf '%s' "$TOKEN_3" | wc -c`),
      'Done.',
    ]);
    const claudeEnv = { ...offlineClaudeEnv({ home: env.HOME!, configDir: env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN };
    const r = await cs([T, '--', '-p', 'write the scripts', '--allowedTools', 'Write,Bash'], claudeEnv);
    expect(r.code, r.stderr).toBe(0);

    // Three distinct values are retrievable under three keys.
    const keys = ['TOKEN', 'TOKEN_2', 'TOKEN_3'];
    for (const [i, k] of keys.entries()) expect((await cs([T, '-secrets', 'get', k])).stdout).toBe(values[i] + '\n');
    // Each file refers to its own key; the fourth shares the first one's.
    const refers = { 'one.sh': 'TOKEN', 'two.sh': 'TOKEN_2', 'three.sh': 'TOKEN_3', 'four.sh': 'TOKEN' };
    for (const [file, key] of Object.entries(refers)) {
      expect(fs.readFileSync(path.join(ws, file), 'utf8')).toBe(`#!/bin/sh\nTOKEN=\${${key}}\necho "token=$TOKEN"\n`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(ws, '.cs/artifacts/MANIFEST.json'), 'utf8')) as { name: string; secrets: string[] }[];
    expect(Object.fromEntries(manifest.map((e) => [e.name, e.secrets]))).toEqual({ 'one.sh': ['TOKEN'], 'two.sh': ['TOKEN_2'], 'three.sh': ['TOKEN_3'], 'four.sh': ['TOKEN'] });
    expect((await cs([T, '-secrets', 'list'])).stdout).toBe('TOKEN\tone.sh, four.sh\nTOKEN_2\ttwo.sh\nTOKEN_3\tthree.sh\n');

    // Each file resolves to its own original value, through render and exec.
    const wanted = { 'one.sh': values[0], 'two.sh': values[1], 'three.sh': values[2], 'four.sh': values[0] };
    for (const [file, v] of Object.entries(wanted)) {
      expect((await cs([T, '-secrets', 'render', path.join(ws, file)])).stdout).toBe(script(v!));
      const ex = await runCs([T, '-secrets', 'exec', '--', 'sh', file], { env, cwd: ws });
      expect(ex.code, ex.stderr).toBe(0);
      expect(ex.stdout).toBe(`token=${v}\n`);
    }

    // Claude was told when a key was taken, and its later Bash command had the values.
    const sent = JSON.stringify(api.requests.filter((q) => q.kind === 'agent').map((q) => q.body));
    expect(sent).toContain('TOKEN already holds a different value in this session, so the new value is TOKEN_2');
    expect(fs.readFileSync(path.join(ws, 'bash-saw.txt'), 'utf8')).toBe(`token=${values[1]}\n`);
    // The plain-text env file for Bash commands is gone once the session ended.
    expect(fs.existsSync(path.join(env.HOME!, '.cs-secrets', 'env', `${T}.sh`))).toBe(false);
  });

  // Issue #18, "Done when".
  it('deploy.sh runs at Claude\'s path, exec gives it the real token, and neither token is anywhere cs shows or ships', { timeout: 180_000 }, async () => {
    const ws = path.join(env.CS_SESSIONS_ROOT!, D);
    const stripe = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc';
    const github = 'ghp_' + 'Q9w8E7r6T5'.repeat(3) + 'y4U3i2';
    // An age identity, so the session's transcripts are exported (encrypted) at the end.
    expect((await cs([D], { CLAUDE_CODE_BIN: '/bin/true' })).code).toBe(0);
    expect((await cs([D, '-secrets', 'age', 'init'])).code).toBe(0);
    api = await startFakeAnthropic([
      write(path.join(ws, 'deploy.sh'), `#!/bin/sh\nAPI_TOKEN=${stripe}\necho "token=$API_TOKEN"\n`),
      bash(`export GITHUB_TOKEN=${github} && echo ok`),
      bash(`sh ${path.join(ws, 'deploy.sh')}`),
      'Deployed.',
    ]);
    const claudeEnv = { ...offlineClaudeEnv({ home: env.HOME!, configDir: env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN };
    const r = await cs([D, '--', '-p', 'deploy it', '--allowedTools', 'Write,Bash'], claudeEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/removed \d+ secret value\(s\) from 1 local transcript\(s\)/);
    // Claude's own Bash run of the script had the value.
    expect(JSON.stringify(api.requests.at(-1)?.body)).toContain('token=' + stripe.slice(0, 8));

    // At Claude's path the script runs; exec gives it the real token.
    const plain = spawnSync('sh', ['deploy.sh'], { cwd: ws, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(plain.status).toBe(0);
    const ex = await runCs([D, '-secrets', 'exec', '--', 'sh', 'deploy.sh'], { env, cwd: ws });
    expect(ex.stdout).toBe(`token=${stripe}\n`);

    const leaks = (text: string) => [stripe, github].filter((t) => text.includes(t));
    // No file of the workspace, no git object.
    expect(spawnSync('grep', ['-rlaF', '-e', stripe, '-e', github, ws], { encoding: 'utf8' }).stdout).toBe('');
    expect(leaks(execFileSync('git', ['log', '-p', '--all'], { cwd: ws, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }))).toEqual([]);
    // The timeline shows the command, scrubbed.
    expect(fs.readFileSync(path.join(ws, '.cs/timeline.jsonl'), 'utf8')).toContain('export GITHUB_TOKEN=[secret: GITHUB_TOKEN] && echo ok');
    // Search output.
    for (const q of ['sk_live', 'GITHUB_TOKEN', 'token=']) {
      const found = await cs(['-search', q, '--json']);
      expect(leaks(found.stdout + found.stderr), q).toEqual([]);
    }
    // The local transcript, and the exported one.
    const projects = path.join(env.CLAUDE_CONFIG_DIR!, 'projects');
    expect(spawnSync('grep', ['-rlaF', '-e', stripe, '-e', github, projects], { encoding: 'utf8' }).stdout).toBe('');
    expect(spawnSync('grep', ['-rlaF', '[secret: API_TOKEN]', projects], { encoding: 'utf8' }).stdout).not.toBe('');
    const { decryptTranscript } = await import('../../../src/conversations/transcripts.js');
    const exported = fs.readdirSync(path.join(ws, '.cs/conversations')).filter((f) => f.endsWith('.age'));
    expect(exported.length).toBeGreaterThan(0);
    const identity = fs.readFileSync(path.join(env.HOME!, '.cs-secrets/age.key'), 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
    for (const f of exported) {
      const text = await decryptTranscript(fs.readFileSync(path.join(ws, '.cs/conversations', f)), identity);
      expect(text).toContain('[secret: ');
      expect(leaks(text)).toEqual([]);
    }
    // Every -serve API answer.
    const server = startCs(['-serve', '--port', '0'], { env });
    let stderr = '';
    server.stderr!.on('data', (b) => (stderr += b));
    try {
      await waitFor(() => /API token for this run: (\S+)/.test(stderr), 15_000, 'the server to start');
      const base = /serving sessions on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)![1]!;
      const token = /API token for this run: (\S+)/.exec(stderr)![1]!;
      for (const p of ['/api/sessions', `/api/sessions/${D}`, `/api/sessions/${D}/timeline`, '/api/search?q=sk_live', '/api/search?q=export', '/api/search?q=token']) {
        const res = await fetch(base + p, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status, p).toBe(200);
        expect(leaks(await res.text()), p).toEqual([]);
      }
    } finally {
      server.kill('SIGTERM');
      await server.done;
    }
  });
});
