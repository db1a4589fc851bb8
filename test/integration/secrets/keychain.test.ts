// The keychain backend (@napi-rs/keyring) against a real Secret Service (gnome-keyring). Run the
// suite inside:
//   dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run test/secrets'
// Without a reachable Secret Service these tests skip, unless
// CS_REQUIRE_KEYRING=1 (CI), where they fail instead.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/secrets/backend.js';
import { EncryptedFileBackend } from '../../../src/secrets/encrypted.js';
import { KeychainBackend, loadKeyring, probeKeychain, type KeyringApi } from '../../../src/secrets/keychain.js';
import { migrateBackend } from '../../../src/secrets/store.js';
import { secrets, secretsProcess, tempHome, type Home } from '../../support/secrets.js';
import { install } from '../../../src/install/install.js';
import { repoRoot, runCs } from '../../support/cs.js';

// A generous probe: on a busy machine the keychain's first answer can take more than the default
// 1.5 s, and a probe that gives up sends cs to the encrypted file, which is not what is tested here.
const PROBE = { CS_KEYCHAIN_PROBE_MS: '10000' };
const probe = await probeKeychain({ ...process.env, ...PROBE });
const required = process.env.CS_REQUIRE_KEYRING === '1';
const reachable = probe.ok;

describe('Secret Service availability', () => {
  it.runIf(required)('CS_REQUIRE_KEYRING=1: a Secret Service must answer', () => {
    expect(probe.ok ? 'reachable' : `not reachable: ${probe.reason}`).toBe('reachable');
  });
  // Without one (keychain tests below skip; CS_REQUIRE_KEYRING=1 fails instead), what a user gets
  // must still be right: the encrypted file, and a notice that gives the probe's reason.
  it.runIf(!reachable && !required)('no Secret Service here: cs falls back to the encrypted file and says why', async () => {
    const h = tempHome({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS });
    try {
      const notices: string[] = [];
      const { CS_SECRETS_BACKEND: _forced, ...env } = h.env;
      const sel = await selectBackend('demo', env, { notice: (l) => notices.push(l) });
      expect(sel.backend.name).toBe('encrypted');
      expect(probe.ok ? '' : probe.reason).not.toBe('');
      expect(notices).toEqual([expect.stringContaining(`OS keychain unavailable (${probe.ok ? '' : probe.reason})`)]);
    } finally {
      h.cleanup();
    }
  });
});

// Unique per run so a real desktop keyring is never touched beyond our own items.
const S = `cs-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const S2 = `${S}-b`;

describe.runIf(reachable)('keychain backend (real Secret Service)', () => {
  let h: Home;
  let env: NodeJS.ProcessEnv;
  let api: KeyringApi;
  beforeEach(async () => {
    h = tempHome({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, ...PROBE });
    h.session(S);
    h.session(S2);
    env = h.env;
    api = (await loadKeyring(env)) as KeyringApi;
  });
  afterEach(async () => {
    const b = new KeychainBackend(api, env);
    await b.purge(S);
    await b.purge(S2);
    h.cleanup();
  });
  afterAll(async () => {
    // Nothing of ours may remain in the keyring.
    const left = [...(await api.findCredentials(`cs:${S}`)), ...(await api.findCredentials(`cs:${S2}`))];
    expect(left).toEqual([]);
  });

  it('set, get, list, delete, purge; items are cs:<session>:<KEY>', async () => {
    const b = new KeychainBackend(api, env);
    await b.set(S, 'API_KEY', 'value one');
    await b.set(S, 'OTHER', 'two\nlines');
    await b.set(S2, 'ELSEWHERE', 'x');
    expect(await b.get(S, 'API_KEY')).toBe('value one');
    expect(await b.get(S, 'OTHER')).toBe('two\nlines');
    expect(await api.getPassword(`cs:${S}:API_KEY`, 'API_KEY')).toBe('value one');
    expect(await b.list(S)).toEqual(['API_KEY', 'OTHER']);
    expect(await b.list(S2)).toEqual(['ELSEWHERE']);
    expect(await b.getAll(S)).toEqual({ API_KEY: 'value one', OTHER: 'two\nlines' });
    await b.set(S, 'API_KEY', 'replaced');
    expect(await b.get(S, 'API_KEY')).toBe('replaced');
    expect(await b.delete(S, 'API_KEY')).toBe(true);
    expect(await b.delete(S, 'API_KEY')).toBe(false);
    expect(await b.get(S, 'API_KEY')).toBeUndefined();
    expect(await b.purge(S)).toBe(1);
    expect(await b.list(S)).toEqual([]);
    expect(await b.list(S2)).toEqual(['ELSEWHERE']);
  });

  it('is chosen when nothing else decides, and the command works through it', async () => {
    const sel = await selectBackend(S, env);
    expect(sel.backend.name).toBe('keychain');
    expect((await secrets(S, ['set', 'TOKEN'], env, 'kc-value\n')).code).toBe(0);
    expect((await secrets(S, ['get', 'TOKEN'], env)).stdout).toBe('kc-value\n');
    expect(JSON.parse((await secrets(S, ['list', '--json'], env)).stdout)).toEqual({ session: S, backend: 'keychain', keys: ['TOKEN'], files: { TOKEN: [] } });
    expect((await secrets(S, ['backend'], env)).stdout).toBe('keychain\n');
    expect(fs.existsSync(path.join(h.home, '.cs-secrets', `${S}.enc`))).toBe(false);
  });

  it('cs -uninstall --purge deletes the keychain secrets of every session, one whose workspace is gone too', async () => {
    const ienv = { ...env, CS_DATA_DIR: path.join(h.home, '.local/share/cs'), CS_BIN_DIR: path.join(h.home, '.local/bin'), XDG_CONFIG_HOME: path.join(h.home, '.config'), CS_NO_UPDATE_CHECK: '1' };
    install(repoRoot, ienv);
    expect((await secretsProcess(S, ['set', 'PURGED'], ienv, 'gone-after-purge')).code).toBe(0);
    await new KeychainBackend(api, ienv).set(S2, 'ORPHAN', 'gone-as-well');
    fs.rmSync(path.join(h.root, S2), { recursive: true });
    const r = await runCs(['-uninstall', '--purge', '--yes'], { env: ienv });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('sessions and secrets deleted (2 secrets removed from the OS keychain)');
    expect(await api.findCredentials(`cs:${S}:PURGED`)).toEqual([]);
    expect(await api.findCredentials(`cs:${S2}:ORPHAN`)).toEqual([]);
    expect(await api.findCredentials(`cs:${S}`)).toEqual([]);
  }, 60_000);

  it('as a process, without CS_SECRETS_BACKEND', async () => {
    const set = await secretsProcess(S, ['set', 'PROC'], env, 'through-dbus');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).not.toMatch(/unavailable/);
    expect((await secretsProcess(S, ['get', 'PROC'], env)).stdout).toBe('through-dbus\n');
  }, 30_000);

  it('migrate-backend moves everything to the encrypted file and back, without loss', async () => {
    const kc = new KeychainBackend(api, env);
    await kc.setMany(S, { A: '1', B: 'two words', C: "it's" });
    let r = await secrets(S, ['migrate-backend', 'encrypted'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/moved 3 secrets .* from keychain to encrypted/);
    expect(await kc.list(S)).toEqual([]);
    expect(await new EncryptedFileBackend(env).getAll(S)).toEqual({ A: '1', B: 'two words', C: "it's" });
    // The session now stays on the encrypted file though the keychain answers.
    expect((await secrets(S, ['backend'], env)).stdout).toBe('encrypted\n');
    expect((await secrets(S, ['get', 'B'], env)).stdout).toBe('two words\n');

    r = await secrets(S, ['migrate-backend', 'keychain'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await kc.getAll(S)).toEqual({ A: '1', B: 'two words', C: "it's" });
    expect(fs.existsSync(path.join(h.home, '.cs-secrets', `${S}.enc`))).toBe(false);
    expect((await secrets(S, ['backend'], env)).stdout).toBe('keychain\n');
  });

  it('migration stops before changing anything when the target holds a different value', async () => {
    const kc = new KeychainBackend(api, env);
    const file = new EncryptedFileBackend(env);
    await kc.setMany(S, { A: 'keychain', B: 'same' });
    await file.setMany(S, { A: 'file', B: 'same' });
    await expect(migrateBackend(S, kc, 'encrypted', env)).rejects.toThrow(/different values for A; nothing was moved/);
    expect(await kc.getAll(S)).toEqual({ A: 'keychain', B: 'same' });
    expect(await file.getAll(S)).toEqual({ A: 'file', B: 'same' });
  });

  // Earlier versions stored items through keytar: libsecret attributes
  // {service, account}. secret-tool (libsecret-tools) writes exactly that.
  const secretTool = spawnSync('secret-tool', ['--version']).error === undefined;
  it.runIf(secretTool || required)('an item written with the old naming through the real Secret Service is read, listed, replaced and deleted', async () => {
    // secret-tool meets the same gnome-keyring race as cs (a new client's first call refused:
    // "Method OpenSession is not implemented ..."; see retryRefusedCall): asked once more, as cs does.
    const secretTool = (args: string[], input = '') => {
      const run = () => spawnSync('secret-tool', args, { input, encoding: 'utf8', env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS } });
      const r = run();
      if (r.status === 0 || !/is not implemented on interface/.test(r.stderr)) return r;
      spawnSync('sleep', ['0.2']);
      return run();
    };
    const store = (service: string, account: string, value: string) => {
      const r = secretTool(['store', `--label=${service}/${account}`, 'service', service, 'account', account], value);
      expect(r.status, r.stderr).toBe(0);
    };
    // secret-tool search prints each item's attributes on stderr.
    const oldItems = (service: string) => {
      const r = secretTool(['search', '--all', 'service', service]);
      expect(r.status, r.stderr).toBe(0);
      return r.stderr.split('\n').filter((l) => l.startsWith('attribute.account'));
    };
    // What keytar wrote for `set OLD_KEY`: the value, and the session's index item.
    store(`cs:${S}:OLD_KEY`, 'OLD_KEY', 'stored by keytar');
    store(`cs:${S}`, 'OLD_KEY', `cs:${S}:OLD_KEY`);
    expect(oldItems(`cs:${S}:OLD_KEY`)).toHaveLength(1);
    const kc = new KeychainBackend(api, env);
    expect(await kc.get(S, 'OLD_KEY')).toBe('stored by keytar');
    expect(await kc.list(S)).toEqual(['OLD_KEY']);
    expect((await secretsProcess(S, ['get', 'OLD_KEY'], env)).stdout).toBe('stored by keytar\n');
    // Setting it again stores it the new way and leaves no stale twin.
    await kc.set(S, 'OLD_KEY', 'new value');
    expect(oldItems(`cs:${S}:OLD_KEY`)).toEqual([]);
    expect(await kc.get(S, 'OLD_KEY')).toBe('new value');
    expect(await kc.list(S)).toEqual(['OLD_KEY']);
    // Delete reaches old items too.
    store(`cs:${S}:GONE`, 'GONE', 'old');
    store(`cs:${S}`, 'GONE', `cs:${S}:GONE`);
    expect(await kc.delete(S, 'GONE')).toBe(true);
    expect(await kc.get(S, 'GONE')).toBeUndefined();
    expect(oldItems(`cs:${S}`)).toEqual([]);
  }, 30_000);
});

describe('a D-Bus that does not answer does not hang cs', () => {
  let h: Home;
  let server: net.Server | undefined;
  const held: net.Socket[] = [];
  beforeEach(() => {
    h = tempHome();
    h.session('demo');
  });
  afterEach(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    h.cleanup();
  });

  it('a bus that accepts and never replies: fallback within the probe timeout', async () => {
    const sock = path.join(h.dir, 'silent-bus');
    server = net.createServer((c) => void held.push(c)); // accept, read nothing, say nothing
    await new Promise<void>((resolve) => server!.listen(sock, resolve));
    const env = { ...h.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${sock}`, CS_KEYCHAIN_PROBE_MS: '700' };
    const t0 = Date.now();
    const r = await secretsProcess('demo', ['backend'], env);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('encrypted\n');
    expect(r.stderr).toMatch(/^cs: OS keychain unavailable \(no answer within 700 ms\); using the encrypted file ~\/\.cs-secrets\/demo\.enc$/m);
  }, 20_000);

  it('no bus at all: fallback at once', async () => {
    const env = { ...h.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(h.dir, 'no-such-bus')}` };
    const r = await secretsProcess('demo', ['set', 'A'], env, 'v');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => /keychain unavailable/.test(l))).toHaveLength(1);
    expect((await secretsProcess('demo', ['get', 'A'], env)).stdout).toBe('v\n');
  }, 20_000);

  it.runIf(process.platform === 'linux' && !fs.existsSync(`/run/user/${process.getuid!()}/bus`))(
    'no session bus address and no bus socket (a headless login): the keychain is not asked, its module not even loaded',
    async () => {
      const env = { ...h.env, DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: path.join(h.dir, 'runtime'), CS_TEST_KEYRING_MISSING: '1' };
      fs.mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true });
      // The module would answer 'missing' (CS_TEST_KEYRING_MISSING): the bus was looked at first.
      expect(await probeKeychain(env)).toEqual({ ok: false, fault: 'no-service', reason: expect.stringContaining('no D-Bus session bus') });
      const r = await secretsProcess('demo', ['set', 'A'], env, 'v');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^cs: OS keychain unavailable \(no D-Bus session bus .*\); using the encrypted file ~\/\.cs-secrets\/demo\.enc$/m);
      // With a bus socket where zbus looks, the module is asked again.
      fs.writeFileSync(path.join(env.XDG_RUNTIME_DIR, 'bus'), '');
      expect(await probeKeychain(env)).toMatchObject({ ok: false, fault: 'missing' });
    },
    20_000,
  );
});
