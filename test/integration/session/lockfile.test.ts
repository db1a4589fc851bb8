import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseLock, tryLock, withLock, withLockSync } from '../../../src/lib/lockfile.js';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-lock-'));
  lock = path.join(dir, 'sub', 'x.lock');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const held = (pid: number) => JSON.stringify({ pid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z' });

describe('lockfile', () => {
  it('one holder at a time; only the holder releases', () => {
    const a = tryLock(lock);
    expect(a.ok).toBe(true);
    const b = tryLock(lock, { pid: 1 }); // pid 1 is alive: a live contender
    expect(b.ok).toBe(false);
    if (!a.ok) return;
    expect(releaseLock(lock, { ...a.handle.info, started: 'other' })).toBe(false);
    expect(a.handle.release()).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a dead holder, and a live one only with force', () => {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, held(999_999_999));
    const r = tryLock(lock);
    expect(r.ok && r.handle.tookOver?.pid).toBe(999_999_999);
    fs.writeFileSync(lock, held(1));
    expect(tryLock(lock).ok).toBe(false);
    const forced = tryLock(lock, { force: true });
    expect(forced.ok && forced.handle.tookOver?.pid).toBe(1);
  });

  it('leaves unreadable contents alone unless told they are stale', () => {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, 'garbage');
    const r = tryLock(lock);
    expect(!r.ok && r.current.kind).toBe('garbage');
    expect(tryLock(lock, { garbageIsStale: true }).ok).toBe(true);
  });

  it('waiting gives up with the holder named', async () => {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, held(1));
    expect(() => withLockSync(lock, () => 1, 50)).toThrow(/held by pid 1 on /);
    await expect(withLock(lock, () => 1, 50)).rejects.toThrow(/held by pid 1 on /);
    fs.rmSync(lock);
    expect(withLockSync(lock, () => 42)).toBe(42);
    expect(await withLock(lock, async () => 43)).toBe(43);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('pidAlive', () => {
  it('a zombie (exited, not yet reaped by its parent) holds nothing; a running process does', async () => {
    const { spawn } = await import('node:child_process');
    const { pidAlive } = await import('../../../src/lib/lockfile.js');
    // sh starts a child in the background, prints its pid, then becomes `sleep 30`, which never reaps
    // it. The child waits until sh has become sleep (its /proc comm says so; $$ is sh's pid in the
    // subshell too) and then ends, so nobody waits for it: a zombie until sleep ends. (A child that
    // simply slept 0.3 s could end before a slow sh reached exec, and sh might reap it.)
    const parent = spawn('sh', ['-c', '(until read -r c < /proc/$$/comm && [ "$c" = sleep ]; do sleep 0.01; done) & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const stat = (pid: number) => {
      try {
        return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        return '';
      }
    };
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
      const deadline = Date.now() + 15_000;
      while (!/\) Z /.test(stat(zombie)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(stat(zombie)).toMatch(/\) Z /); // it is there, as a zombie
      expect(pidAlive(zombie)).toBe(false);
      expect(pidAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
