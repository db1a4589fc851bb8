// What the hook handlers record in the timeline. Every function here is best
// effort: a timeline problem never changes what the hook answers Claude.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfined, writeConfined } from '../lib/confine.js';
import { escapeControls } from '../lib/format.js';
import type { HookInput } from '../hooks/protocol.js';
import { obj, str } from '../hooks/protocol.js';
import { workspaceRelative } from '../hooks/session.js';
import type { SessionPaths } from '../session/paths.js';
import { recordEvent } from './timeline.js';

export const MAX_TARGET = 200;
/** The input field that says what a tool works on, in order of preference (hooks/post-tool-use gets this list through dist/hook.sh). */
export const TARGET_KEYS = ['file_path', 'notebook_path', 'command', 'pattern', 'url', 'query', 'path', 'description'] as const;

/** What a tool call works on, short and on one line: a path relative to the workspace, a command, a pattern. */
export function toolTarget(toolInput: HookInput | undefined, sessionDir: string): string {
  if (!toolInput) return '';
  for (const key of TARGET_KEYS) {
    const v = str(toolInput, key);
    if (v === undefined || v === '') continue;
    let t = v;
    // Relative inside the workspace (changes.md's rule); anything else as given.
    t = workspaceRelative(t, sessionDir) ?? t;
    // eslint-disable-next-line no-control-regex
    t = escapeControls(t.replace(/[\x00-\x1f\x7f]+/g, ' ').trim());
    return t.length > MAX_TARGET ? t.slice(0, MAX_TARGET - 1) + '…' : t;
  }
  return '';
}

/** Headings of the `## ` sections of discoveries.md, in order. */
export function discoveryTitles(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) if (line.startsWith('## ')) out.push(line.slice(3).trim());
  return out;
}

const stateFile = (p: SessionPaths) => path.join(p.local, 'timeline-discoveries.json');

function readSections(p: SessionPaths): string[] {
  try {
    return discoveryTitles(readConfined(p.discoveries, ''));
  } catch {
    return [];
  }
}

function writeSeen(p: SessionPaths, count: number): void {
  writeConfined(stateFile(p), JSON.stringify({ sections: count }));
}

/** Remembers how many discoveries exist now, so only later ones become events. */
export function markDiscoveriesSeen(p: SessionPaths): void {
  try {
    writeSeen(p, readSections(p).length);
  } catch {
    // best effort
  }
}

/** Text as cs may record it in the timeline (committed and synced): each secret value out (the hook handler's scrub). */
export type Scrub = (text: string) => Promise<string>;

/**
 * One `discovery` event per `## ` section added since the last look (at most
 * 5 at once), its title through `scrub`: Claude writes those headings, and a
 * value in one ("## the db password hunter2…") would be kept as is in
 * timeline.jsonl, which git takes.
 */
export async function noteNewDiscoveries(p: SessionPaths, now: Date, scrub: Scrub): Promise<void> {
  try {
    const titles = readSections(p);
    let seen = 0;
    try {
      seen = Number((JSON.parse(fs.readFileSync(stateFile(p), 'utf8')) as { sections?: number }).sections) || 0;
    } catch {
      seen = 0; // no record: everything in the file is new to the timeline
    }
    if (titles.length === seen) return;
    writeSeen(p, titles.length);
    // Fewer than before: archived by PreCompact, not news.
    for (const title of titles.slice(Math.max(seen, titles.length - 5))) recordEvent(p.meta, { type: 'discovery', title: await scrub(title) }, now);
  } catch {
    // best effort
  }
}

export function sessionStarted(p: SessionPaths, input: HookInput, now: Date): void {
  recordEvent(p.meta, { type: 'session-start', source: str(input, 'source') ?? 'unknown', ...(str(input, 'session_id') ? { conversation: str(input, 'session_id') } : {}) }, now);
  markDiscoveriesSeen(p);
}

export async function sessionEnded(p: SessionPaths, input: HookInput, now: Date, scrub: Scrub): Promise<void> {
  await noteNewDiscoveries(p, now, scrub);
  recordEvent(p.meta, { type: 'session-end', reason: str(input, 'reason') ?? 'unknown' }, now);
}

/** PostToolUse on every tool: the call, and any discoveries it added. */
export async function toolCalled(p: SessionPaths, input: HookInput, now: Date, scrub: Scrub): Promise<void> {
  const toolInput = obj(input, 'tool_input');
  const target = toolTarget(toolInput, p.dir);
  recordEvent(p.meta, { type: 'tool', tool: str(input, 'tool_name') ?? 'unknown', ...(target ? { target } : {}) }, now);
  if (toolInput && JSON.stringify(toolInput).includes('discoveries')) await noteNewDiscoveries(p, now, scrub);
}

export function toolFailed(p: SessionPaths, input: HookInput, now: Date): void {
  const target = toolTarget(obj(input, 'tool_input'), p.dir);
  const error = (str(input, 'error') ?? '').replace(/\s+/g, ' ').trim().slice(0, 300);
  recordEvent(p.meta, { type: 'tool-failed', tool: str(input, 'tool_name') ?? 'unknown', ...(target ? { target } : {}), ...(error ? { error } : {}) }, now);
}

/** PreToolUse captured a Write: the copy's name in .cs/artifacts/ and the secret keys the file now refers to. */
export function artifactCaptured(p: SessionPaths, input: HookInput, captured: { name: string; secrets: string[] } | null, now: Date): void {
  try {
    if (!captured) return;
    const from = toolTarget(obj(input, 'tool_input'), p.dir);
    const { name, secrets } = captured;
    recordEvent(p.meta, { type: 'artifact', name, ...(from ? { from } : {}), ...(secrets.length ? { secrets } : {}) }, now);
  } catch {
    // best effort
  }
}

export function autosaved(p: SessionPaths, commit: string, now: Date): void {
  recordEvent(p.meta, { type: 'autosave', commit }, now);
}
