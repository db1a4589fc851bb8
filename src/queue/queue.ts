// A session's task queue: `.cs/queue/queue.json` (synced with the session)
// holds the tasks and whether the queue is armed; `.cs/queue/journal.jsonl`
// is the append-only record of what the queue did (add, start, task, done,
// stop, park, drained, resume-at, resume). Every change goes through `changeQueue`, which
// holds a short lock in `.cs/local/` (the CLI, the Stop hook and the async
// PostToolUseFailure hook may change it at the same moment) and replaces the
// file atomically, never through a symlink (src/lib/confine.ts).
//
// A feature session (a worktree of its base, src/features/) has no queue of
// its own: the `.cs/queue/` checked out there is the base's, as committed
// when the feature branched. Read there it is empty and it is never changed:
// acted on, the feature's Claude would take the base's tasks (which the base
// runs as well), and a change committed on the feature branch would come
// back into the base's queue.json as a merge conflict.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendConfined, confinedPath, writeConfined } from '../lib/confine.js';
import { SESSION_IN_HINT, UserError } from '../lib/errors.js';
import { isFeatureWorktree } from '../features/ref.js';
import { readJsonLines } from '../lib/fsutil.js';
import { withLockSync } from '../lib/lockfile.js';
import { recordEvent } from '../timeline/timeline.js';

export type TaskState = 'pending' | 'running' | 'done' | 'parked';

export interface Task {
  /** Stable number, shown by `-queue` and taken by `-queue rm`. */
  id: number;
  text: string;
  state: TaskState;
  /** ISO 8601 times. */
  added: string;
  started?: string;
  ended?: string;
  /** Tool failures while this task was running (PostToolUseFailure). */
  failures?: number;
}

export interface Parked {
  at: string;
  /** Which safety stop: failures | context | five-hour | minutes. */
  reason: ParkReason;
  /** One line for the user: what stopped the queue, and where. */
  debrief: string;
  /** When the 5-hour limit resets (parked on it, reset time known), ISO 8601. */
  resetsAt?: string;
  /** When a hosted session's host re-arms the queue (src/queue/resume.ts), ISO 8601. */
  resumesAt?: string;
}

/** What parked the queue: a safety stop (drain.ts safetyStop, onToolFailure), or Claude ended while a task ran (parkInterrupted). */
export type ParkReason = 'failures' | 'context' | 'five-hour' | 'minutes' | 'ended';

export interface Queue {
  armed: boolean;
  /** `-queue stop` asked: disarm once the running task is done. */
  stopping?: boolean;
  tasks: Task[];
  nextId: number;
  parked?: Parked;
}

export type JournalType = 'add' | 'start' | 'task' | 'done' | 'stop' | 'park' | 'drained' | 'resume-at' | 'resume';

export interface JournalEntry {
  ts: string;
  type: JournalType;
  id?: number;
  text?: string;
  [field: string]: unknown;
}

export const emptyQueue = (): Queue => ({ armed: false, tasks: [], nextId: 1 });

export function queueFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'queue', 'queue.json');
}

export function journalFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'queue', 'journal.jsonl');
}

const lockFile = (sessionDir: string) => path.join(sessionDir, '.cs', 'local', 'queue.lock');

const STATES: readonly TaskState[] = ['pending', 'running', 'done', 'parked'];

/** The queue file as the user sees it: relative to the session, never absolute. */
export const QUEUE_FILE = '.cs/queue/queue.json';

/**
 * A queue file that is not a cs queue (bad JSON, a sync conflict's markers, an
 * entry that does not validate). The message names the file relative to the
 * session and never quotes it: the task texts may hold a secret.
 */
export class DamagedQueueError extends UserError {
  constructor() {
    super(`the queue file ${QUEUE_FILE} is damaged (not a cs queue)`, `move it aside and start an empty queue with: ${SESSION_IN_HINT} -queue clear`);
  }
}

const isTask = (t: unknown): t is Task => {
  const v = t as Partial<Task> | null;
  return !!v && typeof v === 'object' && isId(v.id) && typeof v.text === 'string' && STATES.includes(v.state!);
};
const isId = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;

/**
 * Refusal to change the queue in a feature worktree (see the top of this
 * file): the tasks belong on the base, whose name the caller knows best.
 */
export class FeatureQueueError extends UserError {
  constructor() {
    super('a feature session has no task queue of its own (the one in its worktree is its base\'s)', 'queue the task on the base session: cs <base> -queue add "<task>"');
  }
}

/** The queue as stored, or an empty one when there is none (or in a feature worktree). Throws DamagedQueueError when the file is not a valid queue. */
export function readQueue(sessionDir: string): Queue {
  if (isFeatureWorktree(sessionDir)) return emptyQueue();
  let text: string;
  try {
    text = fs.readFileSync(queueFile(sessionDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyQueue();
    throw e;
  }
  let v: Partial<Queue>;
  try {
    v = JSON.parse(text) as Partial<Queue>;
  } catch {
    throw new DamagedQueueError();
  }
  // Every entry must validate: dropping a bad one silently would lose a task.
  if (!v || typeof v !== 'object' || Array.isArray(v) || !Array.isArray(v.tasks) || !v.tasks.every(isTask)) throw new DamagedQueueError();
  if (v.nextId !== undefined && !isId(v.nextId)) throw new DamagedQueueError();
  const nextId = Math.max(v.nextId ?? 1, ...v.tasks.map((t) => t.id + 1));
  return { ...v, armed: v.armed === true, tasks: v.tasks, nextId } as Queue;
}

/**
 * For `-queue clear` on a damaged queue: moves the file aside (never deletes
 * it) as `queue.json.damaged-<time>` and starts an empty queue, under the
 * queue's lock. Returns the new name relative to the session, or null when
 * the file is sound after all (then nothing is changed).
 */
export function setAsideDamagedQueue(sessionDir: string, now: Date): string | null {
  confinedPath(lockFile(sessionDir));
  return withLockSync(lockFile(sessionDir), () => {
    try {
      readQueue(sessionDir);
      return null;
    } catch (e) {
      if (!(e instanceof DamagedQueueError)) throw e;
    }
    const file = confinedPath(queueFile(sessionDir));
    const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    let aside = `${file}.damaged-${stamp}`;
    for (let i = 2; fs.existsSync(aside); i++) aside = `${file}.damaged-${stamp}-${i}`;
    // rename replaces no link and follows none (confinedPath checked the directories).
    fs.renameSync(file, confinedPath(aside));
    writeConfined(file, JSON.stringify(emptyQueue(), null, 2) + '\n');
    return `${QUEUE_FILE}${aside.slice(file.length)}`;
  });
}

/**
 * Reads, changes and writes the queue under its lock; `fn` mutates the queue
 * in place and returns its result (also the journal entries to append, in
 * order). Returns that result. Writes only when the queue changed.
 */
export function changeQueue<T>(sessionDir: string, fn: (q: Queue, journal: (e: Omit<JournalEntry, 'ts'>) => void) => T, now: Date): T {
  if (isFeatureWorktree(sessionDir)) throw new FeatureQueueError();
  confinedPath(lockFile(sessionDir));
  return withLockSync(lockFile(sessionDir), () => {
    const q = readQueue(sessionDir);
    const before = JSON.stringify(q, null, 2) + '\n';
    const entries: Omit<JournalEntry, 'ts'>[] = [];
    const result = fn(q, (e) => entries.push(e));
    const after = JSON.stringify(q, null, 2) + '\n';
    // Unchanged: no write, so a Stop in a session without a queue leaves no file.
    if (after !== before) writeConfined(queueFile(sessionDir), after);
    if (entries.length) appendConfined(journalFile(sessionDir), entries.map((e) => JSON.stringify({ ts: now.toISOString(), ...e }) + '\n').join(''));
    // The timeline shows the queue's steps among the session's other events (text cut to a line).
    for (const { type, text, ...rest } of entries) recordEvent(path.join(sessionDir, '.cs'), { type: 'queue', action: type, ...rest, ...(text ? { text: String(text).replace(/\s+/g, ' ').slice(0, 200) } : {}) }, now);
    return result;
  });
}

/** True when the session has a queue file at all (the hooks' cheap first check); never in a feature worktree. */
export function hasQueue(sessionDir: string): boolean {
  return fs.existsSync(queueFile(sessionDir)) && !isFeatureWorktree(sessionDir);
}

/** Journal entries, oldest first; lines that do not parse are skipped. None in a feature worktree (the base's are there). */
export function readJournal(sessionDir: string): JournalEntry[] {
  if (isFeatureWorktree(sessionDir)) return [];
  return readJsonLines(journalFile(sessionDir), (line) => {
    const v = JSON.parse(line) as JournalEntry;
    return v && typeof v.ts === 'string' && typeof v.type === 'string' ? v : null;
  });
}

/** Adds a task at the end; returns it. */
export function addTask(q: Queue, text: string, now: Date): Task {
  const task: Task = { id: q.nextId++, text, state: 'pending', added: now.toISOString() };
  q.tasks.push(task);
  return task;
}

export const pendingCount = (q: Queue): number => q.tasks.filter((t) => t.state === 'pending').length;

export const runningTask = (q: Queue): Task | undefined => q.tasks.find((t) => t.state === 'running');

/** How `-queue` and the picker describe the queue in a few words: "armed, 2 pending". */
export function queueSummary(q: Queue): string {
  const n = pendingCount(q);
  const state = q.armed ? (q.stopping ? 'stopping' : 'armed') : q.parked ? 'parked' : 'idle';
  return `${state}, ${n} pending`;
}
