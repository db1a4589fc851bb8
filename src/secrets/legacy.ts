// Keychain items written by earlier versions of cs through keytar, on Linux.
// keytar stored each item in the Secret Service with the attributes
// {service, account} (libsecret schema org.freedesktop.Secret.Generic);
// @napi-rs/keyring (keyring-rs) looks items up by {service, username}, so it
// never finds them. This module finds, reads and deletes them itself over the
// session bus (Secret Service API: OpenSession "plain", SearchItems,
// GetSecrets, Item.Delete; https://specifications.freedesktop.org/secret-service/).
// Only unlocked items are read: a locked one would need a prompt.
import * as net from 'node:net';
import { retryRefusedCall, sessionBusSocket } from './dbus.js';
import { TIMED_OUT, within } from '../lib/deadline.js';

export interface LegacyItem {
  account: string;
  password: string;
  /** The item's D-Bus object path, for delete. */
  path: string;
}

type Value = string | number | boolean | Buffer | Value[] | Map<Value, Value> | { sig: string; value: Value };

// --- marshalling (little-endian) -------------------------------------------

/** Splits a signature into its complete types: "a{ss}o" -> ["a{ss}", "o"]. */
function splitTypes(sig: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < sig.length) {
    const start = i;
    i = skipType(sig, i);
    out.push(sig.slice(start, i));
  }
  return out;
}

function skipType(sig: string, i: number): number {
  const c = sig[i]!;
  if (c === 'a') return skipType(sig, i + 1);
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}';
    i++;
    while (sig[i] !== close) i = skipType(sig, i);
    return i + 1;
  }
  return i + 1;
}

const ALIGN: Record<string, number> = { y: 1, b: 4, u: 4, i: 4, s: 4, o: 4, g: 1, a: 4, '(': 8, '{': 8, v: 1, x: 8, t: 8, d: 8, n: 2, q: 2, h: 4 };

class Writer {
  bytes: number[] = [];
  align(n: number): void {
    while (this.bytes.length % n) this.bytes.push(0);
  }
  u32(v: number): void {
    this.align(4);
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  write(type: string, v: Value): void {
    const c = type[0]!;
    switch (c) {
      case 'y':
        this.bytes.push((v as number) & 0xff);
        return;
      case 'b':
        this.u32(v ? 1 : 0);
        return;
      case 'u':
        this.u32(v as number);
        return;
      case 's':
      case 'o': {
        const b = Buffer.from(v as string, 'utf8');
        this.u32(b.length);
        this.bytes.push(...b, 0);
        return;
      }
      case 'g': {
        const b = Buffer.from(v as string, 'ascii');
        this.bytes.push(b.length, ...b, 0);
        return;
      }
      case 'v': {
        const { sig, value } = v as { sig: string; value: Value };
        this.write('g', sig);
        this.write(sig, value);
        return;
      }
      case 'a': {
        const elem = type.slice(1);
        this.u32(0);
        const lenAt = this.bytes.length - 4;
        this.align(ALIGN[elem[0]!]!);
        const start = this.bytes.length;
        if (elem[0] === '{') {
          const [k, val] = splitTypes(elem.slice(1, -1));
          for (const [key, value] of v as Map<Value, Value>) {
            this.align(8);
            this.write(k!, key);
            this.write(val!, value);
          }
        } else for (const x of v as Value[]) this.write(elem, x);
        const len = this.bytes.length - start;
        this.bytes.splice(lenAt, 4, len & 0xff, (len >>> 8) & 0xff, (len >>> 16) & 0xff, (len >>> 24) & 0xff);
        return;
      }
      case '(': {
        this.align(8);
        const parts = splitTypes(type.slice(1, -1));
        parts.forEach((t, i) => this.write(t, (v as Value[])[i]!));
        return;
      }
      default:
        throw new Error(`D-Bus type ${c} is not supported here`);
    }
  }
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public off: number,
    private readonly base: number,
  ) {}
  align(n: number): void {
    const rel = this.off - this.base;
    this.off += (n - (rel % n)) % n;
  }
  u32(): number {
    this.align(4);
    const v = this.buf.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }
  read(type: string): Value {
    const c = type[0]!;
    switch (c) {
      case 'y':
        return this.buf[this.off++]!;
      case 'b':
        return this.u32() !== 0;
      case 'u':
      case 'i':
      case 'h':
        return this.u32();
      case 's':
      case 'o': {
        const len = this.u32();
        const s = this.buf.toString('utf8', this.off, this.off + len);
        this.off += len + 1;
        return s;
      }
      case 'g': {
        const len = this.buf[this.off]!;
        const s = this.buf.toString('ascii', this.off + 1, this.off + 1 + len);
        this.off += len + 2;
        return s;
      }
      case 'v': {
        const sig = this.read('g') as string;
        return { sig, value: this.read(sig) };
      }
      case 'a': {
        const elem = type.slice(1);
        const len = this.u32();
        this.align(ALIGN[elem[0]!]!);
        const end = this.off + len;
        if (elem === 'y') {
          const b = this.buf.subarray(this.off, end);
          this.off = end;
          return Buffer.from(b);
        }
        if (elem[0] === '{') {
          const [k, val] = splitTypes(elem.slice(1, -1));
          const m = new Map<Value, Value>();
          while (this.off < end) {
            this.align(8);
            const key = this.read(k!);
            m.set(key, this.read(val!));
          }
          return m;
        }
        const out: Value[] = [];
        while (this.off < end) out.push(this.read(elem));
        return out;
      }
      case '(': {
        this.align(8);
        return splitTypes(type.slice(1, -1)).map((t) => this.read(t));
      }
      default:
        throw new Error(`D-Bus type ${c} is not supported here`);
    }
  }
}

interface Call {
  path: string;
  iface: string;
  member: string;
  dest: string;
  sig?: string;
  args?: Value[];
}

function encodeCall(serial: number, call: Call): Buffer {
  const body = new Writer();
  if (call.sig) splitTypes(call.sig).forEach((t, i) => body.write(t, call.args![i]!));
  const fields: Array<[number, string, Value]> = [
    [1, 'o', call.path],
    [2, 's', call.iface],
    [3, 's', call.member],
    [6, 's', call.dest],
  ];
  if (call.sig) fields.push([8, 'g', call.sig]);
  const head = new Writer();
  head.bytes.push(0x6c, 1, 0, 1);
  head.u32(body.bytes.length);
  head.u32(serial);
  head.write('a(yv)', fields.map(([code, sig, value]) => [code, { sig, value }]));
  head.align(8);
  return Buffer.from([...head.bytes, ...body.bytes]);
}

interface Message {
  type: number;
  replySerial?: number;
  errorName?: string;
  body: Value[];
}

function decodeMessages(buf: Buffer): { messages: Message[]; rest: Buffer } {
  const messages: Message[] = [];
  let off = 0;
  while (buf.length - off >= 16) {
    if (buf[off] !== 0x6c) throw new Error('big-endian D-Bus messages are not supported');
    const bodyLen = buf.readUInt32LE(off + 4);
    const fieldsLen = buf.readUInt32LE(off + 12);
    const bodyStart = off + 16 + fieldsLen + ((8 - ((16 + fieldsLen) % 8)) % 8);
    if (buf.length < bodyStart + bodyLen) break;
    const r = new Reader(buf, off + 12, off);
    const fields = r.read('a(yv)') as Value[][];
    const msg: Message = { type: buf[off + 1]!, body: [] };
    let sig = '';
    for (const [code, v] of fields as Array<[number, { value: Value }]>) {
      if (code === 4) msg.errorName = v.value as string;
      if (code === 5) msg.replySerial = v.value as number;
      if (code === 8) sig = v.value as string;
    }
    const b = new Reader(buf, bodyStart, bodyStart);
    if (sig) msg.body = splitTypes(sig).map((t) => b.read(t));
    messages.push(msg);
    off = bodyStart + bodyLen;
  }
  return { messages, rest: buf.subarray(off) };
}

/** One authenticated connection to the session bus, for a few calls in a row. */
class Bus {
  private buf: Buffer = Buffer.alloc(0);
  private serial = 1;
  private waiting = new Map<number, (m: Message) => void>();
  private failed: Error | undefined;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      const { messages, rest } = decodeMessages(this.buf);
      this.buf = rest;
      for (const m of messages) if (m.replySerial !== undefined) this.waiting.get(m.replySerial)?.(m);
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('the session bus closed the connection')));
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const [, w] of this.waiting) w({ type: 3, errorName: e.message, body: [] });
    this.waiting.clear();
  }

  static open(socketPath: string): Promise<Bus> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(socketPath);
      let line = '';
      const onData = (chunk: Buffer) => {
        line += chunk.toString('ascii');
        if (!line.includes('\r\n')) return;
        sock.off('data', onData);
        if (!line.startsWith('OK ')) return reject(new Error(`the session bus refused us (${line.trim().slice(0, 60)})`));
        sock.write('BEGIN\r\n');
        const bus = new Bus(sock);
        bus.call({ dest: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'Hello' }).then(() => resolve(bus), reject);
      };
      sock.on('data', onData);
      sock.once('error', reject);
      sock.on('connect', () => {
        const uid = String(process.getuid?.() ?? 0);
        sock.write(Buffer.concat([Buffer.from([0]), Buffer.from(`AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`)]));
      });
    });
  }

  /** One method call; a Secret Service that refuses a new client's first call is asked again (see retryRefusedCall). */
  call(c: Call): Promise<Value[]> {
    return retryRefusedCall(() => this.send(c));
  }

  private send(c: Call): Promise<Value[]> {
    if (this.failed) return Promise.reject(this.failed);
    const serial = ++this.serial;
    return new Promise((resolve, reject) => {
      this.waiting.set(serial, (m) => {
        this.waiting.delete(serial);
        if (m.type === 3) reject(new Error(`${c.member}: ${m.errorName ?? 'D-Bus error'}`));
        else resolve(m.body);
      });
      this.sock.write(encodeCall(serial, c));
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

const SS = { dest: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets' };

async function withBus<T>(env: NodeJS.ProcessEnv, timeoutMs: number, fallback: T, fn: (bus: Bus) => Promise<T>): Promise<T> {
  if (process.platform !== 'linux') return fallback;
  const socketPath = sessionBusSocket(env);
  if (!socketPath) return fallback;
  let bus: Bus | undefined;
  try {
    const r = await within(
      (async () => {
        bus = await Bus.open(socketPath);
        return fn(bus);
      })(),
      timeoutMs,
    );
    if (r === TIMED_OUT) throw new Error(`the Secret Service did not answer within ${timeoutMs} ms`);
    return r;
  } finally {
    bus?.close();
  }
}

/** Unlocked items with attributes {service, account} (keytar's naming) for `service`; values included. */
export function findLegacy(env: NodeJS.ProcessEnv, service: string, timeoutMs: number): Promise<LegacyItem[]> {
  return withBus(env, timeoutMs, [], async (bus) => {
    const [unlocked] = (await bus.call({ ...SS, iface: 'org.freedesktop.Secret.Service', member: 'SearchItems', sig: 'a{ss}', args: [new Map([['service', service]])] })) as [string[], string[]];
    if (!unlocked || unlocked.length === 0) return [];
    const accounts = new Map<string, string>();
    for (const item of unlocked) {
      const [v] = (await bus.call({ dest: SS.dest, path: item, iface: 'org.freedesktop.DBus.Properties', member: 'Get', sig: 'ss', args: ['org.freedesktop.Secret.Item', 'Attributes'] })) as unknown as [{ value: Map<string, string> }];
      const attrs = v.value;
      // keytar's items have an account and no username; keyring-rs's own are found by it.
      if (attrs.get('service') === service && attrs.has('account') && !attrs.has('username')) accounts.set(item, attrs.get('account')!);
    }
    if (accounts.size === 0) return [];
    const [, session] = (await bus.call({ ...SS, iface: 'org.freedesktop.Secret.Service', member: 'OpenSession', sig: 'sv', args: ['plain', { sig: 's', value: '' }] })) as [unknown, string];
    const [secrets] = (await bus.call({ ...SS, iface: 'org.freedesktop.Secret.Service', member: 'GetSecrets', sig: 'aoo', args: [[...accounts.keys()], session] })) as [Map<string, [string, Buffer, Buffer, string]>];
    const out: LegacyItem[] = [];
    for (const [item, account] of accounts) {
      const secret = secrets.get(item);
      if (secret) out.push({ account, password: secret[2].toString('utf8'), path: item });
    }
    return out;
  });
}

/** Deletes legacy items by object path; resolves to how many were deleted. */
export function deleteLegacy(env: NodeJS.ProcessEnv, items: readonly LegacyItem[], timeoutMs: number): Promise<number> {
  if (items.length === 0) return Promise.resolve(0);
  return withBus(env, timeoutMs, 0, async (bus) => {
    for (const it of items) await bus.call({ dest: SS.dest, path: it.path, iface: 'org.freedesktop.Secret.Item', member: 'Delete' });
    return items.length;
  });
}
