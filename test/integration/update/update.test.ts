// cs -update end to end against a loopback release feed, with releases
// signed by the real minisign and a fake installed layout.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run, type UpdateOptions } from '../../../src/commands/update.js';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { commandContext } from '../../../src/commands/context.js';
import { UsageError, UserError } from '../../../src/lib/errors.js';
import { applyUpdate } from '../../../src/update/apply.js';
import { readCheckCache } from '../../../src/update/check.js';
import { checkUrl } from '../../../src/update/fetch.js';
import { startReleaseServer, type ReleaseServer } from '../../support/release-server.js';
import { testIO } from '../../support/io.js';
import { buildRelease, finishRelease, installFake, makeKeys, tempDir, type Keys } from '../../support/update-fixtures.js';

let keysDir: string;
let keys: Keys;
let otherKeys: Keys;
let tmp: string;
let releases: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let server: ReleaseServer;

beforeAll(() => {
  keysDir = tempDir('cs-update-keys-');
  keys = makeKeys(keysDir, 'release');
  otherKeys = makeKeys(keysDir, 'other');
});
afterAll(() => fs.rmSync(keysDir, { recursive: true, force: true }));

beforeEach(async () => {
  tmp = tempDir('cs-update-');
  releases = path.join(tmp, 'releases');
  dataDir = path.join(tmp, 'data');
  fs.mkdirSync(releases);
  server = await startReleaseServer(releases);
  installFake(dataDir, '0.1.0', keys.pubText, { keyring: true });
  env = {
    HOME: path.join(tmp, 'home'),
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    CS_DATA_DIR: dataDir,
    CS_UPDATE_URL: server.url('release.json'),
  };
});

afterEach(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function cs(args: string[], install?: UpdateOptions['install']) {
  const io = testIO();
  const opts = { ...((await parseCommand('-update', args, {}, env)).opts as UpdateOptions), ...(install ? { install } : {}) };
  const code = await run(opts, commandContext({ io, env, cwd: tmp, now: () => new Date('2026-01-02T03:04:05Z') }));
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

async function refused(args: string[] = []): Promise<UserError> {
  const e = await cs(args).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  const msg = (e as UserError).message;
  expect(msg).not.toContain('\n');
  return e as UserError;
}

const current = () => fs.readlinkSync(path.join(dataDir, 'current'));
const versions = () => fs.readdirSync(path.join(dataDir, 'versions')).sort();

/** The installed version is exactly as before and nothing was left behind. */
function expectUntouched(): void {
  expect(current()).toBe(path.join('versions', '0.1.0'));
  expect(versions()).toEqual(['0.1.0']);
  expect(fs.readdirSync(dataDir).sort()).toEqual(['current', 'versions']);
}

describe('cs -update: a good release', () => {
  it.each([
    ['prehashed signature', {}],
    ['legacy signature', { legacy: true }],
  ])('installs it with a %s and keeps the previous version', async (_name, extra) => {
    buildRelease(releases, { version: '0.2.0', keys, ...extra });
    const r = await cs([]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('cs 0.2.0 installed (cs 0.1.0 kept; cs -update --rollback to go back)\n');
    expect(r.err).toMatch(/downloading cs 0\.2\.0 from 127\.0\.0\.1/);
    expect(r.err).toMatch(/verified SHA-256 and signature/);
    expect(current()).toBe(path.join('versions', '0.2.0'));
    expect(fs.readlinkSync(path.join(dataDir, 'previous'))).toBe(path.join('versions', '0.1.0'));
    expect(versions()).toEqual(['0.1.0', '0.2.0']);
    const active = path.join(dataDir, 'current');
    expect(JSON.parse(fs.readFileSync(path.join(active, 'package.json'), 'utf8')).version).toBe('0.2.0');
    expect(fs.readFileSync(path.join(active, 'minisign.pub'), 'utf8')).toBe(keys.pubText);
    expect(fs.existsSync(path.join(active, 'node_modules', '@napi-rs', 'keyring', 'package.json'))).toBe(true);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['current', 'previous', 'versions']);
    expect(readCheckCache(env)).toMatchObject({ latest: '0.2.0', url: env.CS_UPDATE_URL });
  });

  it('prints JSON with --json, then reports up to date without downloading again', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    const r = await cs(['--json']);
    expect(JSON.parse(r.out)).toEqual({ updated: true, installed: '0.2.0', previous: '0.1.0', latest: '0.2.0' });
    server.requests.length = 0;
    const again = await cs([]);
    expect(again.out).toBe('cs 0.2.0 is up to date (latest release: 0.2.0)\n');
    expect(server.requests).toEqual(['/release.json']);
  });

  it('keeps only the current and previous versions', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    await cs([]);
    buildRelease(releases, { version: '0.3.0', keys });
    await cs([]);
    expect(versions()).toEqual(['0.2.0', '0.3.0']);
    expect(fs.readlinkSync(path.join(dataDir, 'previous'))).toBe(path.join('versions', '0.2.0'));
  });
});

describe('cs -update --check', () => {
  it('reports a newer version without installing it', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    const r = await cs(['--check']);
    expect(r.out).toBe('cs 0.2.0 is available (you have 0.1.0); run: cs -update\n(self-managed install: cs -update checks SHA-256 and the minisign signature, and keeps the previous version for --rollback)\n');
    expect(server.requests).toEqual(['/release.json']);
    expectUntouched();
    expect(readCheckCache(env)).toEqual({ url: env.CS_UPDATE_URL, latest: '0.2.0', checkedAt: '2026-01-02T03:04:05.000Z' });
  });

  it('reports up to date, as JSON too', async () => {
    buildRelease(releases, { version: '0.1.0', keys });
    expect((await cs(['--check'])).out).toMatch(/^cs 0\.1\.0 is up to date \(latest release: 0\.1\.0\)\n\(self-managed install: /);
    expect(JSON.parse((await cs(['--check', '--json'])).out)).toEqual({ installed: '0.1.0', latest: '0.1.0', updateAvailable: false, path: 'self-managed' });
  });

  it('offline: names the install path it took and what to do, for both paths', async () => {
    await server.close(); // nothing listens on the feed's port now: ECONNREFUSED, as with no network
    const self = await refused(['--check']);
    expect(self.message).toMatch(/^release metadata: could not download http:\/\/127\.0\.0\.1:\d+\/release\.json \(ECONNREFUSED\)$/);
    expect(self.hint).toBe('cs was installed from a signed release (self-managed): check your connection and try again (CS_UPDATE_URL names another release feed); nothing was changed');
    expect((await refused([])).hint).toBe(self.hint);
    const npmInstall: UpdateOptions['install'] = { path: 'npm', dir: path.join(dataDir, 'versions', '0.1.0') };
    for (const args of [['--check'], []]) {
      const e = await cs(args, npmInstall).then(
        () => undefined,
        (err: unknown) => err as UserError,
      );
      expect(e?.message).toMatch(/^release metadata: could not download .* \(ECONNREFUSED\)$/);
      expect(e?.hint).toBe('cs was installed with npm: check your connection and try again, or update through npm alone (without the signature check): npm install -g claude-sessions@latest');
    }
    expectUntouched();
  });

  it('says how to install when cs is not installed', async () => {
    fs.rmSync(path.join(dataDir, 'current'));
    const e = await refused(['--check']);
    expect(e.message).toMatch(/^cs is not installed under /);
  });
});

describe('cs -update --rollback', () => {
  it('switches back to the previous version and forward again', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    await cs([]);
    const back = await cs(['--rollback']);
    expect(back.out).toBe('switched back to cs 0.1.0 (cs 0.2.0 kept; cs -update --rollback switches again)\n');
    expect(current()).toBe(path.join('versions', '0.1.0'));
    const forward = await cs(['--rollback', '--json']);
    expect(JSON.parse(forward.out)).toEqual({ installed: '0.2.0', previous: '0.1.0' });
    expect(current()).toBe(path.join('versions', '0.2.0'));
  });

  it('updating again after a rollback reinstalls the verified copy', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    await cs([]);
    await cs(['--rollback']);
    const r = await cs([]);
    expect(r.out).toMatch(/^cs 0\.2\.0 installed/);
    expect(current()).toBe(path.join('versions', '0.2.0'));
    expect(versions()).toEqual(['0.1.0', '0.2.0']);
  });

  it('refuses when there is nothing to roll back to', async () => {
    const e = await refused(['--rollback']);
    expect(e.message).toBe('no previous version to roll back to (cs 0.1.0 is installed)');
  });
});

describe('cs -update refuses a bad release and keeps the installed version', () => {
  it('wrong hash in the checksums file', async () => {
    const rel = buildRelease(releases, { version: '0.2.0', keys });
    fs.writeFileSync(rel.sums, `${'ab'.repeat(32)}  ${rel.name}\n`);
    const e = await refused();
    expect(e.message).toMatch(/^update to cs 0\.2\.0 refused: SHA-256 of claude-sessions-0\.2\.0\.tgz does not match the checksums file/);
    expect(e.hint).toBe('cs 0.1.0 is still installed');
    expectUntouched();
  });

  it('no checksum line for the tarball', async () => {
    const rel = buildRelease(releases, { version: '0.2.0', keys });
    fs.writeFileSync(rel.sums, `${'ab'.repeat(32)}  something-else.tgz\n`);
    expect((await refused()).message).toMatch(/the checksums file has no line for claude-sessions-0\.2\.0\.tgz/);
    expectUntouched();
  });

  it('bad signature (tarball replaced after signing, checksums updated to match)', async () => {
    const rel = buildRelease(releases, { version: '0.2.0', keys });
    const sig = fs.readFileSync(rel.minisig);
    buildRelease(releases, { version: '0.2.0', keys: otherKeys, trustedComment: 'x' });
    fs.writeFileSync(rel.minisig, sig);
    finishRelease(releases, '0.2.0', rel.name);
    const e = await refused();
    expect(e.message).toMatch(/refused: signature check failed: the signature does not match the file/);
    expectUntouched();
  });

  it('modified trusted comment', async () => {
    const rel = buildRelease(releases, { version: '0.2.0', keys, trustedComment: 'cs 0.2.0 stable' });
    fs.writeFileSync(rel.minisig, fs.readFileSync(rel.minisig, 'utf8').replace('cs 0.2.0 stable', 'cs 0.2.0 STABLE'));
    const e = await refused();
    expect(e.message).toMatch(/refused: signature check failed: the trusted comment of the signature was modified/);
    expectUntouched();
  });

  it('signature by another key', async () => {
    buildRelease(releases, { version: '0.2.0', keys: otherKeys, shippedKey: otherKeys.pubText });
    const e = await refused();
    expect(e.message).toMatch(/refused: signature check failed: signed with key [0-9A-F]{16}, but the trusted key is [0-9A-F]{16}/);
    expectUntouched();
  });

  it('the key comes from the installed version, never from the download', async () => {
    // A release signed by another key that ships that key must still fail.
    buildRelease(releases, { version: '0.2.0', keys: otherKeys, shippedKey: otherKeys.pubText, legacy: true });
    // The reason names the installed key as the trusted one, and the download's key as the signer.
    const e = await refused();
    expect(e.message).toContain(`refused: signature check failed: signed with key ${keyIdOf(otherKeys.pubText)}, but the trusted key is ${keyIdOf(keys.pubText)}`);
    expect(keyIdOf(otherKeys.pubText)).not.toBe(keyIdOf(keys.pubText));
    expectUntouched();
  });

  it('a valid signature for a different file', async () => {
    buildRelease(releases, { version: '0.2.0', keys, signAs: 'claude-sessions-0.0.9.tgz' });
    expect((await refused()).message).toMatch(/the signature is for 'claude-sessions-0\.0\.9\.tgz', not claude-sessions-0\.2\.0\.tgz/);
    expectUntouched();
  });

  it('truncated download', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    server.faults.truncate = '.tgz';
    const e = await refused();
    expect(e.message).toMatch(/^update to cs 0\.2\.0 refused: download of claude-sessions-0\.2\.0\.tgz: the download was cut short \(\d+ of \d+ bytes\)/);
    expectUntouched();
  });

  it('server error for the tarball', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    Object.assign(server.faults, { status: 500, statusFor: '.tgz' });
    const e = await refused();
    expect(e.message).toMatch(/download of claude-sessions-0\.2\.0\.tgz: the server answered 500 Internal Server Error/);
    expectUntouched();
  });

  it('server error for the metadata', async () => {
    Object.assign(server.faults, { status: 503 });
    const e = await refused();
    expect(e.message).toMatch(/^release metadata: the server answered 503 Service Unavailable for http:\/\/127\.0\.0\.1:\d+\/release\.json$/);
    expectUntouched();
  });

  it('missing signature file', async () => {
    const rel = buildRelease(releases, { version: '0.2.0', keys });
    fs.rmSync(rel.minisig);
    expect((await refused()).message).toMatch(/download of the signature: the server answered 404/);
    expectUntouched();
  });

  it('a download that stalls past the deadline', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    server.faults.hang = '.tgz';
    const e = await applyUpdate({
      env,
      url: env.CS_UPDATE_URL!,
      log: () => {},
      limits: { tarball: { timeoutMs: 300, maxBytes: 1e6 } },
    }).catch((err: unknown) => err as UserError);
    expect((e as UserError).message).toMatch(/no complete answer from 127\.0\.0\.1:\d+ within 0\.3 s/);
    expectUntouched();
  });

  it('a tarball over the size limit', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    const e = await applyUpdate({ env, url: env.CS_UPDATE_URL!, log: () => {}, limits: { tarball: { timeoutMs: 5000, maxBytes: 100 } } }).catch(
      (err: unknown) => err as UserError,
    );
    expect((e as UserError).message).toMatch(/download of claude-sessions-0\.2\.0\.tgz is .* MB, over the .* MB limit/);
    expectUntouched();
  });

  it('a tarball with a ../ entry', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    buildRelease(releases, { version: '0.2.0', keys, evil: 'dotdot' });
    const e = await refused();
    expect(e.message).toBe("update to cs 0.2.0 refused: the release tarball has an entry outside its directory 'package/../evil'; refusing to install it");
    expectUntouched();
    expect(fs.existsSync(path.join(dataDir, 'versions', 'evil'))).toBe(false);
  });

  it('a tarball with a symlink', async () => {
    buildRelease(releases, { version: '0.2.0', keys, evil: 'symlink' });
    expect((await refused()).message).toMatch(/has a link or special file 'package\/passwd'/);
    expectUntouched();
  });

  it('a package whose version differs from the metadata', async () => {
    buildRelease(releases, { version: '0.2.0', keys, packageVersion: '0.0.1' });
    expect((await refused()).message).toMatch(/the release tarball holds version 0\.0\.1, but the metadata advertises 0\.2\.0/);
    expectUntouched();
  });

  it('a package without a release key', async () => {
    buildRelease(releases, { version: '0.2.0', keys, shippedKey: null });
    expect((await refused()).message).toMatch(/the release has no minisign\.pub, so later updates could not be verified/);
    expectUntouched();
  });

  it('metadata that is not JSON or lacks fields', async () => {
    fs.writeFileSync(path.join(releases, 'release.json'), '<html>');
    expect((await refused()).message).toMatch(/^the release metadata at .* is not JSON$/);
    fs.writeFileSync(path.join(releases, 'release.json'), '{"version":"0.2.0","tarball":"x.tgz"}');
    expect((await refused()).message).toMatch(/has no 'sha256sums'/);
    expectUntouched();
  });

  it('another update holding the lock', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    const lock = (pid: number) => JSON.stringify({ pid, host: os.hostname(), started: '2026-11-23T10:00:00.000Z' });
    fs.writeFileSync(path.join(dataDir, 'update.lock'), lock(process.pid));
    expect((await refused()).message).toBe(`another cs -update is running (pid ${process.pid} on ${os.hostname()} since 2026-11-23T10:00:00.000Z)`);
    fs.writeFileSync(path.join(dataDir, 'update.lock'), lock(999999999)); // dead: taken over
    expect((await cs([])).out).toMatch(/^cs 0\.2\.0 installed/);
  });
});

describe('cs -update with an unusable installed key', () => {
  it('refuses before downloading when the installed key is the repository placeholder', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    const placeholder = fs.readFileSync(new URL('../../../minisign.pub', import.meta.url), 'utf8');
    fs.writeFileSync(path.join(dataDir, 'versions', '0.1.0', 'minisign.pub'), placeholder);
    const e = await refused();
    expect(e.message).toMatch(/^the installed cs 0\.1\.0 has no usable release key \(.*minisign\.pub: the public key file should hold one base64 key line\)$/);
    expect(e.hint).toMatch(/not made from a signed release/);
    expect(server.requests).toEqual([]);
    expectUntouched();
  });

  it('refuses when current is a directory rather than a link', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    fs.rmSync(path.join(dataDir, 'current'));
    fs.cpSync(path.join(dataDir, 'versions', '0.1.0'), path.join(dataDir, 'current'), { recursive: true });
    expect((await refused()).message).toMatch(/current is not a link, so it cannot be switched safely$/);
    expect(fs.lstatSync(path.join(dataDir, 'current')).isDirectory()).toBe(true);
  });

  it('refuses when the installed version has no key file', async () => {
    fs.rmSync(path.join(dataDir, 'versions', '0.1.0', 'minisign.pub'));
    expect((await refused()).message).toMatch(/^the installed cs 0\.1\.0 has no release key/);
    expectUntouched();
  });
});

describe('parse', () => {
  it.each([
    [[], 'update', false],
    [['--check'], 'check', false],
    [['--check', '--json'], 'check', true],
    [['--rollback'], 'rollback', false],
    [['--json'], 'update', true],
  ] as const)('%j', async (args, action, json) => {
    expect((await parseCommand('-update', [...args], {}, { CS_UPDATE_URL: 'https://example.test/r.json' })).opts).toEqual<UpdateOptions>({
      action,
      json,
      url: 'https://example.test/r.json',
      install: { path: 'self-managed' }, // the tests run from a checkout, not from node_modules
    });
  });

  it('defaults to the project feed', async () => {
    expect(((await parseCommand('-update', [])).opts as UpdateOptions).url).toMatch(/^https:\/\//);
  });

  it.each([
    [['--check', '--rollback'], /cannot be combined/],
    [['--force'], /unknown option '--force'/],
    [['now'], /unexpected argument 'now'/],
  ])('%j is a usage error', async (args, msg) => {
    await expect(parseCommand('-update', args)).rejects.toThrow(UsageError);
    await expect(parseCommand('-update', args)).rejects.toThrow(msg);
  });

  it('refuses a session name', async () => {
    await expect(parseCommand('-update', [], { session: 's' })).rejects.toThrow(/does not take a session name/);
  });
});

describe('checkUrl', () => {
  it.each(['https://example.com/r.json', 'http://127.0.0.1:8080/r.json', 'http://localhost/r.json'])('accepts %s', (u) => {
    expect(() => checkUrl(new URL(u), 'x')).not.toThrow();
  });
  it.each(['http://example.com/r.json', 'file:///etc/passwd', 'ftp://example.com/x'])('refuses %s', (u) => {
    expect(() => checkUrl(new URL(u), 'x')).toThrow(/refusing/);
  });
});

describe('cs -update for an npm install', () => {
  // The package npm put in node_modules, shipping the release key as the tarball does.
  const npmInstall = (): UpdateOptions['install'] => ({ path: 'npm', dir: path.join(dataDir, 'versions', '0.1.0') });

  it('--check names the npm path and the command', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    const r = await cs(['--check', '--json'], npmInstall());
    expect(JSON.parse(r.out)).toEqual({ installed: '0.1.0', latest: '0.2.0', updateAvailable: true, path: 'npm', command: 'npm install -g claude-sessions@0.2.0' });
    expect((await cs(['--check'], npmInstall())).out).toContain('npm install: it runs npm install -g claude-sessions@0.2.0');
  });

  it('without a terminal, checks the signature, then prints the npm command and replaces nothing itself', async () => {
    buildRelease(releases, { version: '0.2.0', keys });
    const r = await cs([], npmInstall());
    expect(r.code).toBe(0);
    expect(r.out).toBe('npm install -g claude-sessions@0.2.0\n');
    expect(r.err).toMatch(/verified SHA-256 and signature/);
    expect(server.requests).toContain('/claude-sessions-0.2.0.tgz.minisig');
    expectUntouched();
  });

  it('a release signed by another key is refused: no command offered', async () => {
    buildRelease(releases, { version: '0.2.0', keys: otherKeys });
    const e = await cs([], npmInstall()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).message).toMatch(/signature/);
  });

  it('--rollback says npm keeps no previous version', async () => {
    await expect(cs(['--rollback'], npmInstall())).rejects.toThrow(/installed with npm/);
  });
});

/** The key id minisign prints for a public key file: bytes 2..10 of its base64 line, little-endian, in hex (minisign's file format). */
function keyIdOf(pubText: string): string {
  const line = pubText.split('\n').find((l) => l && !l.startsWith('untrusted comment:'))!;
  return Buffer.from(line, 'base64').subarray(2, 10).reverse().toString('hex').toUpperCase();
}
