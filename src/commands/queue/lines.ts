// How -queue shows tasks and its journal to people (src/queue/ holds the queue itself).
import { escapeControls } from '../../lib/format.js';
import type { JournalEntry, Task } from '../../queue/queue.js';

const hhmm = (iso: string) => new Date(iso).toTimeString().slice(0, 5);

/** One line a task: "  2 running  fix the flaky test (started 14:05)". */
export function taskLine(t: Task): string {
  const when = t.state === 'running' && t.started ? ` (started ${hhmm(t.started)})` : t.ended ? ` (${t.state === 'done' ? 'done' : 'parked'} ${hhmm(t.ended)})` : '';
  // Control and bidi characters show as \uXXXX: a task may be piped in from anywhere (git diff | cs x -queue add -).
  const text = escapeControls(t.text.replace(/\s+/g, ' ').trim());
  return `${String(t.id).padStart(3)} ${t.state.padEnd(8)} ${text.length > 100 ? `${text.slice(0, 99)}…` : text}${when}`;
}

/** The journal line as people read it: "2026-11-30 14:05 done 2 fix the flaky test", "… resume-at at 2026-11-30 19:00". */
export function journalLine(e: JournalEntry): string {
  const what = e.type === 'park' ? escapeControls(String(e.debrief ?? '')) : e.type === 'resume-at' && typeof e.at === 'string' ? `at ${new Date(e.at).toLocaleString('sv-SE').slice(0, 16)}` : e.text ? `${e.id ?? ''} ${escapeControls(String(e.text).replace(/\s+/g, ' ').slice(0, 100))}` : e.id !== undefined ? String(e.id) : '';
  return `${new Date(e.ts).toLocaleString('sv-SE').slice(0, 16)} ${e.type}${what ? ` ${what}` : ''}`;
}
