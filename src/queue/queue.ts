// A session's task queue: `.cs/queue/queue.json` (synced with the session)
// holds the tasks and whether the queue is armed; `.cs/queue/journal.jsonl`
// is the append-only record of what the queue did (add, start, task, done,
// stop, park, drained, resume-at, resume). Every change goes through `changeQueue`, which
// holds a short lock in `.cs/local/` (the CLI, the Stop hook and the async
// PostToolUseFailure hook may change it at the same moment) and replaces the
// file atomically, never through a symlink (src/lib/confine.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendConfined, confinedPath, writeConfined } from '../lib/confine.js';
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

export type ParkReason = 'failures' | 'context' | 'five-hour' | 'minutes';

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

/** The queue as stored, or an empty one when there is none. Throws a one-line Error when the file is not a queue. */
export function readQueue(sessionDir: string): Queue {
  let text: string;
  try {
    text = fs.readFileSync(queueFile(sessionDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyQueue();
    throw e;
  }
  const v = JSON.parse(text) as Partial<Queue>;
  if (!v || typeof v !== 'object' || !Array.isArray(v.tasks)) throw new Error(`${queueFile(sessionDir)} is not a cs queue`);
  const tasks = v.tasks.filter((t): t is Task => !!t && typeof t.text === 'string' && Number.isSafeInteger(t.id) && STATES.includes(t.state));
  const nextId = Math.max(Number.isSafeInteger(v.nextId) ? v.nextId! : 1, ...tasks.map((t) => t.id + 1));
  return { ...v, armed: v.armed === true, tasks, nextId } as Queue;
}

/**
 * Reads, changes and writes the queue under its lock; `fn` mutates the queue
 * in place and returns its result (also the journal entries to append, in
 * order). Returns that result. Writes only when the queue changed.
 */
export function changeQueue<T>(sessionDir: string, fn: (q: Queue, journal: (e: Omit<JournalEntry, 'ts'>) => void) => T, now: Date): T {
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

/** True when the session has a queue file at all (the hooks' cheap first check). */
export function hasQueue(sessionDir: string): boolean {
  return fs.existsSync(queueFile(sessionDir));
}

/** Journal entries, oldest first; lines that do not parse are skipped. */
export function readJournal(sessionDir: string): JournalEntry[] {
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
