// `cs -serve`: the built cs as a real process on a loopback port. Tokens,
// the one-time sign-in, refusals, read-only routes, the SSE feed, and the page
// in headless Chromium showing a hook's event live.
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, parseCookies } from '../../../src/serve/auth.js';
import { serveUrlFile } from '../../../src/notify/notify.js';
import { urlHost } from '../../../src/serve/server.js';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { appendEvent } from '../../../src/timeline/timeline.js';
import { writeStatus } from '../../../src/status/status.js';
import { repoRoot, runCs, startCs, waitFor } from '../../support/cs.js';
import { hookSandbox, payload, runHookScript, type HookSandbox, noAutosaveDue } from '../../support/hooks.js';
import { chromiumOrSkip, launchChromium, signInWith } from '../../support/chromium.js';
import { request, type Reply } from '../../support/http.js';

/** What the page a browser gets for the sign-in `link` posts (src/serve/page.ts loginPage): the link's code, with the link's server as Origin. */
function spend(link: string): Promise<Reply> {
  const u = new URL(link);
  return request(`${u.origin}/login`, { method: 'POST', headers: { origin: u.origin, 'content-type': 'application/x-www-form-urlencoded' }, body: `code=${u.searchParams.get('code')}` });
}

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('options', () => {
  it.each([
    [[], {}],
    [['--port', '0'], { port: 0 }],
    [['--bind', '0.0.0.0', '--token-file', 't'], { bind: '0.0.0.0', tokenFile: 't' }],
    [['--tls-cert', 'c', '--tls-key', 'k'], { tlsCert: 'c', tlsKey: 'k' }],
    [['--devices', '--json'], { devices: true, json: true }],
    [['--revoke', '0a1b2c3d'], { revoke: '0a1b2c3d' }],
    [['--link', '--json'], { link: true, json: true }],
  ])('%j', async (args, opts) => expect((await parseCommand('-serve', args)).opts).toEqual({ port: 7420, bind: '127.0.0.1', tokenFile: null, tlsCert: null, tlsKey: null, devices: false, revoke: null, link: false, json: false, ...opts }));

  it.each([[['--port', '70000']], [['--port', 'x']], [['--bind', '']], [['extra']], [['--token', 'x']], [['--tls-cert', 'c']], [['--revoke', '../x']], [['--devices', '--revoke', '0a1b2c3d']], [['--link', '--devices']], [['--bind', '[::1']], [['--bind', '::1]']], [['--bind', '[::1]x']]])('refuses %j', async (args) => {
    await expect(parseCommand('-serve', args)).rejects.toThrow();
  });

  it.each([
    [['--link', '--port', '5'], /--link works with the server already running: --port is for starting one/],
    [['--devices', '--bind', '0.0.0.0', '--token-file', 't'], /--devices works with the server already running: --bind, --token-file are for starting one/],
    [['--revoke', '0a1b2c3d', '--tls-cert', 'c', '--tls-key', 'k'], /--revoke works with the server already running: --tls-cert, --tls-key are/],
  ])('refuses %j, naming what it would ignore', async (args, why) => {
    await expect(parseCommand('-serve', args)).rejects.toThrow(why);
  });

  it('prints a bind address as a URL host: IPv6 in brackets, a wildcard as a name of this machine', () => {
    expect(urlHost('127.0.0.1')).toBe('127.0.0.1');
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('[::1]')).toBe('[::1]');
    expect(urlHost('0.0.0.0')).toBe(os.hostname());
    expect(urlHost('[::]', ['box.tailnet.ts.net'])).toBe('box.tailnet.ts.net');
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
    base = /serving sessions on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)![1]!;
    signIn = /sign in a browser: (\S+)/.exec(stderr)![1]!;
    token = /API token for this run: (\S+)/.exec(stderr)![1]!;
  });
  afterAll(async () => {
    server.kill('SIGTERM');
    await server.done;
    sb.cleanup();
  });
  let linksUsed = 0;
  /** The newest one-time link printed, once it is a new one. */
  async function freshLink(): Promise<string> {
    await waitFor(() => [...stderr.matchAll(/next one-time sign-in link: (\S+)/g)].length > linksUsed, 15_000, 'a new sign-in link');
    const all = [...stderr.matchAll(/next one-time sign-in link: (\S+)/g)];
    linksUsed = all.length;
    return all.at(-1)![1]!;
  }

  it('answers 401 to every route without the token, and to a wrong one', async () => {
    const routes = ['/', '/app.js', '/api/sessions', '/api/sessions/watched/timeline', '/api/sessions/watched/events', '/api/search?q=x', '/nope'];
    for (const [i, p] of routes.entries()) {
      expect((await request(base + p)).status, p).toBe(401);
      // Each from an address of its own: wrong tokens are limited per address (tested below).
      expect((await request(base + p, { headers: { authorization: `Bearer ${token.slice(0, -1)}x` }, from: `127.0.1.${i + 1}` })).status, p).toBe(401);
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
    // The state is the one -ls shows (shownState): a session working in a terminal of its own is not 'closed' here.
    writeStatus(sb.session.dir, 'working', 'PreToolUse', new Date());
    const stateOf = async () => (JSON.parse((await request(`${base}/api/sessions`, { headers: auth })).body) as Array<{ name: string; state: string }>)[0]!.state;
    const lsState = async () => (JSON.parse((await runCs(['-ls', '--json'], { env: sb.env })).stdout) as Array<{ status: string }>)[0]!.status;
    expect(await lsState()).toBe('working');
    expect(await stateOf()).toBe('working');
    writeStatus(sb.session.dir, 'closed', 'cs', new Date());
    expect(await stateOf()).toBe('closed');
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

  it('the one-time link sets a cookie and hands over a key once; both then work and the link does not', async () => {
    const first = await spend(signIn);
    expect(first.status).toBe(303);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Max-Age=2592000/);
    expect(cookie).not.toContain(token);
    // The key rides in the fragment of the redirect, which a browser never sends.
    const key = /^\/#key=([\w-]{43})$/.exec(String(first.headers.location))![1]!;
    expect(cookie).not.toContain(key);
    expect((await request(`${base}/api/sessions`, { headers: { cookie, 'x-cs-key': key } })).status).toBe(200);
    expect((await spend(signIn)).status).toBe(401);
    // A fresh link is printed for the next device.
    await waitFor(() => /next one-time sign-in link: (\S+)/.test(stderr), 15_000, 'next link');
    const next = /next one-time sign-in link: (\S+)/.exec(stderr)![1]!;
    expect(next).not.toBe(signIn);
    expect((await spend(next)).status).toBe(303);
  });

  it('cs -serve --link, from another terminal, prints a new link for this server that works once; the file keeps no code', async () => {
    const r = await runCs(['-serve', '--link'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    const link = r.stdout.trim();
    expect(link).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}/login\\?code=[\\w-]{32}$`));
    expect(r.stderr).toMatch(/works once, for 15 minutes, on the cs -serve at http:\/\/127\.0\.0\.1:\d+/);
    const code = new URL(link).searchParams.get('code')!;
    const stored = path.join(sb.env.XDG_CONFIG_HOME ?? path.join(sb.env.HOME!, '.config'), 'cs', 'serve-links.json');
    expect(fs.statSync(stored).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(stored, 'utf8')).not.toContain(code);
    expect((await spend(link)).status).toBe(303);
    expect((await spend(link)).status).toBe(401);
    const j = await runCs(['-serve', '--link', '--json'], { env: sb.env });
    const parsed = JSON.parse(j.stdout) as { url: string; expires: string };
    expect(Date.parse(parsed.expires) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect((await spend(parsed.url)).status).toBe(303);
  });

  it('answers HEAD on the event stream at once, with the headers and no body', { timeout: 10_000 }, async () => {
    const head = await request(`${base}/api/sessions/watched/events`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(head.body).toBe('');
  });

  it('refuses a foreign Host header, even with the token (DNS rebinding)', async () => {
    for (const host of ['evil.example:' + new URL(base).port, '127.0.0.1:1', 'localhost.evil.example']) {
      const r = await request(`${base}/api/sessions`, { headers: { authorization: `Bearer ${token}`, host } });
      expect(r.status, host).toBe(421);
      // The names it does answer to are not told.
      expect(r.body, host).not.toMatch(/127\.0\.0\.1|localhost|::1/);
    }
    expect((await request(`${base.replace('127.0.0.1', 'localhost')}/api/sessions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  /** A device signed in with a fresh link: its cookie (`name=value`) and its key. */
  async function device(): Promise<{ cookie: string; key: string }> {
    const r = await spend(await freshLink());
    return { cookie: String(r.headers['set-cookie']).split(';')[0]!, key: /#key=([\w-]+)$/.exec(String(r.headers.location))![1]! };
  }

  it("a cookie without its key, as another port of this host would see it, reads and changes nothing", async () => {
    const { cookie, key } = await device();
    // The page's own files: the cookie is enough (they hold no data).
    expect((await request(`${base}/`, { headers: { cookie } })).status).toBe(200);
    for (const p of ['/api/sessions', '/api/me', '/api/sessions/watched', '/api/sessions/watched/conversation', '/api/sessions/watched/events', '/api/search?q=x']) {
      const r = await request(`${base}${p}`, { headers: { cookie }, method: p.endsWith('/events') ? 'HEAD' : 'GET' });
      expect(r.status, p).toBe(401);
      if (r.body) expect(JSON.parse(r.body).error, p).toMatch(/holds no key for this server.*new sign-in link/);
    }
    // Another device's key does not fit this cookie; a key alone is nobody.
    const other = await device();
    expect((await request(`${base}/api/sessions`, { headers: { cookie, 'x-cs-key': other.key } })).status).toBe(401);
    expect((await request(`${base}/api/sessions`, { headers: { 'x-cs-key': key } })).status).toBe(401);
    // Only the live stream takes the key from its query (an EventSource sends no header).
    expect((await request(`${base}/api/sessions/watched/events?key=${key}`, { headers: { cookie }, method: 'HEAD' })).status).toBe(200);
    expect((await request(`${base}/api/sessions?key=${key}`, { headers: { cookie } })).status).toBe(401);
    expect(JSON.parse((await request(`${base}/api/me`, { headers: { cookie, 'x-cs-key': key } })).body)).toEqual({ device: cookie.split('=')[1]!.split('.')[0] });
  });

  it('a device needs its key and this Origin to change anything; the token needs neither', async () => {
    const { cookie, key } = await device();
    const post = (headers: Record<string, string>) => request(`${base}/api/sessions/watched/input`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"text":"hi"}' });
    // No key or a wrong one: not signed in for the API; a foreign Origin, or none: refused.
    expect((await post({ cookie, origin: base })).status).toBe(401);
    expect((await post({ cookie, origin: base, 'x-cs-key': key.slice(0, -2) + 'xx' })).status).toBe(401);
    expect((await post({ cookie, origin: base, 'x-csrf-token': key })).status).toBe(401);
    const foreign = await post({ cookie, origin: 'http://evil.example', 'x-cs-key': key });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error).toMatch(/Origin/);
    expect((await post({ cookie, 'x-cs-key': key })).status).toBe(403);
    expect((await post({ cookie, origin: base.replace('http:', 'https:'), 'x-cs-key': key })).status).toBe(403);
    // All three: allowed through, and the session is not running in tmux: 409 with how to start it.
    const ok = await post({ cookie, origin: base, 'x-cs-key': key });
    expect(ok.status).toBe(409);
    expect(JSON.parse(ok.body).error).toMatch(/not running .*cs -spawn watched/);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(409);
    expect((await request(`${base}/api/sessions/watched/interrupt`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(409);
    expect((await post({ authorization: `Bearer ${token.slice(0, -1)}x` })).status).toBe(401);
    expect((await request(`${base}/api/sessions/watched/input`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{"text":' })).status).toBe(400);
    // JSON that is no object: a clear 400 on every route, not an internal error.
    for (const route of ['input', 'queue', 'permissions/p1']) {
      for (const body of ['null', '42', '"text"', '[1]']) {
        const r = await request(`${base}/api/sessions/watched/${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
        expect(r.status, `${route} ${body}`).toBe(400);
        expect(JSON.parse(r.body).error).toBe('the body is not a JSON object');
      }
    }
  });

  it('lists devices, and a revoked device is refused at once, its open live stream ended', async () => {
    const { cookie, key } = await device();
    const id = cookie.split('=')[1]!.split('.')[0]!;
    const file = path.join(sb.env.XDG_CONFIG_HOME ?? path.join(sb.home, '.config'), 'cs', 'serve-devices.json');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readFileSync(file, 'utf8')).not.toContain(cookie.split('.')[1]);
    const listed = await runCs(['-serve', '--devices', '--json'], { env: sb.env });
    expect(JSON.parse(listed.stdout).map((d: { id: string }) => d.id)).toContain(id);
    expect(listed.stdout).not.toContain('digest');
    expect(listed.stdout).not.toContain('"key"');
    expect((await request(`${base}/api/sessions`, { headers: { cookie, 'x-cs-key': key } })).status).toBe(200);
    // A live stream open while the device is revoked ends too.
    let ended = false;
    let streamed = '';
    const stream = http.get(`${base}/api/sessions/watched/events?key=${key}`, { headers: { cookie } });
    stream.on('response', (res) => {
      res.on('data', (b) => (streamed += b));
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
    });
    stream.on('error', () => (ended = true));
    try {
      await waitFor(() => streamed.includes('event: ready'), 15_000, 'the stream');
      const revoked = await runCs(['-serve', '--revoke', id], { env: sb.env });
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stderr).toMatch(/its cookie and key no longer work/);
      expect((await request(`${base}/api/sessions`, { headers: { cookie, 'x-cs-key': key } })).status).toBe(401);
      await waitFor(() => ended, 5_000, 'the stream to end');
    } finally {
      stream.destroy();
    }
    const again = await runCs(['-serve', '--revoke', id], { env: sb.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no signed-in device/);
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
      await waitFor(() => got.join('').includes('event: ready'), 15_000, 'backlog');
      expect(got.join('')).toMatch(/event: reset[\s\S]*session start \(startup\)[\s\S]*event: ready/);
      appendEvent(sb.session.meta, { type: 'sync', action: 'push' });
      await waitFor(() => got.join('').includes('"sync push"'), 15_000, 'live event');
    } finally {
      req.destroy();
    }
  });

  it('shows a hook event on the page in headless Chromium within a second', { timeout: 60_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    // Sign in with a fresh link (the first one was spent above).
    const link = [...stderr.matchAll(/next one-time sign-in link: (\S+)/g)].at(-1)![1]!;
    const browser = await launchChromium(bin);
    try {
      await signInWith(browser, link);
      await browser.navigate(`${base}/#/s/watched`);
      await browser.evaluate(`new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('feed did not open: ' + document.getElementById('live').textContent)), 10000);
        const check = () => document.getElementById('live').textContent === 'live' && document.getElementById('events').children.length > 0 ? (clearTimeout(t), resolve(true)) : setTimeout(check, 20);
        check();
      })`);
      const marker = `marker-${Date.now()}.txt`;
      // The timeline part only: no autosave due.
      noAutosaveDue(sb.session.dir);
      const hook = await runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(sb.session.dir, marker), content: 'x' } }, sb.session.dir), sb.hookEnv);
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
      // A link with a bad escape is no session: the page shows the list and goes on working.
      await browser.navigate(`${base}/#/s/%E0`);
      await browser.evaluate(`new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no list: ' + document.getElementById('where').textContent)), 5000);
        const check = () => document.getElementById('where').textContent === 'sessions' && document.getElementById('sessions').textContent.includes('watched') ? (clearTimeout(t), resolve(true)) : setTimeout(check, 20);
        check();
      })`);
    } finally {
      await browser.close();
    }
  });

  it('rate-limits failed sign-ins', async () => {
    // Five failures a minute per address (the spent link retried above was one of them).
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await spend(`${base}/login?code=wrong-${i}`)).status);
    const refusedFrom = codes.indexOf(429);
    expect(refusedFrom, String(codes)).toBeGreaterThan(0);
    expect(refusedFrom).toBeLessThanOrEqual(5);
    expect(codes.slice(0, refusedFrom).every((c) => c === 401)).toBe(true);
    expect(codes.slice(refusedFrom).every((c) => c === 429)).toBe(true);
    // A valid link still signs in while the limit holds (else anyone on the address could lock the owner out); wrong ones stay refused.
    expect((await spend(await freshLink())).status).toBe(303);
    expect((await spend(`${base}/login?code=wrong-again`)).status).toBe(429);
  });

  it('rate-limits wrong tokens per address, then refuses the token from there, right or wrong', async () => {
    const from = '127.0.2.1';
    const wrong = { authorization: `Bearer ${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}` };
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await request(`${base}/api/sessions`, { headers: i % 2 ? { 'x-cs-token': 'wrong-token' } : wrong, from })).status);
    expect(codes).toEqual([401, 401, 401, 401, 401]);
    // Past the limit a right guess looks like a wrong one, so it cannot be confirmed; a POST is refused the same way.
    const right = await request(`${base}/api/sessions`, { headers: { authorization: `Bearer ${token}` }, from });
    expect(right.status).toBe(429);
    // Seconds until the oldest failure leaves the minute's window.
    expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(50);
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await request(`${base}/api/sessions`, { headers: wrong, from })).status).toBe(429);
    expect((await request(`${base}/api/sessions/watched/prompt`, { method: 'POST', headers: { ...wrong, 'content-type': 'application/json' }, body: '{"text":"x"}', from })).status).toBe(429);
    // Other addresses keep working with the token.
    expect((await request(`${base}/api/sessions`, { headers: { authorization: `Bearer ${token}` }, from: '127.0.2.2' })).status).toBe(200);
    expect((await request(`${base}/api/sessions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('answers a body over the limit at once with 413 and reads no more of it', async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let written = 0;
    const status = await new Promise<number | string>((resolve, reject) => {
      const req = http.request(`${base}/api/sessions/watched/input`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE' ? resolve(`${(e as NodeJS.ErrnoException).code} after ${written}`) : reject(e)));
      const pump = () => {
        while (written < 200 * 1024 * 1024 && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    // Far from the 200 MB the client was ready to send: the answer came once the limit was passed.
    expect(written).toBeLessThan(50 * 1024 * 1024);
  });

  it('judges a text by its characters, however many bytes each takes: 25,000 CJK characters pass the size checks, 40,000 are over in characters', async () => {
    const post = async (text: string) => {
      const r = await fetch(`${base}/api/sessions/watched/input`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
      return { status: r.status, body: (await r.json()) as { error?: string } };
    };
    // 75 KB of UTF-8 (and 150 KB written as \u escapes): within 32 Ki characters, so not refused for its size.
    for (const body of [JSON.stringify({ text: '日'.repeat(25_000) }), JSON.stringify({ text: '日'.repeat(25_000) }).replace(/日/g, '\\u65e5')]) {
      const r = await fetch(`${base}/api/sessions/watched/input`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      expect(r.status).not.toBe(413);
    }
    const over = await post('日'.repeat(40_000));
    expect(over.status).toBe(413);
    expect(over.body.error).toMatch(/the text is over 32768 characters/);
  });
});

describe('cs -serve refusals', () => {
  let sb: HookSandbox;
  beforeAll(async () => {
    sb = await hookSandbox('x');
  });
  afterAll(() => sb.cleanup());

  it('sign-in links stop working once their time is up; cs -serve --link without a server says so', async () => {
    const none = await runCs(['-serve', '--link'], { env: sb.env });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^cs: no cs -serve is running on this machine — start one with: cs -serve/);
    const env = { ...sb.env, CS_SERVE_LINK_TTL_MS: '1500' };
    const s = startCs(['-serve', '--port', '0'], { env });
    let err = '';
    s.stderr!.on('data', (b) => (err += b));
    try {
      await waitFor(() => /sign in a browser: (\S+)/.test(err), 10_000, 'server');
      expect(err).toContain('(works for 2 seconds; cs -serve --link makes another)');
      const first = /sign in a browser: (\S+)/.exec(err)![1]!;
      const made = await runCs(['-serve', '--link'], { env });
      const second = made.stdout.trim();
      await new Promise((r) => setTimeout(r, 1700));
      expect((await spend(first)).status).toBe(401);
      expect((await spend(second)).status).toBe(401);
      // A new one works at once.
      expect((await spend((await runCs(['-serve', '--link'], { env })).stdout.trim())).status).toBe(303);
    } finally {
      s.kill('SIGTERM');
      await s.done;
    }
  });

  it('refuses a non-loopback bind without a configured token, and without TLS, naming ssh -L and a tailnet', async () => {
    const r = await runCs(['-serve', '--bind', '0.0.0.0', '--port', '0'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to serve on 0\.0\.0\.0 without a configured token/);
    const noTls = await runCs(['-serve', '--bind', '0.0.0.0', '--port', '0'], { env: { ...sb.env, CS_SERVE_TOKEN: 'a-long-enough-configured-token' } });
    expect(noTls.code).toBe(1);
    expect(noTls.stderr).toMatch(/refusing to serve on 0\.0\.0\.0 without TLS/);
    expect(noTls.stderr).toMatch(/ssh -L 7420:127\.0\.0\.1:7420/);
    expect(noTls.stderr).toMatch(/tailnet/);
    expect(noTls.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses a short configured token and an unreadable token file', async () => {
    const short = await runCs(['-serve', '--port', '0'], { env: { ...sb.env, CS_SERVE_TOKEN: 'short' } });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 16/);
    for (const weak of ['aaaaaaaaaaaaaaaaaaaa', 'abababababababababab', 'abcdefgabcdefgabcdefg']) {
      const r = await runCs(['-serve', '--port', '0'], { env: { ...sb.env, CS_SERVE_TOKEN: weak } });
      expect(r.code, weak).toBe(1);
      expect(r.stderr, weak).toMatch(/uses only \d different characters; at least 8 are needed/);
      expect(r.stderr, weak).not.toContain(weak);
    }
    const missing = await runCs(['-serve', '--port', '0', '--token-file', path.join(sb.dir, 'none')], { env: sb.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the token file/);
  });

  it('serves on [::1] as written in a URL, and prints it so', async () => {
    const s = startCs(['-serve', '--bind', '[::1]', '--port', '0'], { env: sb.env });
    let err = '';
    s.stderr!.on('data', (b) => (err += b));
    try {
      // The token line is the last one the server prints when it starts.
      await waitFor(() => /API token for this run: \S+/.test(err) || s.exitCode !== null, 10_000, 'server');
      const port = /serving sessions on http:\/\/\[::1\]:(\d+)\//.exec(err)?.[1];
      expect(port, err).toBeDefined();
      const token = /API token for this run: (\S+)/.exec(err)![1]!;
      expect((await request(`http://[::1]:${port}/api/sessions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(fs.readFileSync(serveUrlFile(sb.env), 'utf8').trim()).toBe(`http://[::1]:${port}`);
    } finally {
      s.kill('SIGTERM');
      await s.done;
    }
  });

  it("serve-url names a running server: the newest, then, once it stops, the other one again; a killed one's is replaced", { timeout: 30_000 }, async () => {
    const started = (args: string[]) => {
      const s = startCs(['-serve', '--port', '0', ...args], { env: sb.env });
      let err = '';
      s.stderr!.on('data', (b) => (err += b));
      return { s, url: () => /serving sessions on (http:\/\/127\.0\.0\.1:\d+)\//.exec(err)?.[1] };
    };
    const named = () => (fs.existsSync(serveUrlFile(sb.env)) ? fs.readFileSync(serveUrlFile(sb.env), 'utf8').trim() : null);
    const first = started([]);
    await waitFor(() => first.url() !== undefined && named() === first.url(), 10_000, 'the first server');
    const second = started([]);
    try {
      await waitFor(() => second.url() !== undefined && named() === second.url(), 10_000, 'the second server');
      // The older one stopping leaves the newest's address alone.
      first.s.kill('SIGTERM');
      expect((await first.s.done).code).toBe(0);
      expect(named()).toBe(second.url());
      // A third, killed outright, leaves its address behind: --link finds nothing there, and the
      // server still running puts its own back within a few seconds.
      const third = started([]);
      await waitFor(() => third.url() !== undefined && named() === third.url(), 10_000, 'the third server');
      third.s.kill('SIGKILL');
      await third.s.done;
      await waitFor(() => named() === second.url(), 8000, "the running server's address back in serve-url");
      const link = await runCs(['-serve', '--link'], { env: sb.env });
      expect(link.code, link.stderr).toBe(0);
      expect(link.stdout.trim().startsWith(`${second.url()}/login?code=`)).toBe(true);
      // A terminal closing (SIGHUP) stops it cleanly: exit 0, the file gone.
      second.s.kill('SIGHUP');
      expect((await second.s.done).code).toBe(0);
      expect(named()).toBe(null);
    } finally {
      first.s.kill('SIGTERM');
      second.s.kill('SIGTERM');
      await Promise.all([first.s.done, second.s.done]);
    }
  });

  it('cs -serve --link refuses an address left by a server that is gone', async () => {
    fs.mkdirSync(path.dirname(serveUrlFile(sb.env)), { recursive: true });
    fs.writeFileSync(serveUrlFile(sb.env), `http://127.0.0.1:${await closedPort()}\n`);
    const r = await runCs(['-serve', '--link'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cs: no cs -serve is running on this machine — start one with: cs -serve/);
    expect(r.stdout).toBe('');
    fs.rmSync(serveUrlFile(sb.env));
  });

  it('serves HTTPS on a non-loopback address with a configured token and TLS, and only to that token', async () => {
    const tokenFile = path.join(sb.dir, 'token');
    fs.writeFileSync(tokenFile, 'a-long-enough-configured-token\n', { mode: 0o600 });
    const cert = path.join(sb.dir, 'c.pem');
    const key = path.join(sb.dir, 'k.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const s = startCs(['-serve', '--bind', '0.0.0.0', '--port', '0', '--token-file', tokenFile, '--tls-cert', cert, '--tls-key', key], { env: sb.env });
    let err = '';
    s.stderr!.on('data', (b) => (err += b));
    try {
      // The printed addresses name this machine: 0.0.0.0 in a link opens nothing on a phone.
      const printed = new RegExp(`on https://${os.hostname().replace(/[.]/g, '\\.')}:(\\d+)/`);
      await waitFor(() => printed.test(err), 10_000, 'server');
      const port = printed.exec(err)![1];
      expect(err).not.toContain('0.0.0.0');
      // Its own line, which may come in a later chunk of stderr than the first.
      const signIn = new RegExp(`sign in a browser: https://${os.hostname().replace(/[.]/g, '\\.')}:${port}/login\\?code=`);
      await waitFor(() => signIn.test(err), 10_000, 'the sign-in line');
      // …and the server answers to that name.
      expect((await request(`https://127.0.0.1:${port}/api/sessions`, { headers: { host: `${os.hostname()}:${port}`, authorization: 'Bearer a-long-enough-configured-token' } })).status).toBe(200);
      expect(err).not.toContain('a-long-enough-configured-token');
      expect((await request(`https://127.0.0.1:${port}/api/sessions`)).status).toBe(401);
      expect((await request(`https://127.0.0.1:${port}/api/sessions`, { headers: { authorization: 'Bearer a-long-enough-configured-token' } })).status).toBe(200);
      // Plain HTTP on the TLS port gets nowhere.
      const plain = await request(`http://127.0.0.1:${port}/api/sessions`, { headers: { authorization: 'Bearer a-long-enough-configured-token' } }).then((r) => r.status, (e: NodeJS.ErrnoException) => e.code);
      expect(plain).not.toBe(200);
    } finally {
      s.kill('SIGTERM');
      await s.done;
    }
  });
});
