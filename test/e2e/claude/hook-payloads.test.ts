// Captures the stdin payloads of command hooks from the real Claude Code and
// checks them against test/fixtures/hook-payloads/<name>.json (same keys, same
// fixed values). Set CS_UPDATE_HOOK_FIXTURES=1 to rewrite the fixtures from a
// fresh capture (missing fixtures are always written).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic, type ScriptTurn } from '../../support/fake-anthropic.js';
import { captureHooks, makeTempDir, makeTempHome, REPO_ROOT, runClaude, type HookCall, type TempHome } from '../../support/claude.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'hook-payloads');
const UPDATE = process.env.CS_UPDATE_HOOK_FIXTURES === '1';

const EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'PermissionRequest',
  'Notification',
  'Stop',
  'SubagentStart',
  'SubagentStop',
  'PreCompact',
  'PostCompact',
  'SessionEnd',
];

function keysDeep(v: unknown, prefix = ''): string[] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.entries(v as Record<string, unknown>)
    .flatMap(([k, x]) => [prefix + k, ...(k === 'tool_input' || k === 'tool_response' ? keysDeep(x, prefix + k + '.') : [])])
    .sort();
}

/** Compare with (or write) a fixture: same key set, same values for the fields that do not vary between runs. */
function checkFixture(name: string, call: HookCall | undefined) {
  expect(call, `no ${name} hook call captured`).toBeDefined();
  const file = path.join(FIXTURES, `${name}.json`);
  if (UPDATE || !fs.existsSync(file)) {
    fs.mkdirSync(FIXTURES, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(call!.payload, null, 2) + '\n');
  }
  const fixture = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(keysDeep(call!.payload)).toEqual(keysDeep(fixture));
  for (const k of ['hook_event_name', 'source', 'reason', 'trigger', 'tool_name', 'permission_mode', 'stop_hook_active', 'is_interrupt']) {
    if (k in fixture) expect(call!.payload[k], `${name}.${k}`).toEqual(fixture[k]);
  }
}

describe('hook payloads of the real Claude Code', () => {
  let home: TempHome;
  let ws: string;
  let capDir: string;
  let cap: ReturnType<typeof captureHooks>;
  let api: FakeAnthropic | undefined;

  const run = async (turns: ScriptTurn[], prompt: string, args: string[] = []) => {
    await api?.close();
    api = await startFakeAnthropic(turns);
    const r = await runClaude({
      cwd: ws,
      home: home.home,
      prompt,
      baseUrl: api.url,
      settingsFile: cap.settingsFile,
      env: { CLAUDE_SESSION_NAME: 'payloads', CS_PROBE_VAR: 'from-parent' },
      args,
      timeoutMs: 25_000,
    });
    expect(r.code, r.stderr).toBe(0);
    return r;
  };

  beforeAll(() => {
    home = makeTempHome();
    ws = makeTempDir('cs-ws-');
    capDir = makeTempDir('cs-cap-');
    cap = captureHooks({ dir: capDir, events: EVENTS, envVars: ['CS_PROBE_VAR'] });
  });
  afterAll(async () => {
    await api?.close();
    home.cleanup();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(capDir, { recursive: true, force: true });
  });

  it('tools, failures, a subagent, stop and end (one -p run)', { timeout: 30_000 }, async () => {
    const a = path.join(ws, 'a.txt');
    await run(
      [
        [{ type: 'tool_use', name: 'Write', input: { file_path: a, content: 'one\n' } }],
        [{ type: 'tool_use', name: 'Edit', input: { file_path: a, old_string: 'one', new_string: 'two' } }],
        [{ type: 'tool_use', name: 'Bash', input: { command: 'exit 3', description: 'Fail on purpose' } }],
        [{ type: 'tool_use', name: 'Agent', input: { description: 'Sub task', prompt: 'Say hi', subagent_type: 'claude' } }],
        // The Agent tool runs in the background: the main loop and the subagent race for these.
        'Text reply one.',
        'Text reply two.',
      ],
      'Do the scripted things',
    );
    expect(fs.readFileSync(a, 'utf8')).toBe('two\n');
    const calls = cap.calls();
    const first = (ev: string, pred: (c: HookCall) => boolean = () => true) => calls.find((c) => c.event === ev && pred(c));
    const tool = (name: string) => (c: HookCall) => c.payload?.tool_name === name;

    checkFixture('SessionStart', first('SessionStart'));
    checkFixture('UserPromptSubmit', first('UserPromptSubmit'));
    checkFixture('PreToolUse', first('PreToolUse', tool('Write')));
    checkFixture('PostToolUse', first('PostToolUse', tool('Write')));
    checkFixture('PostToolUse.Edit', first('PostToolUse', tool('Edit')));
    checkFixture('PostToolUseFailure', first('PostToolUseFailure', tool('Bash')));
    checkFixture('SubagentStart', first('SubagentStart'));
    checkFixture('SubagentStop', first('SubagentStop'));
    checkFixture('Stop', first('Stop'));
    checkFixture('SessionEnd', first('SessionEnd'));

    expect(first('PostToolUseFailure')!.payload.error).toBe('Exit code 3');
    // Env given to the claude process reaches every hook; CLAUDE_ENV_FILE only SessionStart.
    for (const c of calls) {
      expect(c.env.CS_PROBE_VAR, c.event).toBe('from-parent');
      expect(c.env.CLAUDE_SESSION_NAME, c.event).toBe('payloads');
      expect(c.env.CLAUDE_PROJECT_DIR, c.event).toBe(ws);
      if (c.event !== 'SessionStart') expect(c.env.CLAUDE_ENV_FILE, c.event).toBeUndefined();
    }
    expect(first('SessionStart')!.env.CLAUDE_ENV_FILE).toMatch(/session-env\/.+\/sessionstart-hook-\d+\.sh$/);
    // Not fired in -p mode by any of this:
    expect(calls.filter((c) => c.event === 'Notification')).toEqual([]);
    expect(calls.filter((c) => c.event === 'PermissionRequest')).toEqual([]);
  });

  it('/compact after --continue: PreCompact, compaction, SessionStart(compact), PostCompact', { timeout: 30_000 }, async () => {
    const before = cap.calls().length;
    await run([], '/compact', ['--continue']);
    const calls = cap.calls().slice(before);
    const evs = calls.map((c) => c.event);
    expect(evs[0]).toBe('SessionStart');
    expect(evs).toEqual(expect.arrayContaining(['PreCompact', 'PostCompact', 'SessionEnd']));
    const starts = calls.filter((c) => c.event === 'SessionStart').map((c) => c.payload.source);
    expect(starts).toEqual(['resume', 'compact']);
    checkFixture('SessionStart.resume', calls.find((c) => c.event === 'SessionStart' && c.payload.source === 'resume'));
    checkFixture('SessionStart.compact', calls.find((c) => c.event === 'SessionStart' && c.payload.source === 'compact'));
    checkFixture('PreCompact', calls.find((c) => c.event === 'PreCompact'));
    checkFixture('PostCompact', calls.find((c) => c.event === 'PostCompact'));
    expect(api!.requests.filter((r) => r.kind === 'compact')).toHaveLength(1);
    expect(api!.turnsUsed()).toBe(0);
  });

  it('a Write outside --allowedTools: PermissionRequest fires in -p mode and the Write is refused', { timeout: 30_000 }, async () => {
    const before = cap.calls().length;
    const b = path.join(ws, 'b.txt');
    await run([[{ type: 'tool_use', name: 'Write', input: { file_path: b, content: 'x' } }], 'ok'], 'Write b', ['--allowedTools', 'Bash']);
    expect(fs.existsSync(b)).toBe(false);
    const calls = cap.calls().slice(before);
    checkFixture('PermissionRequest', calls.find((c) => c.event === 'PermissionRequest'));
    expect(calls.filter((c) => c.event === 'Notification')).toEqual([]);
    const result = api!.agentRequests()[1].messages.at(-1).content[0];
    expect(result).toMatchObject({ type: 'tool_result', is_error: true });
    expect(result.content).toContain("haven't granted it yet");
  });

  it('/clear in -p: SessionEnd(reason clear) then SessionStart(source clear)', { timeout: 30_000 }, async () => {
    const before = cap.calls().length;
    await run([], '/clear');
    const calls = cap.calls().slice(before);
    const seq = calls.filter((c) => c.event === 'SessionStart' || c.event === 'SessionEnd').map((c) => `${c.event}:${c.payload.source ?? c.payload.reason}`);
    expect(seq).toEqual(['SessionStart:startup', 'SessionEnd:clear', 'SessionStart:clear', 'SessionEnd:other']);
  });
});
