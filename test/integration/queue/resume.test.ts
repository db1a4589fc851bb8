// The queue beyond Stops (src/queue/resume.ts): arming, re-arming at the
// 5-hour limit's reset by the host's timer (a real detached `sh` running the
// built dist/host.js), and the notifications on drain and park sent to a
// loopback ntfy stand-in.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { arm, park, takeNext } from '../../../src/queue/drain.js';
import { addTask, changeQueue, readJournal, readQueue } from '../../../src/queue/queue.js';
import { afterQueueStop, resumeAtReset, resumeOnStart, scheduleResume, START_GRACE_MS } from '../../../src/queue/resume.js';
import { digestLine } from '../../../src/queue/digest.js';
import { writeNotifyConfig } from '../../../src/notify/notify.js';
import { until } from '../../support/host.js';
import { startNtfy, type Ntfy } from '../../support/ntfy.js';

let tmp: string;
let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-queue-resume-')));
  dir = path.join(tmp, 'walk');
  fs.mkdirSync(path.join(dir, '.cs'), { recursive: true });
  // No cs tmux server here: the session is not hosted.
  env = { PATH: process.env.PATH, HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), XDG_RUNTIME_DIR: path.join(tmp, 'run') };
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));

const t0 = new Date(Date.UTC(2026, 0, 1, 12, 0));
const plus = (d: Date, s: number) => new Date(d.getTime() + s * 1000);

/** Two tasks, the first running, parked on the 5-hour limit that resets at `reset`. */
function parkedOnLimit(reset: Date, now = t0) {
  changeQueue(dir, (q, journal) => {
    for (const t of ['one', 'two']) addTask(q, t, now);
    arm(q, journal);
    takeNext(q, journal, now);
    park(q, 'five-hour', 'parked at 90 % of the 5-hour limit', now, journal, reset);
  }, now);
}

describe('arm and takeNext', () => {
  it('puts a parked task first again, forgets the park; nothing to arm is false', () => {
    parkedOnLimit(plus(t0, 60));
    expect(readQueue(dir).tasks.map((t) => t.state)).toEqual(['parked', 'pending']);
    const armed = changeQueue(dir, (q, journal) => arm(q, journal), t0);
    expect(armed).toBe(true);
    const q = readQueue(dir);
    expect([q.armed, q.parked, q.tasks.map((t) => `${t.id}${t.state}`)]).toEqual([true, undefined, ['1pending', '2pending']]);
    const text = changeQueue(dir, (q, journal) => takeNext(q, journal, t0), t0);
    expect(text).toBe('cs queue — task 1 (1 more queued after this one):\n\none');
    // A task runs: nothing more to take.
    expect(changeQueue(dir, (q, journal) => takeNext(q, journal, t0), t0)).toBeUndefined();
    changeQueue(dir, (q) => (q.tasks = []), t0);
    expect(changeQueue(dir, (q, journal) => arm(q, journal), t0)).toBe(false);
  });
});

describe('resume at the reset', () => {
  it('does nothing before the reset, re-arms at it (journal: resume), and not twice', async () => {
    parkedOnLimit(plus(t0, 60));
    expect(await resumeAtReset(env, 'walk', dir, () => plus(t0, 30))).toEqual({ resumed: false, why: 'early', at: plus(t0, 60) });
    expect(readQueue(dir).armed).toBe(false);
    expect(await resumeAtReset(env, 'walk', dir, () => plus(t0, 61))).toEqual({ resumed: true, handed: null });
    const q = readQueue(dir);
    expect([q.armed, q.parked, q.tasks.map((t) => t.state)]).toEqual([true, undefined, ['pending', 'pending']]);
    expect(readJournal(dir).map((e) => e.type)).toEqual(['start', 'task', 'park', 'resume']);
    expect(await resumeAtReset(env, 'walk', dir, () => plus(t0, 62))).toEqual({ resumed: false, why: 'not-parked' });
  });

  it('leaves other parks alone: only the 5-hour limit resets by itself', async () => {
    changeQueue(dir, (q, journal) => {
      addTask(q, 'one', t0);
      park(q, 'failures', 'parked: 5 tool failures', t0, journal);
    }, t0);
    expect(await resumeAtReset(env, 'walk', dir, () => plus(t0, 3600))).toEqual({ resumed: false, why: 'not-parked' });
    expect(resumeOnStart(env, 'walk', dir, t0)).toBeNull();
  });

  it("the host's timer (a detached sh, then dist/host.js resume) re-arms the queue when the reset comes; -queue and the digest say when", { timeout: 45_000 }, async () => {
    const now = new Date();
    const reset = plus(now, 2);
    parkedOnLimit(reset, now);
    scheduleResume(env, 'walk', dir, reset, now);
    const hhmm = `${String(reset.getHours()).padStart(2, '0')}:${String(reset.getMinutes()).padStart(2, '0')}`;
    const parked = readQueue(dir).parked!;
    expect(parked.resumesAt).toBe(reset.toISOString());
    expect(parked.debrief).toBe(`parked at 90 % of the 5-hour limit, which resets at ${hhmm}; cs resumes the queue at ${hhmm}`);
    expect(digestLine(readJournal(dir))).toBe(`no task done, parked at 90 % of the 5-hour limit, which resets at ${hhmm}; cs resumes the queue at ${hhmm}`);
    expect(readQueue(dir).armed).toBe(false);
    await until(() => (readQueue(dir).armed ? true : undefined), 'the queue armed by the timer', 20_000);
    // The journal line follows the queue file's write: wait for it rather than race it.
    await until(() => (readJournal(dir).length === 5 ? true : undefined), 'the resume in the journal', 15_000);
    expect(readJournal(dir).map((e) => e.type)).toEqual(['start', 'task', 'park', 'resume-at', 'resume']);
    // So does the session log's line (the same process writes it next).
    const log = path.join(dir, '.cs', 'logs', 'session.log');
    await until(() => (fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes("queue: resumed at the 5-hour limit's reset") ? true : undefined), 'the resume in the session log', 15_000);
  });

  it('a host that starts later sets the timer again, no sooner than the grace period', () => {
    const now = new Date();
    parkedOnLimit(plus(now, -60), now);
    const at = resumeOnStart(env, 'walk', dir, now);
    expect(at?.getTime()).toBe(now.getTime() + START_GRACE_MS);
    expect(readQueue(dir).parked?.resumesAt).toBe(at!.toISOString());
  });
});

describe('notifications on drain and park', () => {
  let ntfy: Ntfy;
  beforeAll(async () => {
    ntfy = await startNtfy();
  });
  afterAll(() => ntfy.close());

  it('sends "queue drained" and "queue parked" with what happened', async () => {
    writeNotifyConfig(env, { url: ntfy.url() });
    const notes = ntfy.notes;
    changeQueue(dir, (q) => {
      for (const t of ['one', 'two']) addTask(q, t, t0).state = 'done';
    }, t0);
    await afterQueueStop(env, 'walk', dir, { drained: true }, t0);
    expect(notes.at(-1)).toMatchObject({ title: 'walk: queue drained', body: '2 tasks done, nothing left in the queue' });
    changeQueue(dir, (q, journal) => {
      addTask(q, 'three', t0);
      park(q, 'context', 'parked at 88 % context', t0, journal);
    }, t0);
    await afterQueueStop(env, 'walk', dir, { parked: { reason: 'context', debrief: 'parked at 88 % context' } }, t0);
    expect(notes.at(-1)).toMatchObject({ title: 'walk: queue parked', body: 'parked at 88 % context; 1 task left' });
    expect(notes.length).toBe(2);
  });
});
