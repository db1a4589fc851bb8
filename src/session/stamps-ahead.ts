// Stamps (src/session/stamp.ts) of a long session list shared between two
// threads: a worker (stamp-worker.ts) takes sessions from the end of the
// list while the main thread goes through it from the start, stamping what
// the worker has not got to and reading the summaries; they meet in the
// middle. With ten thousand sessions -ls spent most of its time in the
// stats, on one of two cores. Results go through shared memory, so the main
// thread never turns its event loop for them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../lib/package-root.js';
import type { Stamp } from './stamp.js';

/** Below this many sessions a worker's start-up (~30-40 ms) costs more than the stats it would take over (~30 µs a session). */
export const AHEAD_MIN = 2000;
/** Int32 slots at the start of the shared memory: the next index the worker takes (counting down), the main thread's next index, failure. */
const HI = 0;
const LO = 1;
const FAILED = 2;
const HEADER = 4;
/** Int32 slots per session in the shared results: k1, k2, flags, missing. */
const SLOTS = 4;
const DONE = 1;
const RACY = 2;
const NONE = 4;

/** What the worker gets (structured-cloned): each session's real directory and its cached row's `missing` (0: stat every path). */
export interface StampJob {
  dirs: string[];
  missing: number[];
  now: number;
  /** HEADER int32s (HI, LO, FAILED), then SLOTS int32s per session. */
  shared: SharedArrayBuffer;
}

/**
 * The worker's side: takes sessions from the end of `job.dirs` (an atomic
 * count down, so no session is taken twice by it) until it reaches the
 * main thread's, stamps each with `stampOf` and publishes it (its flags
 * slot last, with Atomics, so a reader that sees DONE sees the rest). On an
 * error it says so and stops (the main thread then does the rest). Never
 * throws.
 */
export function publish(job: StampJob, stampOf: (dir: string, missing: number) => Stamp | null): void {
  const state = new Int32Array(job.shared, 0, HEADER);
  const out = new Int32Array(job.shared, HEADER * 4);
  try {
    for (;;) {
      const i = Atomics.sub(state, HI, 1) - 1;
      if (i < Atomics.load(state, LO)) break;
      const st = stampOf(job.dirs[i]!, job.missing[i]!);
      const at = i * SLOTS;
      if (st) {
        out[at] = st.k1 | 0;
        out[at + 1] = st.k2 | 0;
        out[at + 3] = st.missing;
        Atomics.store(out, at + 2, st.racy ? DONE | RACY : DONE);
      } else {
        Atomics.store(out, at + 2, DONE | NONE);
      }
    }
  } catch {
    Atomics.store(state, FAILED, 1);
  }
}

/** The main thread's side: stamp `i` (taken in order) as the worker made it, or undefined when the main thread is to take it itself. */
export interface StampsAhead {
  take(i: number): Stamp | null | undefined;
  /** Whether the worker has published stamp `i`, without claiming it (tests). */
  published(i: number): boolean;
  close(): void;
}

/**
 * Starts the worker for `dirs` (each with the `missing` its stamp is to be
 * taken with, as stamp()'s argument), or returns null where it would not
 * pay: fewer than `min` (AHEAD_MIN) sessions, one core, or no built worker
 * (running from src/ without dist/). `workerFile`: another worker (tests).
 * Never throws.
 */
export function stampsAhead(dirs: string[], missing: number[], now: number, opts: { min?: number; workerFile?: string } = {}): StampsAhead | null {
  if (dirs.length < (opts.min ?? AHEAD_MIN) || os.availableParallelism() < 2) return null;
  let file: string;
  try {
    file = opts.workerFile ?? path.join(packageRoot(), 'dist', 'stamp-worker.js');
  } catch {
    return null;
  }
  if (!fs.existsSync(file)) return null;
  const shared = new SharedArrayBuffer(HEADER * 4 + dirs.length * SLOTS * 4);
  const state = new Int32Array(shared, 0, HEADER);
  const out = new Int32Array(shared, HEADER * 4);
  state[HI] = dirs.length;
  let worker: Worker;
  try {
    const job: StampJob = { dirs, missing, now, shared };
    worker = new Worker(file, { workerData: job, stdout: true, stderr: true });
  } catch {
    return null;
  }
  // Never what keeps the process alive; its errors are answered by stamping here.
  worker.unref();
  worker.on('error', () => Atomics.store(state, FAILED, 1));
  return {
    take(i) {
      // Claimed for this thread first: from here on the worker stops short of it.
      Atomics.store(state, LO, i + 1);
      const flags = Atomics.load(out, i * SLOTS + 2);
      if (flags & DONE) return read(i, flags);
      // Taken by the worker and not done yet: the last few stats of its run, waited for (it fails fast or finishes).
      if (Atomics.load(state, HI) <= i && Atomics.load(state, FAILED) === 0) {
        for (let spins = 0; spins < 1_000_000; spins++) {
          const f = Atomics.load(out, i * SLOTS + 2);
          if (f & DONE) return read(i, f);
          if (Atomics.load(state, FAILED) === 1) break;
        }
      }
      return undefined;
    },
    published: (i) => (Atomics.load(out, i * SLOTS + 2) & DONE) !== 0,
    close() {
      void worker.terminate();
    },
  };

  function read(i: number, flags: number): Stamp | null {
    const at = i * SLOTS;
    if (flags & NONE) return null;
    return { k1: out[at]! >>> 0, k2: out[at + 1]! >>> 0, racy: (flags & RACY) !== 0, missing: out[at + 3]! };
  }
}
