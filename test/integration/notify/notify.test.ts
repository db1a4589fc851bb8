// notify(): a real HTTP POST to a loopback stand-in for ntfy; failures are
// logged and never thrown; the session's secret values never leave.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, notify, notifyLogFile, serveUrlFile, urlProblem, writeNotifyConfig } from '../../../src/notify/notify.js';

interface Got {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('notify', () => {
  let server: http.Server;
  let url = '';
  const got: Got[] = [];
  let status = 200;
  let home = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (b) => (body += b));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cs-topic`;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-notify-'));
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NTFY_TOKEN: 'tk_0123456789abcdef' };
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('does nothing when not configured', async () => {
    expect(await notify({ name: 'a' }, { kind: 'test', summary: 'x' }, env)).toBe(false);
    expect(got).toEqual([]);
  });

  it('posts title, tags, click and a bearer token from the named variable', async () => {
    writeNotifyConfig(env, { url, tokenSecret: 'NTFY_TOKEN' });
    expect((fs.statSync(path.join(home, '.config', 'cs', 'notify.json')).mode & 0o777).toString(8)).toBe('600');
    fs.writeFileSync(serveUrlFile(env), 'http://127.0.0.1:7420\n');
    expect(await notify({ name: 'api' }, { kind: 'needs-you', summary: 'Bash:  rm -rf build' }, env)).toBe(true);
    const last = got.at(-1)!;
    expect(last.headers.title).toBe('api: needs you');
    expect(last.headers.tags).toBe('warning');
    expect(last.headers.click).toBe('http://127.0.0.1:7420/#/s/api');
    expect(last.headers.authorization).toBe('Bearer tk_0123456789abcdef');
    expect(last.body).toBe('Bash: rm -rf build');
  });

  it('masks a secret the session does not hold yet (Claude said it): the detector finds it before the body leaves', async () => {
    writeNotifyConfig(env, { url });
    const token = 'ghp_' + 'Zq8Wm3Xv7Kp2Lr9Tn4Hs6Jd1Fb5Gc0Ye3Ua7';
    expect(await notify({ name: 'api' }, { kind: 'turn-done', summary: `Done: export GITHUB_TOKEN=${token} is set` }, env)).toBe(true);
    const last = got.at(-1)!;
    expect(last.body).not.toContain(token);
    expect(last.body).toBe('Done: export GITHUB_TOKEN=[secret: GITHUB_TOKEN] is set');
  });

  it('logs a refused delivery and resolves false', async () => {
    status = 500;
    expect(await notify({ name: 'api' }, { kind: 'died', summary: 'x' }, env)).toBe(false);
    status = 200;
    expect(fs.readFileSync(notifyLogFile(env), 'utf8')).toMatch(/api: died: 127\.0\.0\.1:\d+ answered 500/);
  });

  it('logs an unreachable URL without throwing', async () => {
    writeNotifyConfig(env, { url: 'http://127.0.0.1:1/x' });
    expect(await notify({ name: 'api' }, { kind: 'turn-done', summary: 'x' }, env)).toBe(false);
    expect(fs.readFileSync(notifyLogFile(env), 'utf8')).toMatch(/api: turn-done: not delivered/);
  });

  it('scrubs known secret values and shortens the body', () => {
    const m = compose({ name: 's' }, { kind: 'needs-you', summary: `curl -H "x: sk-live-abcdefgh1234" ${'y'.repeat(500)}` }, { API_KEY: 'sk-live-abcdefgh1234' });
    expect(m.body).toContain('[secret: API_KEY]');
    expect(m.body).not.toContain('sk-live-abcdefgh1234');
    expect(m.body.length).toBeLessThanOrEqual(400);
    expect(m.click).toBeUndefined();
  });

  it.each([
    ['https://ntfy.sh/topic', null],
    ['ftp://x/y', /must start with https/],
    ['https://u:p@ntfy.sh/t', /no credentials/],
    ['nope', /not a URL/],
  ])('urlProblem(%s)', (u, want) => {
    const p = urlProblem(u);
    if (want === null) expect(p).toBeNull();
    else expect(p).toMatch(want);
  });
});

describe('cs -notify', () => {
  it('set, show, test (delivered to a loopback server), off; bad input refused', { timeout: 30_000 }, async () => {
    const { runCs, sandbox } = await import('../../support/cs.js');
    const sb = sandbox();
    const got: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      got.push(req.headers);
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/t`;
    try {
      expect((await runCs(['-notify', 'test'], { env: sb.env })).stderr).toMatch(/notifications are off/);
      expect((await runCs(['-notify', 'set', 'ftp://x'], { env: sb.env })).code).toBe(2);
      expect((await runCs(['-notify', 'set', url, '--token-secret', 'tk_literal-value!'], { env: sb.env })).stderr).toMatch(/variable name/);
      const set = await runCs(['-notify', 'set', url, '--token-secret', 'NTFY_TOKEN'], { env: sb.env });
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse((await runCs(['-notify', 'show', '--json'], { env: sb.env })).stdout)).toEqual({ url, tokenSecret: 'NTFY_TOKEN' });
      const t = await runCs(['-notify', 'test'], { env: { ...sb.env, NTFY_TOKEN: 'tk_abcdefgh12345' } });
      expect(t.code, t.stderr).toBe(0);
      expect(got.at(-1)).toMatchObject({ title: 'cs: test notification', authorization: 'Bearer tk_abcdefgh12345' });
      expect((await runCs(['-notify', 'off'], { env: sb.env })).code).toBe(0);
      expect((await runCs(['-notify', 'show', '--json'], { env: sb.env })).stdout.trim()).toBe('null');
    } finally {
      await new Promise((r) => server.close(r));
      sb.cleanup();
    }
  });
});
