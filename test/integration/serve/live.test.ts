// The session stream of `cs -serve` (a real server on loopback, read as raw
// Server-Sent Events): the conversation arrives whole and then item by item
// as the transcript grows, a new conversation resets it, held permission
// requests come and go; and the queue routes of the API.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, holdRequest, permissionsDir, readDecision } from '../../../src/approval/approval.js';
import { appendEvent } from '../../../src/timeline/timeline.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';
import { readJournal, readQueue } from '../../../src/queue/queue.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { writeSessionEnvFile } from '../../../src/secrets/store.js';
import { hookSandbox, type HookSandbox } from '../../support/hooks.js';
import { until } from '../../support/host.js';
import { writePostmortem } from '../../../src/host/postmortem.js';
import { sessionPaths } from '../../../src/session/paths.js';
import { chromiumOrSkip, launchChromium, signInWith } from '../../support/chromium.js';
import { storeLink } from '../../../src/serve/links.js';
import { repoRoot } from '../../support/cs.js';

const TOKEN = 'a-test-token-of-enough-length';
const SECRET = 'sk-live-stream-0123456789';
/** A value with a line break, as a private key has. */
const PEM = 'line-one-SECRETPART\nline-two-SECRETPART';

interface Sse {
  events: Array<{ type: string; data: any }>;
  close(): void;
}

/** Opens the session's stream and collects its events as they come. */
function stream(url: string): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const events: Sse['events'] = [];
    const req = http.get(url, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let buf = '';
      res.on('data', (b) => {
        buf += b;
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data !== undefined) events.push({ type, data: JSON.parse(data) });
        }
      });
      resolve({ events, close: () => req.destroy() });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
  });
}

describe('the live session stream and the queue API', () => {
  let sb: HookSandbox;
  let server: RunningServer;
  let project = '';
  const errors: string[] = [];
  beforeAll(async () => {
    sb = await hookSandbox('live');
    writeSessionEnvFile('live', { LIVE_KEY: SECRET, PEM_KEY: PEM }, sb.env, { create: true });
    project = claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, fs.realpathSync(sb.session.dir));
    fs.mkdirSync(project, { recursive: true });
    server = await startServer({ env: sb.env, port: 0, bind: '127.0.0.1', token: TOKEN, onError: (l) => errors.push(l) });
  });
  afterAll(async () => {
    await server.close();
    sb.cleanup();
  });

  const line = (v: unknown) => JSON.stringify(v) + '\n';
  const kinds = (sse: Sse) => sse.events.filter((e) => e.type !== 'timeline').map((e) => e.type);
  const items = (sse: Sse) => sse.events.filter((e) => e.type === 'conversation').flatMap((e) => e.data.map((i: any) => `${i.n}:${i.kind}:${i.text}`));

  const call = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(server.url + p, { method, headers: { authorization: `Bearer ${TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as any };
  };

  it('scrubs before it shortens: a value with a line break, or one a cut would halve, is never shown in part; the objective too', { timeout: 30_000 }, async () => {
    const file = path.join(project, '55555555-2222-3333-4444-555555555555.jsonl');
    const pad = (n: number) => 'x'.repeat(n);
    fs.writeFileSync(
      file,
      line({ type: 'user', message: { content: 'go' } }) +
        line({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'a', name: 'Bash', input: { command: `printf '${PEM}' > key.pem` } }] } }) +
        line({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'b', name: 'Bash', input: { command: `echo ${pad(140)}${SECRET}` } }] } }) +
        line({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'b', content: `${pad(1990)}${SECRET}` }] } }),
    );
    fs.writeFileSync(path.join(sb.session.meta, 'README.md'), `# live\n\n## Objective\nrotate ${SECRET} today\n`);
    try {
      const got = (await call('GET', '/api/sessions/live/conversation?after=0')).json as Array<{ n: number; text: string }>;
      const texts = got.map((i) => i.text);
      expect(texts.slice(0, 2)).toEqual(['go', "Bash printf '[secret: PEM_KEY]' > key.pem"]);
      // Cut after the value was replaced: what is left of it is part of the marker, never of the value.
      expect(texts[2]).toBe(`Bash echo ${pad(140)}[secret: …`);
      expect(texts[3]).toBe(`${pad(1990)}[secret: L…`);
      // Only what is new is sent.
      expect((await call('GET', '/api/sessions/live/conversation?after=3')).json).toEqual([expect.objectContaining({ n: 4, text: texts[3] })]);
      const all = JSON.stringify(got);
      for (const part of ['SECRETPART', 'sk-live', 'sk-l']) expect(all).not.toContain(part);
      // The objective (the README is the user's text): in the list and in the session's own answer.
      const listed = (await call('GET', '/api/sessions')).json.find((r: { name: string }) => r.name === 'live');
      expect(listed.objective).toBe('rotate [secret: LIVE_KEY] today');
      expect((await call('GET', '/api/sessions/live')).json.objective).toBe('rotate [secret: LIVE_KEY] today');
    } finally {
      fs.rmSync(file);
      fs.rmSync(path.join(sb.session.meta, 'README.md'));
    }
  });

  it('shows a conversation whose transcript holds lines that are JSON but no record (null, a number, a null block) around the good ones', { timeout: 30_000 }, async () => {
    const file = path.join(project, '66666666-2222-3333-4444-555555555555.jsonl');
    fs.writeFileSync(
      file,
      line({ type: 'user', message: { content: 'before' } }) +
        'null\n42\n"text"\n{"type":"assistant","message":{"content":"cut' +
        '\n' +
        line({ type: 'assistant', message: { content: [null, 7, { type: 'text', text: 'after' }] } }) +
        line({ type: 'assistant', message: null }) +
        // A tool call without a name: shown as a tool, never as "null" or "undefined".
        line({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'u0', input: { command: 'ls' } }] } }),
    );
    const sse = await stream(`${server.url}/api/sessions/live/events`);
    try {
      const r = await call('GET', '/api/sessions/live/conversation?after=0');
      expect(r.status).toBe(200);
      expect(r.json.map((i: { kind: string; tool?: string; text: string }) => `${i.kind}:${i.tool ?? ''}:${i.text}`)).toEqual(['prompt::before', 'text::after', 'tool:tool:tool ls']);
      await until(() => (items(sse).length === 3 ? true : undefined), 'the conversation on the stream', 15_000);
      expect(items(sse)).toEqual(['1:prompt:before', '2:text:after', '3:tool:tool ls']);
      expect(errors).toEqual([]);
    } finally {
      sse.close();
      fs.rmSync(file);
    }
  });

  it('sends the conversation, then only what is new; a new conversation resets it; held requests come and go; secrets scrubbed', { timeout: 30_000 }, async () => {
    const first = path.join(project, '11111111-2222-3333-4444-555555555555.jsonl');
    fs.writeFileSync(first, line({ type: 'user', message: { content: 'first prompt' } }) + line({ type: 'assistant', message: { content: [{ type: 'text', text: `reply with ${SECRET}` }] } }));
    const sse = await stream(`${server.url}/api/sessions/live/events`);
    try {
      await until(() => (items(sse).length === 2 ? true : undefined), 'the whole conversation', 15_000);
      expect(items(sse)).toEqual(['1:prompt:first prompt', '2:text:reply with [secret: LIVE_KEY]']);
      expect(kinds(sse)).toEqual(['reset', 'ready', 'permissions', 'convreset', 'conversation']);
      expect(sse.events.find((e) => e.type === 'permissions')?.data).toEqual([]);

      fs.appendFileSync(first, line({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'u1', name: 'Bash', input: { command: 'make test' } }] } }));
      await until(() => (items(sse).length === 3 ? true : undefined), 'the new item', 15_000);
      expect(items(sse)[2]).toBe('3:tool:Bash make test');

      const held = holdRequest(sb.session.local, 'Bash', 'Bash rm -rf build');
      await until(() => (sse.events.filter((e) => e.type === 'permissions').at(-1)?.data.length === 1 ? true : undefined), 'the held request on the stream', 15_000);
      expect(sse.events.filter((e) => e.type === 'permissions').at(-1)!.data).toEqual([held]);
      expect(decide(sb.session.local, held.id, 'deny', 'token')).toBe(true);
      await until(() => (sse.events.filter((e) => e.type === 'permissions').at(-1)?.data.length === 0 ? true : undefined), 'the answered request gone', 15_000);

      // A newer transcript: another conversation began (the newest is shown when no run names one).
      const before = sse.events.length;
      await new Promise((r) => setTimeout(r, 20));
      fs.writeFileSync(path.join(project, '99999999-2222-3333-4444-555555555555.jsonl'), line({ type: 'user', message: { content: 'second conversation' } }));
      await until(() => (sse.events.slice(before).some((e) => e.type === 'conversation') ? true : undefined), 'the second conversation', 15_000);
      expect(sse.events.slice(before).map((e) => e.type)).toEqual(['convreset', 'conversation']);
      expect(sse.events.at(-1)!.data).toEqual([expect.objectContaining({ n: 1, kind: 'prompt', text: 'second conversation' })]);
      // What the session's files hold raw (an old timeline line, a held request) is scrubbed on the way out too.
      appendEvent(sb.session.meta, { type: 'queue', action: 'add', text: `old task with ${SECRET}` });
      const raw = holdRequest(sb.session.local, 'Bash', `Bash curl -H 'X: ${SECRET}'`);
      await until(() => (sse.events.some((e) => e.type === 'timeline' && String(e.data.text).includes('old task')) && sse.events.filter((e) => e.type === 'permissions').at(-1)?.data.length === 1 ? true : undefined), 'the raw event and request', 15_000);
      expect((await call('GET', '/api/sessions/live/permissions')).json).toEqual([{ ...raw, summary: "Bash curl -H 'X: [secret: LIVE_KEY]'" }]);
      expect(JSON.stringify((await call('GET', '/api/sessions/live/timeline')).json)).toContain('old task with [secret: LIVE_KEY]');
      expect(decide(sb.session.local, raw.id, 'deny', 'token')).toBe(true);
      expect(JSON.stringify(sse.events)).not.toContain(SECRET);
    } finally {
      sse.close();
    }
  });


  it('the queue: shown, a task added, started (not hosted: armed for the next Stop), bad input refused', async () => {
    expect((await call('GET', '/api/sessions/live/queue')).json).toEqual({ armed: false, summary: 'idle, 0 pending', tasks: [] });
    expect((await call('POST', '/api/sessions/live/queue/start')).status).toBe(409);
    expect((await call('POST', '/api/sessions/live/queue', { text: '  ' })).status).toBe(400);
    expect((await call('POST', '/api/sessions/live/queue', { nope: 1 })).status).toBe(400);
    const added = await call('POST', '/api/sessions/live/queue', { text: `deploy with ${SECRET}` });
    expect(added).toEqual({ status: 201, json: { id: 1, state: 'pending' } });
    const shown = (await call('GET', '/api/sessions/live/queue')).json;
    expect(shown).toMatchObject({ armed: false, summary: 'idle, 1 pending', tasks: [{ id: 1, state: 'pending', text: 'deploy with [secret: LIVE_KEY]' }] });
    expect(await call('POST', '/api/sessions/live/queue/start')).toEqual({ status: 202, json: { armed: true } });
    expect(readQueue(sb.session.dir)).toMatchObject({ armed: true, tasks: [{ id: 1, state: 'pending' }] });
    expect(readJournal(sb.session.dir).map((e) => e.type)).toEqual(['add', 'start']);
    // Kept scrubbed: queue.json, its journal and the timeline are committed with the session.
    for (const f of ['.cs/queue/queue.json', '.cs/queue/journal.jsonl', '.cs/timeline.jsonl']) {
      const lines = fs.readFileSync(path.join(sb.session.dir, f), 'utf8').split('\n').filter((l) => l.includes('deploy with'));
      expect(lines.length, f).toBeGreaterThan(0);
      for (const l of lines) expect(l, f).not.toContain(SECRET);
    }
    expect(readQueue(sb.session.dir).tasks[0]!.text).toBe('deploy with [secret: LIVE_KEY]');
    expect((await call('GET', '/api/sessions/nosuch/queue')).status).toBe(404);
  });

  it('a damaged queue file: an answer naming .cs/queue/queue.json, never its absolute path or content; an unexpected error a fixed body', async () => {
    const file = path.join(sb.session.dir, '.cs', 'queue', 'queue.json');
    const good = fs.readFileSync(file, 'utf8');
    try {
      for (const content of [`PermSecret ${SECRET}`, '[]', `<<<<<<< HEAD\n${good}=======\n{}\n>>>>>>> theirs\n`]) {
        fs.writeFileSync(file, content);
        for (const [method, p, body] of [['GET', '/api/sessions/live/queue'], ['POST', '/api/sessions/live/queue', { text: 'more' }], ['POST', '/api/sessions/live/queue/start']] as const) {
          const r = await call(method, p, body);
          expect(r.status, `${method} ${p}`).toBe(409);
          expect(r.json.error).toMatch(/^the queue file \.cs\/queue\/queue\.json is damaged/);
          expect(JSON.stringify(r.json)).not.toContain(sb.session.dir);
          expect(JSON.stringify(r.json)).not.toContain('PermSecret');
        }
        expect(fs.readFileSync(file, 'utf8')).toBe(content);
      }
      // Not a file at all: not the user's doing, so a fixed body; the log gets the class and code only.
      fs.rmSync(file);
      fs.mkdirSync(file);
      const r = await call('GET', '/api/sessions/live/queue');
      expect(r).toEqual({ status: 500, json: { error: 'internal error' } });
      expect(errors.at(-1)).toBe('GET /api/sessions/live/queue failed: Error (EISDIR)');
      expect(errors.join('\n')).not.toContain(sb.session.dir);
    } finally {
      fs.rmSync(file, { recursive: true, force: true });
      fs.writeFileSync(file, good);
    }
    expect((await call('GET', '/api/sessions/live/queue')).status).toBe(200);
  });

  it('at 390x844, scrolled to the end of a long conversation, a request that arrives is in reach: Allow once tapped where it shows reaches the hook', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    const file = path.join(project, '77777777-2222-3333-4444-555555555555.jsonl');
    let text = '';
    for (let i = 1; i <= 40; i++) text += line({ type: 'user', message: { content: `step ${i}: ${'and then some more words '.repeat(6)}` } });
    fs.writeFileSync(file, text);
    const local = sessionPaths(sb.session.dir, 'live').local;
    const browser = await launchChromium(bin);
    try {
      await browser.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
      await signInWith(browser, `${server.url}/login?code=${storeLink(sb.env)}`);
      await browser.navigate(`${server.url}/#/s/live`);
      await until(async () => ((await browser.evaluate<number>(`document.querySelectorAll('#conv li').length`)) === 40 ? true : undefined), 'the conversation', 10_000);
      await until(async () => ((await browser.evaluate<number>('window.scrollY')) > 0 ? true : undefined), 'the page at the newest item', 5000);
      const req = holdRequest(local, 'Bash', 'Bash rm -rf build');
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('pending').textContent`)).includes('Allow once') ? true : undefined), 'the request on the page', 10_000);
      await new Promise((r) => setTimeout(r, 300));
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-request-at-end-390.png'));
      // Where the button shows, without scrolling: on the screen and not under anything.
      const at = await browser.evaluate<{ x: number; y: number; hit: boolean }>(`(() => {
        const b = [...document.querySelectorAll('#pending button')].find((x) => x.textContent === 'Allow once');
        const r = b.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        return { x, y, hit: r.top >= 0 && r.bottom <= innerHeight && document.elementFromPoint(x, y) === b };
      })()`);
      expect(at.hit).toBe(true);
      for (const type of ['mousePressed', 'mouseReleased']) await browser.send('Input.dispatchMouseEvent', { type, x: at.x, y: at.y, button: 'left', clickCount: 1 });
      await until(() => (readDecision(local, req.id) ? true : undefined), 'the answer', 10_000);
      expect(readDecision(local, req.id)).toMatchObject({ decision: 'allow', by: expect.stringMatching(/^[0-9a-f]{8}$/) });
    } finally {
      await browser.close();
      fs.rmSync(file);
      fs.rmSync(permissionsDir(local), { recursive: true, force: true });
    }
  });

  it('a session that is not running shows Send and Interrupt as off, not as the live buttons they look like for a running one', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    const browser = await launchChromium(bin);
    try {
      await browser.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
      await signInWith(browser, `${server.url}/login?code=${storeLink(sb.env)}`);
      await browser.navigate(`${server.url}/#/s/live`);
      await until(async () => ((await browser.evaluate<boolean>(`document.getElementById('send').disabled`)) ? true : undefined), 'the buttons off', 10_000);
      // Against the same buttons switched on, as the page shows them for a running session.
      const looks = `['send', 'stop'].map((id) => { const s = getComputedStyle(document.getElementById(id)); return s.opacity + ' ' + s.backgroundColor + ' ' + s.color; }).join('|')`;
      const off = await browser.evaluate<string>(looks);
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-not-running-390.png'));
      await browser.evaluate(`document.getElementById('send').disabled = document.getElementById('stop').disabled = false`);
      const on = await browser.evaluate<string>(looks);
      for (const [i, id] of ['send', 'stop'].entries()) expect(off.split('|')[i], id).not.toBe(on.split('|')[i]);
    } finally {
      await browser.close();
    }
  });

  it('the open page notifies when a session dies, once the browser allows it; only on the change', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    const browser = await launchChromium(bin);
    try {
      // Records each notification the page creates, then lets the browser's own Notification show it.
      await browser.send('Page.addScriptToEvaluateOnNewDocument', {
        source: 'window.__shown = []; if (window.Notification) { const Real = window.Notification; window.Notification = class extends Real { constructor(t, o) { super(t, o); window.__shown.push({ title: t, body: (o && o.body) || "" }); } }; }',
      });
      await browser.browserSend('Browser.grantPermissions', { origin: server.url, permissions: ['notifications'] });
      await signInWith(browser, server.signInUrl);
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('sessions').textContent`)).includes('closed') ? true : undefined), 'the session closed in the list', 10_000);
      expect(await browser.evaluate<boolean>(`document.getElementById('bell').hidden`)).toBe(true);
      writePostmortem(sessionPaths(sb.session.dir, 'live'), { what: 'Claude Code exited with signal KILL (status 137)', status: 137, now: new Date() });
      await until(async () => ((await browser.evaluate<unknown[]>('window.__shown')).length ? true : undefined), 'the notification', 15_000);
      expect(await browser.evaluate('window.__shown')).toEqual([{ title: 'live: died', body: expect.any(String) }]);
      expect(await browser.evaluate<string>(`document.querySelector('#sessions .state').textContent`)).toBe('died');
      // The next poll (every 4 s) sees no change: no second notification.
      await new Promise((r) => setTimeout(r, 5000));
      expect(await browser.evaluate<unknown[]>('window.__shown')).toHaveLength(1);
    } finally {
      await browser.close();
    }
  });

  it('a session removed while its page is open: the view says it is gone and offers no prompt, instead of staying "live"', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    const { createSession } = await import('../../../src/session/workspace.js');
    const gone = await createSession(sb.env, 'temp');
    const browser = await launchChromium(bin);
    try {
      await browser.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
      await signInWith(browser, `${server.url}/login?code=${storeLink(sb.env)}`);
      await browser.navigate(`${server.url}/#/s/temp`);
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('where').textContent`)).startsWith('temp \u00b7 ') ? true : undefined), 'the session shown', 10_000);
      fs.rmSync(gone.dir, { recursive: true, force: true });
      // The next poll (every 4 s) finds it no more.
      await until(async () => ((await browser.evaluate<string>(`document.getElementById('where').textContent`)) === 'temp \u00b7 gone' ? true : undefined), 'the view saying gone', 10_000);
      expect(await browser.evaluate<string>(`document.getElementById('live').textContent`)).toBe('gone');
      expect(await browser.evaluate<boolean>(`document.getElementById('text').disabled && document.getElementById('send').disabled`)).toBe(true);
      expect(await browser.evaluate<string>(`document.getElementById('askNote').textContent`)).toMatch(/^No session named temp any more/);
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-session-gone-390.png'));
    } finally {
      await browser.close();
    }
  });
});
