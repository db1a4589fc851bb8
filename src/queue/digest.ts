// The return digest: what the queue did since the user last opened or
// attached to the session, in one line ("3 tasks done, parked at 85 % of the
// 5-hour limit, which resets at 14:05"). The journal's byte offset at the last
// digest is kept machine-locally in .cs/local/queue-seen.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeConfined } from '../lib/confine.js';
import type { IO } from '../term/io.js';
import { isFeatureWorktree } from '../features/ref.js';
import { journalFile, type JournalEntry } from './queue.js';

const seenFile = (sessionDir: string) => path.join(sessionDir, '.cs', 'local', 'queue-seen');

/** The digest line for these journal entries (oldest first), or null when there is nothing worth saying (pure). */
export function digestLine(entries: readonly JournalEntry[]): string | null {
  const done = entries.filter((e) => e.type === 'done').length;
  const last = [...entries].reverse().find((e) => ['park', 'drained', 'stop', 'task', 'resume-at', 'resume'].includes(e.type));
  const parts: string[] = [];
  if (done > 0 || last) parts.push(done === 0 ? 'no task done' : `${done} task${done === 1 ? '' : 's'} done`);
  if (last?.type === 'resume-at') {
    const parked = [...entries].reverse().find((e) => e.type === 'park');
    const at = new Date(String(last.at));
    parts.push(`${String(parked?.debrief ?? 'parked')}; cs resumes the queue at ${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`);
  } else if (last?.type === 'resume') parts.push("queue resumed at the limit's reset");
  else if (last?.type === 'park') parts.push(String(last.debrief ?? 'parked'));
  else if (last?.type === 'drained') parts.push('queue drained');
  else if (last?.type === 'stop') parts.push('queue stopped');
  else if (last?.type === 'task') parts.push(`working on task ${last.id}`);
  return parts.length ? parts.join(', ') : null;
}

/**
 * The digest of what the queue did since the last one was seen: its line,
 * and `seen()`, which remembers where the journal ended when it was read.
 * Null when there is nothing to say (what there was is then taken as seen).
 * Never throws: a report, never a reason not to open the session.
 */
export function readQueueDigest(sessionDir: string): { line: string; seen: () => void } | null {
  // A feature's worktree holds its base's journal: what the base did is not news of the feature.
  if (isFeatureWorktree(sessionDir)) return null;
  try {
    const file = journalFile(sessionDir);
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
    if (!size) return null;
    let from = 0;
    try {
      from = Number(fs.readFileSync(seenFile(sessionDir), 'utf8').trim()) || 0;
    } catch {
      // never reported here yet
    }
    if (from > size) from = 0; // the journal was replaced (a pull): read it again
    if (from === size) return null;
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(size - from);
    try {
      fs.readSync(fd, buf, 0, buf.length, from);
    } finally {
      fs.closeSync(fd);
    }
    const entries: JournalEntry[] = [];
    for (const line of buf.toString('utf8').split('\n')) {
      try {
        if (line.trim()) entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // a torn line
      }
    }
    const line = digestLine(entries.filter((e) => e.type !== 'add' && e.type !== 'start'));
    const seen = () => {
      try {
        writeConfined(seenFile(sessionDir), `${size}\n`);
      } catch {
        // best effort: it is shown again next time
      }
    };
    if (line) return { line, seen };
    seen();
    return null;
  } catch {
    return null; // best effort
  }
}

/**
 * Prints the digest (one line on stderr), when there is one, and returns its
 * seen(): the caller calls it once the session opened, so an open that fails
 * (Claude cannot start) leaves it for the next one. `digest`: read already. Never throws.
 */
export function reportQueueDigest(sessionDir: string, io: IO, digest = readQueueDigest(sessionDir)): () => void {
  if (!digest) return () => {};
  io.err(io.color.yellow(`cs: while you were away: ${digest.line}`));
  return digest.seen;
}
