// The stamp worker (dist/stamp-worker.js): stamps a long session list from
// its end on another core while -ls's main thread works from the start
// (src/session/stamps-ahead.ts has the protocol). Its stat garbage stays in
// its own heap.
import { workerData } from 'node:worker_threads';
import { stamp } from './stamp.js';
import { publish, type StampJob } from './stamps-ahead.js';

const job = workerData as StampJob;
publish(job, (dir, missing) => stamp(dir, job.now, missing));
