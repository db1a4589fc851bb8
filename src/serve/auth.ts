// Who may read and who may act. A request carries the token (Authorization:
// Bearer, or X-CS-Token), or the cookie of a signed-in device (set by a
// one-time sign-in link; see devices.ts), never the token itself, so the
// token never sits in a browser. A request that changes anything (POST)
// needs the token, or the cookie plus its CSRF token (X-CSRF-Token) plus an
// Origin naming this server. Every request must name this server in its Host
// header (no DNS rebinding). Comparisons are constant-time over SHA-256
// digests (equal lengths whatever the input).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { addDevice, csrfFor, DEVICE_DAYS, deviceFor, readDevices, type Device } from './devices.js';

export const MIN_TOKEN_LENGTH = 16;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  if (net.isIPv4(a)) return a.startsWith('127.');
  if (net.isIPv6(a)) return a === '::1' || /^::ffff:127\./i.test(a);
  return false;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** Wildcard binds: every address of this machine may be named. */
function isWildcard(bind: string): boolean {
  return bind === '0.0.0.0' || bind === '::' || bind === '[::]';
}

/**
 * The `host:port` values a Host header may carry: the bound address; for a
 * loopback bind also localhost, 127.0.0.1 and [::1] (what an ssh -L tunnel
 * shows the browser); for a wildcard bind this machine's addresses and name.
 */
export function allowedHosts(bind: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>([bind.replace(/^\[|\]$/g, ''), ...extra]);
  if (isLoopback(bind)) for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
  if (isWildcard(bind)) {
    names.add(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  }
  const out = new Set<string>();
  for (const n of names) out.add(`${net.isIPv6(n) ? `[${n}]` : n.toLowerCase()}:${port}`);
  return out;
}

/** Counts failed sign-ins per client address: at most `max` a `windowMs`. */
export class RateLimit {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly max = 5,
    private readonly windowMs = 60_000,
  ) {}
  /** True when `key` may try again now. */
  allowed(key: string, now = Date.now()): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.hits.set(key, recent);
    return recent.length < this.max;
  }
  fail(key: string, now = Date.now()): void {
    this.hits.set(key, [...(this.hits.get(key) ?? []), now]);
  }
}

export type Caller = { kind: 'token' } | { kind: 'device'; device: Device; cookie: string };

export class Auth {
  readonly cookieName: string;
  private readonly token: Buffer;
  /** Outstanding one-time sign-in codes, by digest. */
  private readonly codes = new Set<string>();

  constructor(
    token: string,
    port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly secure: boolean,
  ) {
    this.token = digest(token);
    // Cookies are shared across ports of one host: one name per server port.
    this.cookieName = `cs_serve_${port}`;
  }

  /** A code for /login?code=…; it works once. */
  issueCode(): string {
    const code = newSecret(24);
    this.codes.add(digest(code).toString('hex'));
    return code;
  }

  /** Spends a code; true when it was outstanding. */
  redeem(code: string): boolean {
    return this.codes.delete(digest(code).toString('hex'));
  }

  /** Records a new device and returns the Set-Cookie header that signs it in for DEVICE_DAYS. */
  signIn(agent: string): { device: Device; setCookie: string } {
    const { device, cookie } = addDevice(this.env, agent);
    const attrs = `HttpOnly; SameSite=Strict; Path=/; Max-Age=${DEVICE_DAYS * 86_400}${this.secure ? '; Secure' : ''}`;
    return { device, setCookie: `${this.cookieName}=${cookie}; ${attrs}` };
  }

  /** Who sent this request: the token, a signed-in device, or nobody (null). */
  caller(headers: IncomingHttpHeaders): Caller | null {
    const auth = headers.authorization;
    if (typeof auth === 'string' && /^Bearer\s+/i.test(auth) && sameSecret(auth.replace(/^Bearer\s+/i, '').trim(), this.token)) return { kind: 'token' };
    const h = headers['x-cs-token'];
    if (typeof h === 'string' && sameSecret(h, this.token)) return { kind: 'token' };
    const cookie = parseCookies(headers.cookie).get(this.cookieName);
    const device = deviceFor(readDevices(this.env), cookie);
    return device && cookie ? { kind: 'device', device, cookie } : null;
  }

  /**
   * Why a state-changing request from `caller` is refused, or null when it
   * may go ahead: a device must send its CSRF token and an Origin in
   * `origins`; the token needs neither (scripts send no Origin).
   */
  changeProblem(caller: Caller, headers: IncomingHttpHeaders, origins: ReadonlySet<string>): string | null {
    if (caller.kind === 'token') return null;
    const csrf = headers['x-csrf-token'];
    if (typeof csrf !== 'string' || !sameSecret(csrf, digest(csrfFor(caller.cookie)))) return 'missing or wrong CSRF token (X-CSRF-Token): reload the page';
    const origin = headers.origin;
    if (typeof origin !== 'string' || !origins.has(origin.toLowerCase())) return 'this request did not come from the cs page (Origin)';
    return null;
  }
}
