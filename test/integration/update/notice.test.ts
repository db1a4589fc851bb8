// The daily update notice: reads a cache, never waits on the network,
// refreshes in a detached child at most once a day.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCacheFile, maybeNotifyUpdate, readCheckCache, writeCheckCache } from '../../../src/update/check.js';
import { testIO } from '../../support/io.js';
import { installFake, makeKeys, tempDir } from '../../support/update-fixtures.js';

const URL_ = 'http://127.0.0.1:9/release.json';
const NOW = new Date('2026-03-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString();

let tmp: string;
let env: NodeJS.ProcessEnv;
let installedDir: string;

beforeEach(() => {
  tmp = tempDir('cs-notice-');
  const keys = makeKeys(tmp, 'k');
  installedDir = installFake(path.join(tmp, 'data'), '0.1.0', keys.pubText);
  env = { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'config'), CS_DATA_DIR: path.join(tmp, 'data'), CS_UPDATE_URL: URL_ };
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function notify(extraEnv: NodeJS.ProcessEnv = {}) {
  const io = testIO();
  const spawned: string[] = [];
  maybeNotifyUpdate({ io, env: { ...env, ...extraEnv }, now: () => NOW }, { spawnCheck: (script) => spawned.push(script) });
  return { err: io.stderrText(), out: io.stdoutText(), spawned };
}

describe('maybeNotifyUpdate', () => {
  it('prints one line when a newer version is known, and does not refresh a fresh cache', () => {
    writeCheckCache(env, { url: URL_, latest: '0.2.0', checkedAt: hoursAgo(2) });
    expect(notify()).toEqual({ err: 'cs 0.2.0 is available (you have 0.1.0); run: cs -update\n', out: '', spawned: [] });
  });

  it('is quiet when the known version is not newer', () => {
    writeCheckCache(env, { url: URL_, latest: '0.1.0', checkedAt: hoursAgo(2) });
    expect(notify().err).toBe('');
  });

  it('starts one background refresh when the cache is a day old, and records the attempt', () => {
    writeCheckCache(env, { url: URL_, latest: '0.2.0', checkedAt: hoursAgo(25) });
    const first = notify();
    expect(first.spawned).toEqual([path.join(installedDir, 'dist', 'cs.js')]);
    expect(first.err).toMatch(/0\.2\.0 is available/);
    expect(readCheckCache(env)).toMatchObject({ latest: '0.2.0', attemptedAt: NOW.toISOString() });
    expect(notify().spawned).toEqual([]); // attempted just now: not again today
  });

  it('refreshes when there is no cache, or the cache is for another feed', () => {
    expect(notify().spawned).toHaveLength(1);
    writeCheckCache(env, { url: 'https://elsewhere.test/r.json', latest: '9.0.0', checkedAt: hoursAgo(1) });
    const r = notify();
    expect(r.err).toBe('');
    expect(r.spawned).toHaveLength(1);
  });

  it.each([
    ['CS_NO_UPDATE_CHECK=1', { CS_NO_UPDATE_CHECK: '1' }],
    ['CI set', { CI: 'true' }],
  ])('does nothing with %s', (_name, extra) => {
    writeCheckCache(env, { url: URL_, latest: '0.2.0', checkedAt: hoursAgo(48) });
    expect(notify(extra)).toEqual({ err: '', out: '', spawned: [] });
  });

  it('does nothing when cs is not installed (running from a checkout)', () => {
    fs.rmSync(path.join(tmp, 'data', 'current'));
    expect(notify()).toEqual({ err: '', out: '', spawned: [] });
    expect(fs.existsSync(checkCacheFile(env))).toBe(false);
  });

  it('treats a corrupt cache as missing', () => {
    fs.mkdirSync(path.dirname(checkCacheFile(env)), { recursive: true });
    fs.writeFileSync(checkCacheFile(env), '{not json');
    const r = notify();
    expect(r.err).toBe('');
    expect(r.spawned).toHaveLength(1);
  });

  it('runs the installed cs -update --check in a detached child without waiting for it', async () => {
    const marker = path.join(tmp, 'marker.json');
    fs.writeFileSync(
      path.join(installedDir, 'dist', 'cs.js'),
      // The check takes 2 s: returning before it wrote its marker is returning without waiting (no stopwatch).
      // Written whole, then renamed: the test polls for the name and would otherwise read a file still empty (seen once in CI-like load).
      `setTimeout(() => { const fs = require('fs'); fs.writeFileSync(${JSON.stringify(marker + '.tmp')}, JSON.stringify({ argv: process.argv.slice(2), flag: process.env.CS_NO_UPDATE_CHECK })); fs.renameSync(${JSON.stringify(marker + '.tmp')}, ${JSON.stringify(marker)}); }, 2000);\n`,
    );
    fs.writeFileSync(path.join(installedDir, 'package.json'), JSON.stringify({ version: '0.1.0' })); // CommonJS for the fake script
    maybeNotifyUpdate({ io: testIO(), env, now: () => NOW });
    expect(fs.existsSync(marker)).toBe(false);
    for (let i = 0; i < 300 && !fs.existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(fs.readFileSync(marker, 'utf8'))).toEqual({ argv: ['-update', '--check'], flag: '1' });
  });
});
