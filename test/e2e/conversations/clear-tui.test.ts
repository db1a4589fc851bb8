// The real Claude Code TUI in tmux, offline against the fake API: a
// conversation Claude switches to inside a cs session (here through /clear)
// is pinned like the one cs launched — listed, resumed as the latest, synced.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/session/workspace.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { csBin, fakeClaude } from '../../support/cs.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { hasTmux, startTerminal } from '../../support/tmux.js';
import { git, laptop, type Laptop } from '../../support/laptops.js';
import { acceptFirstRun } from '../../support/host.js';

let tmp: string;
let api: FakeAnthropic;
let a: Laptop;

beforeAll(async () => {
  tmp = makeTempDir('cs-clear-');
  a = laptop(tmp, 'a', path.join(tmp, 'a', 'sessions'));
  api = await startFakeAnthropic(['First answer: XRAY-1.', 'Second answer: YANKEE-2.']);
});

afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasTmux())('a conversation started with /clear in the TUI', () => {
  it('is pinned, listed, resumed as the latest and synced', { timeout: 150_000 }, async () => {
    const s = await createSession(a.env, 'demo');
    expect((await a.cs(['demo', '-secrets', 'age', 'init'])).code).toBe(0);
    const configDir = a.env.CLAUDE_CONFIG_DIR!;
    acceptFirstRun(configDir, 'sk-test', [s.dir]);
    const env = { ...offlineClaudeEnv({ home: a.home, configDir, baseUrl: api.url }), ...a.env, CLAUDE_CODE_BIN: CLAUDE_BIN };
    const term = startTerminal([process.execPath, csBin, 'demo'], { env, cwd: a.home, width: 120, height: 40 });
    try {
      await term.waitFor((sc) => /❯|>\s*$/m.test(sc) && !/trust/i.test(sc), 'the Claude prompt', 60_000);
      term.type('Say the first thing.');
      term.keys('Enter');
      await term.waitFor((sc) => sc.includes('XRAY-1'), 'the first answer', 40_000);
      term.type('/clear');
      // Enter only once the TUI has drawn what was typed: on a busy machine both could otherwise
      // arrive in one read, as a paste.
      await term.waitFor((sc) => sc.includes('/clear'), 'the typed /clear', 20_000);
      await new Promise((r) => setTimeout(r, 500));
      term.keys('Enter');
      await term.waitFor((sc) => !sc.includes('XRAY-1'), 'the cleared screen', 20_000);
      term.type('Say the second thing.');
      term.keys('Enter');
      await term.waitFor((sc) => sc.includes('YANKEE-2'), 'the second answer', 40_000);
      term.type('/exit');
      await term.waitFor((sc) => sc.includes('/exit'), 'the typed /exit', 20_000);
      await new Promise((r) => setTimeout(r, 500));
      term.keys('Enter');
      expect(await term.waitForExit(60_000)).toBe(0);
    } finally {
      term.close();
    }

    // Both conversations are pinned and listed, the one after /clear last.
    const listed = JSON.parse((await a.cs(['demo', '-conversations', '--json'])).stdout) as Array<{ uuid: string; local: boolean; synced: boolean }>;
    expect(listed).toHaveLength(2);
    const [first, second] = listed.map((c) => c.uuid);
    expect(first).not.toBe(second);
    expect(listed[1]).toMatchObject({ local: true, synced: true });
    // Synced: its encrypted transcript is in the session-end commit.
    expect(git(s.dir, 'ls-files', '.cs/conversations')).toContain(`${second}.jsonl.age`);
    // The next `cs demo` resumes the conversation from after /clear.
    const log = path.join(tmp, 'fake-claude.log');
    expect((await a.cs(['demo'], { CLAUDE_CODE_BIN: fakeClaude, FAKE_CLAUDE_LOG: log })).code).toBe(0);
    const argv = JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n').at(-1)!).argv as string[];
    expect(argv.slice(argv.indexOf('--resume'), argv.indexOf('--resume') + 2)).toEqual(['--resume', second]);
  });
});
