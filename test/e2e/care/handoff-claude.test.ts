// The handoff with the real Claude Code (offline, fake API reporting a
// nearly full context): the Stop hook asks once, Claude writes the handoff
// (redacted on the way), and the next --new conversation starts from it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/session/workspace.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { laptop, type Laptop } from '../../support/laptops.js';

let tmp: string;
let api: FakeAnthropic;
let a: Laptop;
let dir: string;

/** The handoff path the nudge named, from what Claude was told. */
const askedFile = (body: any) => /write a handoff to (\.cs\/handoffs\/\d{8}-\d{6}\.md)/.exec(JSON.stringify(body?.messages ?? []))?.[1];

beforeAll(async () => {
  tmp = makeTempDir('cs-handoff-');
  a = laptop(tmp, 'a', path.join(tmp, 'a', 'sessions'));
  dir = (await createSession(a.env, 'heavy')).dir;
  api = await startFakeAnthropic(
    [
      'First part done.',
      // Claude continues with the Stop hook's request: it writes the handoff where it was asked to.
      (body) => {
        const rel = askedFile(body);
        return rel
          ? [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(dir, rel), content: '## Goal\nShip WOMBAT-42\n## Facts\nAPI_TOKEN=tok_5a4b3c2d1e0f9988\n## Next step\nrun the migration\n' } }]
          : 'No handoff was asked for.';
      },
      'Handoff written.',
      'Continuing from the handoff.',
    ],
    // 170,000 of 200,000 tokens: 85 % of the context window.
    { usage: () => ({ input_tokens: 20_000, cache_read_input_tokens: 150_000 }) },
  );
});

afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const run = (args: string[], prompt: string) =>
  a.cs(['heavy', ...args, '--', '-p', prompt, '--allowedTools', 'Write,Edit,Bash'], { ...offlineClaudeEnv({ home: a.home, configDir: a.env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...a.env, CLAUDE_CODE_BIN: CLAUDE_BIN, DISABLE_AUTO_COMPACT: '1' });

describe('handoff with the real Claude Code', () => {
  it('asks once at 85 %, the handoff is written redacted, and --new --from-handoff starts from it', { timeout: 120_000 }, async () => {
    let r = await run([], 'Do the first part.');
    expect(r.code, r.stderr).toBe(0);
    const agent = api.agentRequests();
    const asked = agent.map(askedFile).filter(Boolean);
    expect(asked.length, fs.readFileSync(path.join(dir, '.cs/logs/session.log'), 'utf8')).toBeGreaterThan(0);
    const rel = asked[0]!;
    // Asked once: the request reached Claude in exactly one turn's new message.
    expect(new Set(asked)).toEqual(new Set([rel]));
    expect(fs.readFileSync(path.join(dir, '.cs/logs/session.log'), 'utf8').match(/asked Claude for a handoff at 85% context/g)).toHaveLength(1);
    const written = fs.readFileSync(path.join(dir, rel), 'utf8');
    expect(written).toBe('## Goal\nShip WOMBAT-42\n## Facts\nAPI_TOKEN=${API_TOKEN}\n## Next step\nrun the migration\n');
    expect(api.turnsUsed()).toBe(3);

    const mark = api.requests.length;
    r = await run(['--new', '--from-handoff'], 'Go on.');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`starting from the handoff ${rel}`);
    const first = api.requests.slice(mark).find((q) => q.kind === 'agent')!.body;
    expect(JSON.stringify(first.system)).toContain('Ship WOMBAT-42');
    expect(JSON.stringify(first)).not.toContain('tok_5a4b3c2d1e0f9988');
    const convs = JSON.parse((await a.cs(['heavy', '-conversations', '--json'])).stdout);
    expect(convs).toHaveLength(2);
    expect(convs[1]).toMatchObject({ handoff: rel, handoffFrom: convs[0].uuid });
    expect((await a.cs(['heavy', '-conversations'])).stdout).toMatch(/⇢ #1 \(handoff\)/);
  });
});
