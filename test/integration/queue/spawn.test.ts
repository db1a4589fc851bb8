// cs -spawn <s> --task: the task is queued and the queue armed in one step;
// a fresh hosted Claude starts on it, a running one gets it at its next stop.
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCs } from '../../support/cs.js';
import { hasTmux } from '../../support/tmux.js';
import { claudeStarts, hostSandbox, until, type HostSandbox } from '../../support/host.js';
import { readQueue } from '../../../src/queue/queue.js';
import { markClosed } from '../../../src/status/status.js';

let sb: HostSandbox | undefined;
afterEach(() => {
  sb?.close();
  sb = undefined;
});

describe.skipIf(!hasTmux())('cs -spawn --task', () => {
  it('queues, arms and starts Claude on the task; a second --task while running waits for the next stop', { timeout: 60_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    const r = await runCs(['-spawn', 'qs', '--task', 'TASK-ONE: tidy the README'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("queued the task in 'qs' and armed the queue");
    const starts = await until(() => (claudeStarts(sb!.claudeLog).length ? claudeStarts(sb!.claudeLog) : undefined), 'Claude started');
    expect(starts[0]!.argv.slice(-2)).toEqual(['--', 'cs queue — task 1:\n\nTASK-ONE: tidy the README']);
    const dir = path.join(sb.root, 'qs');
    expect(readQueue(dir)).toMatchObject({ armed: true, tasks: [{ id: 1, state: 'running' }] });

    const again = await runCs(['-spawn', 'qs', '--task', 'TASK-TWO: then the changelog'], { env: sb.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/'qs' is already running: Claude gets the task when it next stops/);
    expect(readQueue(dir).tasks.map((t) => [t.id, t.state])).toEqual([
      [1, 'running'],
      [2, 'pending'],
    ]);
    expect(claudeStarts(sb.claudeLog)).toHaveLength(1);
    const stop = await runCs(['qs', '-stop', '--timeout', '1'], { env: sb.env });
    expect(stop.code, stop.stderr).toBe(0);
    // Stopped mid-task: the task is parked, not left running for a later turn's Stop to call done.
    const q = readQueue(dir);
    expect(q.armed).toBe(false);
    expect(q.parked).toMatchObject({ reason: 'ended', debrief: 'parked: Claude ended during task 1 "TASK-ONE: tidy the README" (cs qs -queue start hands it over again)' });
    expect(q.tasks.map((t) => [t.id, t.state])).toEqual([
      [1, 'parked'],
      [2, 'pending'],
    ]);
    const listed = await runCs(['qs', '-queue'], { env: sb.env });
    expect(listed.stderr).toMatch(/parked: Claude ended during task 1/);
    // Started again, the parked task goes first.
    expect((await runCs(['qs', '-queue', 'start'], { env: sb.env })).code).toBe(0);
    expect(readQueue(dir).tasks.map((t) => [t.id, t.state])).toEqual([
      [1, 'pending'],
      [2, 'pending'],
    ]);
  });

  it('a host killed mid-task: the next open says so in a postmortem and parks the task', { timeout: 60_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    const r = await runCs(['-spawn', 'qk', '--task', 'TASK-K: a long one'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    await until(() => (claudeStarts(sb!.claudeLog).length ? true : undefined), 'Claude started');
    const dir = path.join(sb.root, 'qk');
    // As a killed host leaves it when Claude's SessionEnd hook ran on the hang-up: status closed, lock held.
    markClosed(dir, new Date());
    const supervisor = Number(sb.csTmux('list-panes', '-a', '-F', '#{pane_pid}').trim());
    process.kill(supervisor, 'SIGKILL');
    await until(async () => ((await sb!.live()).some((x) => x.running) ? undefined : true), 'the hosted session to go');
    expect(readQueue(dir).tasks[0]!.state).toBe('running');
    const next = await runCs(['qk'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/cs: queue parked: Claude ended during task 1 "TASK-K: a long one"/);
    expect(next.stderr).toMatch(/last run: the process hosting the session \(pid \d+ on .*\) ended before the end of the session was done: Claude Code had ended, the session-end commit and push did not run/);
    expect(readQueue(dir)).toMatchObject({ armed: false, tasks: [{ id: 1, state: 'parked' }] });
  });

  it('a queue armed while nothing runs: -queue start says how to start it, and cs -spawn starts Claude on its first task', { timeout: 60_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    // Made in the foreground (no terminal), the fake Claude ending at once.
    expect((await runCs(['qa'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    for (const t of ['TASK-A: first', 'TASK-B: second']) expect((await runCs(['qa', '-queue', 'add', t], { env: sb.env })).code).toBe(0);
    const start = await runCs(['qa', '-queue', 'start'], { env: sb.env });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain("'qa' is not running: start Claude on the first task with: cs -spawn qa");
    const before = claudeStarts(sb.claudeLog).length;
    const r = await runCs(['-spawn', 'qa'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("the queue of 'qa' is armed: Claude starts on task 1 (cs qa -queue)");
    const starts = await until(() => (claudeStarts(sb!.claudeLog).length > before ? claudeStarts(sb!.claudeLog) : undefined), 'Claude started');
    expect(starts.at(-1)!.argv.slice(-2)).toEqual(['--', 'cs queue — task 1 (1 more queued after this one):\n\nTASK-A: first']);
    const dir = path.join(sb.root, 'qa');
    expect(readQueue(dir)).toMatchObject({ armed: true, tasks: [{ id: 1, state: 'running' }, { id: 2, state: 'pending' }] });
    expect((await runCs(['qa', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });

  it('refuses an empty --task before touching anything', async () => {
    sb = hostSandbox();
    const r = await runCs(['-spawn', 'qe', '--task', ' '], { env: sb.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--task is empty/);
  });
});
