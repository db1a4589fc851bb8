// The real Claude Code in a session started without cs (the command-hook
// path): a word Claude says ends up in its transcript under
// ~/.claude/projects/<slug>/, one it writes ends up in discoveries.md, and
// `cs -search` finds both. The timeline got the tool calls from hooks/post-tool-use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSession } from '../../../src/session/workspace.js';
import { readTimeline } from '../../../src/timeline/timeline.js';
import { makeTempDir, runClaude } from '../../support/claude.js';
import { runCs } from '../../support/cs.js';
import { installedHome } from '../../support/installed-home.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';

let api: FakeAnthropic | undefined;
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  tmp = makeTempDir('cs-search-e2e-');
  env = installedHome(tmp);
});

afterEach(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('finds what Claude said in the transcript and what it wrote in discoveries', { timeout: 120_000 }, async () => {
  const session = await createSession(env, 'quest');
  await createSession(env, 'other');
  const said = 'wombatfinch';
  const noted = 'marmosetlamp';
  api = await startFakeAnthropic([
    [
      { type: 'text', text: `The culprit is the ${said} cache; I will note it.` },
      { type: 'tool_use', name: 'Edit', input: { file_path: session.discoveries, old_string: '-->', new_string: `-->\n\n## 2026-11-23 cache\nThe ${noted} setting disables the cache.` } },
    ],
    'Noted.',
  ]);
  const r = await runClaude({
    cwd: session.dir,
    home: env.HOME!,
    prompt: 'find the culprit',
    baseUrl: api.url,
    env: { CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR, CS_SESSIONS_ROOT: env.CS_SESSIONS_ROOT, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME },
    args: ['--allowedTools', 'Edit'],
    timeoutMs: 90_000,
  });
  expect(r.code, r.stderr).toBe(0);

  const inTranscript = await runCs(['-search', said.toUpperCase(), '--json'], { env });
  expect(inTranscript.code, inTranscript.stderr).toBe(0);
  const hits = JSON.parse(inTranscript.stdout);
  expect(hits[0]).toMatchObject({ session: 'quest', source: 'transcript' });
  expect(hits[0].snippet).toContain(`Claude: The culprit is the ${said} cache`);
  expect(hits[0].file).toMatch(/^transcript\/[0-9a-f-]{36}\.jsonl$/);

  const inDiscoveries = await runCs(['-search', noted], { env });
  expect(inDiscoveries.code, inDiscoveries.stderr).toBe(0);
  // Highest ranked: the discovery itself; the transcript (the Edit's input) comes after.
  expect(inDiscoveries.stdout.split('\n')[0]).toMatch(/^quest {2}\.cs\/discoveries\.md:\d+ {2}discoveries$/);
  expect(inDiscoveries.stdout).toContain(`The ${noted} setting disables the cache.`);
  expect(inDiscoveries.stdout).toMatch(/transcript\//);

  // The command hooks recorded the session in the timeline (the async tool hook may lag a little).
  await expect.poll(() => readTimeline(session.meta).events.map((e) => e.type), { timeout: 10_000 }).toEqual(expect.arrayContaining(['session-start', 'tool', 'discovery', 'session-end']));
});
