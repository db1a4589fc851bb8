// The real Claude Code, launched by the built `cs` with the installed hooks,
// in an adopted project in the middle of someone's work (a branch, staged
// and unstaged changes, an untracked file, a stash entry). Afterwards the
// user's repository is exactly as before plus Claude's own edit; Claude got
// the protocol from CLAUDE.local.md; the records are on refs/cs/session.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { csBin } from '../../support/cs.js';
import { installedHome } from '../../support/installed-home.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { OWN, busyProject, git, read, userState } from '../../support/adopted-project.js';

let api: FakeAnthropic | undefined;
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  tmp = makeTempDir('cs-adopt-e2e-');
  env = installedHome(tmp, { CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'test-password', GIT_CONFIG_NOSYSTEM: '1' });
});

afterEach(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function cs(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [csBin, ...args], { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('a session in an adopted project changes nothing of the user\'s but Claude\'s own edit', { timeout: 180_000 }, async () => {
  const project = path.join(tmp, 'project');
  busyProject(project, env);
  const before = userState(project, env);
  const adopt = await cs(['-adopt', 'proj'], project);
  expect(adopt.code, adopt.stderr).toBe(0);

  const discoveries = path.join(project, '.cs/discoveries.md');
  api = await startFakeAnthropic([
    [{ type: 'tool_use', name: 'Edit', input: { file_path: path.join(project, 'util.py'), old_string: 'return 1', new_string: 'return 42' } }],
    [{ type: 'tool_use', name: 'Edit', input: { file_path: discoveries, old_string: '-->', new_string: '-->\n\n## 2026-11-30 util\nf() must return 42.' } }],
    'Done.',
  ]);
  const claudeEnv = { ...offlineClaudeEnv({ home: env.HOME!, configDir: env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN };
  const r = await cs(['proj', '--', '-p', 'fix util', '--allowedTools', 'Edit,Read'], project, claudeEnv);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('Done.');

  // Claude's first request carried the session protocol (from CLAUDE.local.md).
  const first = JSON.stringify(api.agentRequests()[0]);
  expect(first).toContain('# Session: proj');
  expect(first).toContain('.cs/discoveries.md');

  // Exactly as before, plus Claude's edit of util.py.
  expect(read(project, 'util.py')).toBe('def f():\n    return 42\n');
  const after = userState(project, env);
  const sorted = (s: string) => s.split('\n').filter(Boolean).sort();
  expect(sorted(after.status)).toEqual(sorted(before.status + '\n M util.py'));
  expect({ ...after, status: before.status }).toEqual(before);
  for (const [f, text] of Object.entries(OWN)) expect(read(project, f)).toBe(text);

  // No cs commit on any branch; the records, with Claude's discovery, on the private ref.
  expect(git(project, env, 'log', '--branches', '--format=%s')).toBe('initial');
  expect(git(project, env, 'show', 'refs/cs/session:.cs/discoveries.md')).toContain('## 2026-11-30 util');
  expect(git(project, env, 'show', 'refs/cs/session:.cs/changes.md')).toMatch(/Edit: util\.py/);
});
