// cs -usage against fixture transcripts with duplicated request ids; the
// expected totals are counted by hand (test/fixtures/usage/README.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSince } from '../../../src/commands/usage.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';
import { requestOf } from '../../../src/usage/usage.js';
import { repoRoot, runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { sessionsSharingAFolder } from '../../support/shared-folder.js';

const FIXTURES = path.join(repoRoot, 'test/fixtures/usage');
const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const C = 'cccccccc-0000-4000-8000-000000000003';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

/** Copies a fixture into the session's Claude Code project folder, times made relative to now. */
function install(session: string, from: string, to: string): void {
  const dir = path.join(sb.root, session);
  const target = path.join(claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, dir), to);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const now = Date.now();
  const text = fs
    .readFileSync(path.join(FIXTURES, from), 'utf8')
    .replace(/@@T-(\d+)m@@/g, (_m, n) => new Date(now - Number(n) * 60_000).toISOString())
    .split('@@DIR@@')
    .join(dir);
  fs.writeFileSync(target, text);
}

async function setUp(): Promise<void> {
  for (const s of ['api', 'web', 'idle']) expect((await runCs([s], { env: sb.env })).code).toBe(0);
  for (const f of [`${A}.jsonl`, `${B}.jsonl`, `${B}/subagents/agent-1.jsonl`, `${C}.jsonl`]) install('api', f, f);
  install('web', 'web.jsonl', 'dddddddd-0000-4000-8000-000000000004.jsonl');
}

const tokens = (input: number, output: number, cacheWrite: number, cacheRead: number, requests: number) => ({ input, output, cacheWrite, cacheRead, requests });

describe('requestOf', () => {
  it('reads an assistant line, keyed by requestId, else message id; ignores the rest', () => {
    const line = (o: object) => JSON.stringify({ type: 'assistant', timestamp: '2026-01-01T00:00:00Z', ...o });
    expect(requestOf(line({ requestId: 'req_1', message: { id: 'm', usage: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 3, cache_read_input_tokens: 4 } } }), 'c')).toMatchObject({ key: 'r:req_1', tokens: tokens(1, 2, 3, 4, 1) });
    expect(requestOf(line({ message: { id: 'msg_9', usage: { input_tokens: 1 } } }), 'c')).toMatchObject({ key: 'm:msg_9', tokens: tokens(1, 0, 0, 0, 1) });
    expect(requestOf(line({ type: 'user', message: { usage: {} } }), 'c')).toBeNull();
    expect(requestOf('{"usage": broken', 'c')).toBeNull();
    expect(requestOf(line({ timestamp: 'never', requestId: 'r', message: { usage: {} } }), 'c')).toBeNull();
  });
  it.each([
    ['30m', { ms: 1_800_000 }],
    ['5h', { ms: 18_000_000 }],
    ['2d', { ms: 172_800_000 }],
    ['1w', { ms: 604_800_000 }],
  ])('--since %s', (t, want) => expect(parseSince(t)).toEqual(want));
  it('--since takes a date, and refuses anything else', () => {
    expect(parseSince('2026-11-01')).toEqual({ at: new Date('2026-11-01') });
    for (const bad of ['', 'yesterday', '5', '5y', '2026-13-45']) expect(() => parseSince(bad), bad).toThrow(/--since takes/);
    expect(parseSince('5214w')).toEqual({ ms: 5214 * 604_800_000 });
    for (const far of ['99999999d', '5216w', '876001h']) expect(() => parseSince(far), far).toThrow(/reaches back more than 100 years/);
  });
});

describe('cs -usage', () => {
  it('totals per session over 5 hours and 7 days, each request once', { timeout: 120_000 }, async () => {
    await setUp();
    const r = await runCs(['-usage', '--json'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    const { windows } = JSON.parse(r.stdout);
    expect(windows.map((w: any) => w.window)).toEqual(['5h', '7d']);
    // 5 h: api = A (req_1, req_2, msg_x) + B (req_5, req_4 of its subagent) + C (req_6; its copy of req_1 not again).
    expect(windows[0].sessions).toEqual([
      { session: 'api', ...tokens(106 + 22 + 1000, 132 + 43 + 1, 1203 + 4, 1104 + 305, 6) },
      { session: 'web', ...tokens(10, 10, 10, 10, 1) },
    ]);
    expect(windows[0].total).toEqual(tokens(1138, 186, 1217, 1419, 7));
    // 7 d adds req_3 (6 hours ago); req_old (8 days ago) stays out.
    expect(windows[1].sessions[0]).toEqual({ session: 'api', ...tokens(1135, 476, 1207, 6409, 7) });
    expect(windows[1].total).toEqual(tokens(1145, 486, 1217, 6419, 8));

    const text = await runCs(['-usage'], { env: sb.env });
    expect(text.stdout.split('\n').slice(0, 5)).toEqual([
      'last 5 hours',
      'SESSION  INPUT  OUTPUT  CACHE WRITE  CACHE READ  REQUESTS',
      'api      1.1k   176     1.2k         1.4k        6',
      'web      10     10      10           10          1',
      'total    1.1k   186     1.2k         1.4k        7',
    ]);
  });

  it('per conversation with a session, and one window with --since', { timeout: 120_000 }, async () => {
    await setUp();
    const r = await runCs(['api', '-usage', '--json'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.session).toBe('api');
    const five = out.windows[0];
    expect(five.conversations).toEqual([
      { uuid: A, ...tokens(106, 132, 1203, 1104, 3) },
      { uuid: C, ...tokens(1000, 1, 0, 0, 1) },
      { uuid: B, ...tokens(22, 43, 4, 305, 2) },
    ]);
    expect(out.windows[1].conversations[0]).toEqual({ uuid: A, ...tokens(113, 432, 1203, 6104, 4) });

    const since = JSON.parse((await runCs(['-usage', 'api', '--since', '45m', '--json'], { env: sb.env })).stdout);
    expect(since.windows).toHaveLength(1);
    // 45 minutes: req_2 (A), req_4 (B's subagent), req_6 (C).
    expect(since.windows[0].total).toEqual(tokens(5 + 20 + 1000, 80 + 40 + 1, 200, 1100 + 300, 3));
  });

  it('splits a project folder two sessions share (x.y and x-y) by the conversations each pins', { timeout: 120_000 }, async () => {
    const { dot, dash, shared } = await sessionsSharingAFolder(sb.env);
    const at = new Date(Date.now() - 60_000).toISOString();
    const spend = (uuid: string, n: number) =>
      fs.writeFileSync(path.join(shared, `${uuid}.jsonl`), `${JSON.stringify({ type: 'assistant', requestId: `req_${n}`, timestamp: at, sessionId: uuid, message: { id: `msg_${n}`, usage: { input_tokens: n, output_tokens: n } } })}\n`);
    spend(dot, 100);
    spend(dash, 7);
    const all = JSON.parse((await runCs(['-usage', '--json'], { env: sb.env })).stdout);
    expect(all.windows[0].sessions).toEqual([{ session: 'x.y', ...tokens(100, 100, 0, 0, 1) }, { session: 'x-y', ...tokens(7, 7, 0, 0, 1) }]);
    expect(all.windows[0].total).toEqual(tokens(107, 107, 0, 0, 2));
    const one = JSON.parse((await runCs(['x-y', '-usage', '--json'], { env: sb.env })).stdout);
    expect(one.windows[0].conversations).toEqual([{ uuid: dash, index: 1, ...tokens(7, 7, 0, 0, 1) }]);
  });

  it('bad input: one line, exit 2', { timeout: 120_000 }, async () => {
    for (const args of [['-usage', '--since', 'soon'], ['-usage', 'a', 'b'], ['-usage', '../x']]) {
      const r = await runCs(args, { env: sb.env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await runCs(['-usage', 'nope'], { env: sb.env })).stderr).toContain("no session named 'nope'");
  });
});
