import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError, UsageError } from '../../../src/lib/errors.js';
import { selectBackend } from '../../../src/secrets/backend.js';
import { EncryptedFileBackend } from '../../../src/secrets/encrypted.js';
import { storeSecrets } from '../../../src/secrets/store.js';
import { secretsProcess, tempHome, type Home } from '../../support/secrets.js';

let h: Home;
beforeEach(() => {
  h = tempHome({ CS_SECRETS_BACKEND: 'encrypted' });
  h.session('demo');
});
afterEach(() => h.cleanup());

const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** A session bus address (its socket need not exist): the keyring module is then asked. */
const SOME_BUS = 'unix:path=/nonexistent/cs-test-bus';

describe('encrypted-file backend', () => {
  it('stores, lists, reads and deletes; files are private and hold no plain text', async () => {
    const b = new EncryptedFileBackend(h.env);
    await b.set('demo', 'API_KEY', 'plain-value-123');
    await b.set('demo', 'OTHER', 'second ✓ value');
    expect(await b.get('demo', 'API_KEY')).toBe('plain-value-123');
    expect(await b.list('demo')).toEqual(['API_KEY', 'OTHER']);
    const dir = path.join(h.home, '.cs-secrets');
    const file = path.join(dir, 'demo.enc');
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(path.join(dir, 'machine.key'))).toBe(0o600);
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw).not.toContain('plain-value-123');
    expect(raw).not.toContain('API_KEY');
    expect(await b.delete('demo', 'API_KEY')).toBe(true);
    expect(await b.delete('demo', 'API_KEY')).toBe(false);
    expect(await b.get('demo', 'API_KEY')).toBeUndefined();
    expect(await b.purge('demo')).toBe(1);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('a password protects the file; a wrong password is a clear error and changes nothing', async () => {
    const b = new EncryptedFileBackend({ ...h.env, CS_SECRETS_PASSWORD: 'correct horse' });
    await b.set('demo', 'TOKEN', 'abc');
    const file = path.join(h.home, '.cs-secrets', 'demo.enc');
    const before = fs.readFileSync(file);
    const wrong = new EncryptedFileBackend({ ...h.env, CS_SECRETS_PASSWORD: 'battery staple' });
    await expect(wrong.get('demo', 'TOKEN')).rejects.toThrow(/wrong CS_SECRETS_PASSWORD/);
    await expect(wrong.set('demo', 'NEW', 'x')).rejects.toBeInstanceOf(UserError);
    await expect(wrong.purge('demo')).rejects.toBeInstanceOf(UserError);
    const none = new EncryptedFileBackend(h.env);
    await expect(none.get('demo', 'TOKEN')).rejects.toThrow(/protected by a password/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(await b.get('demo', 'TOKEN')).toBe('abc');
  });

  it.each([
    ['garbage', 'not json at all'],
    ['truncated', null],
    ['flipped ciphertext', 'flip'],
    ['other session', 'rename'],
  ])('a damaged file (%s) is a clear error and is left as it is', async (_name, how) => {
    const b = new EncryptedFileBackend(h.env);
    await b.set('demo', 'KEEP', 'me');
    const file = path.join(h.home, '.cs-secrets', 'demo.enc');
    const good = fs.readFileSync(file, 'utf8');
    let bad: string;
    if (how === null) bad = good.slice(0, good.length / 2);
    else if (how === 'flip') {
      const env = JSON.parse(good);
      const data = Buffer.from(env.data, 'base64');
      data[0] = data[0]! ^ 1;
      bad = JSON.stringify({ ...env, data: data.toString('base64') });
    } else if (how === 'rename') {
      await b.set('other', 'X', 'y');
      bad = fs.readFileSync(path.join(h.home, '.cs-secrets', 'other.enc'), 'utf8');
    } else bad = how;
    fs.writeFileSync(file, bad);
    await expect(b.get('demo', 'KEEP')).rejects.toBeInstanceOf(UserError);
    await expect(b.set('demo', 'NEW', 'v')).rejects.toThrow(/damaged|cannot decrypt/);
    expect(fs.readFileSync(file, 'utf8')).toBe(bad);
  });

  it('a missing machine key is named, and the file stays', async () => {
    const b = new EncryptedFileBackend(h.env);
    await b.set('demo', 'KEEP', 'me');
    fs.rmSync(path.join(h.home, '.cs-secrets', 'machine.key'));
    await expect(b.get('demo', 'KEEP')).rejects.toThrow(/machine key .*missing/);
    expect(fs.existsSync(path.join(h.home, '.cs-secrets', 'demo.enc'))).toBe(true);
  });

  it('setting CS_SECRETS_PASSWORD later re-encrypts with it on the next change', async () => {
    await new EncryptedFileBackend(h.env).set('demo', 'A', '1');
    const withPw = new EncryptedFileBackend({ ...h.env, CS_SECRETS_PASSWORD: 'pw' });
    await withPw.set('demo', 'B', '2');
    expect(await withPw.getAll('demo')).toEqual({ A: '1', B: '2' });
    await expect(new EncryptedFileBackend(h.env).get('demo', 'A')).rejects.toThrow(/protected by a password/);
  });

  it('invalid key names are refused before anything is written', async () => {
    const b = new EncryptedFileBackend(h.env);
    await b.set('demo', 'KEEP', 'me');
    for (const bad of ['', '1ABC', 'A-B', 'A B', '../x', 'ключ']) {
      await expect(b.set('demo', bad, 'v')).rejects.toBeInstanceOf(UsageError);
    }
    await expect(storeSecrets('demo', [{ key: 'OK', value: '1' }, { key: 'no-no', value: '2' }], h.env)).rejects.toBeInstanceOf(UsageError);
    expect(await b.getAll('demo')).toEqual({ KEEP: 'me' });
  });

  it('storeSecrets stores what redact found through the selected backend', async () => {
    const used = await storeSecrets('demo', [{ key: 'GITHUB_TOKEN', value: 'ghp_x' }, { key: 'PASSWORD', value: 'p' }], h.env);
    expect(used.name).toBe('encrypted');
    expect(await used.getAll('demo')).toEqual({ GITHUB_TOKEN: 'ghp_x', PASSWORD: 'p' });
  });

  it('redact then storeSecrets: the captured file holds markers, the backend the values', async () => {
    const { redact } = await import('../../../src/secrets/detect.js');
    const gh = 'ghp_' + 'Q'.repeat(36);
    const found = redact('deploy.env', `API_KEY=k-123\nNOTE=use ${gh}\n`);
    const used = await storeSecrets('demo', found.secrets, h.env);
    expect(found.content).not.toContain('k-123');
    expect(found.content).not.toContain(gh);
    expect(await used.getAll('demo')).toEqual({ API_KEY: 'k-123', NOTE: `use ${gh}` });
  });

  it('concurrent writers from separate processes do not lose each other\'s secrets', async () => {
    const keys = ['K1', 'K2', 'K3', 'K4', 'K5'];
    const results = await Promise.all(keys.map((k) => secretsProcess('demo', ['set', k], h.env, `value-${k}`)));
    for (const r of results) expect(r.stderr).toMatch(/stored/);
    expect(await new EncryptedFileBackend(h.env).getAll('demo')).toEqual(Object.fromEntries(keys.map((k) => [k, `value-${k}`])));
  }, 60_000);
});

describe('backend selection', () => {
  it.each([['kechain'], ['file'], ['KEYCHAIN '], ['credential']])('CS_SECRETS_BACKEND=%s is a clear error', async (v) => {
    await expect(selectBackend('demo', { ...h.env, CS_SECRETS_BACKEND: v })).rejects.toThrow(/unknown secrets backend/);
  });

  it('falls back to the encrypted file with one notice when the keyring module cannot load', async () => {
    const notices: string[] = [];
    // A session bus address: without one the bus is the cause (the module is not even loaded; keychain.test.ts).
    const env = { ...h.env, CS_SECRETS_BACKEND: undefined, CS_TEST_KEYRING_MISSING: '1', DBUS_SESSION_BUS_ADDRESS: SOME_BUS };
    const sel = await selectBackend('demo', env, { notice: (l) => notices.push(l) });
    expect(sel.backend.name).toBe('encrypted');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^cs: OS keychain unavailable \(@napi-rs\/keyring is not installed for \S+\); using the encrypted file ~\/\.cs-secrets\/demo\.enc$/);
  });

  it('an explicit keychain choice without a keychain is an error, not a silent fallback', async () => {
    await expect(selectBackend('demo', { ...h.env, CS_SECRETS_BACKEND: 'keychain', CS_TEST_KEYRING_MISSING: '1', DBUS_SESSION_BUS_ADDRESS: SOME_BUS })).rejects.toThrow(/keychain is not available: @napi-rs\/keyring is not installed/);
  });

  it('an existing encrypted store keeps being used', async () => {
    await new EncryptedFileBackend(h.env).set('demo', 'A', '1');
    const notices: string[] = [];
    const sel = await selectBackend('demo', { ...h.env, CS_SECRETS_BACKEND: undefined }, { notice: (l) => notices.push(l) });
    expect(sel.backend.name).toBe('encrypted');
    expect(sel.reason).toMatch(/already has an encrypted store/);
    expect(notices).toEqual([]);
  });

  it('as a process: keyring module missing -> encrypted, one notice line, the command works', async () => {
    const env = { ...h.env, CS_SECRETS_BACKEND: undefined, CS_TEST_KEYRING_MISSING: '1' };
    const set = await secretsProcess('demo', ['set', 'TOKEN'], env, 'from-stdin\n');
    expect(set.code).toBe(0);
    expect(set.stderr.split('\n').filter((l) => l.includes('keychain unavailable'))).toHaveLength(1);
    const get = await secretsProcess('demo', ['get', 'TOKEN'], env);
    expect(get.stdout).toBe('from-stdin\n');
  }, 30_000);
});
