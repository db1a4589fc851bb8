// The timeline file, its rotation and follower, the hook that writes tool
// calls (sh fast path and Node), and `cs <s> -log` through the built cs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainColors } from '../../../src/term/io.js';
import { followTimeline } from '../../../src/timeline/follow.js';
import { describe as describeEvent, formatEvent } from '../../../src/timeline/format.js';
import { toolTarget } from '../../../src/timeline/hooks.js';
import { appendEvent, KEEP_ROTATED, parseEventLine, readLinesSync, readTimeline, rotatedFiles, timelineFile, type TimelineEvent } from '../../../src/timeline/timeline.js';
import { runCs, startCs, waitFor } from '../../support/cs.js';
import { hookSandbox, payload, runHookScript, type HookSandbox, noAutosaveDue } from '../../support/hooks.js';

let tmp: string;
let meta: string;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-timeline-')));
  meta = path.join(tmp, '.cs');
  fs.mkdirSync(path.join(meta, 'logs'), { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 10, 0, s));

describe('timeline file', () => {
  it('appends one JSON object a line and reads them back in order', () => {
    appendEvent(meta, { type: 'session-start', source: 'startup' }, at(0));
    appendEvent(meta, { type: 'tool', tool: 'Write', target: 'a.txt' }, at(1));
    appendEvent(meta, { type: 'discovery', title: 'x' }, at(2));
    const lines = fs.readFileSync(timelineFile(meta), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['session-start', 'tool', 'discovery']);
    expect(JSON.parse(lines[1]!)).toEqual({ ts: '2026-11-23T10:00:01.000Z', type: 'tool', tool: 'Write', target: 'a.txt' });
    const r = readTimeline(meta);
    expect(r.events.map((e) => e.type)).toEqual(['session-start', 'tool', 'discovery']);
    expect(r.offset).toBe(fs.statSync(timelineFile(meta)).size);
    expect(readTimeline(meta, { limit: 2 }).events.map((e) => e.type)).toEqual(['tool', 'discovery']);
  });

  it('skips torn, blank and foreign lines', () => {
    fs.writeFileSync(timelineFile(meta), '{"ts":"2026-01-01T00:00:00Z","type":"tool","tool":"Read"}\n\nnot json\n{"no":"type"}\n[1]\n{"ts":"2026-01-01T00:00:01Z","type":"sync","action":"push"}\n{"ts":"2026-01-01T00:0');
    expect(readTimeline(meta).events.map((e) => e.type)).toEqual(['tool', 'sync']);
    expect(parseEventLine('{"ts":1,"type":"x"}')).toBeNull();
  });

  it('reads long lines across chunk boundaries', () => {
    const long = 'x'.repeat(700_000);
    appendEvent(meta, { type: 'tool', tool: 'Bash', target: long }, at(0));
    appendEvent(meta, { type: 'tool', tool: 'Read', target: 'b' }, at(1));
    const lines: string[] = [];
    readLinesSync(timelineFile(meta), 0, (l) => lines.push(l));
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!).target).toBe(long);
  });

  it('rotates into .cs/logs past the size cap, keeps the newest rotated files, and reads across them', () => {
    for (let i = 0; i < 12; i++) appendEvent(meta, { type: 'tool', tool: 'Read', target: `f${i}`.padEnd(100, '.') }, at(i), 300);
    const rotated = rotatedFiles(meta);
    expect(rotated.length).toBe(KEEP_ROTATED);
    for (const f of rotated) expect(path.basename(f)).toMatch(/^timeline-\d{8}T\d{6}Z(-\d+)?\.jsonl$/);
    expect(fs.statSync(timelineFile(meta)).size).toBeLessThan(600);
    const targets = readTimeline(meta).events.map((e) => String(e.target).replace(/\.+$/, ''));
    // Oldest dropped, the rest in order.
    expect(targets).toEqual(targets.slice().sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    expect(targets.at(-1)).toBe('f11');
  });

  it('follows appends and a rotation without losing or repeating an event', async () => {
    appendEvent(meta, { type: 'tool', tool: 'Read', target: 'before' }, at(0));
    const start = readTimeline(meta).offset;
    const seen: TimelineEvent[] = [];
    const f = followTimeline(meta, (evs) => seen.push(...evs), { offset: start, intervalMs: 20 });
    try {
      appendEvent(meta, { type: 'tool', tool: 'Read', target: 'one' }, at(1));
      await waitFor(() => seen.length === 1, 15_000, 'first event');
      // Rotation between two polls: the line written just before it must still arrive.
      appendEvent(meta, { type: 'tool', tool: 'Read', target: 'two'.padEnd(400, '.') }, at(2));
      appendEvent(meta, { type: 'tool', tool: 'Read', target: 'three' }, at(3), 100);
      await waitFor(() => seen.length >= 3, 15_000, 'events after rotation');
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((e) => String(e.target).replace(/\.+$/, ''))).toEqual(['one', 'two', 'three']);
    } finally {
      f.stop();
    }
  });
});

describe('event text', () => {
  it.each([
    [{ type: 'session-start', source: 'startup' }, 'session start (startup)'],
    [{ type: 'session-end', reason: 'other' }, 'session end (other)'],
    [{ type: 'tool', tool: 'Write', target: 'a.txt' }, 'Write a.txt'],
    [{ type: 'tool', tool: 'TodoWrite' }, 'TodoWrite'],
    [{ type: 'tool-failed', tool: 'Bash', target: 'exit 3', error: 'Exit code 3' }, 'Bash failed exit 3: Exit code 3'],
    [{ type: 'artifact', name: 'deploy.sh', from: 'deploy.sh', secrets: ['API_TOKEN'] }, 'artifact deploy.sh (from deploy.sh); secrets stored: API_TOKEN'],
    [{ type: 'discovery', title: '2026-11-23 deploy' }, '## 2026-11-23 deploy'],
    [{ type: 'autosave', commit: '0123456789abcdef0123' }, 'autosave 0123456789ab'],
    [{ type: 'sync', action: 'pull', result: 'fast-forward' }, 'sync pull (fast-forward)'],
    [{ type: 'future-kind', x: 1 }, 'future-kind {"x":1}'],
  ])('%o reads "%s"', (ev, text) => {
    expect(describeEvent({ ts: '2026-11-23T10:00:00Z', ...ev } as TimelineEvent)).toBe(text);
  });

  it('keeps control characters from tool inputs off the terminal', () => {
    const line = formatEvent({ ts: '2026-11-23T10:00:00Z', type: 'tool', tool: 'Bash', target: 'echo \x1b[31mred\x07' }, plainColors);
    expect(line).not.toMatch(/[\x00-\x1f]/);
    expect(line).toContain('tool');
  });

  it('names the target of a tool call relative to the workspace, shortened', () => {
    expect(toolTarget({ file_path: '/w/s/src/a.ts' }, '/w/s')).toBe('src/a.ts');
    expect(toolTarget({ file_path: '/etc/hosts' }, '/w/s')).toBe('/etc/hosts');
    // changes.md's rule: . and .. resolved; outside the workspace the value as given.
    expect(toolTarget({ file_path: '/w/s/./src//a.ts' }, '/w/s')).toBe('src/a.ts');
    expect(toolTarget({ file_path: '/w/s/../x' }, '/w/s')).toBe('/w/s/../x');
    expect(toolTarget({ path: '/w/s' }, '/w/s/')).toBe('.');
    expect(toolTarget({ command: 'ls\n-la', description: 'list' }, '/w/s')).toBe('ls -la');
    expect(toolTarget({ pattern: 'TODO', path: '/w/s' }, '/w/s')).toBe('TODO');
    expect(toolTarget({ todos: [] }, '/w/s')).toBe('');
    expect(toolTarget({ command: 'y'.repeat(500) }, '/w/s')).toHaveLength(200);
  });
});

describe('hooks/post-tool-use: the timeline part', () => {
  let sb: HookSandbox;
  beforeEach(async () => {
    sb = await hookSandbox('tl');
    // No autosave due (its own tests are in test/integration/git/autosave.test.ts): the timeline holds the tool calls only.
    noAutosaveDue(sb.session.dir);
  });
  afterEach(() => sb.cleanup());
  const events = () => readTimeline(sb.session.meta).events;
  const post = (tool: string, input: Record<string, unknown>, response: unknown = { ok: true }) => payload('PostToolUse', { tool_name: tool, tool_input: input, tool_response: response }, sb.session.dir);

  it('writes plain tool calls in sh, and hands escaped ones to Node with the same shape', async () => {
    const plain = await runHookScript('post-tool-use', post('Write', { file_path: path.join(sb.session.dir, 'a.txt'), content: 'x' }, { filePath: '/elsewhere', command: 'not this' }), sb.hookEnv);
    const escaped = await runHookScript('post-tool-use', post('Bash', { command: 'printf "%s\\n" hi', description: 'say hi' }), sb.hookEnv);
    const none = await runHookScript('post-tool-use', post('TodoWrite', { todos: [{ content: 'x' }] }), sb.hookEnv);
    for (const r of [plain, escaped, none]) expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(events().map(({ ts: _ts, ...e }) => e)).toEqual([
      { type: 'tool', tool: 'Write', target: 'a.txt' },
      { type: 'tool', tool: 'Bash', target: 'printf "%s\\n" hi' },
      { type: 'tool', tool: 'TodoWrite' },
    ]);
    // The fast path is sh alone: well under a Node start.
    expect(plain.ms).toBeLessThan(escaped.ms);
  });

  it('takes a stored secret out of a path too: a session with secrets has its targets written by Node', async () => {
    const { writeSessionEnvFile } = await import('../../../src/secrets/store.js');
    const value = 'supersecretvalue123'; // under the 20-character run that sends a path to Node anyway
    expect(writeSessionEnvFile(sb.session.name, { API_TOKEN: value }, sb.hookEnv, { create: true })).toBe(true);
    for (const p of [`/tmp/${value}/n.txt`, path.join(sb.session.dir, value, 'n.txt')]) {
      const r = await runHookScript('post-tool-use', post('Read', { file_path: p }), sb.hookEnv);
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    }
    const targets = events().map((e) => (e as { target?: string }).target);
    expect(targets).toEqual(['/tmp/[secret: API_TOKEN]/n.txt', '[secret: API_TOKEN]/n.txt']);
    expect(fs.readFileSync(timelineFile(sb.session.meta), 'utf8')).not.toContain(value);
  });

  it('records a discovery added through any tool, once', async () => {
    fs.appendFileSync(sb.session.discoveries, '\n## 2026-11-23 cache\nThe cache key ignores the locale.\n');
    const cmd = `printf x >> ${sb.session.discoveries}`;
    await runHookScript('post-tool-use', post('Bash', { command: cmd }), sb.hookEnv);
    await runHookScript('post-tool-use', post('Read', { file_path: sb.session.discoveries }), sb.hookEnv);
    const kinds = events().map((e) => (e.type === 'discovery' ? `discovery:${e.title}` : e.type));
    expect(kinds).toEqual(['tool', 'discovery:2026-11-23 cache', 'tool']);
  });

  it('does nothing outside a session, and steps aside when cs serves the hooks', async () => {
    const outside = await runHookScript('post-tool-use', post('Write', { file_path: '/tmp/x' }), { PATH: process.env.PATH, HOME: sb.home });
    const served = await runHookScript('post-tool-use', post('Write', { file_path: '/tmp/x' }), { ...sb.hookEnv, CS_HOOK_SERVER: 'http://127.0.0.1:1' });
    expect(outside).toMatchObject({ code: 0, stdout: '' });
    expect(served).toMatchObject({ code: 0, stdout: '' });
    expect(fs.existsSync(timelineFile(sb.session.meta))).toBe(false);
  });

  it('session start/end, artifacts and failures come from the Node handlers', async () => {
    await runHookScript('session-start', payload('SessionStart', { source: 'startup' }, sb.session.dir), sb.hookEnv);
    await runHookScript('pre-tool-use', payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(sb.session.dir, 'run.sh'), content: 'echo hi\n' } }, sb.session.dir), sb.hookEnv);
    await runHookScript('post-tool-use-failure', payload('PostToolUseFailure', { tool_name: 'Bash', tool_input: { command: 'exit 3' }, error: 'Exit code 3' }, sb.session.dir), sb.hookEnv);
    await runHookScript('session-end', payload('SessionEnd', { reason: 'other' }, sb.session.dir), { ...sb.hookEnv, CS_LAUNCHED: '1' });
    expect(events().map(({ ts: _ts, ...e }) => e)).toEqual([
      { type: 'session-start', source: 'startup', conversation: '3389759f-023f-48fb-a0ed-21abe8b8c5bf' },
      { type: 'artifact', name: 'run.sh', from: 'run.sh' },
      { type: 'tool-failed', tool: 'Bash', target: 'exit 3', error: 'Exit code 3' },
      { type: 'session-end', reason: 'other' },
    ]);
  });
});

describe('cs <s> -log', () => {
  let sb: HookSandbox;
  beforeEach(async () => {
    sb = await hookSandbox('logged');
    appendEvent(sb.session.meta, { type: 'session-start', source: 'startup' }, at(0));
    appendEvent(sb.session.meta, { type: 'tool', tool: 'Edit', target: 'a.txt' }, at(1));
  });
  afterEach(() => sb.cleanup());

  it('prints human lines, JSON, and the newest N', async () => {
    const human = await runCs(['logged', '-log'], { env: sb.env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}session-start +session start \(startup\)$/), expect.stringMatching(/tool +Edit a\.txt$/)]);
    const json = await runCs(['logged', '-log', '--json'], { env: sb.env });
    expect(JSON.parse(json.stdout).map((e: TimelineEvent) => e.type)).toEqual(['session-start', 'tool']);
    const last = await runCs(['logged', '-log', '-n', '1', '--json'], { env: sb.env });
    expect(JSON.parse(last.stdout)).toEqual([{ ts: '2026-11-23T10:00:01.000Z', type: 'tool', tool: 'Edit', target: 'a.txt' }]);
    // Inside a session the name is optional.
    const inside = await runCs(['-log', '--json'], { env: { ...sb.env, CLAUDE_SESSION_NAME: 'logged' } });
    expect(JSON.parse(inside.stdout)).toHaveLength(2);
  });

  it('shows a line of a stored multi-line value (a private key) as [secret: KEY], as text and JSON', async () => {
    const key = 'line-one-of-the-key-A1B2C3\nline-two-of-the-key-D4E5F6\n';
    expect((await runCs(['logged', '-secrets', 'set', 'DEPLOY_KEY'], { env: sb.env, input: key })).code).toBe(0);
    appendEvent(sb.session.meta, { type: 'tool', tool: 'Bash', target: 'echo line-two-of-the-key-D4E5F6 > k' }, at(2));
    for (const args of [[], ['--json']]) {
      const r = await runCs(['logged', '-log', ...args], { env: sb.env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('echo [secret: DEPLOY_KEY] > k');
      expect(r.stdout).not.toContain('line-two-of-the-key');
    }
  });

  it('refuses bad input with a usage error', async () => {
    expect((await runCs(['logged', '-log', '-n', 'x'], { env: sb.env })).code).toBe(2);
    expect((await runCs(['-log'], { env: sb.env })).stderr).toMatch(/needs a session/);
    const missing = await runCs(['nope', '-log'], { env: sb.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no session named 'nope'/);
  });

  it('--follow --json prints new events as JSON lines until stopped', async () => {
    const child = startCs(['logged', '-log', '--follow', '--json', '-n', '1'], { env: sb.env });
    try {
      let out = '';
      child.stdout!.on('data', (b) => (out += b));
      await waitFor(() => out.includes('"Edit"'), 10_000, 'backlog');
      const t0 = Date.now();
      appendEvent(sb.session.meta, { type: 'discovery', title: 'followed' });
      await waitFor(() => out.includes('followed'), 15_000, 'new event');
      expect(Date.now() - t0).toBeLessThan(1000);
      const lines = out.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((e) => e.type)).toEqual(['tool', 'discovery']);
    } finally {
      child.kill('SIGINT');
      // Ctrl-C: a clean end, with the exit code of an interrupt.
      const done = await child.done;
      expect(done.code).toBe(130);
      expect(done.stderr).toBe('cs: interrupted\n');
    }
  });
});
