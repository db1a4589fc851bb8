// Many processes against one lock whose holder died (issue #14 item 2):
// the takeover must leave exactly one owner every round, and keys added
// under the lock (the -secrets set pattern) must never be lost. Racers are
// real processes (liveness is per pid) started once and driven round by
// round; the racer is bundled with esbuild so each starts as plain Node.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/cs.js';

const RACERS = 10;
const ROUNDS = 25;
const STORE_ROUNDS = 10;

let dir: string;
let racers: ChildProcess[] = [];

/** A pid that is certainly not running: a child we started and reaped. */
let deadPid = 0;

function staleLock(lock: string, round: number): void {
  fs.writeFileSync(lock, JSON.stringify({ pid: deadPid, host: os.hostname(), started: new Date(round * 1000).toISOString() }) + '\n');
}

function ask(child: ChildProcess, msg: object): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    child.send(msg);
  });
}

beforeAll(async () => {
  deadPid = spawnSync('true').pid!;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-lockrace-'));
  const bundle = path.join(dir, 'racer.mjs');
  buildSync({ entryPoints: [path.join(repoRoot, 'test/support/lock-racer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
  racers = Array.from({ length: RACERS }, () => fork(bundle, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(racers.map((r) => new Promise((resolve) => r.once('message', resolve))));
}, 60_000);

afterAll(() => {
  for (const r of racers) r.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('stale-lock takeover under a race', () => {
  it(`${RACERS} processes against a dead holder, ${ROUNDS} rounds: exactly one owner each round`, { timeout: 60_000 }, async () => {
    const lock = path.join(dir, 'session.lock');
    const winners: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      staleLock(lock, round);
      const at = Date.now() + 30;
      const replies = await Promise.all(racers.map((r) => ask(r, { kind: 'take', lock, at })));
      winners.push(replies.filter((m) => m.ok === true).length);
      // Every racer is asked to release: only the owner's release may remove the lock.
      const released = await Promise.all(racers.map((r) => ask(r, { kind: 'release' })));
      expect(released.filter((m) => m.released === true).length).toBe(1);
      expect(fs.existsSync(lock)).toBe(false);
    }
    console.log(`lock race: ${ROUNDS} rounds x ${RACERS} racers, winners per round: ${JSON.stringify(winners)}`);
    expect(winners).toEqual(Array(ROUNDS).fill(1));
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('session.lock'))).toEqual([]);
  });

  it(`${RACERS} processes adding keys under a lock left by a dead holder: no key lost`, { timeout: 60_000 }, async () => {
    const lock = path.join(dir, 'store.lock');
    const file = path.join(dir, 'store.json');
    const lost: number[] = [];
    for (let round = 0; round < STORE_ROUNDS; round++) {
      fs.writeFileSync(file, '[]');
      staleLock(lock, round);
      const at = Date.now() + 30;
      const replies = await Promise.all(racers.map((r, i) => ask(r, { kind: 'add', lock, at, file, key: `KEY_${i}` })));
      expect(replies.filter((m) => m.ok !== true)).toEqual([]);
      const keys = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
      lost.push(RACERS - new Set(keys).size);
    }
    console.log(`store race: ${STORE_ROUNDS} rounds x ${RACERS} writers, keys lost per round: ${JSON.stringify(lost)}`);
    expect(lost).toEqual(Array(STORE_ROUNDS).fill(0));
  });
});
