// The queue with the real Claude Code (offline, scripted fake API), run by
// the built cs: queued tasks reach Claude through the Stop hook in order and
// end done; five failing Bash calls in one task park the queue with a debrief.
// The owner hears of the drain and the park through the notify stand-in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/session/workspace.js';
import { writeNotifyConfig } from '../../../src/notify/notify.js';
import { makeTempDir } from '../../support/claude.js';
import { runCs } from '../../support/cs.js';
import { startNtfy, type Ntfy } from '../../support/ntfy.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { laptop, messagesText, type Laptop } from '../../support/laptops.js';

let tmp: string;
let a: Laptop;
const apis: FakeAnthropic[] = [];
// An ntfy-style stand-in: every notification the hooks send.
let ntfy: Ntfy;
beforeAll(async () => {
  tmp = makeTempDir('cs-queue-');
  a = laptop(tmp, 'a', path.join(tmp, 'a', 'sessions'));
  ntfy = await startNtfy();
  writeNotifyConfig(a.env, { url: ntfy.url() });
});

afterAll(async () => {
  await ntfy.close();
  for (const api of apis) await api.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const queueOf = async (s: string) => JSON.parse((await a.cs([s, '-queue', '--json'])).stdout);
const lastUserText = (body: any) => JSON.stringify((body?.messages ?? []).at(-1) ?? {});

describe('queue with the real Claude Code', () => {
  it('hands two queued tasks to Claude in order in one run; both end done', { timeout: 180_000 }, async () => {
    const dir = (await createSession(a.env, 'walk')).dir;
    expect((await a.cs(['walk', '-queue', 'add', 'TASK-ALPHA: write alpha.txt'])).code).toBe(0);
    const api = await startFakeAnthropic(['Warm-up done.', 'Alpha done.', 'Beta done.', 'Nothing else.']);
    apis.push(api);
    // The second task from stdin.
    let r: { code: number | null; stdout: string; stderr: string } = await runCs(['walk', '-queue', 'add', '-'], { env: a.env, input: 'TASK-BETA: write beta.txt\n' });
    expect(r.code, r.stderr).toBe(0);
    let q = await queueOf('walk');
    expect(q.tasks.map((t: any) => [t.id, t.state, t.text])).toEqual([
      [1, 'pending', 'TASK-ALPHA: write alpha.txt'],
      [2, 'pending', 'TASK-BETA: write beta.txt'],
    ]);
    r = await a.cs(['walk', '-queue', 'start']);
    expect(r.code, r.stderr).toBe(0);

    r = await a.claude('walk', 'Warm up.', api.url);
    expect(r.code, r.stderr).toBe(0);
    const agent = api.agentRequests().map(lastUserText);
    const alpha = agent.findIndex((t) => t.includes('TASK-ALPHA'));
    const beta = agent.findIndex((t) => t.includes('TASK-BETA'));
    expect(alpha, agent.join('\n')).toBeGreaterThan(0);
    expect(beta).toBeGreaterThan(alpha);
    expect(api.turnsUsed()).toBe(3);
    q = await queueOf('walk');
    expect(q.armed).toBe(false);
    expect(q.tasks.map((t: any) => t.state)).toEqual(['done', 'done']);
    const journal = (await a.cs(['walk', '-queue', 'log', '--json'])).stdout;
    expect(JSON.parse(journal).map((e: any) => e.type + (e.id ?? ''))).toEqual(['add1', 'add2', 'start', 'task1', 'done1', 'task2', 'done2', 'drained']);
    expect(fs.readFileSync(path.join(dir, '.cs/logs/session.log'), 'utf8')).toContain('queue: drained, disarmed');
    // The Stop hook that drained the queue told the owner.
    expect(ntfy.notes.filter((n) => n.title.startsWith('walk: queue')).map(({ title, body }) => ({ title, body }))).toEqual([{ title: 'walk: queue drained', body: '2 tasks done, nothing left in the queue' }]);
    // The timeline has the queue's steps too.
    const events = JSON.parse((await a.cs(['walk', '-log', '--json'])).stdout).filter((e: any) => e.type === 'queue');
    expect(events.map((e: any) => e.action + (e.id ?? ''))).toEqual(['add1', 'add2', 'start', 'task1', 'done1', 'task2', 'done2', 'drained']);
    // The next open sums up what happened, once.
    r = await a.claude('walk', 'Back again.', api.url);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('cs: while you were away: 2 tasks done, queue drained');
  });

  it('drains twelve text-only tasks in one run: past Claude Code\'s cap of 8 Stop-hook blocks in a row', { timeout: 180_000 }, async () => {
    await createSession(a.env, 'many');
    for (let i = 1; i <= 12; i++) expect((await a.cs(['many', '-queue', 'add', `TASK-${i}: answer in one line`])).code).toBe(0);
    const api = await startFakeAnthropic(['Warm-up done.', ...Array.from({ length: 12 }, (_, i) => `Task ${i + 1} answered.`), 'Nothing else.']);
    apis.push(api);
    expect((await a.cs(['many', '-queue', 'start'])).code).toBe(0);
    const r = await a.claude('many', 'Warm up.', api.url);
    expect(r.code, r.stderr).toBe(0);
    const q = await queueOf('many');
    expect(q.tasks.map((t: any) => t.state)).toEqual(Array(12).fill('done'));
    expect(q.armed).toBe(false);
    const agent = api.agentRequests().map(lastUserText);
    expect(agent.findIndex((t) => t.includes('TASK-12'))).toBeGreaterThan(agent.findIndex((t) => t.includes('TASK-9')));
  });

  it('parks the queue with a debrief after five failing Bash calls in one task', { timeout: 180_000 }, async () => {
    await createSession(a.env, 'flaky');
    for (const t of ['TASK-FAILS: make the test pass', 'TASK-LATER: never reached']) expect((await a.cs(['flaky', '-queue', 'add', t])).code).toBe(0);
    expect((await a.cs(['flaky', '-queue', 'start'])).code).toBe(0);
    const fail = (n: number) => [{ type: 'tool_use' as const, name: 'Bash', input: { command: `echo attempt ${n} >&2; exit 3`, description: `attempt ${n}` } }];
    const api = await startFakeAnthropic(['Warm-up done.', fail(1), fail(2), fail(3), fail(4), fail(5), 'Giving up on this one.', 'Nothing else.']);
    apis.push(api);
    const r = await a.claude('flaky', 'Warm up.', api.url);
    expect(r.code, r.stderr).toBe(0);
    // The failure hook is async: give it a moment to finish.
    let q: any;
    for (let i = 0; i < 50; i++) {
      q = await queueOf('flaky');
      if (q.parked) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(q.parked?.reason, JSON.stringify(q)).toBe('failures');
    expect(q.parked.debrief).toMatch(/^parked: 5 tool failures in task 1 "TASK-FAILS: make the test pass" \(last: Bash: .*attempt 5/);
    expect(q.armed).toBe(false);
    expect(q.tasks.map((t: any) => t.state)).toEqual(['parked', 'pending']);
    // The failure hook that parked the queue told the owner, with the debrief.
    expect(ntfy.notes.filter((n) => n.title.startsWith('flaky: queue')).map(({ title, body }) => ({ title, body }))).toEqual([{ title: 'flaky: queue parked', body: `${q.parked.debrief}; 2 tasks left` }]);
    expect(api.agentRequests().some((b) => messagesText(b).includes('TASK-LATER'))).toBe(false);
    const list = await a.cs(['flaky', '-queue']);
    expect(list.stderr).toContain('queue parked, 1 pending — parked: 5 tool failures');
    const ls = JSON.parse((await a.cs(['-ls', '--json'])).stdout);
    expect(ls.find((s: any) => s.name === 'flaky').queued).toBe(1);
    expect(ls.find((s: any) => s.name === 'walk').queued).toBeUndefined();
    expect((await a.cs(['-ls'])).stdout).toMatch(/flaky\s+\S+ · 1 queued/);
  });
});
