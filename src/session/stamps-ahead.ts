// Stamps (src/session/stamp.ts) of a long session list computed ahead, on a
// worker thread (stamp-worker.ts), while the main thread goes through the
// list: with ten thousand sessions -ls spent about half its time in the
// stats, the other half in JSON and the table, and only one of two cores
// was busy. Results go through shared memory, so the main thread takes each
// stamp as it needs it without turning its event loop (Atomics.wait).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../lib/package-root.js';
import type { Stamp } from './stamp.js';

/** Below this many sessions a worker's start-up (~20-40 ms) costs more than the stats it would take over (~30 µs a session). */
export const AHEAD_MIN = 2000;
/** With no stamp arriving for this long the worker is given up on, and the main thread stamps the rest itself. */
const STALL_MS = 3000;
/** Int32 slots per session in the shared results: k1, k2, flags, missing. */
const SLOTS = 4;
const RACY = 1;
const NONE = 2;

/** What the worker gets (structured-cloned): each session's real directory and its cached row's `missing` (0: stat every path). */
export interface StampJob {
  dirs: string[];
  missing: number[];
  now: number;
  /** [0]: stamps done, [1]: 1 once the worker failed; then SLOTS int32s per session. */
  shared: SharedArrayBuffer;
}

/**
 * The worker's side: stamps `job.dirs` in order with `stampOf`, publishing
 * each as it is done; on an error it says so (the main thread then does the
 * rest). Never throws.
 */
export function publish(job: StampJob, stampOf: (dir: string, missing: number) => Stamp | null): void {
  const state = new Int32Array(job.shared, 0, 2);
  const out = new Int32Array(job.shared, 8);
  try {
    for (let i = 0; i < job.dirs.length; i++) {
      const st = stampOf(job.dirs[i]!, job.missing[i]!);
      const at = i * SLOTS;
      if (st) {
        out[at] = st.k1 | 0;
        out[at + 1] = st.k2 | 0;
        out[at + 2] = st.racy ? RACY : 0;
        out[at + 3] = st.missing;
      } else {
        out[at + 2] = NONE;
      }
      Atomics.store(state, 0, i + 1);
      // Waking costs a futex call: every 16 stamps, the main thread is rarely that close behind.
      if ((i & 15) === 15) Atomics.notify(state, 0);
    }
  } catch {
    Atomics.store(state, 1, 1);
  }
  Atomics.notify(state, 0);
}

/** The main thread's side: stamp `i` as the worker made it, or undefined when the worker cannot give it (the caller stamps itself). */
export interface StampsAhead {
  take(i: number): Stamp | null | undefined;
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
  const shared = new SharedArrayBuffer(8 + dirs.length * SLOTS * 4);
  const state = new Int32Array(shared, 0, 2);
  const out = new Int32Array(shared, 8);
  let worker: Worker;
  try {
    const job: StampJob = { dirs, missing, now, shared };
    worker = new Worker(file, { workerData: job, stdout: true, stderr: true });
  } catch {
    return null;
  }
  // Never what keeps the process alive, and an error there is answered by stamping here.
  worker.unref();
  worker.on('error', () => Atomics.store(state, 1, 1));
  let gaveUp = false;
  return {
    take(i) {
      if (gaveUp) return undefined;
      let done = Atomics.load(state, 0);
      let waitedSince = 0;
      while (done <= i) {
        if (Atomics.load(state, 1) === 1) return ((gaveUp = true), undefined);
        const now = Date.now();
        waitedSince ||= now;
        if (now - waitedSince > STALL_MS) return ((gaveUp = true), undefined);
        Atomics.wait(state, 0, done, 50);
        const later = Atomics.load(state, 0);
        if (later !== done) waitedSince = 0;
        done = later;
      }
      const at = i * SLOTS;
      const flags = out[at + 2]!;
      if (flags & NONE) return null;
      return { k1: out[at]! >>> 0, k2: out[at + 1]! >>> 0, racy: (flags & RACY) !== 0, missing: out[at + 3]! };
    },
    close() {
      void worker.terminate();
    },
  };
}
