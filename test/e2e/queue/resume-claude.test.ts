// A queue parked on the 5-hour limit resumes by itself in a hosted session,
// with the real Claude Code in its TUI (cs's tmux server, no terminal
// attached) against the scripted fake API: the host started for the session
// keeps the reset timer; at the reset the queue is re-armed, the parked task
// is typed into Claude as its next prompt, and the Stop hands over the next
// one. The page's API shows the queue and when it resumes.
import { afterEach, describe, expect, it } from 'vitest';
import { arm, park, takeNext } from '../../../src/queue/drain.js';
import { addTask, changeQueue, readJournal, readQueue } from '../../../src/queue/queue.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { runCs } from '../../support/cs.js';
import { hostedClaude, type HostedClaude } from '../../support/hosted-claude.js';
import { hasTmux } from '../../support/tmux.js';
import { until } from '../../support/host.js';

let fx: HostedClaude | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await fx?.teardown();
  fx = server = undefined;
});

const TOKEN = 'a-test-token-of-enough-length';
const said = (body: any) => JSON.stringify(body?.messages ?? []);

describe.skipIf(!hasTmux())('-queue start with an idle hosted Claude Code', () => {
  it('types the first task in at once (no Stop would come to hand it over); the next follows at its Stop', { timeout: 180_000 }, async () => {
    fx = await hostedClaude('cs-queue-idle-', 'idle', ['First done.', 'Second done.']);
    const { env, api, dir } = fx;
    const spawned = await runCs(['-spawn', 'idle'], { env });
    expect(spawned.code, spawned.stderr).toBe(0);
    await until(() => (/^❯/m.test(fx!.tmux('capture-pane', '-p', '-t', '=idle:')) ? true : undefined), "Claude's prompt in the pane", 60_000);
    for (const t of ['TASK-FIRST: say first', 'TASK-SECOND: say second']) expect((await runCs(['idle', '-queue', 'add', t], { env })).code).toBe(0);
    const start = await runCs(['idle', '-queue', 'start'], { env });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain("cs: handed task 1 to the idle Claude of 'idle'");
    await until(() => (api.agentRequests().some((b) => said(b).includes('TASK-FIRST')) ? true : undefined), 'the first task typed into Claude', 60_000);
    const q = await until(() => {
      const q = readQueue(dir);
      return q.tasks.every((t) => t.state === 'done') && !q.armed ? q : undefined;
    }, 'both tasks done and the queue drained', 90_000);
    expect(q.tasks.map((t) => t.id)).toEqual([1, 2]);
  });
});

describe.skipIf(!hasTmux())('a queue parked on the 5-hour limit, hosted, with the real Claude Code', () => {
  it('re-arms at the reset and continues: the parked task is typed into Claude, the next one follows at its Stop', { timeout: 180_000 }, async () => {
    fx = await hostedClaude('cs-queue-limit-', 'limit', ['Task one done.', 'Task two done.']);
    const { env, api, dir } = fx;
    const now = new Date();
    changeQueue(dir, (q, journal) => {
      for (const t of ['TASK-ONE: say one', 'TASK-TWO: say two']) journal({ type: 'add', id: addTask(q, t, now).id, text: t });
      arm(q, journal);
      takeNext(q, journal, now);
      park(q, 'five-hour', 'parked at 90 % of the 5-hour limit', now, journal, new Date(now.getTime() + 3000));
    }, now);

    const spawned = await runCs(['-spawn', 'limit'], { env });
    expect(spawned.code, spawned.stderr).toBe(0);
    // The host took the timer over (no sooner than its grace period after the start): -queue and the page say when.
    const listed = await runCs(['limit', '-queue'], { env });
    expect(listed.stderr).toMatch(/cs: queue parked, 1 pending — parked at 90 % of the 5-hour limit, which resets at \d\d:\d\d; cs resumes the queue at \d\d:\d\d/);
    server = await startServer({ env, port: 0, bind: '127.0.0.1', token: TOKEN });
    const page = await (await fetch(`${server.url}/api/sessions/limit/queue`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(page).toMatchObject({ armed: false, summary: 'parked, 1 pending', resumesAt: readQueue(dir).parked!.resumesAt, tasks: [{ id: 1, state: 'parked' }, { id: 2, state: 'pending' }] });

    await until(() => (api.agentRequests().some((b) => said(b).includes('TASK-ONE')) ? true : undefined), 'the parked task typed into Claude at the reset', 90_000);
    await until(() => (api.agentRequests().some((b) => said(b).includes('TASK-TWO')) ? true : undefined), 'the next task handed over at the Stop', 60_000);
    const q = await until(() => {
      const q = readQueue(dir);
      return q.tasks.every((t) => t.state === 'done') && !q.armed ? q : undefined;
    }, 'both tasks done and the queue drained', 60_000);
    expect(q.tasks.map((t) => t.text)).toEqual(['TASK-ONE: say one', 'TASK-TWO: say two']);
    const agent = api.agentRequests().map(said);
    expect(agent.findIndex((t) => t.includes('TASK-TWO'))).toBeGreaterThan(agent.findIndex((t) => t.includes('TASK-ONE')));
    expect(readJournal(dir).map((e) => e.type + (e.id ?? ''))).toEqual(['add1', 'add2', 'start', 'task1', 'park1', 'resume-at', 'resume', 'task1', 'done1', 'task2', 'done2', 'drained']);
  });
});
