// Pure parts of -serve: allowed Host values, the sign-in rate limit, device
// cookies and their expiry, and the conversation read from a transcript.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedHosts, Auth, RateLimit } from '../../../src/serve/auth.js';
import { linksFile, redeemStored, storeLink, codeDigest } from '../../../src/serve/links.js';
import { addDevice, deviceFor, deviceKeyMatches, readDevices } from '../../../src/serve/devices.js';
import { parseTranscript, toolSummary } from '../../../src/serve/conversation.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-serve-unit-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('allowedHosts', () => {
  it('a loopback bind answers to the loopback names at its port only', () => {
    expect([...allowedHosts('127.0.0.1', 7420)].sort()).toEqual(['127.0.0.1:7420', '[::1]:7420', 'localhost:7420']);
  });
  it('a specific address answers to that address and the names given', () => {
    expect([...allowedHosts('100.64.1.2', 443, ['box.tail.ts.net'])].sort()).toEqual(['100.64.1.2:443', 'box.tail.ts.net:443']);
  });
});

describe('RateLimit', () => {
  it('allows max failures a window per key', () => {
    const r = new RateLimit(2, 1000);
    expect(r.allowed('a', 0)).toBe(true);
    r.fail('a', 0);
    r.fail('a', 10);
    expect(r.allowed('a', 20)).toBe(false);
    expect(r.allowed('b', 20)).toBe(true);
    expect(r.allowed('a', 1001)).toBe(true);
  });

  it('says how long until the next try: when the oldest failure in the window leaves it', () => {
    const r = new RateLimit(2, 60_000);
    r.fail('a', 0);
    r.fail('a', 30_000);
    expect(r.retryAfterS('a', 30_000)).toBe(30);
    expect(r.retryAfterS('a', 59_500)).toBe(1);
    expect(r.retryAfterS('a', 60_000)).toBe(30);
    expect(r.retryAfterS('nobody', 0)).toBe(1);
  });

  it('drops addresses whose failures have left the window, so many addresses do not grow it without bound', () => {
    const r = new RateLimit(2, 1000);
    for (let i = 0; i < 1000; i++) r.fail(`10.0.${i >> 8}.${i & 255}`, i * 10);
    // At t = 9990 only failures since 8991 count: about a hundred addresses, not a thousand.
    expect(r.size).toBeLessThanOrEqual(257 + 100);
    expect(r.size).toBeGreaterThanOrEqual(100);
    r.fail('late', 20_000);
    expect(r.size).toBeLessThanOrEqual(257 + 1);
    // An address still inside its window keeps its count.
    r.fail('late', 20_001);
    expect(r.allowed('late', 20_002)).toBe(false);
    expect(r.allowed('late', 21_001)).toBe(true);
  });
});

describe('sign-in links', () => {
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg-links') };
  it("the server's own codes work once, until they expire", () => {
    const auth = new Auth('a-test-token-of-enough-length', 7420, env, false);
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const a = auth.issueCode(t0);
    const b = auth.issueCode(t0);
    expect(auth.redeem(a, t0 + 15 * 60_000 - 1)).toBe(true);
    expect(auth.redeem(a, t0 + 1)).toBe(false);
    expect(auth.redeem(b, t0 + 15 * 60_000)).toBe(false);
    expect(auth.redeem('never-issued', t0)).toBe(false);
  });
  it('a stored code (cs -serve --link) works once, until it expires; the file holds digests only', () => {
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const a = storeLink(env, t0);
    const b = storeLink(env, t0);
    const text = fs.readFileSync(linksFile(env), 'utf8');
    expect(text).not.toContain(a);
    expect(text).toContain(codeDigest(a));
    expect(fs.statSync(linksFile(env)).mode & 0o777).toBe(0o600);
    expect(redeemStored(env, codeDigest(a), t0 + 60_000)).toBe(true);
    expect(redeemStored(env, codeDigest(a), t0 + 60_000)).toBe(false);
    expect(redeemStored(env, codeDigest(b), t0 + 15 * 60_000)).toBe(false);
    // Through the server's Auth too, and expired ones are dropped from the file.
    const c = storeLink(env, t0 + 20 * 60_000);
    expect(new Auth('a-test-token-of-enough-length', 7420, env, false).redeem(c, t0 + 21 * 60_000)).toBe(true);
    expect(JSON.parse(fs.readFileSync(linksFile(env), 'utf8'))).toEqual([]);
  });
});

describe('devices', () => {
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg') };
  it('a cookie finds its device; a changed secret or id does not; expired devices are gone', () => {
    const now = new Date('2026-11-01T00:00:00Z');
    const { device, cookie, key } = addDevice(env, 'Mozilla/5.0 (iPhone)', now);
    const devices = readDevices(env, now);
    expect(deviceFor(devices, cookie)?.id).toBe(device.id);
    expect(deviceFor(devices, cookie.slice(0, -1) + (cookie.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(deviceFor(devices, 'ffffffff' + cookie.slice(8))).toBeNull();
    expect(deviceFor(devices, undefined)).toBeNull();
    // The key: its own secret, not derived from the cookie, kept as a hash only.
    expect(deviceKeyMatches(device, key)).toBe(true);
    expect(deviceKeyMatches(device, key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(deviceKeyMatches(device, cookie.slice(9))).toBe(false);
    expect(deviceKeyMatches(device, null)).toBe(false);
    expect(deviceKeyMatches({ ...device, key: undefined }, key)).toBe(false);
    expect(JSON.stringify(readDevices(env, now))).not.toContain(key);
    expect(readDevices(env, new Date('2026-11-30T23:00:00Z')).map((d) => d.id)).toContain(device.id);
    expect(readDevices(env, new Date('2026-12-01T00:00:01Z'))).toEqual([]);
  });
});

describe('parseTranscript', () => {
  it('numbers prompts, text, tool calls (one line) and results (errors marked)', () => {
    const lines = [
      { type: 'user', message: { content: 'hello' }, timestamp: 't1' },
      { type: 'user', isMeta: true, message: { content: 'caveat' } },
      { type: 'user', message: { content: '<command-name>/clear</command-name>' } },
      { type: 'assistant', message: { content: [{ type: 'text', text: 'Hi.' }, { type: 'tool_use', id: 'u1', name: 'Bash', input: { command: 'ls\n-la', description: 'list' } }] } },
      { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'u1', content: 'denied', is_error: true }] } },
      { type: 'summary', summary: 'x' },
    ];
    const items = parseTranscript(lines.map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n');
    expect(items).toEqual([
      { n: 1, kind: 'prompt', text: 'hello', ts: 't1' },
      { n: 2, kind: 'text', text: 'Hi.', ts: undefined },
      { n: 3, kind: 'tool', tool: 'Bash', text: 'Bash ls -la', ts: undefined },
      { n: 4, kind: 'result', tool: 'Bash', text: 'denied', error: true, ts: undefined },
    ]);
    expect(toolSummary('Read', { file_path: '/a/b.ts' })).toBe('Read /a/b.ts');
  });
});
