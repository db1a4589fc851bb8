// The real Claude Code, launched by the built `cs` with the hooks install.ts
// registers, against the scripted fake API: the hooks fill the timeline and
// `cs <s> -log --json` gives the events back in the order they happened.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../src/timeline/timeline.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { csBin } from '../../support/cs.js';
import { installedHome } from '../../support/installed-home.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';

let api: FakeAnthropic | undefined;
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  tmp = makeTempDir('cs-tl-e2e-');
  env = installedHome(tmp, { CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'test-password' });
});

afterEach(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function cs(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [csBin, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('a session run through cs leaves start, tool calls, the artifact, the discovery and the end in order', { timeout: 120_000 }, async () => {
  const ws = path.join(env.CS_SESSIONS_ROOT!, 'tl');
  const discoveries = path.join(ws, '.cs/discoveries.md');
  api = await startFakeAnthropic([
    [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(ws, 'notes.txt'), content: 'first\n' } }],
    [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(ws, 'deploy.sh'), content: '#!/bin/sh\necho deploy\n' } }],
    [{ type: 'tool_use', name: 'Bash', input: { command: 'echo timeline-check', description: 'say something' } }],
    [{ type: 'tool_use', name: 'Edit', input: { file_path: discoveries, old_string: '-->', new_string: '-->\n\n## 2026-11-23 timeline\nEvents arrive in order.' } }],
    [{ type: 'tool_use', name: 'Read', input: { file_path: discoveries } }],
    'Done with the scripted work.',
  ]);
  const claudeEnv = { ...offlineClaudeEnv({ home: env.HOME!, configDir: env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN };
  const r = await cs(['tl', '--', '-p', 'do the scripted work', '--allowedTools', 'Write,Edit,Bash,Read'], claudeEnv);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('Done with the scripted work.');

  // Async command hooks (autosave) may still be finishing; the events we check are written synchronously.
  const log = await cs(['tl', '-log', '--json']);
  expect(log.code, log.stderr).toBe(0);
  const events: TimelineEvent[] = JSON.parse(log.stdout);
  const brief = events.map((e) => [e.type, e.tool ?? e.name ?? e.title ?? e.source ?? e.reason, e.target].filter(Boolean).join(' '));
  const expected = [
    'session-start startup',
    'tool Write notes.txt',
    'artifact deploy.sh',
    'tool Write deploy.sh', // the Write stays at Claude's path; the copy is the artifact
    'tool Bash echo timeline-check',
    'tool Edit .cs/discoveries.md',
    'discovery 2026-11-23 timeline',
    'tool Read .cs/discoveries.md',
    expect.stringMatching(/^session-end /),
  ];
  // Exactly these, in this order (autosave events may sit in between).
  expect(brief.filter((b) => !b.startsWith('autosave'))).toEqual(expected);
  const times = events.map((e) => Date.parse(e.ts));
  for (let i = 1; i < times.length; i++) expect(times[i]! + 1000).toBeGreaterThanOrEqual(times[i - 1]!);

  // The human view says the same.
  const human = await cs(['tl', '-log'], { NO_COLOR: '1' });
  expect(human.stdout).toMatch(/tool +Write notes\.txt/);
  expect(human.stdout).toMatch(/discovery +## 2026-11-23 timeline/);
});
