// Permission requests held for the owner: the real hook script
// (hooks/permission-remote → dist/hook.js) in a pane of a real tmux server
// with no terminal attached, answered through the -serve API; a timeout
// denies with the reason; an attached terminal gets no decision; a fake ntfy
// server gets the "needs you" notification with no secret in it.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalTimeout, describeTimeout, timeoutReason } from '../../../src/approval/approval.js';
import { writeNotifyConfig } from '../../../src/notify/notify.js';
import { writeSessionEnvFile } from '../../../src/secrets/store.js';
import { sessionSecrets } from '../../../src/secrets/scrub.js';
import { selectBackend } from '../../../src/secrets/backend.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { storeLink } from '../../../src/serve/links.js';
import { readTimeline } from '../../../src/timeline/timeline.js';
import { hookSandbox, payload, runHookScript, type HookSandbox } from '../../support/hooks.js';
import { hasTmux, startTerminal } from '../../support/tmux.js';
import { repoRoot } from '../../support/cs.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';
import { chromiumOrSkip, launchChromium, signInWith } from '../../support/chromium.js';
import { until } from '../../support/host.js';

const TOKEN = 'a-test-token-of-enough-length';
const SECRET = 'sk-approval-0123456789';

describe('approval timeout words', () => {
  it.each([
    [{}, 600, 'denied: no answer from the owner within 10 min'],
    [{ CS_APPROVAL_TIMEOUT: '90' }, 90, 'denied: no answer from the owner within 90 s'],
    [{ CS_APPROVAL_TIMEOUT: 'x' }, 600, 'denied: no answer from the owner within 10 min'],
    [{ CS_APPROVAL_TIMEOUT: '9999' }, 640, 'denied: no answer from the owner within 640 s'],
  ])('%j', (env, seconds, reason) => {
    expect(approvalTimeout(env)).toBe(seconds);
    expect(timeoutReason(approvalTimeout(env))).toBe(reason);
  });
  it('says minutes only when whole', () => expect(describeTimeout(61)).toBe('61 s'));
});

describe.skipIf(!hasTmux())('a held permission request', () => {
  let sb: HookSandbox;
  let server: RunningServer;
  let ntfy: http.Server;
  const notes: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  let socket = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sb = await hookSandbox('held');
    socket = path.join(sb.dir, 'tmux.sock');
    execFileSync('tmux', ['-S', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'held', 'sleep 600']);
    const pane = execFileSync('tmux', ['-S', socket, 'list-panes', '-F', '#{pane_id}'], { encoding: 'utf8' }).trim();
    env = { ...sb.hookEnv, CS_HOSTED: '1', TMUX: `${socket},1,0`, TMUX_PANE: pane, CS_APPROVAL_TIMEOUT: '20' };
    // In the store too, as in a real session (the env file is its copy, rewritten from it when a value is stored).
    await (await selectBackend('held', sb.env)).backend.setMany('held', { API_KEY: SECRET });
    writeSessionEnvFile('held', { API_KEY: SECRET }, sb.env, { create: true });
    ntfy = http.createServer((req, res) => {
      let body = '';
      req.on('data', (b) => (body += b));
      req.on('end', () => {
        notes.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => ntfy.listen(0, '127.0.0.1', r));
    writeNotifyConfig(sb.env, { url: `http://127.0.0.1:${(ntfy.address() as AddressInfo).port}/t` });
    server = await startServer({ env: sb.env, port: 0, bind: '127.0.0.1', token: TOKEN });
  });
  afterAll(async () => {
    await server.close();
    await new Promise((r) => ntfy.close(r));
    try {
      execFileSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // gone
    }
    sb.cleanup();
  });

  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(server.url + p, { method, headers: { authorization: `Bearer ${TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: await r.json() };
  };
  const ask = (command: string, more: NodeJS.ProcessEnv = {}) => runHookScript('permission-remote', payload('PermissionRequest', { tool_name: 'Bash', tool_input: { command } }, sb.session.dir), { ...env, ...more });

  it('shows the request, takes Deny from the API, passes it to Claude, notifies without the secret, and records it', { timeout: 30_000 }, async () => {
    const hook = ask(`curl -H "Authorization: ${SECRET}" https://example.invalid`);
    const pending = await until(async () => {
      const r = await api('GET', '/api/sessions/held/permissions');
      return r.json.length ? r.json : undefined;
    }, 'the pending request', 10_000);
    expect(pending).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{12}$/), tool: 'Bash', summary: 'Bash curl -H "Authorization: [secret: API_KEY]" https://example.invalid', since: expect.any(String) }]);
    expect((await api('POST', `/api/sessions/held/permissions/${pending[0].id}`, { decision: 'maybe' })).status).toBe(400);
    expect((await api('POST', `/api/sessions/held/permissions/${pending[0].id}`, { decision: 'deny' })).status).toBe(202);
    expect((await api('POST', `/api/sessions/held/permissions/${pending[0].id}`, { decision: 'allow' })).status).toBe(404);
    const r = await hook;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'denied by the owner from the cs page' } } });
    expect((await api('GET', '/api/sessions/held/permissions')).json).toEqual([]);
    expect(fs.readdirSync(path.join(sb.session.local, 'permissions'))).toEqual([]);
    const ev = readTimeline(sb.session.meta, { limit: 5 }).events.filter((e) => e.type === 'permission');
    expect(ev).toEqual([expect.objectContaining({ tool: 'Bash', decision: 'deny', by: 'token' })]);
    expect(JSON.stringify(ev)).not.toContain(SECRET);
    await until(() => (notes.length ? true : undefined), 'the notification', 15_000);
    expect(notes[0]!.headers.title).toBe('held: needs you');
    expect(notes[0]!.body).toContain('[secret: API_KEY]');
    expect(notes[0]!.body).not.toContain(SECRET);
  });

  it('Allow once lets it through', { timeout: 30_000 }, async () => {
    const hook = ask('ls');
    const pending = await until(async () => ((await api('GET', '/api/sessions/held/permissions')).json[0] as { id: string } | undefined), 'the pending request', 10_000);
    expect((await api('POST', `/api/sessions/held/permissions/${pending.id}`, { decision: 'allow' })).status).toBe(202);
    expect(JSON.parse((await hook).stdout).hookSpecificOutput.decision).toEqual({ behavior: 'allow' });
  });

  it('denies with the reason when nobody answers in time', { timeout: 30_000 }, async () => {
    const r = await ask('ls', { CS_APPROVAL_TIMEOUT: '1' });
    expect(JSON.parse(r.stdout).hookSpecificOutput.decision).toEqual({ behavior: 'deny', message: 'denied: no answer from the owner within 1 s' });
    expect(readTimeline(sb.session.meta, { limit: 1 }).events[0]).toMatchObject({ type: 'permission', decision: 'timeout' });
  });

  it('a token the session does not hold yet reaches neither the notification, the timeline nor the page: it is stored first', { timeout: 30_000 }, async () => {
    const fresh = 'ghp_' + 'Qw3rTy7uIoP1aSdF2gHjK4lZxC5vBnM6q8W9'; // never stored: the call has not run, so no PostToolUse took it
    const before = notes.length;
    const hook = ask(`curl -H "Authorization: token ${fresh}" https://api.github.com/user`);
    const pending = await until(async () => ((await api('GET', '/api/sessions/held/permissions')).json[0] as { id: string; summary: string } | undefined), 'the pending request', 10_000);
    expect(pending.summary).toBe('Bash curl -H "Authorization: token [secret: GITHUB_TOKEN]" https://api.github.com/user');
    expect((await api('POST', `/api/sessions/held/permissions/${pending.id}`, { decision: 'deny' })).status).toBe(202);
    expect((await hook).code).toBe(0);
    await until(() => (notes.length > before ? true : undefined), 'the notification', 15_000);
    expect(notes.at(-1)!.body).toContain('[secret: GITHUB_TOKEN]');
    expect(notes.at(-1)!.body).not.toContain(fresh);
    expect(fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8')).not.toContain(fresh);
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toContain('secrets found in a permission request stored: GITHUB_TOKEN');
    expect(await sessionSecrets('held', sb.env)).toMatchObject({ GITHUB_TOKEN: fresh });
  });

  it('Stop with nobody attached sends "finished a turn" with Claude\'s last words, scrubbed', { timeout: 30_000 }, async () => {
    const transcript = path.join(sb.dir, 't.jsonl');
    fs.writeFileSync(transcript, JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: `Done; the key ${SECRET} works.` }] } }) + '\n');
    const before = notes.length;
    const r = await runHookScript('notify-turn', JSON.stringify({ hook_event_name: 'Stop', cwd: sb.session.dir, transcript_path: transcript, stop_hook_active: false }), env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(notes.length).toBe(before + 1);
    expect(notes.at(-1)!.headers.title).toBe('held: finished a turn');
    expect(notes.at(-1)!.body).toBe('Done; the key [secret: API_KEY] works.');
  });

  it('the page at 390x844: the session, its conversation, the pending request; Deny from the page reaches the hook', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    // A conversation to show (the transcript Claude Code would have written).
    const project = claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, fs.realpathSync(sb.session.dir));
    fs.mkdirSync(project, { recursive: true });
    const lines = [
      { type: 'user', message: { content: 'please clean the build folder' } },
      { type: 'assistant', message: { content: [{ type: 'text', text: 'I will remove the build folder.' }, { type: 'tool_use', id: 'u1', name: 'Bash', input: { command: 'rm -rf build' } }] } },
    ];
    fs.writeFileSync(path.join(project, '11111111-2222-3333-4444-555555555555.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const browser = await launchChromium(bin);
    try {
      await browser.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
      await signInWith(browser, server.signInUrl);
      expect(await browser.evaluate('location.pathname')).toBe('/');
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('sessions').textContent`)).includes('held') ? true : undefined), 'the session list', 10_000);
      const hook = ask('rm -rf build');
      await browser.navigate(`${server.url}/#/s/held`);
      const started = Date.now();
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('pending').textContent`)).includes('Allow once') ? true : undefined), 'the pending request on the page', 10_000);
      const shownWithin = Date.now() - started;
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('conv').textContent`)).includes('I will remove the build folder.') ? true : undefined), 'the conversation', 10_000);
      expect(await browser.evaluate<string>(`document.getElementById('conv').textContent`)).toContain('Bash rm -rf build');
      expect(await browser.evaluate<boolean>(`document.getElementById('text').disabled`)).toBe(true);
      expect(await browser.evaluate<string>(`document.getElementById('askNote').textContent`)).toMatch(/cs -spawn held/);
      // Nothing wider than the phone's screen.
      expect(await browser.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-session-390.png'));
      await browser.evaluate(`[...document.querySelectorAll('#pending button')].find((b) => b.textContent === 'Deny').click()`);
      const r = await hook;
      expect(JSON.parse(r.stdout).hookSpecificOutput.decision.behavior).toBe('deny');
      const ev = readTimeline(sb.session.meta, { limit: 1 }).events[0]!;
      expect(ev).toMatchObject({ type: 'permission', decision: 'deny', by: expect.stringMatching(/^[0-9a-f]{8}$/) });
      expect(shownWithin).toBeLessThan(5000);
      await browser.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false });
      await browser.navigate(`${server.url}/#/`);
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('sessions').textContent`)).includes('held') ? true : undefined), 'the list', 10_000);
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-list-1280.png'));
      await browser.navigate(`${server.url}/#/s/held`);
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('conv').textContent`)).includes('I will remove') ? true : undefined), 'the conversation', 10_000);
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-session-1280.png'));
    } finally {
      await browser.close();
    }
  });

  it('a request whose hook was killed (its session stopped while it waited) leaves the page and the API, and cannot be answered', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    const browser = await launchChromium(bin);
    let cleanup = () => {};
    try {
      await browser.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
      // A link of its own (as cs -serve --link makes): the server's first one was spent by the test before.
      await signInWith(browser, `${server.url}/login?code=${storeLink(sb.env)}`);
      // The hook as Claude Code runs it, in a process group of its own: ending Claude (cs -stop) kills it, sh and Node alike, with no chance to clean up.
      const hook = spawn(path.join(repoRoot, 'hooks', 'permission-remote'), [], { env, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
      hook.stdin!.end(payload('PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'rm -rf dist' } }, sb.session.dir));
      const gone = new Promise((r) => hook.on('exit', r));
      let killed = false;
      cleanup = () => {
        if (!killed) process.kill(-hook.pid!, 'SIGKILL');
      };
      const pending = await until(async () => ((await api('GET', '/api/sessions/held/permissions')).json[0] as { id: string } | undefined), 'the pending request', 10_000);
      await browser.navigate(`${server.url}/#/s/held`);
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('pending').textContent`)).includes('Allow once') ? true : undefined), 'the pending request on the page', 10_000);
      process.kill(-hook.pid!, 'SIGKILL');
      await gone;
      killed = true;
      // The open page drops it by itself: nothing in the folder changed, but nobody waits for an answer any more.
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('pending').textContent`)).includes('Allow once') ? undefined : true), 'the request gone from the open page', 10_000);
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-request-gone-390.png'));
      expect((await api('GET', '/api/sessions/held/permissions')).json).toEqual([]);
      const late = await api('POST', `/api/sessions/held/permissions/${pending.id}`, { decision: 'allow' });
      expect(late.status).toBe(404);
      expect(late.json.error).toMatch(/its session ended/);
      expect(fs.readdirSync(path.join(sb.session.local, 'permissions'))).toEqual([]);
    } finally {
      cleanup();
      await browser.close();
    }
  });

  it('gives no decision outside a hosted session, or with a terminal attached', { timeout: 30_000 }, async () => {
    const plain = await ask('ls', { CS_HOSTED: '' });
    expect(plain.stdout).toBe('');
    const t = startTerminal(['tmux', '-S', socket, 'attach', '-t', 'held'], { env: { PATH: process.env.PATH, HOME: sb.home } });
    try {
      await until(() => (execFileSync('tmux', ['-S', socket, 'display-message', '-p', '-t', 'held', '#{session_attached}'], { encoding: 'utf8' }).trim() === '1' ? true : undefined), 'the terminal attached', 10_000);
      const r = await ask('ls');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect((await api('GET', '/api/sessions/held/permissions')).json).toEqual([]);
    } finally {
      t.close();
    }
  });
});
