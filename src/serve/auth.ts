// Who may read: a request carries the token (Authorization: Bearer, or
// X-CS-Token), or the cookie a one-time sign-in link set. The cookie holds a
// secret of this server run, not the token, so a copied cookie dies with the
// server and the token never sits in a browser. All comparisons are
// constant-time over SHA-256 digests (equal lengths whatever the input).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as net from 'node:net';

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

export class Auth {
  readonly cookieName: string;
  private readonly token: Buffer;
  private readonly cookie: string;
  private readonly cookieDigest: Buffer;
  /** Outstanding one-time sign-in codes, by digest. */
  private readonly codes = new Set<string>();

  constructor(token: string, port: number) {
    this.token = digest(token);
    this.cookie = newSecret();
    this.cookieDigest = digest(this.cookie);
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
    const key = digest(code).toString('hex');
    return this.codes.delete(key);
  }

  setCookieHeader(): string {
    return `${this.cookieName}=${this.cookie}; HttpOnly; SameSite=Strict; Path=/`;
  }

  allows(headers: IncomingHttpHeaders): boolean {
    const auth = headers.authorization;
    if (typeof auth === 'string' && /^Bearer\s+/i.test(auth) && sameSecret(auth.replace(/^Bearer\s+/i, '').trim(), this.token)) return true;
    const h = headers['x-cs-token'];
    if (typeof h === 'string' && sameSecret(h, this.token)) return true;
    const c = parseCookies(headers.cookie).get(this.cookieName);
    return c !== undefined && sameSecret(c, this.cookieDigest);
  }
}
