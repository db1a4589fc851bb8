// A feature session and its base's task queue: the worktree checks out the
// base's committed .cs/queue/, which the feature must neither drain, park nor
// change (its Claude would take the base's tasks, which the base runs too,
// and a change on the feature branch would conflict with the base's queue
// at --merge). Built cs, real git, the real hook scripts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { runHookScript } from '../../support/hooks.js';
import { readQueue } from '../../../src/queue/queue.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'test-password' });
});
afterEach(() => sb.cleanup());

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
async function ok(args: string[]) {
  const r = await runCs(args, { env: sb.env });
  expect(r.code, `cs ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

/** The Stop hook as Claude Code runs it in session `name` at `dir`. */
function stopHook(name: string, dir: string) {
  const env = { ...sb.env, CLAUDE_SESSION_NAME: name, CLAUDE_SESSION_DIR: dir, CLAUDE_SESSION_META_DIR: path.join(dir, '.cs'), CLAUDE_PROJECT_DIR: dir };
  return runHookScript('stop', JSON.stringify({ session_id: 'conv', hook_event_name: 'Stop', stop_hook_active: false, cwd: dir }), env);
}

describe("a feature session and its base's queue", () => {
  it("a feature's Stop hands over none of the base's armed tasks and leaves the queue file alone; the merge has no conflict", async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    await ok(['app', '-queue', 'add', 'BASE-TASK-1']);
    await ok(['app', '-queue', 'add', 'BASE-TASK-2']);
    await ok(['app', '-queue', 'start']);
    // A session end commits the armed queue on the base's branch, where the feature branches from.
    await ok(['app']);
    expect(git(base, 'ls-files', '.cs/queue/queue.json')).toBe('.cs/queue/queue.json');

    const fork = git(base, 'rev-parse', 'HEAD');
    await ok(['app@side']);
    const dir = path.join(sb.root, '.features', 'app@side');
    expect(fs.existsSync(path.join(dir, '.cs', 'queue', 'queue.json'))).toBe(true);

    const stop = await stopHook('app@side', dir);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).not.toContain('BASE-TASK');
    expect(git(dir, 'status', '--porcelain', '--', '.cs/queue')).toBe('');
    expect(readQueue(base).tasks.map((t) => t.state)).toEqual(['pending', 'pending']);

    // Opening the feature again: no digest of the base's queue, and its session end commits no queue change.
    const again = await ok(['app@side']);
    expect(again.stderr).not.toMatch(/while you were away/);
    expect(git(dir, 'log', '--format=', '--name-only', `${fork}..HEAD`, '--', '.cs/queue')).toBe('');

    // The base itself still drains its queue.
    const baseStop = await stopHook('app', base);
    expect(JSON.parse(baseStop.stdout)).toMatchObject({ decision: 'block', reason: expect.stringContaining('BASE-TASK-1') });

    await ok(['app', '-queue', 'stop']);
    await ok(['app']);
    const merged = await ok(['app', '--merge', 'side']);
    expect(merged.stderr).toMatch(/merged cs\/side into/);
  });

  it('-spawn <base>@<feature> --task refuses in one line, naming the base, before anything is made', async () => {
    await ok(['app']);
    await ok(['app@side']);
    const r = await runCs(['-spawn', 'app@side', '--task', 'a task'], { env: sb.env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`cs: 'app@side' is a feature session; --task works on plain sessions — give it its first instruction with --prompt, or queue the task on the base: cs -spawn app --task "<task>"`]);
    expect(fs.existsSync(path.join(sb.root, '.features', 'app@side', '.cs', 'queue'))).toBe(false);
  });
});
