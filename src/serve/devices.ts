// Signed-in devices of `cs -serve`, kept across server runs in
// `<cs config dir>/serve-devices.json` (0600). A device holds two secrets:
// its cookie `<id>.<secret>` (HttpOnly: no script reads it) and its key,
// which the page keeps in its origin's localStorage and sends as a header.
// A browser sends a cookie to every port of the host (RFC 6265 cookies
// ignore the port), so another server on this machine can see the cookie;
// localStorage is per origin, port included, so the key stays with this
// page. The file holds only the SHA-256 of each, so reading it signs
// nobody in. A device lasts DEVICE_DAYS from sign-in, or until `cs -serve
// --revoke <id>`. The server reads the file on every request (it is
// small), so a revocation takes effect at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { newSecret } from '../lib/lazy-crypto.js';
import { csConfigDir } from '../session/paths.js';

export const DEVICE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface Device {
  id: string;
  /** hex SHA-256 of the cookie secret. */
  digest: string;
  /** hex SHA-256 of the device key (absent for a device signed in before keys: it signs in again). */
  key?: string;
  /** The browser's User-Agent at sign-in (shortened), to tell devices apart. */
  agent: string;
  created: string;
  expires: string;
}

export const devicesFile = (env: NodeJS.ProcessEnv) => path.join(csConfigDir(env), 'serve-devices.json');

const sha = (s: string) => createHash('sha256').update(s).digest();

/** Every device still valid at `now` (expired ones are left out). */
export function readDevices(env: NodeJS.ProcessEnv, now = new Date()): Device[] {
  let all: Device[];
  try {
    all = JSON.parse(fs.readFileSync(devicesFile(env), 'utf8')) as Device[];
  } catch {
    return [];
  }
  return Array.isArray(all) ? all.filter((d) => d && typeof d.id === 'string' && Date.parse(d.expires) > now.getTime()) : [];
}

function writeDevices(env: NodeJS.ProcessEnv, devices: Device[]): void {
  ensureDir(csConfigDir(env), 0o700);
  writeFileAtomic(devicesFile(env), JSON.stringify(devices, null, 1) + '\n', 0o600);
}

/** Records a new device; returns its cookie value `<id>.<secret>` and its key (43 base64url characters). */
export function addDevice(env: NodeJS.ProcessEnv, agent: string, now = new Date()): { device: Device; cookie: string; key: string } {
  const id = randomBytes(4).toString('hex');
  const secret = newSecret();
  const key = newSecret();
  const device: Device = {
    id,
    digest: sha(secret).toString('hex'),
    key: sha(key).toString('hex'),
    agent: agent.replace(/[^\x20-\x7e]/g, '').slice(0, 120),
    created: now.toISOString(),
    expires: new Date(now.getTime() + DEVICE_DAYS * DAY_MS).toISOString(),
  };
  writeDevices(env, [...readDevices(env, now), device]);
  return { device, cookie: `${id}.${secret}`, key };
}

/** Removes a device; false when there was none of that id. */
export function revokeDevice(env: NodeJS.ProcessEnv, id: string, now = new Date()): boolean {
  const all = readDevices(env, now);
  const left = all.filter((d) => d.id !== id);
  if (left.length === all.length) return false;
  writeDevices(env, left);
  return true;
}

/** The device a cookie value belongs to, or null; the secret is compared in constant time. */
export function deviceFor(devices: readonly Device[], cookie: string | undefined): Device | null {
  if (!cookie) return null;
  const dot = cookie.indexOf('.');
  if (dot <= 0) return null;
  const d = devices.find((x) => x.id === cookie.slice(0, dot));
  if (!d) return null;
  const want = Buffer.from(d.digest, 'hex');
  const got = sha(cookie.slice(dot + 1));
  return want.length === got.length && timingSafeEqual(want, got) ? d : null;
}

/** Whether `key` is the device's key (constant time); false for a device without one. */
export function deviceKeyMatches(device: Device, key: string | null | undefined): boolean {
  if (!device.key || !key) return false;
  const want = Buffer.from(device.key, 'hex');
  const got = sha(key);
  return want.length === got.length && timingSafeEqual(want, got);
}
