// When Claude ends unexpectedly (a non-zero status, a signal, an OOM kill, or
// the process that hosted it killed), cs writes what it knows to
// `.cs/local/postmortem/<time>.txt` and says so in one line on the next
// `cs <name>`, in `cs -ls` and in `cs -live`. `unseen` names the newest
// postmortem nobody has been told about yet; the next `cs <name>` clears it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import type { SessionPaths } from '../session/paths.js';
import { parseEventLine, readLinesSync, timelineFile } from '../timeline/timeline.js';
import { describe } from '../timeline/format.js';

export function postmortemDir(p: Pick<SessionPaths, 'local'>): string {
  return path.join(p.local, 'postmortem');
}

const unseenFile = (p: Pick<SessionPaths, 'local'>) => path.join(postmortemDir(p), 'unseen');

/** Signal names by number, for the statuses a shell reports (128+n). */
const SIGNALS: Record<number, string> = { 1: 'HUP', 2: 'INT', 3: 'QUIT', 6: 'ABRT', 9: 'KILL', 11: 'SEGV', 13: 'PIPE', 15: 'TERM' };

/** "signal KILL (status 137)", "status 3": how a shell's $? reads to a person. */
export function describeStatus(status: number | null): string {
  if (status === null) return 'unknown status';
  if (status > 128 && status < 128 + 65) return `signal ${SIGNALS[status - 128] ?? status - 128} (status ${status})`;
  return `status ${status}`;
}

/** The last tool call the timeline recorded ("Bash sleep 5"), or ''. */
export function lastToolCall(p: Pick<SessionPaths, 'meta'>): string {
  let last = '';
  readLinesSync(timelineFile(p.meta), 0, (line) => {
    const ev = parseEventLine(line);
    if (ev && (ev.type === 'tool' || ev.type === 'tool-failed')) last = `${ev.ts}  ${describe(ev)}`;
  });
  return last;
}

export interface Postmortem {
  /** What ended: "Claude Code exited with signal KILL (status 137)". */
  what: string;
  status: number | null;
  now: Date;
  /** The last lines of the pane, when it could still be read. */
  pane?: string;
}

/** Writes the postmortem file and marks it unseen; returns its path. */
export function writePostmortem(p: Pick<SessionPaths, 'local' | 'meta' | 'name'>, pm: Postmortem): string {
  const dir = postmortemDir(p);
  ensureDir(dir, 0o700);
  const stamp = pm.now.toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}.txt`);
  const tool = lastToolCall(p);
  const text = [
    `session: ${p.name}`,
    `time: ${pm.now.toISOString()}`,
    `what: ${pm.what}`,
    `exit: ${describeStatus(pm.status)}`,
    `last tool call: ${tool || '(none recorded)'}`,
    '',
    '--- last 200 lines of the terminal ---',
    pm.pane ?? '(not available: the pane was gone)',
    '',
  ].join('\n');
  writeFileAtomic(file, text, 0o600);
  writeFileAtomic(unseenFile(p), path.basename(file) + '\n', 0o600);
  return file;
}

export interface UnseenPostmortem {
  file: string;
  /** One line for a person: what ended, when, where to read more. */
  line: string;
}

/** The newest postmortem nobody has been told about, if any (one existsSync when there is none). */
export function unseenPostmortem(p: Pick<SessionPaths, 'local' | 'name'>): UnseenPostmortem | null {
  const marker = unseenFile(p);
  if (!fs.existsSync(marker)) return null;
  let name: string;
  try {
    name = fs.readFileSync(marker, 'utf8').trim();
  } catch {
    return null;
  }
  const file = path.join(postmortemDir(p), name);
  let what = 'Claude Code ended unexpectedly';
  let time = '';
  try {
    for (const l of fs.readFileSync(file, 'utf8').split('\n', 6)) {
      if (l.startsWith('what: ')) what = l.slice(6);
      if (l.startsWith('time: ')) time = l.slice(6);
    }
  } catch {
    return null;
  }
  return { file, line: `${what}${time ? ` at ${time}` : ''} — see ${file}` };
}

/** The person has been told: the next open stays quiet. */
export function markSeen(p: Pick<SessionPaths, 'local'>): void {
  fs.rmSync(unseenFile(p), { force: true });
}

/** The last `lines` lines of a text, trailing blank lines dropped. */
export function lastLines(text: string, lines = 200): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}
