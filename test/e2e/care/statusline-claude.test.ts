// The status-line JSON of the real Claude Code (2.1.330, interactive TUI in
// tmux, offline against the fake API): captured and checked for the fields
// hooks/statusline reads, and rendered by it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { repoRoot } from '../../support/cs.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { hasTmux, startTerminal, type Terminal } from '../../support/tmux.js';

let tmp: string;
let api: FakeAnthropic;
let term: Terminal | undefined;

beforeAll(async () => {
  tmp = makeTempDir('cs-sl-claude-');
  api = await startFakeAnthropic(['Hello from the fake.'], { usage: () => ({ input_tokens: 1000, cache_read_input_tokens: 49_000 }) });
});
afterAll(async () => {
  // Claude writes its state into the home until it has exited: wait for it.
  await term?.end();
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe.skipIf(!hasTmux())('status line JSON from the real Claude Code', () => {
  it('has the fields hooks/statusline reads', { timeout: 120_000 }, async () => {
    const home = path.join(tmp, 'home');
    const config = path.join(home, '.claude');
    const work = path.join(tmp, 'work');
    fs.mkdirSync(config, { recursive: true });
    fs.mkdirSync(work);
    const capture = path.join(tmp, 'capture.sh');
    const out = path.join(tmp, 'status.json');
    fs.writeFileSync(capture, `#!/bin/sh\ncat > "${out}.tmp" && mv "${out}.tmp" "${out}"\necho captured\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(config, 'settings.json'), JSON.stringify({ statusLine: { type: 'command', command: capture } }));
    // First-run screens pre-accepted (DESIGN.md: onboarding, the API key, trust of the directory).
    fs.writeFileSync(path.join(config, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: ['sk-test'.slice(-20)], rejected: [] }, projects: { [work]: { hasTrustDialogAccepted: true } } }));
    const env = { ...offlineClaudeEnv({ home, configDir: config, baseUrl: api.url }), TERM: 'xterm-256color' };
    term = startTerminal([CLAUDE_BIN], { env, cwd: work, width: 120, height: 30 });
    await term.waitFor((s) => s.includes('captured'), 'the status line', 60_000);
    term.type('Say hello.');
    term.keys('Enter');
    await term.waitFor((s) => s.includes('Hello from the fake.'), 'the answer', 60_000);
    const has = () => {
      try {
        return (JSON.parse(fs.readFileSync(out, 'utf8')).context_window?.used_percentage ?? null) !== null;
      } catch {
        return false;
      }
    };
    const end = Date.now() + 30_000;
    while (!has() && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    const v = JSON.parse(fs.readFileSync(out, 'utf8'));
    // The version of the Claude Code under test (the pinned dev dependency, or CS_TEST_CLAUDE_BIN).
    const bin = spawnSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
    expect(v.version).toBe(bin);
    expect(typeof v.session_id).toBe('string');
    expect(v.workspace.current_dir).toBe(fs.realpathSync(work));
    // 1,000 input + 49,000 cache-read tokens reported by the fake; this model's window is 1M tokens.
    expect(v.context_window).toMatchObject({ total_input_tokens: 50000, context_window_size: 1000000, used_percentage: 5 });
    // An API key has no plan limits: rate_limits is absent (the sample pins their shape from the source).
    expect(v.rate_limits).toBeUndefined();
    const r = spawnSync(path.join(repoRoot, 'hooks/statusline'), [], { input: JSON.stringify(v), encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.stdout).toBe('ctx 5%\n');
  });
});
