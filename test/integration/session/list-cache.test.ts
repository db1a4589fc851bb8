// The -ls cache gives exactly what reading every session gives: after each
// kind of change a session can see (in-place edits, new artifacts, status,
// lock held and gone, sync and remote settings, sessions added and removed),
// and for a change made in the same clock tick as the cache was written.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSessions } from '../../../src/session/summary.js';
import { stamp } from '../../../src/session/stamp.js';
import { stampsAhead } from '../../../src/session/stamps-ahead.js';
import { tryLock } from '../../../src/lib/lockfile.js';
import { writeStatus } from '../../../src/status/status.js';
import { changeTags, setArchived } from '../../../src/session/marks.js';
import { csBin, runCs } from '../../support/cs.js';
import { execFileSync } from 'node:child_process';

let tmp: string;
let root: string;
let cacheFile: string;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-lscache-')));
  root = path.join(tmp, 'sessions');
  cacheFile = path.join(tmp, 'cache/ls.jsonl');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function makeSession(name: string, objective: string): string {
  const dir = path.join(root, name);
  for (const d of ['.cs/artifacts', '.cs/logs', '.cs/local']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, '.cs/README.md'), `# ${name}\n\n## Objective\n${objective}\n`);
  fs.writeFileSync(path.join(dir, '.cs/discoveries.md'), '# Discoveries\n\n## 2026-11-01 a\nx\n');
  fs.writeFileSync(path.join(dir, '.cs/artifacts/MANIFEST.json'), '[]\n');
  fs.writeFileSync(path.join(dir, '.cs/logs/session.log'), '[2026-11-01 10:00:00] session start\n');
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Past the cache's racy window, so what is listed next gets cached. */
const settle = () => sleep(2100);

async function expectSame(): Promise<void> {
  const fresh = await listSessions(root);
  expect(await listSessions(root, { cacheFile })).toEqual(fresh); // may rebuild entries
  expect(await listSessions(root, { cacheFile })).toEqual(fresh); // from the cache
  // The same with the stamps taken ahead by the worker thread (dist/stamp-worker.js), as for ten thousand sessions.
  const ahead = path.join(tmp, 'cache/ls-ahead.jsonl');
  expect(await listSessions(root, { cacheFile: ahead, aheadMin: 1 })).toEqual(fresh);
  expect(await listSessions(root, { cacheFile: ahead, aheadMin: 1 })).toEqual(fresh);
}

describe('listSessions with a cache file', () => {
  it('answers as without it, after every kind of change', async () => {
    const dirs = Array.from({ length: 4 }, (_, i) => makeSession(`s${i}`, `objective ${i}`));
    await expectSame(); // all racy: nothing cached yet
    await settle();
    await expectSame();
    const [head, ...rows] = fs.readFileSync(cacheFile, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(head!)).toHaveProperty('shapes');
    expect(rows.map((r) => (JSON.parse(r) as unknown[])[0]).sort()).toEqual(['s0', 's1', 's2', 's3']);
    expect(fs.statSync(cacheFile).mode & 0o777).toBe(0o600);

    const changes: Array<() => void> = [
      () => fs.writeFileSync(path.join(dirs[0]!, '.cs/README.md'), '# s0\n\n## Objective\nobjective X\n'), // in place, same size
      () => fs.appendFileSync(path.join(dirs[1]!, '.cs/discoveries.md'), '## 2026-11-02 b\ny\n'),
      () => fs.writeFileSync(path.join(dirs[2]!, '.cs/artifacts/run.sh'), 'echo\n'),
      () => writeStatus(dirs[3]!, 'needs-you', 'Notification', new Date()),
      () => fs.appendFileSync(path.join(dirs[0]!, '.cs/logs/session.log'), '[2026-11-02 10:00:00] session start\n'),
      () => fs.writeFileSync(path.join(dirs[1]!, '.cs/sync.conf'), 'remote=/tmp/x.git\nauto=on\n'),
      () => fs.writeFileSync(path.join(dirs[1]!, '.cs/sync.conf'), 'remote=/tmp/x.git\nauto=of\n'), // hand edit, in place
      () => fs.writeFileSync(path.join(dirs[2]!, '.cs/remote.conf'), 'host=box\n'),
      () => changeTags(dirs[2]!, ['infra'], []),
      () => changeTags(dirs[2]!, ['db'], ['infra']),
      () => fs.writeFileSync(path.join(dirs[2]!, '.cs/tags'), 'zz\n'), // a hand edit, in place
      () => setArchived(dirs[1]!, true, new Date()),
      () => setArchived(dirs[1]!, false, new Date()),
      () => fs.mkdirSync(path.join(dirs[0]!, '.cs/queue')), // a folder where nothing was: its file is looked for from now on
      () => fs.writeFileSync(path.join(dirs[0]!, '.cs/queue/queue.json'), '[{"state": "pending"}]\n'),
      () => fs.writeFileSync(path.join(dirs[0]!, '.cs/queue/queue.json'), '[{"state": "pending"},{"state": "pending"}]\n'), // in place
      () => {
        fs.mkdirSync(path.join(dirs[2]!, '.cs/local/postmortem'));
        fs.writeFileSync(path.join(dirs[2]!, '.cs/local/postmortem/pm-1.txt'), 'what: Claude Code was killed\ntime: 10:00\n');
        fs.writeFileSync(path.join(dirs[2]!, '.cs/local/postmortem/pm-2.txt'), 'what: Claude Code crashed\ntime: 11:00\n');
        fs.writeFileSync(path.join(dirs[2]!, '.cs/local/postmortem/unseen'), 'pm-1.txt\n');
      },
      // Which report is unseen, edited in place (the folder does not change): found by a fresh-eyes run.
      () => fs.writeFileSync(path.join(dirs[2]!, '.cs/local/postmortem/unseen'), 'pm-2.txt\n'),
      () => fs.writeFileSync(path.join(dirs[2]!, '.cs/local/postmortem/unseen'), 'pm-1.txt\n'),
      () => fs.symlinkSync(path.join(tmp, 'shared-tags'), path.join(dirs[1]!, '.cs/tags')), // dangling: no tags yet
      () => fs.writeFileSync(path.join(tmp, 'shared-tags'), 'linked\n'), // the link's target appears; .cs/ itself does not change
      () => fs.rmSync(path.join(dirs[0]!, '.cs/README.md')),
      () => fs.rmSync(dirs[3]!, { recursive: true }),
      () => makeSession('s4', 'new one'),
    ];
    for (const change of changes) {
      change();
      await expectSame(); // right after the change (the same clock tick as the last cache write)
      await settle();
      await expectSame(); // and once the change is cached
    }
    expect((await listSessions(root, { cacheFile })).map((s) => s.name).sort()).toEqual(['s0', 's1', 's2', 's4']);
    const after = await listSessions(root, { cacheFile });
    expect(after.find((s) => s.name === 's0')).toMatchObject({ objective: '', queued: 2 });
    expect(after.find((s) => s.name === 's1')!.tags).toEqual(['linked']);
    expect(after.find((s) => s.name === 's2')!.postmortem).toMatch(/^Claude Code was killed at 10:00/);
  }, 120_000);

  it('checks a lock afresh: open while its holder lives, not once it is gone', async () => {
    const dir = makeSession('held', 'x');
    await settle();
    await expectSame();
    const lock = path.join(dir, '.cs/local/lock');
    const r = tryLock(lock);
    expect(r.ok).toBe(true);
    await settle();
    await expectSame();
    expect((await listSessions(root, { cacheFile }))[0]!.open).toBe(true);
    // A dead holder: the cached entry is unchanged, `open` is not.
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), started: new Date().toISOString() }) + '\n');
    await settle();
    await expectSame();
    const dead = JSON.stringify({ pid: 2 ** 22 + 54321, host: os.hostname(), started: new Date().toISOString() }) + '\n';
    fs.writeFileSync(lock, dead); // same size, in place: the cache keeps its entry, and open is still read afresh
    expect((await listSessions(root, { cacheFile }))[0]!.open).toBe(false);
    await expectSame();
  }, 30_000);

  it('lists the same folders for a root spelt with a trailing slash or a "./", from the cache too', async () => {
    makeSession('a', 'x');
    const fresh = await listSessions(root);
    await settle();
    expect(await listSessions(root, { cacheFile })).toEqual(fresh);
    // The rows made for `root` answer for the other spellings: the cache is not written again
    // (a row whose folder did not match would be summarized afresh and the file replaced).
    const written = fs.statSync(cacheFile).ino;
    for (const spelt of [`${root}/`, `${root}/./`]) {
      expect(await listSessions(spelt, { cacheFile }), spelt).toEqual(fresh);
      expect(fs.statSync(cacheFile).ino, spelt).toBe(written);
    }
    expect(fresh[0]!.dir).toBe(path.join(root, 'a'));
  });

  it('a missing or corrupt cache file only costs speed', async () => {
    makeSession('a', 'x');
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, '{not json');
    const older = path.join(path.dirname(cacheFile), '0123abcd.json'); // a cache of version 5 or before
    fs.writeFileSync(older, '{"v":5,"shapes":[],"rows":[]}');
    await expectSame();
    expect(fs.existsSync(older)).toBe(false);
  });

  it('a damaged row only costs its session a fresh read', async () => {
    for (const n of ['a', 'b', 'c', 'd']) makeSession(n, `objective ${n}`);
    await settle();
    await expectSame();
    const [head, ...rows] = fs.readFileSync(cacheFile, 'utf8').trimEnd().split('\n');
    const row = (name: string) => rows.find((r) => r.startsWith(`["${name}"`))!;
    const damaged = [
      head,
      row('a').slice(0, -9), // cut short: not JSON
      row('b').replace(/,"objective b"/, ''), // one value fewer than its shape has keys
      row('c').replace(/^\["c",\d+/, '["c",7').replace('objective c', 'stale c'), // another stat hash: not taken
      row('d'),
    ];
    fs.writeFileSync(cacheFile, damaged.join('\n') + '\n');
    expect((await listSessions(root, { cacheFile })).map((s) => s.objective).sort()).toEqual(['objective a', 'objective b', 'objective c', 'objective d']);
    await expectSame();
  }, 30_000);
});

describe('stamps taken ahead on a worker thread', () => {
  const job = () => {
    const dirs = Array.from({ length: 40 }, (_, i) => makeSession(`w${i}`, `objective ${i}`));
    fs.rmSync(path.join(dirs[5]!, '.cs/logs/session.log')); // no stamp: null
    fs.rmSync(path.join(dirs[6]!, '.cs/local'), { recursive: true });
    // Each with the `missing` a cached row would give it, or 0.
    const now = Date.now();
    const missing = dirs.map((d, i) => (i % 2 ? (stamp(d, now)?.missing ?? 0) : 0));
    return { dirs, missing, now };
  };

  it('gives each session the stamp stamp() gives it here, from either thread', async () => {
    const { dirs, missing, now } = job();
    const expected = dirs.map((d, i) => stamp(d, now, missing[i]));
    // Taken at once: the main thread claims most (undefined: its own to stamp), the worker those it got to from the end.
    const racing = stampsAhead(dirs, missing, now, { min: 1 });
    expect(racing, 'the built worker (npm run build) on a machine with two cores').not.toBeNull();
    try {
      for (let i = 0; i < dirs.length; i++) {
        const got = racing!.take(i);
        if (got !== undefined) expect(got, dirs[i]).toEqual(expected[i]);
      }
    } finally {
      racing!.close();
    }
    // Left to the worker until it has come down to the first: every stamp is its.
    const ahead = stampsAhead(dirs, missing, now, { min: 1 })!;
    try {
      const until = Date.now() + 15_000;
      while (!ahead.published(0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < dirs.length; i++) expect(ahead.take(i), dirs[i]).toEqual(expected[i]);
      expect(ahead.take(5)).toBeNull();
    } finally {
      ahead.close();
    }
    // Too few sessions for a worker to pay.
    expect(stampsAhead(dirs, missing, now)).toBeNull();
  }, 30_000);

  it('a worker that fails or never answers leaves the stamps to the caller', async () => {
    const { dirs, missing, now } = job();
    const failing = path.join(tmp, 'failing-worker.mjs');
    fs.writeFileSync(failing, "import { workerData } from 'node:worker_threads';\nconst s = new Int32Array(workerData.shared, 0, 2);\nAtomics.store(s, 1, 1);\nAtomics.notify(s, 0);\n");
    const silent = path.join(tmp, 'silent-worker.mjs');
    fs.writeFileSync(silent, '');
    for (const workerFile of [failing, silent]) {
      const ahead = stampsAhead(dirs, missing, now, { min: 1, workerFile })!;
      try {
        // Time enough for a working worker to publish the last (the first test waits for it):
        // this one published nothing, and each stamp is left to the caller at once.
        await sleep(500);
        expect(ahead.published(dirs.length - 1)).toBe(false);
        const t0 = Date.now();
        for (let i = 0; i < dirs.length; i++) expect(ahead.take(i), `${workerFile} ${i}`).toBeUndefined();
        expect(Date.now() - t0).toBeLessThan(2000);
      } finally {
        ahead.close();
      }
    }
  }, 20_000);
});

describe('cs -ls with and without its cache', () => {
  it('names an adopted session whose project is gone on stderr, with the fix, and lists the rest', async () => {
    makeSession('kept', 'still here');
    fs.symlinkSync(path.join(tmp, 'moved-away'), path.join(root, 'gone'));
    for (const cache of ['with', 'without']) {
      const env = { HOME: tmp, CS_SESSIONS_ROOT: root, XDG_CACHE_HOME: path.join(tmp, cache), NO_COLOR: '1' };
      for (const args of [[], ['--json']]) {
        const r = await runCs(['-ls', ...args], { env });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain('cs: gone: its adopted project is gone (moved or deleted); remove the entry with: cs -rm gone');
        if (args.length) expect(JSON.parse(r.stdout).map((x: { name: string }) => x.name)).toEqual(['kept']);
      }
    }
  });


  it("--scrub shows each objective with its own session's stored values as [secret: KEY], and only there", async () => {
    const value = 'sk-live-4f9a8b7c6d5e';
    makeSession('holds', `rotate ${value} before friday`);
    makeSession('other', `mentions ${value} too`);
    makeSession('plain', 'nothing secret');
    const env = { HOME: tmp, CS_SESSIONS_ROOT: root, NO_COLOR: '1', CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'test-password' };
    const set = await runCs(['holds', '-secrets', 'set', 'DEPLOY_KEY'], { env, input: value });
    expect(set.code, set.stderr).toBe(0);
    const objectives = async (args: string[]) => {
      const r = await runCs(['-ls', '--json', ...args], { env });
      expect(r.code, r.stderr).toBe(0);
      return Object.fromEntries((JSON.parse(r.stdout) as Array<{ name: string; objective: string }>).map((s) => [s.name, s.objective]));
    };
    expect(await objectives(['--scrub'])).toEqual({ holds: 'rotate [secret: DEPLOY_KEY] before friday', other: `mentions ${value} too`, plain: 'nothing secret' });
    // Without the flag the list stays as it was (no keychain look-up per session).
    expect((await objectives([])).holds).toBe(`rotate ${value} before friday`);
    const table = await runCs(['-ls', '--scrub'], { env: { ...env, COLUMNS: '200' } });
    expect(table.stdout).toContain('rotate [secret: DEPLOY_KEY] before friday');
    expect(table.stdout).not.toContain(`rotate ${value}`);
  });

  it('prints the same bytes for a few hundred sessions of every kind', async () => {
    const day = 86_400_000;
    for (let i = 0; i < 300; i++) {
      const dir = makeSession(`gen-${String(i).padStart(3, '0')}`, i % 7 === 0 ? '' : `objective ${i} ${'x'.repeat(i % 50)}`);
      if (i % 3 === 0) fs.appendFileSync(path.join(dir, '.cs/discoveries.md'), '## 2026-11-03 c\nz\n');
      if (i % 4 === 0) fs.writeFileSync(path.join(dir, '.cs/artifacts/a.sh'), 'echo\n');
      if (i % 5 === 0) fs.writeFileSync(path.join(dir, '.cs/sync.conf'), `remote=/tmp/r${i}.git\nauto=${i % 10 === 0 ? 'on' : 'off'}\n`);
      if (i % 11 === 0) fs.writeFileSync(path.join(dir, '.cs/remote.conf'), 'host=box\n');
      if (i % 6 === 0) changeTags(dir, [`t${i % 4}`], []);
      if (i % 13 === 0) writeStatus(dir, i % 2 ? 'needs-you' : 'idle', 'Notification', new Date(Date.now() - i * 1000));
      if (i % 17 === 0) setArchived(dir, true, new Date());
      // Last used days ago, so "LAST USED" reads the same in every run.
      const used = new Date(Date.now() - (1 + (i % 40)) * day - i * 60_000);
      fs.utimesSync(path.join(dir, '.cs/logs/session.log'), used, used);
    }
    const ls = async (cache: string, args: string[]) => {
      const r = await runCs(['-ls', ...args], { env: { HOME: tmp, CS_SESSIONS_ROOT: root, XDG_CACHE_HOME: path.join(tmp, cache), NO_COLOR: '1', COLUMNS: '150' } });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    await settle();
    for (const args of [[], ['--json'], ['--all']]) {
      const cold = await ls('kept', args); // reads every session, records them
      const cached = await ls('kept', args); // from the cache
      const fresh = await ls(`none-${args.join('')}`, args); // no cache at all
      expect(cached).toBe(fresh);
      expect(cold).toBe(fresh);
      expect(fresh.split('\n').length).toBeGreaterThan(250);
    }
    expect(fs.readdirSync(path.join(tmp, 'kept/cs/ls'))).toHaveLength(1);

    // Through a pipe whose reader is slow to start, past the pipe's 64 KiB:
    // the output arrives whole (cs used to exit with the rest still queued).
    const whole = await ls('kept', ['--json']);
    expect(whole.length).toBeGreaterThan(65_536);
    const env = { ...process.env, HOME: tmp, CS_SESSIONS_ROOT: root, XDG_CACHE_HOME: path.join(tmp, 'kept'), NO_COLOR: '1', COLUMNS: '150' };
    const piped = execFileSync('sh', ['-c', '"$0" "$1" -ls --json | { sleep 0.5; cat; }', process.execPath, csBin], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(piped).toBe(whole);
  }, 120_000);
});
