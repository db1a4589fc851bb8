// Live status from a real, scripted Claude Code session: through cs (status
// served over HTTP for PreToolUse/Stop) and without cs (the sh hooks alone).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStatusLog, type State } from '../../../src/status/status.js';
import { createSession } from '../../../src/session/workspace.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { makeTempDir, runClaude } from '../../support/claude.js';
import { laptop, type Laptop } from '../../support/laptops.js';

let tmp: string;
let api: FakeAnthropic | undefined;
let me: Laptop;

beforeEach(() => {
  tmp = makeTempDir('cs-status-e2e-');
  me = laptop(tmp, 'me', path.join(tmp, 'sessions'));
});
afterEach(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The recorded states with repeats folded. */
function sequence(dir: string): State[] {
  const out: State[] = [];
  for (const s of readStatusLog(dir)) if (out.at(-1) !== s.state) out.push(s.state);
  return out;
}

const bashTurn = [{ type: 'tool_use' as const, name: 'Bash', input: { command: 'true', description: 'nothing' } }];

describe('status from a real Claude Code session', () => {
  it('through cs: working → idle → closed, in order; -ls shows it', { timeout: 45_000 }, async () => {
    api = await startFakeAnthropic([bashTurn, 'All done.']);
    const r = await me.claude('st', 'do a little', api.url);
    expect(r.code, r.stderr).toBe(0);
    const dir = path.join(me.root, 'st');
    expect(sequence(dir)).toEqual(['working', 'idle', 'closed']);
    const events = readStatusLog(dir).map((s) => s.event);
    expect(events[0]).toMatch(/UserPromptSubmit|PreToolUse/);
    expect(events).toContain('Stop');
    const ls = await me.cs(['-ls']);
    expect(ls.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+LAST USED/);
    expect(ls.stdout.split('\n')[1]).toMatch(/^st\s+closed\s+/);
    const json = JSON.parse((await me.cs(['-ls', '--json'])).stdout);
    expect(json[0]).toMatchObject({ name: 'st', status: 'closed' });
  });

  it('without cs (the sh hooks): working → needs-you on a permission request → idle → closed', { timeout: 45_000 }, async () => {
    const s = await createSession(me.env, 'ide');
    api = await startFakeAnthropic([bashTurn, [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(s.dir, 'notes.txt'), content: 'hi\n' } }], 'Could not write; done.']);
    const r = await runClaude({ cwd: s.dir, home: me.home, prompt: 'do a little', baseUrl: api.url, args: ['--allowedTools', 'Bash'], env: { CLAUDE_CONFIG_DIR: me.env.CLAUDE_CONFIG_DIR, CS_SESSIONS_ROOT: me.root, XDG_CONFIG_HOME: me.env.XDG_CONFIG_HOME, CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw' }, timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(s.dir, 'notes.txt'))).toBe(false); // not ours to allow
    await expect.poll(() => sequence(s.dir), { timeout: 10_000 }).toEqual(['working', 'needs-you', 'idle', 'closed']);
  });
});
