// cs's hook endpoint (src/hooks/server.ts): one http hook per event, the
// recording parts answered first and run after, in order; the answering
// parts see what the recording parts before them wrote.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookSettings, SERVED, startHookServer, type HookServer } from '../../../src/hooks/server.js';
import { matcherSelects } from '../../../src/hooks/registry.js';
import { HANDLERS } from '../../../src/hooks/handlers.js';
import { readStatus, recordEvent } from '../../../src/status/status.js';
import { sessionPaths } from '../../../src/session/paths.js';
import { hookSandbox, payload, runHookScript, type HookSandbox } from '../../support/hooks.js';
import { runHook } from '../../../src/hooks/main.js';
import { PREPARED_ANSWER, PREPARED_ENV_LINE } from '../../../src/hooks/prepared.js';
import { readConversations } from '../../../src/conversations/store.js';

let sb: HookSandbox;
let server: HookServer;
let settings: { hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ type: string; url: string; timeout: number; headers: Record<string, string> }> }>> };

beforeAll(async () => {
  sb = await hookSandbox('served');
  server = await startHookServer(sessionPaths(sb.session.dir, 'served'), sb.hookEnv);
  settings = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8')) as typeof settings;
}, 60_000);
afterAll(async () => {
  await server?.close();
  sb?.cleanup();
});

const token = () => Object.values(settings.hooks)[0]![0]!.hooks[0]!.headers['X-CS-Token']!;
const entryOf = (event: string) => settings.hooks[event]![0]!;
function post(url: string, body: string, tok = token()): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cs-token': tok }, body });
}

describe('the hook settings cs passes to Claude', () => {
  it('hold one http hook per served event, naming every part, with the longest timeout and the union of matchers', () => {
    expect(Object.keys(settings.hooks).sort()).toEqual([...new Set(SERVED.map((s) => s.event))].sort());
    for (const [event, groups] of Object.entries(settings.hooks)) {
      expect(groups, event).toHaveLength(1);
      expect(groups[0]!.hooks, event).toHaveLength(1);
      const parts = SERVED.filter((s) => s.event === event);
      const h = groups[0]!.hooks[0]!;
      expect(h.type).toBe('http');
      expect(h.url).toBe(`${server.url}/hook/${parts.map((p) => p.handler).join('+')}`);
      expect(h.timeout).toBe(Math.max(...parts.map((p) => p.timeout)));
      // PreToolUse is served for the tools that may run long (the status) and for Write (the
      // capture) only: a Read or an Edit makes no round trip before it runs. Every other served
      // event has a part for every tool, so no matcher narrows its hook.
      if (event === 'PreToolUse') {
        const m = groups[0]!.matcher;
        for (const tool of ['Bash', 'Task', 'WebFetch', 'Write']) expect(matcherSelects(m, tool), tool).toBe(true);
        for (const tool of ['Read', 'Edit', 'MultiEdit', 'Glob', 'Grep', 'TodoWrite']) expect(matcherSelects(m, tool), tool).toBe(false);
      } else expect(groups[0]!.matcher, event).toBeUndefined();
    }
    const only = hookSettings('http://x', 't') as typeof settings;
    expect(only.hooks.PreToolUse![0]!.hooks[0]!.url).toBe('http://x/hook/status+pre-tool-use');
  });

  it('match tools as Claude Code matchers do', () => {
    const table: Array<[string | undefined, string | undefined, boolean]> = [
      [undefined, 'Read', true],
      ['', 'Read', true],
      ['*', undefined, true],
      ['Write', 'Write', true],
      ['Write', 'WriteX', false],
      ['Write|Edit|MultiEdit', 'Edit', true],
      ['Write|Edit|MultiEdit', 'NotebookEdit', false],
      ['Write', undefined, false],
    ];
    for (const [m, tool, want] of table) expect(matcherSelects(m, tool), `${m} ${tool}`).toBe(want);
  });
});

describe('the hook endpoint', () => {
  it('refuses a wrong token, an unknown part and other methods, and writes nothing for them', async () => {
    const url = entryOf('PostToolUse').hooks[0]!.url;
    const timeline = () => (fs.existsSync(path.join(sb.session.meta, 'timeline.jsonl')) ? fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8') : '');
    const before = timeline();
    const input = payload('PostToolUse', { tool_name: 'Read', tool_input: { file_path: path.join(sb.session.dir, 'x') } }, sb.session.dir);
    expect((await post(url, input, token().slice(0, -1) + 'x')).status).toBe(401);
    expect((await post(`${server.url}/hook/timeline+nope`, input)).status).toBe(404);
    expect((await post(`${server.url}/hook/session-start`, input)).status).toBe(404);
    expect((await fetch(url, { headers: { 'x-cs-token': token() } })).status).toBe(404);
    await server.idle();
    expect(timeline()).toBe(before);
  });

  it('answers PostToolUse at once and records the timeline, the change and the autosave after, in order', async () => {
    const url = entryOf('PostToolUse').hooks[0]!.url;
    const files = ['one.txt', 'two.txt', 'three.txt'];
    const answers: string[] = [];
    for (const f of files) {
      fs.writeFileSync(path.join(sb.session.dir, f), f);
      const r = await post(url, payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(sb.session.dir, f), content: f }, tool_response: {} }, sb.session.dir));
      expect(r.status).toBe(200);
      answers.push(await r.text());
    }
    // A Read: the timeline part only (post-tool-use and autosave are for file tools).
    await post(url, payload('PostToolUse', { tool_name: 'Read', tool_input: { file_path: path.join(sb.session.dir, 'one.txt') }, tool_response: {} }, sb.session.dir));
    expect(answers).toEqual(['{}', '{}', '{}']);
    await server.idle();
    const timeline = fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8');
    const targets = [...timeline.matchAll(/"tool":"(\w+)","target":"([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(targets.slice(-4)).toEqual(['Write one.txt', 'Write two.txt', 'Write three.txt', 'Read one.txt']);
    const changes = fs.readFileSync(path.join(sb.session.meta, 'changes.md'), 'utf8');
    expect(changes.match(/Write: (one|two|three)\.txt/g)).toEqual(['Write: one.txt', 'Write: two.txt', 'Write: three.txt']);
    expect(changes).not.toMatch(/Read:/);
    // Autosave: the first Write saves, the next two fall inside its minute.
    expect(timeline.match(/"type":"autosave","commit":"[0-9a-f]{40}"/g)).toHaveLength(1);
  });

  it('lets an answering part read what the recording parts before it wrote (Stop after a change)', async () => {
    fs.writeFileSync(path.join(sb.session.dir, 'late.txt'), 'x');
    // The discoveries file is older than the change the PostToolUse records.
    fs.utimesSync(sb.session.discoveries, new Date(0), new Date(0));
    fs.rmSync(path.join(sb.session.local, 'stop-reminder.json'), { force: true });
    const post1 = post(entryOf('PostToolUse').hooks[0]!.url, payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(sb.session.dir, 'late.txt'), content: 'x' }, tool_response: {} }, sb.session.dir));
    const stop = await post(entryOf('Stop').hooks[0]!.url, payload('Stop', { stop_hook_active: false }, sb.session.dir));
    await post1;
    const out = JSON.parse(await stop.text()) as { decision?: string; reason?: string };
    expect(out.decision).toBe('block');
    expect(out.reason).toMatch(/discoveries\.md/);
    await server.idle();
    expect(JSON.parse(fs.readFileSync(path.join(sb.session.local, 'status.json'), 'utf8')).state).toBe('idle');
  });
});

describe('a recording part that hangs', () => {
  it('holds an answering part up only briefly, and a late status never overwrites a newer one', { timeout: 30_000 }, async () => {
    const original = HANDLERS.timeline!;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    HANDLERS.timeline = async (c) => {
      await gate;
      return original(c);
    };
    try {
      // A PostToolUse whose timeline part hangs.
      await post(entryOf('PostToolUse').hooks[0]!.url, payload('PostToolUse', { tool_name: 'Read', tool_input: { file_path: path.join(sb.session.dir, 'slow.txt') }, tool_response: {} }, sb.session.dir));
      // A Stop is answered while the part still hangs (its status part queued behind it).
      const stop = await post(entryOf('Stop').hooks[0]!.url, payload('Stop', { stop_hook_active: true }, sb.session.dir));
      expect(stop.status).toBe(200);
      let released = false;
      void gate.then(() => (released = true));
      expect(released).toBe(false);
      // Then a PreToolUse (its status part queued too), and the permission request's sh hook says needs-you, later than both.
      await post(entryOf('PreToolUse').hooks[0]!.url, payload('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' } }, sb.session.dir));
      recordEvent(sb.session.dir, 'PermissionRequest', new Date(Date.now() + 5));
    } finally {
      release();
      HANDLERS.timeline = original;
    }
    await server.idle();
    // The Stop's idle and the PreToolUse's working ran last but were stamped when they arrived: needs-you stays.
    expect(readStatus(sb.session.dir)?.state).toBe('needs-you');
    expect(fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8')).toContain('slow.txt');
  });
});

describe('SessionEnd over http', () => {
  it('is answered at once; the end is logged, the status closed and the timeline written after', async () => {
    // The test before stamps its needs-you 5 ms ahead, and a status older than the one recorded is
    // not written (by design): this SessionEnd comes after it, as a real one would.
    const last = readStatus(sb.session.dir)?.ms ?? 0;
    while (Date.now() <= last) await new Promise((r) => setTimeout(r, 2));
    const r = await post(entryOf('SessionEnd').hooks[0]!.url, payload('SessionEnd', { reason: 'other' }, sb.session.dir));
    expect(await r.text()).toBe('{}');
    await server.idle();
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/claude session end \(other\)\n$/);
    expect(JSON.parse(fs.readFileSync(path.join(sb.session.local, 'status.json'), 'utf8')).state).toBe('closed');
    expect(fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8')).toMatch(/"type":"session-end","reason":"other"\}\n$/);
  });
});

describe('the first SessionStart of a Claude cs launched', () => {
  it('is answered by sh from what cs prepared, exactly as the Node handler answers, and recorded by the endpoint', async () => {
    const uuid = '6b0e3f52-5d0c-4f6e-9a55-0a1f6c2b9d10';
    const prepared = path.join(sb.session.dir, PREPARED_ANSWER);
    expect(fs.existsSync(prepared)).toBe(true);
    expect(fs.statSync(prepared).mode & 0o777).toBe(0o600);
    // A `node` first on PATH that notes each start: the fast path must start none.
    const bin = path.join(sb.dir, 'shim-bin');
    const starts = path.join(sb.dir, 'node-starts');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(starts, '');
    fs.writeFileSync(path.join(bin, 'node'), `#!/bin/sh\necho >> '${starts}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const envFile = path.join(sb.dir, 'claude-env');
    fs.writeFileSync(envFile, '');
    const env = { ...sb.hookEnv, PATH: `${bin}:${process.env.PATH}`, CS_HOOK_SERVER: '1', CS_LAUNCHED: '1', CLAUDE_ENV_FILE: envFile };
    const input = payload('SessionStart', { session_id: uuid, source: 'startup' }, sb.session.dir);
    const fast = await runHookScript('session-start', input, env);
    expect(fast.code, fast.stderr).toBe(0);
    expect(fs.readFileSync(starts, 'utf8')).toBe('');
    // The same answer and the same env-file line as the Node handler gives.
    const nodeEnvFile = path.join(sb.dir, 'claude-env-node');
    fs.writeFileSync(nodeEnvFile, '');
    const viaNode = await runHook('session-start', input, { ...env, CLAUDE_ENV_FILE: nodeEnvFile });
    expect(JSON.parse(fast.stdout)).toEqual(JSON.parse(viaNode.output));
    expect(JSON.parse(fast.stdout).hookSpecificOutput.additionalContext).toContain('cs session "served"');
    expect(fs.readFileSync(envFile, 'utf8')).toBe(fs.readFileSync(nodeEnvFile, 'utf8'));
    expect(fs.readFileSync(envFile, 'utf8')).toMatch(/^if \[ -r .+ \]; then \. .+; fi; unset CS_HOOK_SERVER\n$/);
    // Sourced ahead of a Bash command, it clears CS_HOOK_SERVER: a `claude` run from there runs every command hook.
    expect(execFileSync('sh', ['-c', '. "$1"; printf %s "${CS_HOOK_SERVER-unset}"', 'sh', envFile], { env: { ...process.env, CS_HOOK_SERVER: '1' }, encoding: 'utf8' })).toBe('unset');
    // Used once: gone, and a later start (/clear) goes to Node.
    expect(fs.existsSync(prepared)).toBe(false);
    expect(fs.existsSync(path.join(sb.session.dir, PREPARED_ENV_LINE))).toBe(false);
    // As if Claude had started a minute before the endpoint records it.
    const leftAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    fs.utimesSync(path.join(sb.session.dir, '.cs/local/session-start.inputs'), leftAt, leftAt);
    const later = await runHookScript('session-start', payload('SessionStart', { session_id: uuid, source: 'clear' }, sb.session.dir), env);
    expect(later.code, later.stderr).toBe(0);
    expect(JSON.parse(later.stdout).hookSpecificOutput.hookEventName).toBe('SessionStart');
    expect(fs.readFileSync(starts, 'utf8')).not.toBe('');
    // The endpoint records the input the sh hook left before the next tool call's lines.
    const log = () => fs.readFileSync(sb.session.sessionLog, 'utf8');
    const before = (log().match(/claude session start \(startup, conversation 6b0e3f52/g) ?? []).length;
    await post(entryOf('PostToolUse').hooks[0]!.url, payload('PostToolUse', { tool_name: 'Read', tool_input: { file_path: path.join(sb.session.dir, 'marker.txt') }, tool_response: {} }, sb.session.dir));
    await server.idle();
    expect((log().match(/claude session start \(startup, conversation 6b0e3f52/g) ?? []).length).toBe(before + 1);
    const timeline = fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8').trim().split('\n');
    // Stamped when the sh hook left it (the file's time), not when it was recorded.
    const at = timeline.findIndex((l) => l.includes(`"ts":"${leftAt.toISOString()}","type":"session-start","source":"startup"`));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(timeline.findIndex((l) => l.includes('marker.txt'))).toBeGreaterThan(at);
    expect(readConversations(sb.session.dir).conversations.map((c) => c.uuid)).toContain(uuid);
    expect(fs.existsSync(path.join(sb.session.dir, '.cs/local/session-start.inputs'))).toBe(false);
  });
});
