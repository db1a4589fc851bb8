// The queue's pure logic and file handling: draining at Stops, safety stops,
// limits from the environment, and the -queue command's argument checks.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limitsFrom, onStop, onToolFailure, safetyStop, DEFAULT_LIMITS, type Readings } from '../../../src/queue/drain.js';
import { addTask, changeQueue, emptyQueue, queueFile, readJournal, readQueue } from '../../../src/queue/queue.js';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { digestLine, reportQueueDigest } from '../../../src/queue/digest.js';
import { testIO } from '../../support/io.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-queue-unit-'));
  fs.mkdirSync(path.join(dir, '.cs'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const calm: Readings = { contextPct: 10, fiveHourPct: 10, fiveHourResetsAt: null };
const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 12, min));
const queue = (texts: string[], armed = true) =>
  changeQueue(dir, (q) => {
    for (const t of texts) addTask(q, t, at(0));
    q.armed = armed;
  }, at(0));

describe('draining at Stops', () => {
  it('leaves a session without a queue untouched (no file appears)', () => {
    expect(onStop(dir, () => calm, DEFAULT_LIMITS, at(1))).toEqual({});
    expect(fs.existsSync(queueFile(dir))).toBe(false);
  });

  it('hands tasks over in order, marks each done at the next Stop, then disarms', () => {
    queue(['one', 'two']);
    const s1 = onStop(dir, () => calm, DEFAULT_LIMITS, at(1));
    expect([s1.finished, s1.next?.text]).toEqual([undefined, 'one']);
    const s2 = onStop(dir, () => calm, DEFAULT_LIMITS, at(2));
    expect([s2.finished?.text, s2.next?.text]).toEqual(['one', 'two']);
    const s3 = onStop(dir, () => calm, DEFAULT_LIMITS, at(3));
    expect([s3.finished?.text, s3.next, s3.drained]).toEqual(['two', undefined, true]);
    const q = readQueue(dir);
    expect(q.armed).toBe(false);
    expect(q.tasks.map((t) => [t.state, t.started, t.ended])).toEqual([
      ['done', at(1).toISOString(), at(2).toISOString()],
      ['done', at(2).toISOString(), at(3).toISOString()],
    ]);
    expect(readJournal(dir).map((e) => `${e.type}${e.id ?? ''}`)).toEqual(['task1', 'done1', 'task2', 'done2', 'drained']);
  });

  it('a disarmed queue hands nothing over', () => {
    queue(['one'], false);
    expect(onStop(dir, () => calm, DEFAULT_LIMITS, at(1))).toEqual({});
    expect(readQueue(dir).tasks[0]!.state).toBe('pending');
  });

  it('-queue stop while a task runs: that task ends done, nothing more is handed over', () => {
    queue(['one', 'two']);
    onStop(dir, () => calm, DEFAULT_LIMITS, at(1));
    changeQueue(dir, (q) => void (q.stopping = true), at(1));
    const s = onStop(dir, () => calm, DEFAULT_LIMITS, at(2));
    expect([s.finished?.text, s.next]).toEqual(['one', undefined]);
    expect(readQueue(dir)).toMatchObject({ armed: false, tasks: [{ state: 'done' }, { state: 'pending' }] });
  });

  it('parks on the 5-hour limit with the reset time; the running task is parked, the rest stay pending', () => {
    queue(['one', 'two']);
    onStop(dir, () => calm, DEFAULT_LIMITS, at(1));
    const resets = new Date(at(0).getTime() + 2 * 3600_000);
    const s = onStop(dir, () => ({ contextPct: 10, fiveHourPct: 85.2, fiveHourResetsAt: resets }), DEFAULT_LIMITS, at(2));
    expect(s.parked?.reason).toBe('five-hour');
    const hhmm = resets.toTimeString().slice(0, 5);
    expect(s.parked?.debrief).toBe(`parked at 85 % of the 5-hour limit, which resets at ${hhmm}`);
    expect(readQueue(dir)).toMatchObject({ armed: false, parked: { reason: 'five-hour', resetsAt: resets.toISOString() }, tasks: [{ state: 'parked' }, { state: 'pending' }] });
  });

  it('parks after CS_QUEUE_MAX_FAILURES failures in one task', () => {
    queue(['one']);
    onStop(dir, () => calm, DEFAULT_LIMITS, at(1));
    const limits = { ...DEFAULT_LIMITS, failures: 2 };
    expect(onToolFailure(dir, 'Bash: exit 1', limits, at(2))).toBeNull();
    expect(onToolFailure(dir, 'Bash: exit 2', limits, at(2))).toBe('parked: 2 tool failures in task 1 "one" (last: Bash: exit 2)');
    expect(readQueue(dir).armed).toBe(false);
  });
});

describe('safety stops (pure)', () => {
  const running = () => {
    const q = emptyQueue();
    const t = addTask(q, 'long job', at(0));
    t.state = 'running';
    t.started = at(0).toISOString();
    return q;
  };
  it.each([
    [{ contextPct: 85, fiveHourPct: 0, fiveHourResetsAt: null }, 5, 'context', 'parked at 85 % context'],
    [{ contextPct: 84.4, fiveHourPct: 84.4, fiveHourResetsAt: null }, 5, null, null],
    [{ contextPct: null, fiveHourPct: 90, fiveHourResetsAt: null }, 5, 'five-hour', 'parked at 90 % of the 5-hour limit'],
    [calm, 61, 'minutes', 'parked: task 1 "long job" ran over 60 minutes'],
    [calm, 59, null, null],
  ] as const)('%j after %i minutes → %s', (r, minutes, reason, debrief) => {
    const s = safetyStop(running(), r, DEFAULT_LIMITS, at(minutes));
    expect(s?.reason ?? null).toBe(reason);
    expect(s?.debrief ?? null).toBe(debrief);
  });
  it('reads limits from the environment; nonsense keeps the default', () => {
    expect(limitsFrom({ CS_QUEUE_MAX_FAILURES: '3', CS_QUEUE_MAX_CTX: '70', CS_QUEUE_MAX_5H: 'lots', CS_QUEUE_MAX_MINUTES: '-1' })).toEqual({ failures: 3, contextPct: 70, fiveHourPct: 85, minutes: 60 });
  });
});

describe('-queue arguments', () => {
  it.each([
    [[], { action: 'list', json: false }],
    [['--json'], { action: 'list', json: true }],
    [['add', 'fix', 'it'], { action: 'add', text: 'fix it' }],
    [['add', '-'], { action: 'add', text: '-' }],
    [['rm', '3'], { action: 'rm', id: 3 }],
    // Past 2^53: no task has it (shown as typed, not as 1e+23).
    [['rm', '99999999999999999999999'], { action: 'rm', id: -1, n: '99999999999999999999999' }],
    [['log', '--json'], { action: 'log', json: true }],
    [['start'], { action: 'start' }],
  ])('%j', async (args, want) => {
    const { action, ...rest } = want as { action: string };
    const parsed = await parseCommand('-queue', args as string[], { session: 'api' });
    expect(parsed.sub).toEqual([action]);
    expect(parsed.opts).toMatchObject(rest);
  });
  it.each([
    [['add'], /-queue add needs the task/],
    [['add', '  '], /-queue add needs the task/],
    [['rm', 'x'], /takes a task number/],
    [['rm'], /./],
    [['frobnicate'], /unknown -queue subcommand 'frobnicate'/],
    [['start', 'now'], /-queue start: unexpected argument 'now'/],
    [['start', '--json'], /--json does not apply to -queue start/],
  ])('refuses %j', async (args, msg) => expect(parseCommand('-queue', args as string[], { session: 'api' })).rejects.toThrow(msg));
});

describe('the queue file', () => {
  it('is never written through a symlink', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-queue-elsewhere-'));
    try {
      fs.symlinkSync(elsewhere, path.join(dir, '.cs', 'queue'));
      expect(() => queue(['x'])).toThrow(/symlink/);
      expect(fs.readdirSync(elsewhere)).toEqual([]);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('the return digest', () => {
  const e = (type: string, more: object = {}) => ({ ts: at(0).toISOString(), type, ...more }) as any;
  it.each([
    [[e('task', { id: 1 }), e('done', { id: 1 }), e('task', { id: 2 }), e('done', { id: 2 }), e('task', { id: 3 }), e('done', { id: 3 }), e('park', { debrief: 'parked at 85 % of the 5-hour limit, which resets at 14:05' })], '3 tasks done, parked at 85 % of the 5-hour limit, which resets at 14:05'],
    [[e('task', { id: 1 }), e('done', { id: 1 }), e('drained')], '1 task done, queue drained'],
    [[e('task', { id: 1 }), e('park', { debrief: 'parked: 5 tool failures in task 1 "x" (last: Bash: exit 1)' })], 'no task done, parked: 5 tool failures in task 1 "x" (last: Bash: exit 1)'],
    [[e('task', { id: 4 })], 'no task done, working on task 4'],
    [[], null],
  ])('%#: %s', (entries, want) => expect(digestLine(entries)).toBe(want));

  it('is printed once: once seen, the next open says nothing until the journal grows', () => {
    queue(['one']);
    onStop(dir, () => calm, DEFAULT_LIMITS, at(1));
    onStop(dir, () => calm, DEFAULT_LIMITS, at(2));
    let io = testIO();
    reportQueueDigest(dir, io);
    expect(io.stderrText()).toBe('cs: while you were away: 1 task done, queue drained\n');
    // Not marked seen (the open failed): said again.
    io = testIO();
    const seen = reportQueueDigest(dir, io);
    expect(io.stderrText()).toBe('cs: while you were away: 1 task done, queue drained\n');
    seen();
    io = testIO();
    reportQueueDigest(dir, io);
    expect(io.stderrText()).toBe('');
  });
});

describe('-queue log lines', () => {
  it('name the time a parked queue resumes at, in local time like the entry itself', async () => {
    const { journalLine } = await import('../../../src/commands/queue/lines.js');
    const ts = '2026-11-30T10:00:00.000Z';
    const at = '2026-11-30T15:30:00.000Z';
    const local = (iso: string) => new Date(iso).toLocaleString('sv-SE').slice(0, 16);
    expect(journalLine({ ts, type: 'resume-at', at })).toBe(`${local(ts)} resume-at at ${local(at)}`);
    expect(journalLine({ ts, type: 'done', id: 2, text: 'fix  the\ntest' })).toBe(`${local(ts)} done 2 fix the test`);
  });
});
