// `cs -serve`: the HTTP API and web page over all sessions: each session's
// timeline and conversation streamed live, and for hosted sessions a prompt
// box and an interrupt. Every request must name this server in its Host
// header; every request but the one-time sign-in needs the token or a
// signed-in device's cookie; a POST from a device also needs its CSRF token
// and this server's Origin (src/serve/auth.ts). The sign-in link's GET only
// serves a page that posts its code back (a link preview fetches it too);
// that POST, which spends the code, needs this server's Origin. Session
// names from URLs go through sessionRefProblem() before they touch a path.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import { nameProblem } from '../session/names.js';
import { entryParent, sessionRefProblem } from '../features/ref.js';
import { claudeConfigDir, sessionPaths, sessionsRoot } from '../session/paths.js';
import { ownedConversations } from '../conversations/owned.js';
import { listSessions, type SessionSummary } from '../session/summary.js';
import { summarize } from '../session/summarize.js';
import { visible } from '../session/marks.js';
import { readStatus } from '../status/status.js';
import { shownState } from '../status/shown.js';
import { readRun } from '../host/state.js';
import { listHosted, tmuxServer, type HostedSession } from '../host/tmux.js';
import { followTimeline } from '../timeline/follow.js';
import { describe } from '../timeline/format.js';
import { readTimeline, timelineFile, type TimelineEvent } from '../timeline/timeline.js';
import { allowedHosts, Auth, bareAddress, isWildcard, RateLimit, type Caller } from './auth.js';
import { conversation, transcriptFile } from './conversation.js';
import { watchLive } from './live.js';
import { interrupt, MAX_INPUT, sendInput } from './control.js';

/**
 * The largest request body read: a text of MAX_INPUT characters as JSON,
 * each character up to 6 bytes (a \uXXXX escape; UTF-8 takes at most 4),
 * and room for the rest of the object. Over it, 413 before the text is
 * judged, so a text within MAX_INPUT characters always reaches that check.
 */
const MAX_BODY = MAX_INPUT * 6 + 1024;
/** What a sign-in code can look like (newCode: base64url): anything else is never put in the sign-in page. */
const CODE_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;
/**
 * The largest sign-in form read: `code=` and a code of CODE_SHAPE, with
 * room to spare. The sign-in POST comes before any secret is checked (its
 * Origin is a header any script can send), so it must not be read up to
 * MAX_BODY: that much per unfinished post let anyone hold the server's
 * memory for as long as Node waits for a body (minutes).
 */
const MAX_FORM = 1024;
import { decide, listPending } from '../approval/approval.js';
import { askHost, hostsToAsk, listTimeoutMs, unansweredLocal, type HostListing } from '../remote/list.js';
import { addTask, changeQueue, queueSummary, readQueue } from '../queue/queue.js';
import { arm } from '../queue/drain.js';
import { handOverIfIdle } from '../queue/resume.js';
import { scrubForSession, scrubJson, scrubKnown } from '../secrets/scrub.js';
import { CSP, CSS, HTML, JS, LOGIN_CSP, loginPage } from './page.js';
import { UserError } from '../lib/errors.js';

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
  /** A line for the server's log when a request fails unexpectedly: the error's class and code only. */
  onError?: (line: string) => void;
  /** PEM certificate and key: serve HTTPS (required beyond loopback; the command checks). */
  tls?: { cert: Buffer; key: Buffer };
  /** More host names the Host header may carry (besides the bound address). */
  hostnames?: string[];
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
/**
 * How long a session's known secret values are reused (ms): a keychain read
 * per answer would cost every poll a D-Bus round trip; a value stored just
 * now (after a leak was seen) is scrubbed within this.
 */
const SECRETS_TTL_MS = 5_000;
/**
 * After a 413, for how long (ms) and up to how much more (bytes) the body is
 * read and dropped before the connection is closed: long enough for a client
 * to read the answer and stop (a socket closed on unread data resets, and the
 * client loses the answer with it), short of reading whatever it sends.
 */
const LINGER_MS = 2000;
const LINGER_BYTES = 64 * 1024 * 1024;
/**
 * The same for the session list's objectives (ms): the list is polled every
 * few seconds and names every session, so each read costs a keychain round
 * trip per session; an objective is one line the user wrote.
 */
const LIST_SECRETS_TTL_MS = 60_000;
/**
 * Bytes a live stream may have waiting in memory for a client that does not
 * read them (a tab the phone put to sleep, a client that stopped reading)
 * before the stream is ended: the EventSource reconnects and picks up where
 * it was (Last-Event-ID). A stream's usual backlog is a few KB.
 */
const MAX_STREAM_BACKLOG_BYTES = 8 * 1024 * 1024;

/**
 * The writer of a live stream's response: writes while the client keeps up
 * and ends the response once more than `limit` bytes wait for the client, so
 * no client can make the server hold memory without bound. Returns whether
 * the chunk went out (false once the response is ended or destroyed).
 */
export function streamWriter(res: http.ServerResponse, limit = MAX_STREAM_BACKLOG_BYTES): (chunk: string) => boolean {
  return (chunk) => {
    if (res.writableEnded || res.destroyed) return false;
    if (res.writableLength > limit) {
      res.destroy();
      return false;
    }
    res.write(chunk);
    return true;
  };
}

/** How often a live stream checks that its device is still signed in (ms): a revocation ends it within this. */
const REVOKE_CHECK_MS = 1000;
/** How long a client may take to send a request's headers (ms), and the whole request with its body. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;
const REMOTE_TTL_MS = 30_000;
const MAX_BACKLOG = 5000;

/** What the API shows of a session: no absolute paths. */
function publicSummary(s: SessionSummary) {
  const { dir: _dir, ...rest } = s;
  return rest;
}

/**
 * A session's live state for the API: the state -ls and -live show
 * (shownState), with the hosted run as cs's tmux server has it now (a
 * listing's own view of it comes from the lock); 'died' is the page's word
 * for ended-unexpectedly, closed for a session that never recorded one.
 */
function liveSummary(s: SessionSummary, hosted: HostedSession | undefined) {
  const status = hosted ? readStatus(s.dir) : null;
  const run = hosted ? readRun(sessionPaths(s.dir, s.name)) : null;
  // Not hosted here: the listing worked it out already (summary.ts settle(): s.status is shownState's answer).
  const shown = hosted ? shownState({ status, hosted: { started: run?.started ?? null }, postmortem: false }) : null;
  const said = hosted ? shown?.state : s.status;
  const state = said === 'ended-unexpectedly' ? 'died' : said || 'closed';
  const times = [s.lastUsed, s.statusAt ?? '', shown?.fromStatus && status ? status.at : ''].filter(Boolean).sort();
  return {
    ...publicSummary(s),
    state,
    host: s.location,
    running: hosted !== undefined,
    attached: (hosted?.attached ?? 0) > 0,
    lastActivity: times.at(-1) ?? s.lastUsed,
    objective: s.objective,
  };
}

function withText(ev: TimelineEvent) {
  return { ...ev, text: describe(ev) };
}


/**
 * The host part of the URLs cs -serve prints for a bind address (`[::1]` or
 * `::1`, `0.0.0.0`…): an IPv6 address in brackets; for a wildcard bind, a
 * name that reaches this machine (the first of `hostnames`, else its host
 * name), since 0.0.0.0 in a link opens nothing on a phone.
 */
export function urlHost(bind: string, hostnames: readonly string[] = []): string {
  const bare = bareAddress(bind);
  if (isWildcard(bare)) return hostnames[0] ?? os.hostname();
  return bare.includes(':') ? `[${bare}]` : bare;
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

  const limiter = new RateLimit();
  // Wrong tokens have a limit of their own: a configured token can be short enough to guess at
  // network speed. Past it, the token is refused from that address, right or wrong, so a guess
  // cannot be confirmed; signed-in devices (their cookie) are not affected.
  const tokenLimiter = new RateLimit();
  let hosts = new Set<string>();
  let origins = new Set<string>();
  // Secrets are looked up once a minute per session: the keychain is slow.
  const secretCache = new Map<string, { at: number; values: Record<string, string> }>();

  /**
   * The answer to a request that failed: a UserError's message (one line,
   * written for the user: no absolute path, no file content), else a fixed
   * body. An unexpected error's message can quote a file (a secret in it) or
   * name an absolute path, so not even the log gets it: only its class and code.
   */
  function failure(e: unknown, req: http.IncomingMessage): [number, string] {
    if (e instanceof UserError) return [409, e.message.split('\n')[0]!];
    const code = (e as NodeJS.ErrnoException | null)?.code;
    opts.onError?.(`${req.method} ${(req.url ?? '').split('?')[0]} failed: ${e instanceof Error ? e.name : typeof e}${typeof code === 'string' ? ` (${code})` : ''}`);
    return [500, 'internal error'];
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      route(req, res);
    } catch (e) {
      // A route that threw before answering: the same fixed answer as any failure.
      if (res.headersSent) return void res.destroy();
      const [status, message] = failure(e, req);
      const body = JSON.stringify({ error: message });
      res.writeHead(status, { ...security, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    }
  };

  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      res.writeHead(status, { ...security, 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, v: unknown) => send(status, 'application/json; charset=utf-8', JSON.stringify(v));
    const problem = (status: number, message: string) => json(status, { error: message });
    const failed = (e: unknown) => (res.headersSent ? void res.destroy() : problem(...failure(e, req)));

    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://cs.invalid');
    } catch {
      return problem(400, 'bad request');
    }
    res.on('finish', () => opts.onRequest?.(`${req.method} ${url.pathname} ${res.statusCode}`));
    // DNS rebinding: a page of another site, resolved to this address, still names its own host.
    // The names it answers to are not told to whoever asks (a wildcard bind lists every address of the machine).
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) return problem(421, 'this server does not answer to that Host header: use the address cs -serve printed');

    const who = req.socket.remoteAddress ?? '';
    if (url.pathname === '/login' && (req.method === 'GET' || req.method === 'HEAD')) {
      const code = url.searchParams.get('code') ?? '';
      // Nothing is spent here: a messaging app fetches the link to draw a preview before its owner opens it.
      if (!CODE_SHAPE.test(code)) return send(401, 'text/plain; charset=utf-8', 'This sign-in link is not valid. Use the newest link cs -serve printed.\n');
      // strict-origin, not no-referrer: with no-referrer the form's POST carries `Origin: null`, which no check can tell from another site's.
      return send(200, 'text/html; charset=utf-8', loginPage(code), { 'content-security-policy': LOGIN_CSP, 'referrer-policy': 'strict-origin' });
    }
    if (url.pathname === '/login' && req.method === 'POST') {
      // A page of another site could post a code it holds: only this server's sign-in page may.
      const origin = req.headers.origin;
      if (typeof origin !== 'string' || !origins.has(origin.toLowerCase())) {
        return drain(req, () => send(403, 'text/plain; charset=utf-8', 'This sign-in did not come from the sign-in page of this server (Origin). Open the link cs -serve printed in the browser.\n'));
      }
      return readBody(req, res, problem, (form) => {
        // Past route()'s try: a failure here (the devices file not written) answers as any other.
        try {
          const code = (form as Record<string, string>).code ?? '';
          // A valid code always signs in: 192 random bits are not guessed, and a limit that refused it
          // too let anyone on the same address (every ssh tunnel is 127.0.0.1) lock the owner out.
          if (!code || !auth.redeem(code)) {
            if (!limiter.allowed(who)) return send(429, 'text/plain; charset=utf-8', 'Too many sign-in attempts: wait a minute.\n', { 'retry-after': String(limiter.retryAfterS(who)) });
            limiter.fail(who);
            return send(401, 'text/plain; charset=utf-8', 'This sign-in link was already used or is not valid. Use the newest link cs -serve printed.\n');
          }
          const { device, setCookie, key } = auth.signIn(String(req.headers['user-agent'] ?? ''));
          opts.onRequest?.(`signed in device ${device.id}`);
          opts.onSignInLink?.(`${base}/login?code=${auth.issueCode()}`);
          // The key rides in the fragment: the browser keeps it for the page and never sends it anywhere.
          send(303, 'text/plain; charset=utf-8', 'signed in\n', { location: `/#key=${key}`, 'set-cookie': setCookie });
        } catch (e) {
          failed(e);
        }
      }, 'form');
    }
    const offersToken = Auth.offeredTokens(req.headers).length > 0;
    if (offersToken && !tokenLimiter.allowed(who)) {
      return drain(req, () => send(429, 'text/plain; charset=utf-8', 'Too many wrong tokens from this address: wait a minute.\n', { 'retry-after': String(tokenLimiter.retryAfterS(who)) }));
    }
    const caller = callerOf(req, url);
    if (offersToken && caller?.kind !== 'token') tokenLimiter.fail(who);
    if (!caller) {
      return send(401, 'text/plain; charset=utf-8', 'Sign in with the one-time link cs -serve printed, or send the token (Authorization: Bearer <token>).\n', { 'www-authenticate': 'Bearer realm="cs"' });
    }
    if (caller.kind === 'device' && !caller.keyed && url.pathname.startsWith('/api/')) {
      return problem(401, 'this browser holds no key for this server (it signed in before keys, or its site data was cleared): open a new sign-in link from cs -serve');
    }
    if (req.method === 'POST') return void readBody(req, res, problem, (body) => void change(caller, url.pathname, body, req, json, problem, failed).catch(failed));
    if (req.method !== 'GET' && req.method !== 'HEAD') return drain(req, () => problem(405, 'only GET, HEAD and POST'));

    const p = url.pathname;
    if (p === '/' || p === '/index.html') return send(200, 'text/html; charset=utf-8', HTML);
    if (p === '/app.js') return send(200, 'text/javascript; charset=utf-8', JS);
    if (p === '/app.css') return send(200, 'text/css; charset=utf-8', CSS);
    if (p === '/api/me') return json(200, { device: caller.kind === 'device' ? caller.device.id : null });
    // Archived sessions only when asked for: ?archived=1 (only those) or ?all=1.
    if (p === '/api/sessions') return void sessions(url, json).catch(failed);
    if (p === '/api/search') return void search(url, json, problem).catch(failed);

    const m = /^\/api\/sessions\/([^/]+)(\/timeline|\/events|\/conversation|\/permissions|\/queue)?$/.exec(p);
    if (!m) return problem(404, 'not found');
    const summary = lookup(m[1]!, problem);
    if (!summary) return;
    const meta = `${summary.dir}/.cs`;
    if (!m[2]) return void secretsOf(summary.name).then((known) => json(200, { ...publicSummary(summary), objective: scrubKnown(summary.objective, known).text }), failed);
    if (m[2] === '/timeline') {
      const limit = Number(url.searchParams.get('limit') ?? backlog);
      const r = readTimeline(meta, { limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, MAX_BACKLOG) : backlog });
      return void secretsOf(summary.name).then((known) => json(200, scrubJson(r.events.map(withText), known)), failed);
    }
    if (m[2] === '/permissions') return void secretsOf(summary.name).then((known) => json(200, scrubJson(listPending(sessionPaths(summary.dir, summary.name).local), known)), failed);
    if (m[2] === '/queue') return void queueOf(summary).then((q) => json(200, q), failed);
    if (m[2] === '/conversation') {
      const after = Number(url.searchParams.get('after') ?? 0);
      return void conversationOf(summary, Number.isInteger(after) && after >= 0 ? after : 0).then((items) => json(200, items), failed);
    }
    return void feed(req, res, meta, summary).catch(() => res.end());
  };

  /** Who sent `req` (Auth.caller); the key is taken from the query only for a live stream (an EventSource sets no header). */
  function callerOf(req: http.IncomingMessage, url: URL): Caller | null {
    return auth.caller(req.headers, url.pathname.endsWith('/events') ? url.searchParams.get('key') : null);
  }

  /** The session named by a URL segment, or null after answering 400/404. */
  function lookup(segment: string, problem: (s: number, m: string) => void): SessionSummary | null {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      problem(400, 'bad session name');
      return null;
    }
    const bad = sessionRefProblem(name);
    if (bad) {
      problem(400, bad);
      return null;
    }
    const summary = summarize(entryParent(root, name), name);
    if (!summary) problem(404, `no session named '${name}'`);
    return summary;
  }

  /**
   * The sessions listed as holding keychain secrets (keychain-index.ts), so
   * that the keychain is asked only about those: one read (or, the first
   * time, one completion of the list) shared by the look-ups of a second,
   * as the list's objectives ask for every session at once; read again
   * after, as another cs may have stored some since.
   */
  let listed: { at: number; sessions: Promise<Set<string> | null> } | null = null;
  function keychainListed(): Promise<Set<string> | null> {
    if (!listed || Date.now() - listed.at > 1000) listed = { at: Date.now(), sessions: import('../secrets/scrub.js').then((m) => m.listedForRoot(opts.env, root)) };
    return listed.sessions;
  }

  /** A session's known values, read again once `ttlMs` old (SECRETS_TTL_MS; the list's objectives take LIST_SECRETS_TTL_MS). */
  async function secretsOf(name: string, ttlMs = SECRETS_TTL_MS): Promise<Record<string, string>> {
    const hit = secretCache.get(name);
    if (hit && Date.now() - hit.at < ttlMs) return hit.values;
    const values = await (await import('../secrets/scrub.js')).knownSessionSecrets(name, opts.env, undefined, await keychainListed());
    secretCache.set(name, { at: Date.now(), values });
    return values;
  }

  const transcriptOf = (s: SessionSummary) => transcriptFile(claudeConfigDir(opts.env), s.dir, readRun(sessionPaths(s.dir, s.name))?.conversation, (real) => ownedConversations(sessionsRoot(opts.env), s.name, real));

  async function conversationOf(s: SessionSummary, after: number) {
    return conversation(transcriptOf(s), after, await secretsOf(s.name));
  }

  /** The queue for the page: its tasks (texts scrubbed), a few words about it, and when it resumes. */
  async function queueOf(s: SessionSummary) {
    const q = readQueue(s.dir);
    const secrets = await secretsOf(s.name);
    return {
      armed: q.armed,
      summary: queueSummary(q),
      ...(q.parked ? { parked: { ...q.parked, debrief: scrubKnown(q.parked.debrief, secrets).text } } : {}),
      ...(q.parked?.resumesAt ? { resumesAt: q.parked.resumesAt } : {}),
      tasks: q.tasks.map((t) => ({ ...t, text: scrubKnown(t.text, secrets).text })),
    };
  }

  // Sessions of registered hosts (src/remote/list.ts, `cs -ls --remote`):
  // asked over ssh in the background at most every REMOTE_TTL_MS, so a list
  // request never waits for a slow or dead host; the newest answers are shown.
  let remote: { at: number; hosts: HostListing[]; busy: boolean } = { at: 0, hosts: [], busy: false };
  function remoteListings(local: SessionSummary[]): HostListing[] {
    if (!remote.busy && Date.now() - remote.at > REMOTE_TTL_MS) {
      const targets = hostsToAsk(opts.env, local);
      if (targets.length) {
        remote.busy = true;
        // Scrubbed there: only that host knows its sessions' secret values.
        void Promise.all(targets.map((t) => askHost(t, { env: opts.env }, listTimeoutMs(opts.env), { scrub: true })))
          .then((hosts) => (remote = { at: Date.now(), hosts, busy: false }))
          .catch(() => (remote = { ...remote, at: Date.now(), busy: false }));
      }
    }
    return remote.hosts;
  }

  /** A row for a session on another host: its status there ('died' as the page calls an unexpected end); never running here (no input from this page). */
  function remoteSummary(s: SessionSummary, host: string) {
    const { dir: _dir, ...rest } = s;
    return { ...rest, state: s.status === 'ended-unexpectedly' ? 'died' : s.status || 'closed', host, running: false, attached: false, remote: true, lastActivity: [s.lastUsed, s.statusAt ?? ''].sort().at(-1)!, objective: s.objective };
  }

  async function sessions(url: URL, json: (s: number, v: unknown) => void) {
    const hosted = new Map((await listHosted(tmuxServer(opts.env), opts.env)).map((h) => [h.name, h]));
    const all = await listSessions(root);
    const hosts = remoteListings(all);
    const local = unansweredLocal(opts.env, all, hosts);
    const flags = { archived: url.searchParams.get('archived') === '1', all: url.searchParams.get('all') === '1' };
    // The objective is the user's text and may quote a value: each local row's is scrubbed with its session's.
    const mine = await Promise.all(visible(local, flags).map(async (s) => ({ ...liveSummary(s, hosted.get(s.name)), objective: s.objective && scrubKnown(s.objective, await secretsOf(s.name, LIST_SECRETS_TTL_MS)).text })));
    const rows = [...mine, ...hosts.flatMap((h) => visible(h.sessions, flags).map((s) => remoteSummary(s, s.location)))];
    // Running ones first, then the most recently active.
    rows.sort((a, b) => Number(b.running) - Number(a.running) || b.lastActivity.localeCompare(a.lastActivity));
    json(200, rows);
  }

  function drain(req: http.IncomingMessage, then: () => void) {
    // Read (and drop) a small body first so the client gets the answer instead of a reset.
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
    });
    req.on('end', then);
  }

  /**
   * Reads a request body of at most MAX_BODY bytes and hands it on: a JSON
   * object (the API), or with `as` 'form' the fields of a form post (the
   * sign-in page's, at most MAX_FORM bytes). Answers 400 or 413 itself: a
   * 413 as soon as the body is known to be over (its Content-Length, or the
   * bytes come), without waiting for the rest.
   */
  function readBody(req: http.IncomingMessage, res: http.ServerResponse, problem: (s: number, m: string) => void, then: (body: unknown) => void, as: 'json' | 'form' = 'json') {
    const max = as === 'form' ? MAX_FORM : MAX_BODY;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const refuse = () => {
      over = true;
      // No `Connection: close`: with it Node closes the socket once the answer is out, on unread data.
      problem(413, `the body is over ${max} bytes`);
      res.on('finish', () => setTimeout(() => req.destroy(), LINGER_MS).unref());
    };
    // Said to be over: answered before a byte of it is read.
    if (Number(req.headers['content-length']) > max) refuse();
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (!over && size <= max) return void chunks.push(c);
      // Answered at once; what follows is dropped for a little while (a socket closed on unread
      // data resets, and the client may lose the answer with it), then the connection goes.
      if (size > max + LINGER_BYTES) return void req.destroy();
      if (!over) refuse();
    });
    req.on('end', () => {
      if (over) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (as === 'form') return then(Object.fromEntries(new URLSearchParams(text)));
      if (!text.trim()) return then({});
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return problem(400, 'the body is not JSON');
      }
      // Every route reads fields of an object: null, a number or a list is as wrong as bad JSON.
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return problem(400, 'the body is not a JSON object');
      then(body);
    });
    res.on('error', () => {});
  }

  /** POST routes: every one changes something, so CSRF and Origin are checked first for devices. */
  async function change(caller: Caller, p: string, body: unknown, req: http.IncomingMessage, json: (s: number, v: unknown) => void, problem: (s: number, m: string) => void, failed: (e: unknown) => void) {
    const refused = auth.changeProblem(caller, req.headers, origins);
    if (refused) return problem(403, refused);
    const m = /^\/api\/sessions\/([^/]+)\/(input|interrupt|permissions\/([^/]+)|queue|queue\/start)$/.exec(p);
    if (!m) return problem(p.startsWith('/api/sessions') ? 405 : 404, p.startsWith('/api/sessions') ? 'POST goes to /api/sessions/<name>/input, /interrupt, /permissions/<id>, /queue or /queue/start' : 'not found');
    const summary = lookup(m[1]!, problem);
    if (!summary) return;
    if (m[2] === 'queue' || m[2] === 'queue/start') {
      try {
        if (m[2] === 'queue') {
          const text = (body as { text?: unknown }).text;
          if (typeof text !== 'string' || !text.trim()) return problem(400, 'send {"text": "..."} with the task');
          if (text.length > MAX_INPUT) return problem(413, `the task is over ${MAX_INPUT} characters`);
          // Kept as cs keeps anything the user says: a stored value, or one found there (then stored), as [secret: KEY] (queue.json is committed).
          const kept = (await scrubForSession(summary.name, opts.env, text.trim())).text;
          const t = changeQueue(summary.dir, (q, journal) => {
            const t = addTask(q, kept, new Date());
            journal({ type: 'add', id: t.id, text: t.text });
            return t;
          }, new Date());
          return json(201, { id: t.id, state: t.state });
        }
        const armed = changeQueue(summary.dir, (q, journal) => arm(q, journal), new Date());
        if (!armed) return problem(409, `'${summary.name}' has no pending tasks: add one first`);
        // An idle hosted Claude gets the first task now; a working one at its next Stop.
        const handed = await handOverIfIdle(opts.env, summary.name, summary.dir);
        return json(202, { armed: true, ...(handed ? { handed: handed.id } : {}) });
      } catch (e) {
        return failed(e);
      }
    }
    if (m[3] !== undefined) {
      const d = (body as { decision?: unknown }).decision;
      if (d !== 'allow' && d !== 'deny') return problem(400, 'send {"decision": "allow"} or {"decision": "deny"}');
      const by = caller.kind === 'device' ? caller.device.id : 'token';
      if (!decide(sessionPaths(summary.dir, summary.name).local, m[3], d, by)) return problem(404, `no pending request '${m[3]}' (answered already, timed out, or its session ended)`);
      return json(202, { decision: d });
    }
    const notRunning = `'${summary.name}' is not running in cs's tmux server — start it with: cs -spawn ${summary.name}`;
    try {
      if (m[2] === 'input') {
        const text = (body as { text?: unknown }).text;
        if (typeof text !== 'string' || !text.trim()) return problem(400, 'send {"text": "..."} with some text');
        if (text.length > MAX_INPUT) return problem(413, `the text is over ${MAX_INPUT} characters`);
        if (!(await sendInput(opts.env, summary.name, text))) return problem(409, notRunning);
        return json(202, { sent: true });
      }
      if (!(await interrupt(opts.env, summary.name))) return problem(409, notRunning);
      return json(202, { interrupted: true });
    } catch (e) {
      return failed(e);
    }
  }

  // Slow clients (slowloris): Node's defaults give headers 60 s and a whole request 300 s, checked
  // every 30 s, all before any secret is checked, so anyone reaching the port could hold connections
  // for minutes each. A request's headers come at once, and its body (MAX_BODY at most) within
  // REQUEST_TIMEOUT_MS even on a slow phone link. Only the request is timed: a live stream's
  // answer may last for hours.
  const limits = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key, ...limits }, handler) : http.createServer(limits, handler);

  async function search(url: URL, json: (s: number, v: unknown) => void, problem: (s: number, m: string) => void) {
    const q = (url.searchParams.get('q') ?? '').trim();
    const only = url.searchParams.get('session');
    if (!q) return problem(400, 'q is empty');
    if (only !== null && nameProblem(only)) return problem(400, nameProblem(only)!);
    // A failure goes to the caller's catch (one fixed answer, see failure()).
    const { searchSessions } = await import('../search/search.js');
    const r = await searchSessions({ env: opts.env, query: q, session: only ?? undefined, limit: 50 });
    // The session name and the path relative to it; never an absolute path
    // (it would show the home directory and user name to the page).
    json(
      200,
      r.hits.map(({ path: _absolute, ...hit }) => hit),
    );
  }

  /**
   * text/event-stream: `reset`, the newest timeline events, `ready`, then
   * each new event as it is appended (`timeline`). Besides: `permissions`
   * (the pending requests, whenever they change), `conversation` (new items
   * of the conversation; the whole of it first) and `convreset` (a
   * different conversation started: drop the items shown).
   */
  async function feed(req: http.IncomingMessage, res: http.ServerResponse, meta: string, s: SessionSummary) {
    const headers = { ...security, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' };
    // HEAD gets the headers a GET would and ends there: a stream that never
    // ends would keep the client waiting for the end of a body it must not get.
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    res.writeHead(200, headers);
    const write = streamWriter(res);
    // The session's known values, scrubbed from everything the stream sends; refreshed as events come (secretsOf caches them for a minute).
    let known = await secretsOf(s.name);
    if (res.destroyed || req.destroyed) return; // gone while the secrets were read: nothing to follow
    const refresh = () => void secretsOf(s.name).then((v) => (known = v));
    const sendEvents = (events: TimelineEvent[], offset: number) => {
      let out = '';
      events.forEach((ev, i) => {
        out += `${i === events.length - 1 ? `id: ${offset}\n` : ''}event: timeline\ndata: ${JSON.stringify(scrubJson(withText(ev), known))}\n\n`;
      });
      write(out);
      refresh();
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
    const live = watchLive(
      { transcript: () => transcriptOf(s), items: async (file, after) => conversation(file, after, await secretsOf(s.name)), local: sessionPaths(s.dir, s.name).local },
      {
        reset: () => write('event: convreset\ndata: {}\n\n'),
        conversation: (items) => write(`event: conversation\ndata: ${JSON.stringify(items)}\n\n`),
        permissions: (pending) => write(`event: permissions\ndata: ${JSON.stringify(scrubJson(pending, known))}\n\n`),
      },
      opts.intervalMs,
    );
    const follower = followTimeline(
      meta,
      (events, at) => {
        sendEvents(events, at);
        live.poke();
      },
      { offset, intervalMs: opts.intervalMs },
    );
    const beat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
    // A device revoked (or expired) while it watches loses the stream within a second, as it loses every request.
    const url = new URL(req.url ?? '/', 'http://cs.invalid');
    const still = setInterval(() => {
      const c = callerOf(req, url);
      if (!c || (c.kind === 'device' && !c.keyed)) close();
    }, REVOKE_CHECK_MS);
    const close = () => {
      clearInterval(beat);
      clearInterval(still);
      live.stop();
      follower.stop();
      feeds.delete(close);
      res.end();
    };
    feeds.add(close);
    req.on('close', close);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // listen() takes an IPv6 address without the brackets a URL needs (--bind [::1]).
    server.listen(opts.port, bareAddress(opts.bind), () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  auth = new Auth(opts.token, port, opts.env, opts.tls !== undefined);
  const scheme = opts.tls ? 'https' : 'http';
  base = `${scheme}://${urlHost(opts.bind, opts.hostnames)}:${port}`;
  hosts = allowedHosts(opts.bind, port, opts.hostnames);
  origins = new Set([...hosts].map((h) => `${scheme}://${h}`));
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
