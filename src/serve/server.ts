// `cs -serve`: a read-only HTTP API and web page over all sessions, with each
// session's timeline streamed live as Server-Sent Events. Only GET and HEAD
// exist; every request but the one-time sign-in needs the token or the
// cookie that sign-in set; session names from URLs go through sessionRefProblem()
// before they touch a path.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nameProblem } from '../session/names.js';
import { entryParent, sessionRefProblem } from '../features/ref.js';
import { sessionsRoot } from '../session/paths.js';
import { listSessions, summarize, type SessionSummary } from '../session/summary.js';
import { visible } from '../session/marks.js';
import { followTimeline } from '../timeline/follow.js';
import { describe } from '../timeline/format.js';
import { readTimeline, timelineFile, type TimelineEvent } from '../timeline/timeline.js';
import { Auth } from './auth.js';
import { CSP, CSS, HTML, JS } from './page.js';

export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  port: number;
  bind: string;
  token: string;
  /** Events sent when a feed opens (the newest N). */
  backlog?: number;
  /** Poll interval of the timeline follower. */
  intervalMs?: number;
  /** Called with each new one-time sign-in link (after the first one is used). */
  onSignInLink?: (url: string) => void;
  /** Access log line per request (without secrets). */
  onRequest?: (line: string) => void;
}

export interface RunningServer {
  /** http://host:port, the address actually bound. */
  url: string;
  port: number;
  /** The first one-time sign-in link. */
  signInUrl: string;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 15_000;
const MAX_BACKLOG = 5000;

/** What the API shows of a session: no absolute paths. */
function publicSummary(s: SessionSummary) {
  const { dir: _dir, ...rest } = s;
  return rest;
}

function withText(ev: TimelineEvent) {
  return { ...ev, text: describe(ev) };
}

function hostFor(bind: string): string {
  return bind.includes(':') ? `[${bind}]` : bind;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const root = sessionsRoot(opts.env);
  const backlog = Math.min(opts.backlog ?? 200, MAX_BACKLOG);
  const feeds = new Set<() => void>();
  let auth: Auth;
  let base = '';

  const security = {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };

  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      res.writeHead(status, { ...security, 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, v: unknown) => send(status, 'application/json; charset=utf-8', JSON.stringify(v));
    const problem = (status: number, message: string) => json(status, { error: message });

    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://cs.invalid');
    } catch {
      return problem(400, 'bad request');
    }
    res.on('finish', () => opts.onRequest?.(`${req.method} ${url.pathname} ${res.statusCode}`));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Read (and drop) a small body first so the client gets the answer instead of a reset.
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 64 * 1024) req.destroy();
      });
      req.on('end', () => problem(405, 'read-only: only GET and HEAD'));
      return;
    }

    if (url.pathname === '/login') {
      const code = url.searchParams.get('code') ?? '';
      if (!code || !auth.redeem(code)) return send(401, 'text/plain; charset=utf-8', 'This sign-in link was already used or is not valid. Use the newest link cs -serve printed.\n');
      opts.onSignInLink?.(`${base}/login?code=${auth.issueCode()}`);
      return send(303, 'text/plain; charset=utf-8', 'signed in\n', { location: '/', 'set-cookie': auth.setCookieHeader() });
    }
    if (!auth.allows(req.headers)) {
      return send(401, 'text/plain; charset=utf-8', 'Sign in with the one-time link cs -serve printed, or send the token (Authorization: Bearer <token>).\n', { 'www-authenticate': 'Bearer realm="cs"' });
    }

    const p = url.pathname;
    if (p === '/' || p === '/index.html') return send(200, 'text/html; charset=utf-8', HTML);
    if (p === '/app.js') return send(200, 'text/javascript; charset=utf-8', JS);
    if (p === '/app.css') return send(200, 'text/css; charset=utf-8', CSS);
    // Archived sessions only when asked for: ?archived=1 (only those) or ?all=1.
    if (p === '/api/sessions') return json(200, visible(listSessions(root), { archived: url.searchParams.get('archived') === '1', all: url.searchParams.get('all') === '1' }).map(publicSummary));
    if (p === '/api/search') return void search(url, json, problem);

    const m = /^\/api\/sessions\/([^/]+)(\/timeline|\/events)?$/.exec(p);
    if (!m) return problem(404, 'not found');
    let name: string;
    try {
      name = decodeURIComponent(m[1]!);
    } catch {
      return problem(400, 'bad session name');
    }
    const bad = sessionRefProblem(name);
    if (bad) return problem(400, bad);
    const summary = summarize(entryParent(root, name), name);
    if (!summary) return problem(404, `no session named '${name}'`);
    const meta = `${summary.dir}/.cs`;
    if (!m[2]) return json(200, publicSummary(summary));
    if (m[2] === '/timeline') {
      const limit = Number(url.searchParams.get('limit') ?? backlog);
      const r = readTimeline(meta, { limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, MAX_BACKLOG) : backlog });
      return json(200, r.events.map(withText));
    }
    return feed(req, res, meta);
  });

  async function search(url: URL, json: (s: number, v: unknown) => void, problem: (s: number, m: string) => void) {
    const q = (url.searchParams.get('q') ?? '').trim();
    const only = url.searchParams.get('session');
    if (!q) return problem(400, 'q is empty');
    if (only !== null && nameProblem(only)) return problem(400, nameProblem(only)!);
    try {
      const { searchSessions } = await import('../search/search.js');
      const r = await searchSessions({ env: opts.env, query: q, session: only ?? undefined, limit: 50 });
      // The session name and the path relative to it; never an absolute path
      // (it would show the home directory and user name to the page).
      json(
        200,
        r.hits.map(({ path: _absolute, ...hit }) => hit),
      );
    } catch (e) {
      problem(500, (e as Error).message);
    }
  }

  /** text/event-stream: `reset`, the newest events, `ready`, then each new event as it is appended. */
  function feed(req: http.IncomingMessage, res: http.ServerResponse, meta: string) {
    const headers = { ...security, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' };
    // HEAD gets the headers a GET would and ends there: a stream that never
    // ends would keep the client waiting for the end of a body it must not get.
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    res.writeHead(200, headers);
    const write = (chunk: string) => void res.write(chunk);
    const sendEvents = (events: TimelineEvent[], offset: number) => {
      let out = '';
      events.forEach((ev, i) => {
        out += `${i === events.length - 1 ? `id: ${offset}\n` : ''}event: timeline\ndata: ${JSON.stringify(withText(ev))}\n\n`;
      });
      write(out);
    };
    write('retry: 1000\n\n');
    // A reconnecting EventSource says where it was; resume there if that still makes sense.
    const last = Number(req.headers['last-event-id']);
    const size = fs.statSync(timelineFile(meta), { throwIfNoEntry: false })?.size ?? 0;
    let offset: number;
    if (Number.isInteger(last) && last >= 0 && last <= size) {
      offset = last;
    } else {
      const r = readTimeline(meta, { limit: backlog });
      offset = r.offset;
      write('event: reset\ndata: {}\n\n');
      if (r.events.length) sendEvents(r.events, offset);
      else write(`id: ${offset}\n\n`);
    }
    write('event: ready\ndata: {}\n\n');
    const follower = followTimeline(meta, sendEvents, { offset, intervalMs: opts.intervalMs });
    const beat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
    const close = () => {
      clearInterval(beat);
      follower.stop();
      feeds.delete(close);
      res.end();
    };
    feeds.add(close);
    req.on('close', close);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  auth = new Auth(opts.token, port);
  base = `http://${hostFor(opts.bind)}:${port}`;
  return {
    url: base,
    port,
    signInUrl: `${base}/login?code=${auth.issueCode()}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const f of [...feeds]) f();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
