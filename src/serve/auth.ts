// Who may read and who may act. A request carries the token (Authorization:
// Bearer, or X-CS-Token), or the two secrets of a signed-in device (set by a
// one-time sign-in link; see devices.ts): its cookie, and its key in the
// X-CS-Key header (the page's live stream, an EventSource, which cannot set
// headers, sends it as ?key=). The page's own files need only the cookie;
// every /api/ request needs both, so a cookie seen by another server on
// this host (cookies ignore the port) reads and changes nothing. The token
// never sits in a browser. A request that changes anything (POST) needs
// the token, or the device's cookie and key plus an Origin naming this
// server (the key header is also what a cross-site form cannot send: the
// CSRF check). Every request must name this server in its Host header (no
// DNS rebinding). Comparisons are constant-time over SHA-256 digests
// (equal lengths whatever the input).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { codeDigest, linkTtlMs, newCode, redeemStored } from './links.js';
import { addDevice, DEVICE_DAYS, deviceFor, deviceKeyMatches, readDevices, type Device } from './devices.js';

export const MIN_TOKEN_LENGTH = 16;
/** Different characters a configured token needs at least: a random one of 16 base64 characters has about 13. */
export const MIN_TOKEN_DISTINCT = 8;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

/** An address as listen() and net.isIPv6 take it: an IPv6 address without the brackets a URL puts around it ("[::1]" -> "::1"). */
export function bareAddress(address: string): string {
  return address.replace(/^\[|\]$/g, '');
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopback(address: string): boolean {
  const a = bareAddress(address);
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

/** Whether `bind` listens on every address (0.0.0.0, ::, [::]): then every address of this machine may be named. */
export function isWildcard(bind: string): boolean {
  const a = bareAddress(bind);
  return a === '0.0.0.0' || a === '::';
}

/**
 * The `host:port` values a Host header may carry: the bound address; for a
 * loopback bind also localhost, 127.0.0.1 and [::1] (what an ssh -L tunnel
 * shows the browser); for a wildcard bind this machine's addresses and name.
 */
export function allowedHosts(bind: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>([bareAddress(bind), ...extra]);
  if (isLoopback(bind)) for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
  if (isWildcard(bind)) {
    names.add(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  }
  const out = new Set<string>();
  for (const n of names) out.add(`${net.isIPv6(n) ? `[${n}]` : n.toLowerCase()}:${port}`);
  return out;
}

/** Keys a RateLimit holds before it drops those whose failures have all left the window. */
const RATE_KEYS_SWEEP = 256;

/**
 * Counts failures per client address: at most `max` a `windowMs` (ms). Keys
 * whose failures are all older than the window are dropped once more than
 * RATE_KEYS_SWEEP are held, so a stream of addresses cannot grow it without
 * bound.
 */
export class RateLimit {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly max = 5,
    private readonly windowMs = 60_000,
  ) {}
  /** True when `key` may try again now (`now` in ms since the epoch). */
  allowed(key: string, now = Date.now()): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length) this.hits.set(key, recent);
    else this.hits.delete(key);
    return recent.length < this.max;
  }
  /** Whole seconds until `key` may try again (for Retry-After): when its oldest failure in the window leaves it; at least 1. */
  retryAfterS(key: string, now = Date.now()): number {
    const oldest = (this.hits.get(key) ?? []).find((t) => now - t < this.windowMs);
    return oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }
  fail(key: string, now = Date.now()): void {
    this.hits.set(key, [...(this.hits.get(key) ?? []), now]);
    if (this.hits.size > RATE_KEYS_SWEEP) {
      for (const [k, times] of this.hits) if (times.every((t) => now - t >= this.windowMs)) this.hits.delete(k);
    }
  }
  /** How many keys are held (tests). */
  get size(): number {
    return this.hits.size;
  }
}

/** The header a device sends its key in. */
export const KEY_HEADER = 'x-cs-key';

/** `keyed`: the device also sent its key (needed for every /api/ request). */
export type Caller = { kind: 'token' } | { kind: 'device'; device: Device; keyed: boolean };

export class Auth {
  readonly cookieName: string;
  private readonly token: Buffer;
  /** Outstanding one-time sign-in codes this server made: digest -> expiry (ms since the epoch). */
  private readonly codes = new Map<string, number>();

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

  /** A code for /login?code=…; it works once, within linkTtlMs (src/serve/links.ts). `now` in ms since the epoch. */
  issueCode(now = Date.now()): string {
    for (const [d, expires] of this.codes) if (expires <= now) this.codes.delete(d);
    const code = newCode();
    this.codes.set(codeDigest(code), now + linkTtlMs(this.env));
    return code;
  }

  /** Spends a code, this server's or one `cs -serve --link` stored; true when it was outstanding and unexpired at `now` (ms). */
  redeem(code: string, now = Date.now()): boolean {
    const d = codeDigest(code);
    const expires = this.codes.get(d);
    if (expires !== undefined) {
      this.codes.delete(d);
      return expires > now;
    }
    return redeemStored(this.env, d, now);
  }

  /**
   * Records a new device: the Set-Cookie header that signs it in for
   * DEVICE_DAYS, and its key, for the page to keep (the sign-in redirect
   * hands it over in the URL fragment, which the browser never sends).
   */
  signIn(agent: string): { device: Device; setCookie: string; key: string } {
    const { device, cookie, key } = addDevice(this.env, agent);
    const attrs = `HttpOnly; SameSite=Strict; Path=/; Max-Age=${DEVICE_DAYS * 86_400}${this.secure ? '; Secure' : ''}`;
    return { device, setCookie: `${this.cookieName}=${cookie}; ${attrs}`, key };
  }

  /**
   * The tokens a request offers, right or wrong: `Authorization: Bearer
   * <token>` and `X-CS-Token`, in that order ([] when neither is sent). What
   * `caller` checks, and what the token limit counts.
   */
  static offeredTokens(headers: IncomingHttpHeaders): string[] {
    const out: string[] = [];
    const auth = headers.authorization;
    if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) out.push(auth.replace(/^Bearer\s+/i, '').trim());
    const h = headers['x-cs-token'];
    if (typeof h === 'string') out.push(h);
    return out;
  }

  /**
   * Who sent this request: the token, a signed-in device (with whether its
   * key came too: the X-CS-Key header, else `queryKey`), or nobody (null).
   */
  caller(headers: IncomingHttpHeaders, queryKey?: string | null): Caller | null {
    if (Auth.offeredTokens(headers).some((t) => sameSecret(t, this.token))) return { kind: 'token' };
    const cookie = parseCookies(headers.cookie).get(this.cookieName);
    const device = deviceFor(readDevices(this.env), cookie);
    if (!device) return null;
    const header = headers[KEY_HEADER];
    return { kind: 'device', device, keyed: deviceKeyMatches(device, typeof header === 'string' ? header : queryKey) };
  }

  /**
   * Why a state-changing request from `caller` is refused, or null when it
   * may go ahead: a device must have sent its key and an Origin in
   * `origins`; the token needs neither (scripts send no Origin).
   */
  changeProblem(caller: Caller, headers: IncomingHttpHeaders, origins: ReadonlySet<string>): string | null {
    if (caller.kind === 'token') return null;
    if (!caller.keyed) return 'missing or wrong device key (X-CS-Key): reload the page, or sign in again with a new link';
    const origin = headers.origin;
    if (typeof origin !== 'string' || !origins.has(origin.toLowerCase())) return 'this request did not come from the cs page (Origin)';
    return null;
  }
}
