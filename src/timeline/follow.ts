// Following a growing timeline.jsonl (for `-log --follow` and the SSE feed of
// `-serve`): an fs.watch on `.cs/` for prompt wake-ups plus a short poll,
// because watches are lossy on some filesystems (network mounts, overlay).
// Rotation is noticed by the inode changing; the rest of the old file is read
// from its rotated copy first, so no event is skipped.
import * as fs from 'node:fs';
import { parseEventLine, readLinesSync, rotatedFiles, timelineFile, type TimelineEvent } from './timeline.js';

export interface FollowOptions {
  /** Byte offset in the current file to start from (readTimeline's offset). */
  offset: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface Follower {
  stop(): void;
  /** Resolves when stopped. */
  done: Promise<void>;
}

/** `onEvents` gets each batch of new events and the offset after them (an SSE id to resume from). */
export function followTimeline(meta: string, onEvents: (events: TimelineEvent[], offset: number) => void, opts: FollowOptions): Follower {
  const file = timelineFile(meta);
  let offset = opts.offset;
  let ino = fs.statSync(file, { throwIfNoEntry: false })?.ino ?? 0;
  let stopped = false;
  let watcher: fs.FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const collect = (into: TimelineEvent[]) => (line: string) => {
    const ev = parseEventLine(line);
    if (ev) into.push(ev);
  };

  const check = () => {
    if (stopped) return;
    const events: TimelineEvent[] = [];
    try {
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st && ino !== 0 && st.ino !== ino) {
        // Rotated: finish the old file from its new name, then start over.
        const old = rotatedFiles(meta).find((f) => fs.statSync(f, { throwIfNoEntry: false })?.ino === ino);
        if (old) readLinesSync(old, offset, collect(events));
        offset = 0;
      } else if (st && st.size < offset) {
        offset = 0; // truncated or replaced in place
      }
      if (st) {
        ino = st.ino;
        if (st.size > offset) offset = readLinesSync(file, offset, collect(events));
      }
    } catch {
      // a transient error (file replaced mid-read): the next tick retries
    }
    if (events.length) onEvents(events, offset);
  };

  const stop = () => {
    if (stopped) return;
    stopped = true;
    watcher?.close();
    if (timer) clearInterval(timer);
    resolveDone();
  };

  try {
    watcher = fs.watch(meta, { persistent: false }, (_type, name) => {
      if (name === null || String(name).startsWith('timeline')) check();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined; // the poll alone will do
  }
  timer = setInterval(check, opts.intervalMs ?? 250);
  if (opts.signal) {
    if (opts.signal.aborted) stop();
    else opts.signal.addEventListener('abort', stop, { once: true });
  }
  check();
  return { stop, done };
}
