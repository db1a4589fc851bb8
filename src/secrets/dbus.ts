// A minimal D-Bus client that asks one question: does the Secret Service
// answer on the session bus? Linux only, used before the keyring module is touched.
//
// Why not just call the keyring module with a timeout: a native call blocks a libuv pool
// thread, and Node joins those threads when it exits, so a bus that accepts
// and never replies (or a Secret Service stuck in activation) would keep cs
// alive long after our timeout fired. This probe runs on a plain socket we
// can drop at any moment.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export type BusProbe = { ok: true; checked: boolean } | { ok: false; reason: string };

/** The unix socket of the session bus, or undefined when we cannot tell (then the keyring module decides). */
export function sessionBusSocket(env: NodeJS.ProcessEnv): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address) {
    const runtime = env.XDG_RUNTIME_DIR;
    const fallback = runtime ? path.join(runtime, 'bus') : undefined;
    return fallback && fs.existsSync(fallback) ? fallback : undefined;
  }
  for (const entry of address.split(';')) {
    const colon = entry.indexOf(':');
    if (entry.slice(0, colon) !== 'unix') continue;
    const params = new Map(
      entry
        .slice(colon + 1)
        .split(',')
        .map((kv) => {
          const eq = kv.indexOf('=');
          return [kv.slice(0, eq), decodeURIComponent(kv.slice(eq + 1))] as [string, string];
        }),
    );
    if (params.has('path')) return params.get('path');
    if (params.has('abstract')) return '\0' + params.get('abstract');
  }
  return undefined;
}

// --- message encoding (little-endian, only what a method call needs) ---------

class Writer {
  private parts: number[] = [];
  get length(): number {
    return this.parts.length;
  }
  align(n: number): void {
    while (this.parts.length % n !== 0) this.parts.push(0);
  }
  byte(b: number): void {
    this.parts.push(b & 0xff);
  }
  uint32(v: number): void {
    this.align(4);
    this.parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.uint32(bytes.length);
    this.parts.push(...bytes, 0);
  }
  signature(s: string): void {
    this.byte(s.length);
    this.parts.push(...Buffer.from(s, 'ascii'), 0);
  }
  buffer(): Buffer {
    return Buffer.from(this.parts);
  }
}

function methodCall(serial: number, dest: string, objPath: string, iface: string, member: string): Buffer {
  const fields = new Writer();
  const field = (code: number, sig: 'o' | 's', value: string) => {
    fields.align(8);
    fields.byte(code);
    fields.signature(sig);
    fields.string(value);
  };
  field(1, 'o', objPath);
  field(2, 's', iface);
  field(3, 's', member);
  field(6, 's', dest);
  const fieldBytes = fields.buffer();
  const head = Buffer.alloc(16);
  head.write('l', 0, 'ascii');
  head.writeUInt8(1, 1); // METHOD_CALL
  head.writeUInt8(0, 2);
  head.writeUInt8(1, 3); // protocol version
  head.writeUInt32LE(0, 4); // no body
  head.writeUInt32LE(serial, 8);
  head.writeUInt32LE(fieldBytes.length, 12);
  const pad = (8 - ((16 + fieldBytes.length) % 8)) % 8;
  return Buffer.concat([head, fieldBytes, Buffer.alloc(pad)]);
}

interface Reply {
  type: number;
  replySerial?: number;
  errorName?: string;
}

/** Parses complete messages from `buf`; returns them and the unread rest. */
function parseMessages(buf: Buffer): { messages: Reply[]; rest: Buffer } {
  const messages: Reply[] = [];
  let off = 0;
  while (buf.length - off >= 16) {
    const le = buf[off] === 0x6c; // 'l'
    const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
    const bodyLen = u32(off + 4);
    const fieldsLen = u32(off + 12);
    const headerEnd = off + 16 + fieldsLen;
    const total = 16 + fieldsLen + ((8 - ((16 + fieldsLen) % 8)) % 8) + bodyLen;
    if (buf.length - off < total) break;
    const msg: Reply = { type: buf[off + 1]! };
    let p = off + 16;
    while (p < headerEnd) {
      p = off + Math.ceil((p - off) / 8) * 8;
      if (p >= headerEnd) break;
      const code = buf[p]!;
      const sigLen = buf[p + 1]!;
      const sig = buf.toString('ascii', p + 2, p + 2 + sigLen);
      p += 3 + sigLen;
      if (sig === 's' || sig === 'o') {
        p = off + Math.ceil((p - off) / 4) * 4;
        const len = u32(p);
        const value = buf.toString('utf8', p + 4, p + 4 + len);
        if (code === 4) msg.errorName = value;
        p += 4 + len + 1;
      } else if (sig === 'g') {
        p += 2 + buf[p]!;
      } else if (sig === 'u') {
        p = off + Math.ceil((p - off) / 4) * 4;
        if (code === 5) msg.replySerial = u32(p);
        p += 4;
      } else break; // a field type we do not need; the fields we need come first in practice
    }
    messages.push(msg);
    off += total;
  }
  return { messages, rest: buf.subarray(off) };
}

/**
 * Pings org.freedesktop.secrets on the session bus (activating it if the
 * bus can). Resolves within `timeoutMs`, whatever the other side does.
 */
export function probeSecretService(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<BusProbe> {
  if (process.platform !== 'linux') return Promise.resolve({ ok: true, checked: false });
  const socketPath = sessionBusSocket(env);
  if (!socketPath) return Promise.resolve({ ok: true, checked: false });
  return new Promise((resolve) => {
    const sock = net.createConnection(socketPath);
    let settled = false;
    const done = (r: BusProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    let authed = false;
    let buf: Buffer = Buffer.alloc(0);
    sock.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, reason: `cannot reach the session bus (${e.code ?? e.message})` }));
    sock.on('close', () => done({ ok: false, reason: 'the session bus closed the connection' }));
    sock.on('connect', () => {
      const uid = String(process.getuid?.() ?? 0);
      sock.write(Buffer.concat([Buffer.from([0]), Buffer.from(`AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`)]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!authed) {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.toString('ascii', 0, nl);
        buf = buf.subarray(nl + 2);
        if (!line.startsWith('OK ')) return done({ ok: false, reason: `the session bus refused us (${line.slice(0, 60)})` });
        authed = true;
        sock.write(
          Buffer.concat([
            Buffer.from('BEGIN\r\n'),
            methodCall(1, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'Hello'),
            methodCall(2, 'org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.DBus.Peer', 'Ping'),
          ]),
        );
      }
      const { messages, rest } = parseMessages(buf);
      buf = rest;
      for (const m of messages) {
        if (m.replySerial !== 2) continue;
        if (m.type === 2) return done({ ok: true, checked: true });
        if (m.type === 3) return done({ ok: false, reason: `no Secret Service on the session bus (${m.errorName ?? 'error'})` });
      }
    });
  });
}

// --- a refused first call -----------------------------------------------------

/**
 * gnome-keyring (measured on 42.1, Debian 12; also reported against 50.x)
 * registers each new D-Bus client in an idle callback that can run after that
 * client's first call, and then refuses the call as if the method did not
 * exist: org.freedesktop.DBus.Error.UnknownMethod ("Method SearchItems is not
 * implemented on interface org.freedesktop.Secret.Service"; its own log says
 * "gkd_secret_service_get_pkcs11_session: assertion 'client' failed"). Nothing
 * was done, and the same call a moment later succeeds. Every keyring call
 * opens a new connection (ours and @napi-rs/keyring's alike), so any of them
 * can be the first. Through @napi-rs/keyring 2.1.2 the refusal reads
 * "... org.freedesktop.DBus.Error.UnknownMethod ..." for a search and
 * "Couldn't access platform storage: AccessDenied" for a store or delete
 * (measured against a stand-in service that answers UnknownMethod).
 */
const REFUSED_FIRST_CALL = /org\.freedesktop\.DBus\.Error\.UnknownMethod|Couldn't access platform storage: AccessDenied/;

/** How long to wait before asking again: the daemon's idle callback runs at its next main-loop turn. */
export const REFUSED_RETRY_MS = 200;

/**
 * Runs `call`; when it fails with the refusal above, once more after
 * `delayMs`. Any other error, or a second failure, rejects as it is. Callers
 * bound the whole (both attempts) with their own timeout.
 */
export async function retryRefusedCall<T>(call: () => Promise<T>, delayMs = REFUSED_RETRY_MS): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (!REFUSED_FIRST_CALL.test(e instanceof Error ? e.message : String(e))) throw e;
    await new Promise((r) => setTimeout(r, delayMs));
    return call();
  }
}
