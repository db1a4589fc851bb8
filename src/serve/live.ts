// The live part of a session's feed besides its timeline: the conversation
// (Claude Code's transcript, src/serve/conversation.ts) and the pending
// permission requests (src/approval/approval.ts), both pushed to an open
// page as they change instead of being fetched again and again. A short
// poll of two stats is the whole cost while nothing happens; a hook event
// (the timeline follower calls `poke`) checks at once.
import * as fs from 'node:fs';
import { listPending, permissionsDir, type PendingRequest } from '../approval/approval.js';
import type { Item } from './conversation.js';

export interface LiveSource {
  /** The transcript file of the session's conversation now (it changes on /clear or a new conversation). */
  transcript(): string | null;
  /** The conversation items of `file` numbered above `after`, scrubbed. */
  items(file: string, after: number): Promise<Item[]>;
  /** The session's machine-local `.cs/local/` (where held requests wait). */
  local: string;
}

export interface LiveSink {
  /** A different transcript than before (or the first one): the page starts its conversation over. */
  reset(): void;
  conversation(items: Item[]): void;
  permissions(pending: PendingRequest[]): void;
}

export interface LiveWatch {
  /** Check now (a hook event just arrived). */
  poke(): void;
  stop(): void;
}

/** How often the transcript's name is looked up again (a readdir): less often than its size is. */
const RESOLVE_EVERY_MS = 1000;

const stamp = (file: string | null) => {
  const st = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
  return st ? `${st.size}:${st.mtimeMs}` : '';
};

/**
 * Watches a session's conversation and held requests and tells `sink` what
 * changed: at once the whole conversation and the pending list, then only
 * new items and a changed pending list. Checks every `intervalMs` (250) and
 * on `poke()`. Errors while reading are skipped (the next check retries).
 */
export function watchLive(source: LiveSource, sink: LiveSink, intervalMs = 250): LiveWatch {
  let stopped = false;
  let file: string | null = null;
  let resolvedAt = 0;
  let seen = '';
  let after = 0;
  let pending = '';
  let permStamp = '-';
  let permCheckedAt = 0;
  let busy = false;
  let again = false;

  const check = async () => {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const permDir = permissionsDir(source.local);
      const ps = stamp(permDir);
      // A request whose hook was killed (its session stopped) leaves the folder as it was: while
      // any is shown, list again now and then so it leaves the page (listPending drops it).
      const recheck = pending !== '' && pending !== '[]' && Date.now() - permCheckedAt >= RESOLVE_EVERY_MS;
      if (ps !== permStamp || recheck) {
        permStamp = ps;
        permCheckedAt = Date.now();
        const list = listPending(source.local);
        const text = JSON.stringify(list);
        if (text !== pending) {
          pending = text;
          sink.permissions(list);
        }
      }
      if (Date.now() - resolvedAt >= RESOLVE_EVERY_MS || file === null) {
        resolvedAt = Date.now();
        const now = source.transcript();
        if (now !== file) {
          file = now;
          seen = '';
          after = 0;
          sink.reset();
        }
      }
      const s = stamp(file);
      if (file && s !== seen) {
        seen = s;
        const items = await source.items(file, after);
        if (stopped) return;
        if (items.length) {
          after = items.at(-1)!.n;
          sink.conversation(items);
        }
      }
    } catch {
      // a file replaced mid-read: the next check retries
    } finally {
      busy = false;
    }
    if (again && !stopped) {
      again = false;
      void check();
    }
  };

  const timer = setInterval(() => void check(), intervalMs);
  void check();
  return {
    poke: () => void check(),
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
