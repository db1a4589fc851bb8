// Following the status of every session: each poll stats every session's
// `.cs/local/status.log` and reads only what was appended since the last
// poll, so each change is seen once, in order, even between two polls. Cost
// per poll: one readdir of the root and one stat per session.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nameProblem } from '../session/names.js';
import { entryParent, featureEntries } from '../features/ref.js';
import { STATES, statusLog, type State } from './status.js';

export interface StatusChange {
  session: string;
  from: State | null;
  to: State;
  event: string;
  at: string;
}

interface Cursor {
  size: number;
  lastMs: number;
  state: State | null;
}

function parseLine(line: string): { state: State; event: string; ms: number } | null {
  try {
    const v = JSON.parse(line) as { state?: string; event?: string; ms?: number; at?: string };
    const ms = typeof v.ms === 'number' ? v.ms : typeof v.at === 'string' ? Date.parse(v.at) : NaN;
    if (!STATES.includes(v.state as State) || !Number.isFinite(ms)) return null;
    return { state: v.state as State, event: typeof v.event === 'string' ? v.event : '', ms };
  } catch {
    return null;
  }
}

function sessionNames(root: string): string[] {
  try {
    // Feature sessions (base@feature) too: their worktrees are in <root>/.features/.
    return [...fs.readdirSync(root).filter((n) => nameProblem(n) === null), ...featureEntries(root)].sort();
  } catch {
    return [];
  }
}

export class StatusWatcher {
  private cursors = new Map<string, Cursor>();

  constructor(private readonly root: string) {}

  /** Reads what changed since the last call. The first call only takes note of where things stand. */
  poll(first = false): StatusChange[] {
    const changes: StatusChange[] = [];
    for (const name of sessionNames(this.root)) {
      const log = statusLog(path.join(entryParent(this.root, name), name));
      const st = fs.statSync(log, { throwIfNoEntry: false });
      const cur = this.cursors.get(name) ?? { size: 0, lastMs: 0, state: null };
      if (!st || st.size === cur.size) {
        this.cursors.set(name, cur);
        continue;
      }
      // A cut log (rotation) is read again from the top; lastMs keeps old lines from repeating.
      const from = st.size < cur.size ? 0 : cur.size;
      const bytes = readRange(log, from, st.size);
      if (!bytes) continue; // gone between the stat and the read: the next poll sees
      // Counted in bytes, cut at the last newline before decoding: a byte that is no UTF-8
      // decodes to 3 (U+FFFD), and a cursor counted from the text overshot the lines after it.
      const end = bytes.lastIndexOf(10);
      if (end < 0) continue; // half a line: wait for the rest
      cur.size = from + end + 1;
      for (const line of bytes.toString('utf8', 0, end).split('\n')) {
        const s = line.trim() ? parseLine(line) : null;
        if (!s || s.ms < cur.lastMs) continue;
        if (s.state !== cur.state && !first) changes.push({ session: name, from: cur.state, to: s.state, event: s.event, at: new Date(s.ms).toISOString() });
        cur.state = s.state;
        cur.lastMs = s.ms;
      }
      this.cursors.set(name, cur);
    }
    return changes;
  }

  /** Current state per session, as far as the logs tell. */
  states(): Map<string, State | null> {
    return new Map([...this.cursors].map(([k, v]) => [k, v.state]));
  }
}

/** The bytes of `file` in [from, to), or null when it cannot be read (removed since it was looked at). */
function readRange(file: string, from: number, to: number): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(to - from);
    const n = fs.readSync(fd, buf, 0, buf.length, from);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Waits ms or until the signal aborts; leaves no listener behind on the signal (one wait per poll would pile them up). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Polls until the signal aborts; calls onChange for every change, in order. */
export async function watchStatus(root: string, opts: { intervalMs: number; signal: AbortSignal; onChange: (c: StatusChange) => void | Promise<void>; onReady?: (w: StatusWatcher) => void }): Promise<void> {
  const w = new StatusWatcher(root);
  w.poll(true);
  opts.onReady?.(w);
  while (!opts.signal.aborted) {
    await pause(opts.intervalMs, opts.signal);
    if (opts.signal.aborted) break;
    for (const c of w.poll()) await opts.onChange(c);
  }
}
