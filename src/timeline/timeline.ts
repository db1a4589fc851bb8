// `.cs/timeline.jsonl`: one JSON object a line, appended by the hooks (and by
// hooks/post-tool-use in sh for plain tool calls) as things happen in a session.
// Appends are one write(2) of one line, so concurrent hooks never interleave;
// git merges the file by union (UNION_PATTERNS in src/git/autosave.ts). When
// it grows past MAX_BYTES it moves to .cs/logs/timeline-<time>.jsonl (also a
// union-merged path) and the oldest rotated files beyond KEEP_ROTATED go.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendConfined, mkdirConfined } from '../lib/confine.js';

export const TIMELINE_FILE = 'timeline.jsonl';
export const MAX_BYTES = 1024 * 1024;
export const KEEP_ROTATED = 3;
const ROTATED = /^timeline-\d{8}T\d{6}(?:\.\d{3})?Z?(?:-\d+)?\.jsonl$/;

export type EventType = 'session-start' | 'session-end' | 'tool' | 'tool-failed' | 'artifact' | 'discovery' | 'autosave' | 'sync' | 'permission' | 'queue';

export interface TimelineEvent {
  /** ISO 8601 UTC. The sh hook writes seconds, Node milliseconds. */
  ts: string;
  type: EventType | string;
  [field: string]: unknown;
}

export type NewEvent = { type: EventType } & Record<string, unknown>;

export function timelineFile(meta: string): string {
  return path.join(meta, TIMELINE_FILE);
}

export function eventLine(ev: NewEvent, now: Date): string {
  return JSON.stringify({ ts: now.toISOString(), ...ev }) + '\n';
}

/** Appends one event to `<meta>/timeline.jsonl`, rotating first when the file is over `maxBytes`. */
export function appendEvent(meta: string, ev: NewEvent, now = new Date(), maxBytes = MAX_BYTES): void {
  const file = timelineFile(meta);
  rotateIfNeeded(meta, maxBytes, now);
  appendConfined(file, eventLine(ev, now));
}

/** Best effort for hooks: a timeline problem must never cost the hook its real work. */
export function recordEvent(meta: string, ev: NewEvent, now = new Date()): void {
  try {
    appendEvent(meta, ev, now);
  } catch {
    // the timeline is a view of what happened, not the record of it
  }
}

function rotatedName(now: Date): string {
  return `timeline-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.jsonl`;
}

/** Rotated files in `.cs/logs/`, oldest first. */
export function rotatedFiles(meta: string): string[] {
  const logs = path.join(meta, 'logs');
  let names: string[];
  try {
    names = fs.readdirSync(logs);
  } catch {
    return [];
  }
  return names.filter((n) => ROTATED.test(n)).sort().map((n) => path.join(logs, n));
}

export function rotateIfNeeded(meta: string, maxBytes: number, now: Date): boolean {
  const file = timelineFile(meta);
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= maxBytes) return false;
  const logs = path.join(meta, 'logs');
  mkdirConfined(logs);
  let target = path.join(logs, rotatedName(now));
  for (let i = 2; fs.existsSync(target); i++) target = path.join(logs, rotatedName(now).replace(/\.jsonl$/, `-${i}.jsonl`));
  try {
    fs.renameSync(file, target);
  } catch (e) {
    // Another hook rotated it a moment ago.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const old = rotatedFiles(meta);
  for (const f of old.slice(0, Math.max(0, old.length - KEEP_ROTATED))) fs.rmSync(f, { force: true });
  return true;
}

/** A line of the file as an event; null for blank, torn or foreign lines. */
export function parseEventLine(line: string): TimelineEvent | null {
  if (!line.startsWith('{')) return null;
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const ev = v as TimelineEvent;
    return typeof ev.ts === 'string' && typeof ev.type === 'string' ? ev : null;
  } catch {
    return null;
  }
}

/**
 * Calls `onLine` for every complete line of `file` from byte `start`, reading
 * in chunks (no whole-file load). Returns the offset after the last complete
 * line, so a follower can continue from there.
 */
export function readLinesSync(file: string, start: number, onLine: (line: string) => void): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return start;
    throw e;
  }
  const buf = Buffer.allocUnsafe(256 * 1024);
  let pending: Buffer = Buffer.alloc(0);
  let offset = start;
  let consumed = start;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, offset);
      if (n === 0) break;
      offset += n;
      const chunk = pending.length ? Buffer.concat([pending, buf.subarray(0, n)]) : buf.subarray(0, n);
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
        onLine(chunk.toString('utf8', from, nl));
        consumed += nl + 1 - from;
        from = nl + 1;
      }
      pending = Buffer.from(chunk.subarray(from));
    }
  } finally {
    fs.closeSync(fd);
  }
  return consumed;
}

export interface ReadResult {
  events: TimelineEvent[];
  /** Offset in the current timeline.jsonl after the last complete line. */
  offset: number;
}

/**
 * The session's events in file order: rotated files (oldest first), then
 * the current file. `limit` keeps only the newest N without holding more.
 */
export function readTimeline(meta: string, opts: { limit?: number; rotated?: boolean } = {}): ReadResult {
  const limit = opts.limit ?? Infinity;
  const events: TimelineEvent[] = [];
  const take = (line: string) => {
    const ev = parseEventLine(line);
    if (!ev) return;
    events.push(ev);
    if (events.length > limit * 2 + 1000) events.splice(0, events.length - limit);
  };
  if (opts.rotated !== false) for (const f of rotatedFiles(meta)) readLinesSync(f, 0, take);
  const offset = readLinesSync(timelineFile(meta), 0, take);
  return { events: Number.isFinite(limit) ? events.slice(-limit) : events, offset };
}
