// Live status: the Node writer, the sh writer (hooks/status-*), and the watcher.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStatus, readStatusLog, recordEvent, REPEAT_MS, statusFile, statusLog, writeStatus } from '../../../src/status/status.js';
import { StatusWatcher } from '../../../src/status/watch.js';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { run as runWatch, type WatchOptions } from '../../../src/commands/watch.js';
import { commandContext } from '../../../src/commands/context.js';
import { makeTempDir } from '../../support/claude.js';
import { repoRoot } from '../../support/cs.js';
import { testIO } from '../../support/io.js';

let tmp: string;
let ws: string;

beforeEach(() => {
  tmp = makeTempDir('cs-status-');
  ws = path.join(tmp, 'sessions', 'work');
  // A session as cs makes one: its .cs/ holds the session log (SESSION_MARKS, src/hooks/session.ts).
  fs.mkdirSync(path.join(ws, '.cs', 'logs'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.cs', 'logs', 'session.log'), '[2026-01-01 00:00:00] session start\n');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

/** A PATH on which `date` reads `when` (GNU date -d @seconds): the sh writers' clock, pinned. */
function clockAt(when: Date): string {
  const bin = path.join(tmp, 'clock');
  fs.mkdirSync(bin, { recursive: true });
  const real = spawnSync('sh', ['-c', 'command -v date'], { encoding: 'utf8' }).stdout.trim();
  fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\nexec '${real}' -d @${(when.getTime() / 1000).toFixed(3)} "$@"\n`, { mode: 0o755 });
  return `${bin}:${process.env.PATH}`;
}

function hook(script: string, env: Record<string, string>, input = '{}') {
  return spawnSync(path.join(repoRoot, 'hooks', script), [], { env: { PATH: process.env.PATH!, ...env }, input, encoding: 'utf8' });
}

describe('status.json and status.log', () => {
  it('maps hook events to states and logs each change once, in order', () => {
    recordEvent(ws, 'UserPromptSubmit', at(1));
    recordEvent(ws, 'PreToolUse', at(2));
    recordEvent(ws, 'PermissionRequest', at(3));
    recordEvent(ws, 'PreToolUse', at(4));
    recordEvent(ws, 'Stop', at(5));
    recordEvent(ws, 'SubagentStart', at(6)); // not a status event
    recordEvent(ws, 'SessionEnd', at(7));
    expect(readStatusLog(ws).map((s) => s.state)).toEqual(['working', 'needs-you', 'working', 'idle', 'closed']);
    expect(readStatus(ws)).toMatchObject({ state: 'closed', event: 'SessionEnd', at: at(7).toISOString() });
  });

  it('never replaces a newer status with an older one (async hooks finish out of order)', () => {
    writeStatus(ws, 'idle', 'Stop', at(10));
    expect(writeStatus(ws, 'working', 'UserPromptSubmit', at(5))).toBe(false);
    expect(readStatus(ws)?.state).toBe('idle');
    expect(readStatusLog(ws).map((s) => s.state)).toEqual(['idle']);
  });

  it('replaces the file atomically and keeps the log bounded', () => {
    for (let i = 0; i < 1200; i++) writeStatus(ws, i % 2 ? 'working' : 'idle', 'x', at(i));
    expect(fs.statSync(statusLog(ws)).size).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(readStatusLog(ws).at(-1)?.ms).toBe(at(1199).getTime());
    expect(fs.readdirSync(path.dirname(statusFile(ws))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('does not rewrite the same state within REPEAT_MS, whatever the event; another state, or a later time, is written', () => {
    expect(writeStatus(ws, 'working', 'PreToolUse', at(0))).toBe(true);
    const file = fs.readFileSync(statusFile(ws), 'utf8');
    expect(writeStatus(ws, 'working', 'PreToolUse', at(REPEAT_MS - 1))).toBe(false);
    expect(writeStatus(ws, 'working', 'PostToolUse', at(REPEAT_MS - 1))).toBe(false);
    expect(fs.readFileSync(statusFile(ws), 'utf8')).toBe(file);
    expect(writeStatus(ws, 'working', 'PostToolUse', at(REPEAT_MS))).toBe(true);
    expect(readStatus(ws)).toMatchObject({ state: 'working', event: 'PostToolUse', ms: at(REPEAT_MS).getTime() });
    expect(writeStatus(ws, 'needs-you', 'UserPromptSubmit', at(REPEAT_MS))).toBe(true);
    expect(writeStatus(ws, 'needs-you', 'UserPromptSubmit', at(2 * REPEAT_MS))).toBe(true);
    expect(readStatus(ws)).toMatchObject({ state: 'needs-you', ms: at(2 * REPEAT_MS).getTime() });
    expect(readStatusLog(ws).map((s) => s.state)).toEqual(['working', 'needs-you']);
  });

  it('ignores a damaged status file', () => {
    fs.mkdirSync(path.dirname(statusFile(ws)), { recursive: true });
    fs.writeFileSync(statusFile(ws), '{"state":"nonsense"');
    expect(readStatus(ws)).toBeNull();
    recordEvent(ws, 'Stop', at(1));
    expect(readStatus(ws)?.state).toBe('idle');
  });
});

describe('the sh writers in hooks/', () => {
  it('write the same files as Node, in a session only', () => {
    let r = hook('status-prompt', { CLAUDE_SESSION_DIR: ws });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readStatus(ws)).toMatchObject({ state: 'working', event: 'UserPromptSubmit' });
    r = hook('status-permission', { CLAUDE_PROJECT_DIR: ws }, JSON.stringify({ hook_event_name: 'PermissionRequest', tool_input: { content: 'x'.repeat(200_000) } }));
    expect(r.status).toBe(0);
    expect(readStatus(ws)).toMatchObject({ state: 'needs-you', event: 'PermissionRequest' });
    hook('status-notification', { CLAUDE_SESSION_DIR: ws });
    hook('status-stop', { CLAUDE_SESSION_DIR: ws });
    expect(readStatusLog(ws).map((s) => s.state)).toEqual(['working', 'needs-you', 'idle']);
    // Node reads what sh wrote, and the guard holds across writers (out of
    // order by up to the clock tolerance).
    // 2 s before the sh writer's own stamp, not before this process's clock: the check must not depend on how long the hook took.
    expect(writeStatus(ws, 'working', 'x', new Date(readStatus(ws)!.ms - 2_000))).toBe(false);
  });

  it('exit at once outside a session, and step aside for events cs serves over HTTP', () => {
    const plain = makeTempDir('cs-plain-');
    try {
      expect(hook('status-prompt', { CLAUDE_PROJECT_DIR: plain }).status).toBe(0);
      expect(hook('status-tool', {}).status).toBe(0);
      expect(fs.readdirSync(plain)).toEqual([]);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
    hook('status-tool', { CLAUDE_SESSION_DIR: ws, CS_HOOK_SERVER: '1' });
    hook('status-stop', { CLAUDE_SESSION_DIR: ws, CS_HOOK_SERVER: '1' });
    expect(readStatus(ws)).toBeNull();
    hook('status-prompt', { CLAUDE_SESSION_DIR: ws, CS_HOOK_SERVER: '1' }); // not served: still written
    expect(readStatus(ws)?.state).toBe('working');
  });

  it('does not replace a newer status', () => {
    // The hook's clock pinned 2 s behind the stamp: a hook slow to start on a loaded machine would otherwise read a later time than the stamp and rightly replace it.
    const hookNow = new Date();
    writeStatus(ws, 'idle', 'Stop', new Date(hookNow.getTime() + 2_000));
    hook('status-prompt', { CLAUDE_SESSION_DIR: ws, PATH: clockAt(hookNow) });
    expect(readStatus(ws)?.state).toBe('idle');
    // The same hook on a clock past the stamp writes, stamped with that clock (the pin works).
    hook('status-prompt', { CLAUDE_SESSION_DIR: ws, PATH: clockAt(new Date(hookNow.getTime() + 3_000)) });
    expect(readStatus(ws)).toMatchObject({ state: 'working', ms: hookNow.getTime() + 3_000 });
  });

  it('do not rewrite the same state within REPEAT_MS either, whatever the event', () => {
    const t = Date.now();
    hook('status-tool', { CLAUDE_SESSION_DIR: ws, PATH: clockAt(new Date(t)) });
    expect(readStatus(ws)).toMatchObject({ state: 'working', event: 'PreToolUse', ms: t });
    hook('status-tool', { CLAUDE_SESSION_DIR: ws, PATH: clockAt(new Date(t + REPEAT_MS - 200)) });
    hook('status-prompt', { CLAUDE_SESSION_DIR: ws, PATH: clockAt(new Date(t + REPEAT_MS - 100)) });
    expect(readStatus(ws)).toMatchObject({ event: 'PreToolUse', ms: t });
    hook('status-prompt', { CLAUDE_SESSION_DIR: ws, PATH: clockAt(new Date(t + REPEAT_MS)) });
    expect(readStatus(ws)).toMatchObject({ event: 'UserPromptSubmit', ms: t + REPEAT_MS });
    hook('status-stop', { CLAUDE_SESSION_DIR: ws, PATH: clockAt(new Date(t + REPEAT_MS + 100)) });
    expect(readStatus(ws)).toMatchObject({ state: 'idle', event: 'Stop', ms: t + REPEAT_MS + 100 });
  });

  it('replaces a status stamped far in the future (the clock was set back)', () => {
    writeStatus(ws, 'working', 'PreToolUse', new Date(Date.now() + 3_600_000));
    hook('status-stop', { CLAUDE_SESSION_DIR: ws });
    expect(readStatus(ws)?.state).toBe('idle');
    writeStatus(ws, 'working', 'PreToolUse', new Date(Date.now() + 3_600_000));
    expect(writeStatus(ws, 'closed', 'cs', new Date())).toBe(true);
    expect(readStatus(ws)?.state).toBe('closed');
  });

  it('start a new line after a torn last line of status.log', () => {
    hook('status-prompt', { CLAUDE_SESSION_DIR: ws });
    fs.appendFileSync(statusLog(ws), '{"state":"idle","ev');
    hook('status-stop', { CLAUDE_SESSION_DIR: ws });
    expect(readStatusLog(ws).map((s) => s.state)).toEqual(['working', 'idle']);
  });

  it('never write through a symlink under .cs/', () => {
    const outside = makeTempDir('cs-outside-');
    try {
      fs.mkdirSync(path.join(ws, '.cs'), { recursive: true });
      fs.rmSync(path.join(ws, '.cs', 'local'), { recursive: true, force: true });
      fs.symlinkSync(outside, path.join(ws, '.cs', 'local'));
      hook('status-prompt', { CLAUDE_SESSION_DIR: ws });
      recordEvent(ws, 'Stop', new Date());
      expect(fs.readdirSync(outside)).toEqual([]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('following all sessions', () => {
  it('sees every change after the first poll, in order, also between two polls', () => {
    const w = new StatusWatcher(path.join(tmp, 'sessions'));
    recordEvent(ws, 'Stop', at(1));
    expect(w.poll(true)).toEqual([]);
    recordEvent(ws, 'UserPromptSubmit', at(2));
    recordEvent(ws, 'Notification', at(3));
    const other = path.join(tmp, 'sessions', 'other');
    fs.mkdirSync(path.join(other, '.cs'), { recursive: true });
    recordEvent(other, 'PreToolUse', at(4));
    const changes = w.poll();
    expect(changes.map((c) => [c.session, c.from, c.to])).toEqual([
      ['other', null, 'working'],
      ['work', 'idle', 'working'],
      ['work', 'working', 'needs-you'],
    ]);
    expect(w.poll()).toEqual([]);
  });

  it('keeps its place in a log with a line that is no UTF-8', () => {
    const w = new StatusWatcher(path.join(tmp, 'sessions'));
    recordEvent(ws, 'Stop', at(1));
    expect(w.poll(true)).toEqual([]);
    const log = statusLog(ws);
    // Two bytes that are no UTF-8 decode to six: a cursor counted on the text skipped what followed.
    fs.appendFileSync(log, Buffer.concat([Buffer.from('{"state":"idle"'), Buffer.from([0xff, 0xfe]), Buffer.from(',"ms":1}\n')]));
    recordEvent(ws, 'UserPromptSubmit', at(2));
    expect(w.poll().map((c) => [c.session, c.from, c.to])).toEqual([['work', 'idle', 'working']]);
    recordEvent(ws, 'Notification', at(3));
    expect(w.poll().map((c) => c.to)).toEqual(['needs-you']);
  });

  it('-watch --notify rings the bell and calls notify-send when a session starts needing you', async () => {
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    const calls = path.join(tmp, 'notify.log');
    fs.writeFileSync(path.join(bin, 'notify-send'), `#!/bin/sh\nprintf '%s|' "$@" >> ${calls}\necho >> ${calls}\n`, { mode: 0o755 });
    const io = testIO();
    let bell = '';
    io.stderr.on('data', (b: Buffer) => (bell += b.toString()));
    const ac = new AbortController();
    const env = { PATH: `${bin}:${process.env.PATH}`, CS_SESSIONS_ROOT: path.join(tmp, 'sessions'), HOME: tmp };
    const opts = (await parseCommand('-watch', ['--notify', '--interval', '50'])).opts as WatchOptions;
    const done = runWatch(opts, commandContext({ io, env, cwd: tmp, now: () => new Date(), stop: ac.signal }));
    await new Promise((r) => setTimeout(r, 120));
    recordEvent(ws, 'UserPromptSubmit', new Date());
    await new Promise((r) => setTimeout(r, 120));
    recordEvent(ws, 'PermissionRequest', new Date(Date.now() + 1));
    await expect.poll(() => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : ''), { timeout: 15_000 }).toContain('cs: work needs you');
    ac.abort();
    expect(await done).toBe(0);
    expect(io.stdoutText()).toMatch(/work {2}working → NEEDS YOU {2}\(PermissionRequest\)/);
    expect(bell).toContain('\x07');
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(1); // only for needs-you
  });

  it('refuses a silly interval', async () => {
    await expect(parseCommand('-watch', ['--interval', '5'])).rejects.toThrow(/between 50 and 60000/);
    await expect(parseCommand('-watch', ['extra'])).rejects.toThrow(/unexpected argument/);
  });
});

describe('watchStatus over many polls', () => {
  it('leaves at most one abort listener on the signal, and no MaxListenersExceededWarning', async () => {
    const { EventEmitter } = await import('node:events');
    const getEventListeners = (t: EventTarget, e: string) => (EventEmitter as unknown as { getEventListeners(t: EventTarget, e: string): unknown[] }).getEventListeners(t, e);
    const { watchStatus } = await import('../../../src/status/watch.js');
    const root = makeTempDir('cs-watch-leak-');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const controller = new AbortController();
    let most = 0;
    let polls = 0;
    const probe = setInterval(() => {
      polls++;
      most = Math.max(most, getEventListeners(controller.signal, 'abort').length);
      if (polls >= 40) controller.abort();
    }, 5);
    try {
      await watchStatus(root, { intervalMs: 1, signal: controller.signal, onChange: () => {} });
    } finally {
      clearInterval(probe);
      process.off('warning', onWarning);
      fs.rmSync(root, { recursive: true, force: true });
    }
    expect(most).toBe(1);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
