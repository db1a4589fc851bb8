// Secrets with the real Claude Code: what it writes keeps working from
// environment variables, and no value is ever lost or replaced (issue #26).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../support/claude.js';
import { runCs } from '../support/cs.js';
import { installedHome } from '../support/installed-home.js';

let api: FakeAnthropic | undefined;
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  tmp = makeTempDir('cs-secrets-e2e-');
  env = installedHome(tmp, process.env.DBUS_SESSION_BUS_ADDRESS ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {});
});

afterEach(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const cs = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCs(args, { env: { ...env, ...extraEnv } });
const write = (file: string, content: string) => [{ type: 'tool_use' as const, name: 'Write', input: { file_path: file, content } }];
const bash = (command: string) => [{ type: 'tool_use' as const, name: 'Bash', input: { command, description: 'run' } }];

describe('secrets with the real Claude Code', () => {
  it('three TOKEN values in three files stay three secrets; a fourth file with the first value shares its key', { timeout: 120_000 }, async () => {
    const ws = path.join(env.CS_SESSIONS_ROOT!, 'tokens');
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
    const r = await cs(['tokens', '--', '-p', 'write the scripts', '--allowedTools', 'Write,Bash'], claudeEnv);
    expect(r.code, r.stderr).toBe(0);

    // Three distinct values are retrievable under three keys.
    const keys = ['TOKEN', 'TOKEN_2', 'TOKEN_3'];
    for (const [i, k] of keys.entries()) expect((await cs(['tokens', '-secrets', 'get', k])).stdout).toBe(values[i] + '\n');
    // Each file refers to its own key; the fourth shares the first one's.
    const refers = { 'one.sh': 'TOKEN', 'two.sh': 'TOKEN_2', 'three.sh': 'TOKEN_3', 'four.sh': 'TOKEN' };
    for (const [file, key] of Object.entries(refers)) {
      expect(fs.readFileSync(path.join(ws, file), 'utf8')).toBe(`#!/bin/sh\nTOKEN=\${${key}}\necho "token=$TOKEN"\n`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(ws, '.cs/artifacts/MANIFEST.json'), 'utf8')) as { name: string; secrets: string[] }[];
    expect(Object.fromEntries(manifest.map((e) => [e.name, e.secrets]))).toEqual({ 'one.sh': ['TOKEN'], 'two.sh': ['TOKEN_2'], 'three.sh': ['TOKEN_3'], 'four.sh': ['TOKEN'] });
    expect((await cs(['tokens', '-secrets', 'list'])).stdout).toBe('TOKEN\tone.sh, four.sh\nTOKEN_2\ttwo.sh\nTOKEN_3\tthree.sh\n');

    // Each file resolves to its own original value, through render and exec.
    const wanted = { 'one.sh': values[0], 'two.sh': values[1], 'three.sh': values[2], 'four.sh': values[0] };
    for (const [file, v] of Object.entries(wanted)) {
      expect((await cs(['tokens', '-secrets', 'render', path.join(ws, file)])).stdout).toBe(script(v!));
      const ex = await runCs(['tokens', '-secrets', 'exec', '--', 'sh', file], { env, cwd: ws });
      expect(ex.code, ex.stderr).toBe(0);
      expect(ex.stdout).toBe(`token=${v}\n`);
    }

    // Claude was told when a key was taken, and its later Bash command had the values.
    const sent = JSON.stringify(api.requests.filter((q) => q.kind === 'agent').map((q) => q.body));
    expect(sent).toContain('TOKEN already holds a different value in this session, so the new value is TOKEN_2');
    expect(fs.readFileSync(path.join(ws, 'bash-saw.txt'), 'utf8')).toBe(`token=${values[1]}\n`);
    // The plain-text env file for Bash commands is gone once the session ended.
    expect(fs.existsSync(path.join(env.HOME!, '.cs-secrets', 'env', 'tokens.sh'))).toBe(false);
  });
});
