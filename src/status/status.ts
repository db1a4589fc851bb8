// A session's live status, from Claude Code's hook events (never from the
// screen): UserPromptSubmit, PreToolUse (of a tool that may run long) and
// the end of every tool call (PostToolUse, PostToolUseFailure) → working, Notification and
// PermissionRequest → needs-you, Stop → idle, SessionEnd (or cs after Claude
// exits) → closed. `.cs/local/status.json` holds the current one, replaced
// atomically; `.cs/local/status.log` one line per change, for `-watch` and
// tests. The sh hooks in hooks/status-* write the same two files without
// Node, with these names and bounds (dist/hook.sh, src/hooks/shlib.ts);
// test/hooks/parity.test.ts holds both writers to the same result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendConfined, writeConfined } from '../lib/confine.js';
import { readJsonLines } from '../lib/fsutil.js';

export type State = 'working' | 'needs-you' | 'idle' | 'closed';
export const STATES: readonly State[] = ['working', 'needs-you', 'idle', 'closed'];

export interface Status {
  state: State;
  /** The hook event (or "cs") that set it. */
  event: string;
  /** ISO time. */
  at: string;
  /** Milliseconds since the epoch: a writer never replaces a newer status. */
  ms: number;
}

/** What each hook event means for the status; events not listed leave it alone. */
export const EVENT_STATE: Readonly<Record<string, State>> = {
  UserPromptSubmit: 'working',
  PreToolUse: 'working',
  PostToolUse: 'working',
  PostToolUseFailure: 'working',
  Notification: 'needs-you',
  PermissionRequest: 'needs-you',
  Stop: 'idle',
  SessionEnd: 'closed',
};

/** A status stamped further ahead than this is taken as a wrong clock, not a newer status (hooks/status.sh agrees). */
export const FUTURE_TOLERANCE_MS = 5000;

/**
 * The same state again within this long (ms) is not written again, whatever
 * event brings it: a burst of tool calls would otherwise replace status.json
 * on every hook (a rename over a file: about 1 ms here, 2.6 ms on ext4, the
 * largest part of cs's own work per tool call), to move its time by less
 * than a second. The event was part of the rule; PreToolUse and PostToolUse
 * take turns, so a call with both replaced the file twice. A change of
 * state is always written (-watch reports the event that made it), and the
 * file's time lags the last event by less than this (hooks/status.sh agrees).
 */
export const REPEAT_MS = 1000;

/** Above this the log is cut to its newest LOG_KEEP_LINES lines (by whichever writer, sh or Node, crossed it). */
export const LOG_MAX_BYTES = 64 * 1024;
export const LOG_KEEP_LINES = 200;

/** The two files, relative to the session directory (hooks/status.sh gets them through dist/hook.sh). */
export const STATUS_FILE = '.cs/local/status.json';
export const STATUS_LOG = '.cs/local/status.log';

export function statusFile(sessionDir: string): string {
  return path.join(sessionDir, STATUS_FILE);
}

export function statusLog(sessionDir: string): string {
  return path.join(sessionDir, STATUS_LOG);
}

function parseStatus(text: string): Status | null {
  try {
    const v = JSON.parse(text) as Partial<Status>;
    if (!v || !STATES.includes(v.state as State)) return null;
    // The sh writer records only ms; Node writes both.
    const ms = typeof v.ms === 'number' ? v.ms : typeof v.at === 'string' ? Date.parse(v.at) : NaN;
    if (!Number.isFinite(ms)) return null;
    return { state: v.state as State, event: typeof v.event === 'string' ? v.event : '', at: typeof v.at === 'string' ? v.at : new Date(ms).toISOString(), ms };
  } catch {
    return null;
  }
}

export function readStatus(sessionDir: string): Status | null {
  const file = statusFile(sessionDir);
  if (!fs.existsSync(file)) return null;
  try {
    return parseStatus(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Every recorded change, oldest first (the log may be cut). */
export function readStatusLog(sessionDir: string): Status[] {
  return readJsonLines(statusLog(sessionDir), parseStatus).sort((a, b) => a.ms - b.ms);
}

/**
 * Records a status. A status older than the one on file is dropped (async
 * hooks may finish out of order); an unchanged state only refreshes the file.
 */
export function writeStatus(sessionDir: string, state: State, event: string, now: Date): boolean {
  const ms = now.getTime();
  const current = readStatus(sessionDir);
  // A stamp far ahead of this clock (it was set back) must not block every later write.
  if (current && current.ms > ms && current.ms <= ms + FUTURE_TOLERANCE_MS) return false;
  if (current && current.state === state && ms >= current.ms && ms - current.ms < REPEAT_MS) return false;
  const status: Status = { state, event, at: now.toISOString(), ms };
  const line = JSON.stringify(status);
  // A status.json made read-only is left alone, as hooks/status.sh leaves it.
  if (fs.existsSync(statusFile(sessionDir)) && !writable(statusFile(sessionDir))) return false;
  // Private, as hooks/status.sh makes them (its `umask 077`).
  writeConfined(statusFile(sessionDir), line + '\n', 0o600);
  if (current?.state !== state) appendLog(sessionDir, line);
  return true;
}

/** Whether this process may write `file` (access(2), as sh's `test -w`). */
function writable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function appendLog(sessionDir: string, line: string): void {
  const log = statusLog(sessionDir);
  appendConfined(log, line + '\n', 0o600);
  const size = fs.statSync(log, { throwIfNoEntry: false })?.size ?? 0;
  if (size > LOG_MAX_BYTES) {
    const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    writeConfined(log, lines.slice(-LOG_KEEP_LINES).join('\n') + '\n', 0o600);
  }
}

/** For hooks: the status a hook event sets, recorded; never throws. */
export function recordEvent(sessionDir: string, event: string, now: Date): void {
  const state = EVENT_STATE[event];
  if (!state) return;
  try {
    writeStatus(sessionDir, state, event, now);
  } catch {
    // status is a convenience: never fail a hook over it
  }
}

/** How `-ls` shows a status: a closed or absent one as '-'. */
export function statusLabel(s: Status | null, open: boolean): string {
  if (!s) return open ? 'open' : '-';
  if (s.state === 'closed') return open ? 'open' : '-';
  return s.state;
}

/** For cs after Claude exits: closed, whatever the hooks managed to record. Never throws. */
export function markClosed(sessionDir: string, now: Date): void {
  try {
    writeStatus(sessionDir, 'closed', 'cs', now);
  } catch {
    // status is a convenience
  }
}
