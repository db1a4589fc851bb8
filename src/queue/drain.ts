// Draining the queue at Claude's turn boundaries (the Stop hook, served over
// HTTP or run as a command hook) and the safety stops that park it. A task is
// handed to Claude as the Stop hook's `{"decision":"block","reason":<task>}`:
// Claude goes on with it as its next instruction, and the Stop that ends
// that work (which carries stop_hook_active: true) marks it done and hands
// over the next one. Each handover consumes a task, so this never loops.
import { addTask, changeQueue, hasQueue, pendingCount, runningTask, type JournalEntry, type ParkReason, type Queue, type Task } from './queue.js';

/** Safety limits, from CS_QUEUE_MAX_FAILURES, CS_QUEUE_MAX_CTX, CS_QUEUE_MAX_5H, CS_QUEUE_MAX_MINUTES. */
export interface Limits {
  failures: number;
  /** Percent of the context window. */
  contextPct: number;
  /** Percent of the 5-hour rate limit. */
  fiveHourPct: number;
  minutes: number;
}

export const DEFAULT_LIMITS: Limits = { failures: 5, contextPct: 85, fiveHourPct: 85, minutes: 60 };

/** The limits from the environment; a value that is not a positive number keeps its default. */
export function limitsFrom(env: NodeJS.ProcessEnv): Limits {
  const pick = (name: string, d: number) => {
    const n = Number(env[name]);
    return env[name] !== undefined && env[name] !== '' && Number.isFinite(n) && n > 0 ? n : d;
  };
  return {
    failures: pick('CS_QUEUE_MAX_FAILURES', DEFAULT_LIMITS.failures),
    contextPct: pick('CS_QUEUE_MAX_CTX', DEFAULT_LIMITS.contextPct),
    fiveHourPct: pick('CS_QUEUE_MAX_5H', DEFAULT_LIMITS.fiveHourPct),
    minutes: pick('CS_QUEUE_MAX_MINUTES', DEFAULT_LIMITS.minutes),
  };
}

/** What the session looks like at a Stop, for the safety stops. */
export interface Readings {
  contextPct: number | null;
  fiveHourPct: number | null;
  fiveHourResetsAt: Date | null;
}

export interface StopOutcome {
  /** The task that the previous handover started and this Stop finished. */
  finished?: Task;
  /** The task to hand to Claude now. */
  next?: Task;
  parked?: { reason: ParkReason; debrief: string };
  drained?: boolean;
}

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

/**
 * Parks the queue in place: disarmed, the running task marked parked (the
 * rest stay pending), a debrief recorded. `resetsAt` only for the 5-hour
 * limit, when its reset time is known (said in the debrief).
 */
export function park(q: Queue, reason: ParkReason, debrief: string, now: Date, journal: (e: Record<string, unknown> & { type: 'park' }) => void, resetsAt?: Date): void {
  const t = runningTask(q);
  if (t) {
    t.state = 'parked';
    t.ended = now.toISOString();
  }
  q.armed = false;
  delete q.stopping;
  const line = resetsAt ? `${debrief}, which resets at ${hhmm(resetsAt)}` : debrief;
  q.parked = { at: now.toISOString(), reason, debrief: line, ...(resetsAt ? { resetsAt: resetsAt.toISOString() } : {}) };
  journal({ type: 'park', reason, debrief: line, ...(t ? { id: t.id } : {}), ...(resetsAt ? { resetsAt: resetsAt.toISOString() } : {}) });
}

/** Which safety stop applies at this Stop, if any (pure). */
export function safetyStop(q: Queue, r: Readings, limits: Limits, now: Date): { reason: ParkReason; debrief: string; resetsAt?: Date } | null {
  if (r.fiveHourPct !== null && r.fiveHourPct >= limits.fiveHourPct) {
    const resetsAt = r.fiveHourResetsAt && r.fiveHourResetsAt.getTime() > now.getTime() ? r.fiveHourResetsAt : undefined;
    return { reason: 'five-hour', debrief: `parked at ${Math.round(r.fiveHourPct)} % of the 5-hour limit`, ...(resetsAt ? { resetsAt } : {}) };
  }
  if (r.contextPct !== null && r.contextPct >= limits.contextPct) return { reason: 'context', debrief: `parked at ${Math.round(r.contextPct)} % context` };
  const t = runningTask(q);
  if (t?.started && now.getTime() - Date.parse(t.started) > limits.minutes * 60_000) {
    return { reason: 'minutes', debrief: `parked: task ${t.id} "${clip(t.text)}" ran over ${limits.minutes} minutes` };
  }
  return null;
}

/**
 * The queue's part of a Stop: finishes the running task (unless a safety
 * stop parks it), then, while armed, hands over the next pending task (or
 * disarms when none is left). `read` is called only when the queue is armed
 * or running a task, so an unused queue costs one stat.
 */
export function onStop(sessionDir: string, read: () => Readings, limits: Limits, now: Date): StopOutcome {
  if (!hasQueue(sessionDir)) return {};
  return changeQueue(
    sessionDir,
    (q, journal) => {
      const out: StopOutcome = {};
      const running = runningTask(q);
      if (!q.armed && !running) return out;
      const stop = safetyStop(q, read(), limits, now);
      if (stop && (q.armed || running)) {
        park(q, stop.reason, stop.debrief, now, journal, stop.resetsAt);
        out.parked = { reason: stop.reason, debrief: q.parked!.debrief };
        return out;
      }
      if (running) {
        running.state = 'done';
        running.ended = now.toISOString();
        journal({ type: 'done', id: running.id, text: running.text });
        out.finished = running;
      }
      if (q.armed && q.stopping) {
        q.armed = false;
        delete q.stopping;
        journal({ type: 'stop' });
        return out;
      }
      if (!q.armed) return out;
      const next = q.tasks.find((t) => t.state === 'pending');
      if (!next) {
        q.armed = false;
        journal({ type: 'drained' });
        out.drained = true;
        return out;
      }
      out.next = start(next, now, journal);
      return out;
    },
    now,
  );
}

/** Marks `t` running from `now` (journal: task); returns it. */
function start(t: Task, now: Date, journal: (e: Omit<JournalEntry, 'ts'>) => void): Task {
  t.state = 'running';
  t.started = now.toISOString();
  t.failures = 0;
  journal({ type: 'task', id: t.id, text: t.text });
  return t;
}

/**
 * Arms the queue in place (`-queue start`, the page's Start, the resume at
 * a limit's reset): a task a safety stop interrupted goes first again, and
 * the park is forgotten. False (and nothing changed) when no task is
 * pending, parked or running.
 */
export function arm(q: Queue, journal: (e: Omit<JournalEntry, 'ts'>) => void, type: 'start' | 'resume' = 'start'): boolean {
  if (!q.tasks.some((t) => t.state === 'pending' || t.state === 'parked' || t.state === 'running')) return false;
  if (!q.armed || q.stopping || type === 'resume') journal({ type });
  q.armed = true;
  delete q.stopping;
  delete q.parked;
  for (const t of q.tasks) if (t.state === 'parked') t.state = 'pending';
  // A running task first; the rest keep their order (sort is stable), so a
  // parked task, taken before the ones after it, stays ahead of them.
  q.tasks.sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running'));
  return true;
}

/**
 * Hands the next task over at once when Claude is idle (no Stop will come to
 * do it): marks it running and returns the instruction to type, or
 * undefined when the queue is not armed, a task runs already, or none is
 * pending.
 */
export function takeNext(q: Queue, journal: (e: Omit<JournalEntry, 'ts'>) => void, now: Date): string | undefined {
  if (!q.armed || runningTask(q)) return undefined;
  const next = q.tasks.find((t) => t.state === 'pending');
  if (!next) return undefined;
  start(next, now, journal);
  return handoverReason(next, pendingCount(q));
}

/** The instruction Claude gets for a queued task. */
export function handoverReason(t: Task, left: number): string {
  return `cs queue — task ${t.id}${left > 0 ? ` (${left} more queued after this one)` : ''}:\n\n${t.text}`;
}

/**
 * A tool failed: counts it against the running task and parks the queue when
 * the count reaches the limit. Returns the debrief when it parked.
 */
export function onToolFailure(sessionDir: string, what: string, limits: Limits, now: Date): string | null {
  return withRunningTask(sessionDir, now, (q, t, journal) => {
    t.failures = (t.failures ?? 0) + 1;
    if (t.failures < limits.failures) return null;
    park(q, 'failures', `parked: ${t.failures} tool failures in task ${t.id} "${clip(t.text)}" (last: ${clip(what, 100)})`, now, journal);
    return q.parked!.debrief;
  });
}

/** Runs `fn` on the queue's running task under the queue's lock (changeQueue); null when there is no queue or no running task. */
function withRunningTask<T>(sessionDir: string, now: Date, fn: (q: Queue, t: Task, journal: (e: Omit<JournalEntry, 'ts'>) => void) => T | null): T | null {
  if (!hasQueue(sessionDir)) return null;
  return changeQueue(
    sessionDir,
    (q, journal) => {
      const t = runningTask(q);
      return t ? fn(q, t, journal) : null;
    },
    now,
  );
}

/**
 * Adds `text` to the queue and arms it (`cs -spawn --task`). With `take`,
 * the next pending task is marked running at once and its handover text is
 * returned, to be Claude's first prompt (an idle Claude never stops, so no
 * Stop would hand it over); else undefined.
 */
export function queueAndArm(sessionDir: string, text: string, take: boolean, now: Date): string | undefined {
  return changeQueue(
    sessionDir,
    (q, journal) => {
      const t = addTask(q, text, now);
      journal({ type: 'add', id: t.id, text: t.text });
      if (!q.armed) journal({ type: 'start' });
      q.armed = true;
      delete q.stopping;
      delete q.parked;
      if (!take || runningTask(q)) return undefined;
      const next = start(q.tasks.find((x) => x.state === 'pending')!, now, journal);
      return handoverReason(next, pendingCount(q));
    },
    now,
  );
}

/**
 * Claude ended (or its host died) while a task ran: no Stop will finish it,
 * and a Stop of some later turn must not mark it done. Parks the queue with
 * that task parked ('ended'); `-queue start` hands it over first again.
 * Called at the end of a run cs launched, by the SessionEnd hook of one it
 * did not, and when a session is opened with no live holder of its lock (a
 * host killed before its end). Returns the debrief, or null when no task ran.
 */
export function parkInterrupted(sessionDir: string, session: string, now: Date): string | null {
  return withRunningTask(sessionDir, now, (q, t, journal) => {
    park(q, 'ended', `parked: Claude ended during task ${t.id} "${clip(t.text)}" (cs ${session} -queue start hands it over again)`, now, journal);
    return q.parked!.debrief;
  });
}

/** Claude never got the task `queueAndArm` took (the spawn failed): it is pending again, first in line. */
export function unstart(sessionDir: string, now: Date): void {
  changeQueue(
    sessionDir,
    (q) => {
      const t = runningTask(q);
      if (!t) return;
      t.state = 'pending';
      delete t.started;
    },
    now,
  );
}
