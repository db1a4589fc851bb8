// The queue beyond Claude's turn boundaries: handing a task to a hosted
// Claude that sits idle (no Stop will come to do it), re-arming a queue
// parked on the 5-hour limit when the limit resets, and telling the owner
// when the queue drains or parks.
//
// The reset timer belongs to the host: a detached `sh` that sleeps until the
// reset and then runs `dist/host.js resume <name> <dir>` (about a megabyte
// while it waits; no Node process idles). It is started where the park is
// seen (scheduleResume) and again by every start of the hosted session
// (resumeOnStart), so a restarted host picks it up. Running `resume` twice
// is harmless: the second finds the queue no longer parked.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { sendInput } from '../serve/control.js';
import { findHosted, tmuxServer } from '../host/tmux.js';
import { hostScript } from '../host/supervisor.js';
import { readRun } from '../host/state.js';
import { sessionPaths } from '../session/paths.js';
import { readStatus } from '../status/status.js';
import { readTimeline } from '../timeline/timeline.js';
import { arm, takeNext, unstart, type StopOutcome } from './drain.js';
import { changeQueue, readQueue, type Task } from './queue.js';

/** Started by a host with the reset already past: Claude needs a moment before it takes typed input. */
export const START_GRACE_MS = 10_000;
/** How long a handover waits for a just-started Claude's SessionStart. */
const READY_TIMEOUT_MS = 60_000;

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether the hosted Claude of `dir` is waiting for a prompt: running, and
 * its hook status (fresh for this run) is neither working nor needs-you.
 */
async function idleHosted(env: NodeJS.ProcessEnv, name: string, dir: string): Promise<boolean> {
  if (!(await findHosted(tmuxServer(env), env, name))) return false;
  const run = readRun(sessionPaths(dir, name));
  const status = readStatus(dir);
  const fresh = status && (!run || status.ms >= Date.parse(run.started) - 1000);
  return !fresh || status.state === 'idle';
}

/**
 * Waits (≤ READY_TIMEOUT_MS) until this run's Claude takes input: a hook
 * status from this run, or its SessionStart in the timeline.
 */
async function claudeReady(name: string, dir: string): Promise<boolean> {
  const started = (Date.parse(readRun(sessionPaths(dir, name))?.started ?? '') || 0) - 1000;
  const end = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < end) {
    if ((readStatus(dir)?.ms ?? 0) >= started) return true;
    const events = readTimeline(path.join(dir, '.cs'), { limit: 200 }).events;
    if (events.some((e) => e.type === 'session-start' && Date.parse(e.ts) >= started)) return true;
    await sleep(250);
  }
  return false;
}

/**
 * Types the next pending task into the hosted session of `dir` when the
 * queue is armed, no task runs and Claude is idle (as if the owner typed
 * it). Returns the task handed over, or null. A task that could not be
 * typed (the session ended meanwhile) is pending again.
 */
export async function handOverIfIdle(env: NodeJS.ProcessEnv, name: string, dir: string, now: () => Date = () => new Date()): Promise<Task | null> {
  if (!(await idleHosted(env, name, dir))) return null;
  if (!(await claudeReady(name, dir))) return null;
  // A moment for the input box to come up after SessionStart.
  await sleep(1000);
  const text = changeQueue(dir, (q, journal) => takeNext(q, journal, now()), now());
  if (!text) return null;
  try {
    if (await sendInput(env, name, text)) return readQueue(dir).tasks.find((t) => t.state === 'running') ?? null;
  } catch {
    // tmux failed: as if not running
  }
  unstart(dir, now());
  return null;
}

export type ResumeResult = { resumed: true; handed: Task | null } | { resumed: false; why: 'not-parked' | 'early'; at?: Date };

/**
 * The reset timer's work: re-arms a queue parked on the 5-hour limit once
 * its reset time has come (journal: resume) and hands the next task to an
 * idle hosted Claude. `early` with the reset time when it has not come yet
 * (the timer woke early: schedule again).
 */
export async function resumeAtReset(env: NodeJS.ProcessEnv, name: string, dir: string, now: () => Date = () => new Date()): Promise<ResumeResult> {
  const r = changeQueue(
    dir,
    (q, journal): ResumeResult => {
      const at = q.parked?.reason === 'five-hour' && q.parked.resetsAt ? new Date(q.parked.resetsAt) : null;
      if (!at || Number.isNaN(at.getTime())) return { resumed: false, why: 'not-parked' };
      if (at.getTime() > now().getTime() + 1000) return { resumed: false, why: 'early', at };
      return arm(q, journal, 'resume') ? { resumed: true, handed: null } : { resumed: false, why: 'not-parked' };
    },
    now(),
  );
  if (!r.resumed) return r;
  return { resumed: true, handed: await handOverIfIdle(env, name, dir, now) };
}

/**
 * Starts the host's timer: at `at` (or at once when past), `dist/host.js
 * resume <name> <dir>` runs with `env`. Records the time in the queue and
 * the journal (resume-at) so `-queue` and the return digest say it.
 */
export function scheduleResume(env: NodeJS.ProcessEnv, name: string, dir: string, at: Date, now: Date = new Date()): void {
  const seconds = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000));
  const child = spawn('sh', ['-c', 'sleep "$1" && exec "$2" "$3" resume "$4" "$5"', 'cs-queue-timer', String(seconds), process.execPath, hostScript(), name, dir], {
    detached: true,
    stdio: 'ignore',
    env,
  });
  child.on('error', () => {});
  child.unref();
  changeQueue(
    dir,
    (q, journal) => {
      if (!q.parked || q.parked.resumesAt === at.toISOString()) return;
      q.parked.resumesAt = at.toISOString();
      if (!q.parked.debrief.includes('cs resumes')) q.parked.debrief += `; cs resumes the queue at ${hhmm(at)}`;
      journal({ type: 'resume-at', at: at.toISOString() });
    },
    now,
  );
}

/**
 * A hosted session starts: a queue parked on the 5-hour limit gets its
 * timer again (the host that set it may be gone), no earlier than
 * START_GRACE_MS from now. Returns the time it will resume, or null.
 */
export function resumeOnStart(env: NodeJS.ProcessEnv, name: string, dir: string, now: Date = new Date()): Date | null {
  let q;
  try {
    q = readQueue(dir);
  } catch {
    return null;
  }
  if (q.parked?.reason !== 'five-hour' || !q.parked.resetsAt) return null;
  const reset = Date.parse(q.parked.resetsAt);
  if (!Number.isFinite(reset)) return null;
  const at = new Date(Math.max(reset, now.getTime() + START_GRACE_MS));
  scheduleResume(env, name, dir, at, now);
  return at;
}

/**
 * The Stop's queue outcome, acted on: a 5-hour park with a known reset in a
 * hosted session (CS_HOSTED) starts the timer; a park or a drain notifies
 * the owner (src/notify/), scrubbed like every notification. Never throws.
 */
export async function afterQueueStop(env: NodeJS.ProcessEnv, name: string, dir: string, out: Pick<StopOutcome, 'parked' | 'drained'>, now: Date = new Date()): Promise<void> {
  try {
    if (out.parked?.reason === 'five-hour' && env.CS_HOSTED === '1') {
      const at = readQueue(dir).parked?.resetsAt;
      if (at) scheduleResume(env, name, dir, new Date(at), now);
    }
    if (out.parked || out.drained) await notifyQueue(env, name, dir, out.parked ? 'parked' : 'drained');
  } catch {
    // a report, never a reason to break a hook
  }
}

/** "queue drained: 3 tasks done" / "queue parked: <debrief>", sent through notify(). */
export async function notifyQueue(env: NodeJS.ProcessEnv, name: string, dir: string, what: 'drained' | 'parked'): Promise<boolean> {
  const { notify } = await import('../notify/notify.js');
  const q = readQueue(dir);
  const done = q.tasks.filter((t) => t.state === 'done').length;
  const left = q.tasks.filter((t) => t.state === 'pending' || t.state === 'parked').length;
  const summary = what === 'drained' ? `${done} task${done === 1 ? '' : 's'} done, nothing left in the queue` : `${q.parked?.debrief ?? 'parked'}; ${left} task${left === 1 ? '' : 's'} left`;
  return notify({ name }, { kind: what === 'drained' ? 'queue-drained' : 'queue-parked', summary }, env);
}
