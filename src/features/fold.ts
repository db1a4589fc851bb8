// Folding a feature's records into its base when it is merged: what the
// feature added to discoveries, changes, the timeline and the conversations
// list (everything past the marks taken when it was made) is appended to
// the base's files, each piece marked with the feature's name. The rest of
// the feature's `.cs/` is the base's own history and is left alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import { addConversation, readConversations } from '../conversations/store.js';
import type { RecordMarks } from './model.js';

/**
 * Record files, relative to a session directory. The merge keeps the base's
 * version of each and the fold appends the feature's part: the session log
 * too, which cs (and a running base's hooks) go on writing in the base while
 * a conflicted merge waits; merged by git, its staged version would then
 * differ from the file and `git merge --abort`, the way out cs prints, fail.
 */
export const RECORD_FILES = ['.cs/discoveries.md', '.cs/changes.md', '.cs/timeline.jsonl', '.cs/conversations.json', '.cs/logs/session.log'] as const;

function linesAfter(text: string, n: number): string[] {
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines.slice(n);
}

/** Pure: the discoveries lines a feature added, headings marked `[feature <f>]`; text before a first heading gets one. */
export function markDiscoveries(added: readonly string[], feature: string): string[] {
  const body = [...added];
  while (body.length && body[0]!.trim() === '') body.shift();
  while (body.length && body.at(-1)!.trim() === '') body.pop();
  if (body.length === 0) return [];
  const out = body.map((l) => (l.startsWith('## ') ? `${l} [feature ${feature}]` : l));
  return out[0]!.startsWith('## ') ? out : [`## From feature ${feature}`, '', ...out];
}

/** Pure: changes.md lines (`- [time] Tool: path`) marked `(feature <f>)`. */
export function markChanges(added: readonly string[], feature: string): string[] {
  return added.filter((l) => l.trim() !== '').map((l) => (l.startsWith('- ') ? `${l} (feature ${feature})` : l));
}

/** Pure: session.log lines (`[time] event`) marked `(feature <f>)`. */
export function markLog(added: readonly string[], feature: string): string[] {
  return added.filter((l) => l.trim() !== '').map((l) => `${l} (feature ${feature})`);
}

/** Pure: timeline JSON lines with `"feature": <f>` added; lines that are not JSON objects are dropped. */
export function markTimeline(added: readonly string[], feature: string): string[] {
  const out: string[] = [];
  for (const l of added) {
    try {
      const o = JSON.parse(l) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) out.push(JSON.stringify({ ...o, feature }));
    } catch {
      // a torn last line: nothing to carry
    }
  }
  return out;
}

function append(file: string, lines: readonly string[], separate: boolean): void {
  if (lines.length === 0) return;
  const text = readFileOr(file, '');
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  const gap = separate && text.trim() !== '' ? '\n' : '';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, text + sep + gap + lines.join('\n') + '\n');
}

export interface FoldResult {
  discoveries: number;
  changes: number;
  timeline: number;
  conversations: number;
}

/**
 * Appends what the feature at `featureDir` added since `marks` to the base
 * at `baseDir`; `logMark`: the lines its session log had at the fork (not in
 * the marks of features made before the log was folded, so read from the
 * fork commit by the caller). Writes only the base's `.cs/` record files
 * (atomically).
 */
export function foldRecords(featureDir: string, baseDir: string, feature: string, marks: RecordMarks, logMark: number): FoldResult {
  const read = (rel: string) => readFileOr(path.join(featureDir, rel), '');
  append(path.join(baseDir, '.cs/logs/session.log'), markLog(linesAfter(read('.cs/logs/session.log'), logMark), feature), false);
  const discoveries = markDiscoveries(linesAfter(read('.cs/discoveries.md'), marks.discoveries), feature);
  const changes = markChanges(linesAfter(read('.cs/changes.md'), marks.changes), feature);
  const timeline = markTimeline(linesAfter(read('.cs/timeline.jsonl'), marks.timeline), feature);
  append(path.join(baseDir, '.cs/discoveries.md'), discoveries, true);
  append(path.join(baseDir, '.cs/changes.md'), changes, false);
  append(path.join(baseDir, '.cs/timeline.jsonl'), timeline, false);
  const known = new Set(marks.conversations);
  const have = new Set(readConversations(baseDir).conversations.map((c) => c.uuid));
  let conversations = 0;
  for (const c of readConversations(featureDir).conversations) {
    if (known.has(c.uuid) || have.has(c.uuid)) continue;
    addConversation(baseDir, { ...c, feature });
    conversations++;
  }
  return { discoveries: discoveries.length, changes: changes.length, timeline: timeline.length, conversations };
}
