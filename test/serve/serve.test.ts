// `cs -serve`: the built cs as a real process on a loopback port. Tokens,
// the one-time sign-in, refusals, read-only routes, the SSE feed, and the page
// in headless Chromium showing a hook's event live.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, parseCookies } from '../../src/serve/auth.js';
import { parse } from '../../src/commands/serve.js';
import { appendEvent } from '../../src/timeline/timeline.js';
import { repoRoot, runCs, startCs, waitFor } from '../support/cs.js';
import { hookSandbox, payload, runHookScript, type HookSandbox } from '../support/hooks.js';
import { chromiumBin, launchChromium } from './chromium.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (b) => (body += b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('options', () => {
  it.each([
    [[], { port: 7420, bind: '127.0.0.1', tokenFile: null }],
    [['--port', '0'], { port: 0, bind: '127.0.0.1', tokenFile: null }],
    [['--bind', '0.0.0.0', '--token-file', 't'], { port: 7420, bind: '0.0.0.0', tokenFile: 't' }],
  ])('%j', (args, opts) => expect(parse(args)).toEqual(opts));

  it.each([[['--port', '70000']], [['--port', 'x']], [['--bind', '']], [['extra']], [['--token', 'x']]])('refuses %j', (args) => {
    expect(() => parse(args)).toThrow();
  });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) expect(isLoopback(a), a).toBe(false);
    expect(parseCookies('a=1; cs_serve_1=xyz').get('cs_serve_1')).toBe('xyz');
  });
});

describe('cs -serve', () => {
  let sb: HookSandbox;
  let server: ReturnType<typeof startCs>;
  let base = '';
  let signIn = '';
  let token = '';
  let stderr = '';

  beforeAll(async () => {
    sb = await hookSandbox('watched');
    appendEvent(sb.session.meta, { type: 'session-start', source: 'startup' });
    server = startCs(['-serve', '--port', '0'], { env: sb.env });
    server.stderr!.on('data', (b) => (stderr += b));
    await waitFor(() => /API token for this run: (\S+)/.test(stderr), 10_000, 'the server to start');
    base = /serving sessions read-only on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)![1]!;
    signIn = /sign in a browser: (\S+)/.exec(stderr)![1]!;
    token = /API token for this run: (\S+)/.exec(stderr)![1]!;
  });
  afterAll(async () => {
    server.kill('SIGTERM');
    await server.done;
    sb.cleanup();
  });

  it('answers 401 to every route without the token, and to a wrong one', async () => {
    for (const p of ['/', '/app.js', '/api/sessions', '/api/sessions/watched/timeline', '/api/sessions/watched/events', '/api/search?q=x', '/nope']) {
      expect((await request(base + p)).status, p).toBe(401);
      expect((await request(base + p, { headers: { authorization: `Bearer ${token.slice(0, -1)}x` } })).status, p).toBe(401);
      expect((await request(base + p, { headers: { cookie: 'cs_serve_1=abc' } })).status, p).toBe(401);
    }
  });

  it('serves the API with the token, read-only, with no paths from URLs', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const list = await request(`${base}/api/sessions`, { headers: auth });
    expect(list.status).toBe(200);
    expect(list.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const sessions = JSON.parse(list.body);
    expect(sessions).toMatchObject([{ name: 'watched' }]);
    expect(sessions[0].dir).toBeUndefined();
    const tl = await request(`${base}/api/sessions/watched/timeline`, { headers: { 'x-cs-token': token } });
    expect(JSON.parse(tl.body)).toMatchObject([{ type: 'session-start', text: 'session start (startup)' }]);
    for (const p of ['/api/sessions/..%2F..%2Fetc/timeline', '/api/sessions/.cs', '/api/sessions/a%00b', '/api/sessions/-x/events']) {
      expect((await request(base + p, { headers: auth })).status, p).toBe(400);
    }
    // Dot segments are resolved by the URL parser before routing: they never reach a session lookup.
    for (const p of ['/api/sessions/../../etc/passwd', '/api/sessions/%2e%2e/timeline', '/api/sessions/watched/../../x']) {
      expect((await request(base + p, { headers: auth })).status, p).toBe(404);
    }
    expect((await request(`${base}/api/sessions/nope`, { headers: auth })).status).toBe(404);
    // Search hits name the session and a path inside it, never an absolute path.
    fs.appendFileSync(sb.session.discoveries, '\n## found\nthe frobnicator needs a restart\n');
    const found = await request(`${base}/api/search?q=frobnicator`, { headers: auth });
    expect(found.status).toBe(200);
    expect(JSON.parse(found.body)).toMatchObject([{ session: 'watched', file: '.cs/discoveries.md' }]);
    expect(found.body).not.toContain(sb.dir);
    expect(found.body).not.toContain(sb.home);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect((await request(`${base}/api/sessions`, { method, headers: auth, body: method === 'DELETE' ? undefined : '{}' })).status, method).toBe(405);
    }
  });

  it('the one-time link sets a cookie once; the cookie then works and the link does not', async () => {
    const first = await request(signIn);
    expect(first.status).toBe(303);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(token);
    expect((await request(`${base}/api/sessions`, { headers: { cookie } })).status).toBe(200);
    expect((await request(signIn)).status).toBe(401);
    // A fresh link is printed for the next device.
    await waitFor(() => /next one-time sign-in link: (\S+)/.test(stderr), 5000, 'next link');
    const next = /next one-time sign-in link: (\S+)/.exec(stderr)![1]!;
    expect(next).not.toBe(signIn);
    expect((await request(next)).status).toBe(303);
  });

  it('answers HEAD on the event stream at once, with the headers and no body', { timeout: 10_000 }, async () => {
    const head = await request(`${base}/api/sessions/watched/events`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(head.body).toBe('');
  });

  it('streams new timeline events over SSE', async () => {
    const got: string[] = [];
    const req = http.get(`${base}/api/sessions/watched/events`, { headers: { authorization: `Bearer ${token}` } });
    try {
      await new Promise<void>((resolve, reject) => {
        req.on('error', reject);
        req.on('response', (res) => {
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          res.on('data', (b) => got.push(b.toString()));
          resolve();
        });
      });
      await waitFor(() => got.join('').includes('event: ready'), 5000, 'backlog');
      expect(got.join('')).toMatch(/event: reset[\s\S]*session start \(startup\)[\s\S]*event: ready/);
      appendEvent(sb.session.meta, { type: 'sync', action: 'push' });
      await waitFor(() => got.join('').includes('"sync push"'), 3000, 'live event');
    } finally {
      req.destroy();
    }
  });

  it('shows a hook event on the page in headless Chromium within a second', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumBin();
    if (!bin) {
      if (process.env.CI) throw new Error('chromium is not installed (apt-get install chromium)');
      ctx.skip();
      return;
    }
    // Sign in with a fresh link (the first one was spent above).
    const link = [...stderr.matchAll(/next one-time sign-in link: (\S+)/g)].at(-1)![1]!;
    const browser = await launchChromium(bin);
    try {
      await browser.navigate(link);
      expect(await browser.evaluate('location.pathname')).toBe('/');
      await browser.navigate(`${base}/#/s/watched`);
      await browser.evaluate(`new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('feed did not open: ' + document.getElementById('live').textContent)), 10000);
        const check = () => document.getElementById('live').textContent === 'live' && document.getElementById('events').children.length > 0 ? (clearTimeout(t), resolve(true)) : setTimeout(check, 20);
        check();
      })`);
      const marker = `marker-${Date.now()}.txt`;
      const hook = await runHookScript('timeline', payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(sb.session.dir, marker), content: 'x' } }, sb.session.dir), sb.hookEnv);
      expect(hook.code).toBe(0);
      // Counted from the moment the hook has written its event (its own start-up is not the page's latency).
      const fired = Date.now();
      let shownAfter = -1;
      while (Date.now() - fired < 5000) {
        if (await browser.evaluate<boolean>(`document.getElementById('events').textContent.includes(${JSON.stringify(marker)})`)) {
          shownAfter = Date.now() - fired;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await browser.screenshot(path.join(repoRoot, 'test-artifacts', 'serve-timeline.png'));
      expect(shownAfter, 'event never shown').toBeGreaterThanOrEqual(0);
      expect(shownAfter).toBeLessThan(1000);
      const first = await browser.evaluate<string>(`document.querySelector('#events li').textContent`);
      expect(first).toContain(`Write ${marker}`);
    } finally {
      await browser.close();
    }
  });
});

describe('cs -serve refusals', () => {
  let sb: HookSandbox;
  beforeAll(async () => {
    sb = await hookSandbox('x');
  });
  afterAll(() => sb.cleanup());

  it('refuses a non-loopback bind without a configured token', async () => {
    const r = await runCs(['-serve', '--bind', '0.0.0.0', '--port', '0'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to serve on 0\.0\.0\.0 without a configured token/);
  });

  it('refuses a short configured token and an unreadable token file', async () => {
    const short = await runCs(['-serve', '--port', '0'], { env: { ...sb.env, CS_SERVE_TOKEN: 'short' } });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 16/);
    const missing = await runCs(['-serve', '--port', '0', '--token-file', path.join(sb.dir, 'none')], { env: sb.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the token file/);
  });

  it('serves on a non-loopback address with a configured token, and only to that token', async () => {
    const tokenFile = path.join(sb.dir, 'token');
    fs.writeFileSync(tokenFile, 'a-long-enough-configured-token\n', { mode: 0o600 });
    const s = startCs(['-serve', '--bind', '0.0.0.0', '--port', '0', '--token-file', tokenFile], { env: sb.env });
    let err = '';
    s.stderr!.on('data', (b) => (err += b));
    try {
      await waitFor(() => /on http:\/\/0\.0\.0\.0:(\d+)\//.test(err), 10_000, 'server');
      const port = /on http:\/\/0\.0\.0\.0:(\d+)\//.exec(err)![1];
      expect(err).not.toContain('a-long-enough-configured-token');
      expect((await request(`http://127.0.0.1:${port}/api/sessions`)).status).toBe(401);
      expect((await request(`http://127.0.0.1:${port}/api/sessions`, { headers: { authorization: 'Bearer a-long-enough-configured-token' } })).status).toBe(200);
    } finally {
      s.kill('SIGTERM');
      await s.done;
    }
  });
});
