// cs -spawn <s> --task: the task is queued and the queue armed in one step;
// a fresh hosted Claude starts on it, a running one gets it at its next stop.
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCs } from '../../support/cs.js';
import { hasTmux } from '../../support/tmux.js';
import { claudeStarts, hostSandbox, until, type HostSandbox } from '../../support/host.js';
import { readQueue } from '../../../src/queue/queue.js';

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
    expect((await runCs(['qs', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });

  it('refuses an empty --task before touching anything', async () => {
    sb = hostSandbox();
    const r = await runCs(['-spawn', 'qe', '--task', ' '], { env: sb.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--task is empty/);
  });
});
