// End-to-end proof of the harness: the real Claude Code, offline, runs a
// scripted Write, fires a command hook, and sends the tool_result back.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { CLAUDE_BIN, captureHooks, makeTempDir, makeTempHome, runClaude, type TempHome } from '../../support/claude.js';

describe('real Claude Code against the fake API', () => {
  let api: FakeAnthropic | undefined;
  let home: TempHome | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await api?.close();
    home?.cleanup();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('writes a file through a scripted Write turn; hooks and the follow-up request see it', { timeout: 30_000 }, async () => {
    const ws = makeTempDir('cs-ws-');
    const capDir = makeTempDir('cs-cap-');
    dirs.push(ws, capDir);
    home = makeTempHome();
    const target = path.join(ws, 'notes', 'hello.txt');
    api = await startFakeAnthropic([
      [
        { type: 'text', text: 'Writing the file.' },
        { type: 'tool_use', name: 'Write', input: { file_path: target, content: 'hello from the fake model\n' } },
      ],
      'All done.',
    ]);
    const cap = captureHooks({ dir: capDir, events: [{ event: 'PreToolUse', matcher: 'Write' }, 'Stop'] });

    const r = await runClaude({
      cwd: ws,
      home: home.home,
      prompt: 'please write hello.txt',
      baseUrl: api.url,
      settingsFile: cap.settingsFile,
      env: { CLAUDE_SESSION_NAME: 'smoke' },
      timeoutMs: 25_000,
    });

    expect(r.timedOut).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('All done.');
    expect(fs.readFileSync(target, 'utf8')).toBe('hello from the fake model\n');

    const pre = cap.byEvent('PreToolUse');
    expect(pre).toHaveLength(1);
    expect(pre[0]!.payload).toMatchObject({
      hook_event_name: 'PreToolUse',
      tool_name: 'Write',
      tool_input: { file_path: target, content: 'hello from the fake model\n' },
      cwd: ws,
    });
    expect(pre[0]!.payload.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(pre[0]!.env.CLAUDE_PROJECT_DIR).toBe(ws);
    expect(pre[0]!.env.CLAUDE_SESSION_NAME).toBe('smoke');
    expect(cap.byEvent('Stop')).toHaveLength(1);

    expect(api.turnsUsed()).toBe(2);
    const agent = api.agentRequests();
    expect(agent).toHaveLength(2);
    expect(agent[0].tools.map((t: any) => t.name)).toEqual(expect.arrayContaining(['Write', 'Edit', 'Bash']));
    const toolUseId = pre[0]!.payload.tool_use_id;
    const last = agent[1].messages.at(-1);
    expect(last.role).toBe('user');
    expect(last.content).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'tool_result', tool_use_id: toolUseId })]),
    );
    // The earlier assistant turn is replayed in the follow-up request.
    const assistant = agent[1].messages.find((m: any) => m.role === 'assistant');
    expect(JSON.stringify(assistant.content)).toContain(toolUseId);
  });

  it('non-streaming requests get a JSON message, and extra endpoints a harmless reply', { timeout: 10_000 }, async () => {
    api = await startFakeAnthropic([[{ type: 'tool_use', name: 'Write', input: { file_path: '/x', content: 'y' } }]]);
    const post = (p: string, body: unknown) =>
      fetch(api!.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const side = await (await post('/v1/messages', { model: 'm', messages: [{ role: 'user', content: 'title?' }], stream: false })).json();
    expect(side).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
    expect(api.turnsUsed()).toBe(0);
    const tools = [{ name: 'Write', input_schema: { type: 'object' } }];
    const msg = await (await post('/v1/messages', { model: 'm', messages: [{ role: 'user', content: 'go' }], tools })).json();
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[0]).toMatchObject({ type: 'tool_use', name: 'Write', input: { file_path: '/x', content: 'y' } });
    expect(msg.content[0].id).toMatch(/^toolu_/);
    const sse = await (await post('/v1/messages', { model: 'm', messages: [{ role: 'user', content: 'go' }], tools, stream: true })).text();
    expect(sse).toContain('event: message_start');
    expect(sse).toContain('"stop_reason":"end_turn"'); // script used up: plain end_turn
    expect(sse.trim().endsWith('data: {"type":"message_stop"}')).toBe(true);
    expect((await (await post('/v1/messages/count_tokens', { messages: [] })).json()).input_tokens).toBeGreaterThan(0);
    expect((await fetch(api.url + '/v1/models')).status).toBe(200);
    expect(api.requests).toHaveLength(5);
  });
});

describe('the Claude Code under test (pinned, or CS_TEST_CLAUDE_BIN)', () => {
  // Its npm package asks for a newer Node than cs needs; the README says which Node runs it here.
  const pkgDir = path.dirname(path.dirname(fs.realpathSync(CLAUDE_BIN)));
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string; engines?: { node?: string } };
  it(`${pkg.version} (engines: node ${pkg.engines?.node ?? 'any'}) runs on this machine's Node ${process.versions.node}`, () => {
    const r = spawnSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: os.tmpdir(), DISABLE_AUTOUPDATER: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${pkg.version} (Claude Code)`);
    // cs supports Node >= 20: this is the proof on the machine's Node (20 here and in CI).
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
  });
});
