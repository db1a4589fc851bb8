// PostToolUse on Write/Edit/MultiEdit/NotebookEdit: one line per change in
// `.cs/changes.md`. The common case is handled by hooks/post-tool-use in sh
// without starting Node; this is the same rule for the inputs sh hands over
// (test/hooks/parity.test.ts checks that both write the same lines).
import * as path from 'node:path';
import { appendConfined } from '../lib/confine.js';
import { escapeControls } from '../lib/format.js';
import { timestamp } from '../session/log.js';
import type { HookInput } from './protocol.js';
import { CHANGE_MATCHER } from './registry.js';
import { str, toolFilePath } from './protocol.js';
import { workspaceRelative, type HookSession } from './session.js';

export const CHANGE_TOOLS = new Set(CHANGE_MATCHER.split('|'));

/** The path as shown in changes.md: relative inside the workspace, else absolute (`file` resolved, so no `..` is left). */
export function displayPath(file: string, workspace: string): string {
  return workspaceRelative(file, workspace) ?? file;
}

/** `.cs/` documents and artifacts are our own bookkeeping, not the user's changes. */
export function isBookkeeping(shown: string): boolean {
  return shown === 'CLAUDE.md' ? false : shown.startsWith('.cs/') || shown === '.cs';
}

export function changeLine(now: Date, tool: string, shown: string): string {
  return `- [${timestamp(now)}] ${tool}: ${escapeControls(shown.replace(/[\r\n]+/g, ' '))}\n`;
}

export function logChange(session: HookSession, input: HookInput, now: Date): void {
  const tool = str(input, 'tool_name');
  const file = toolFilePath(input);
  if (!tool || !CHANGE_TOOLS.has(tool) || !file) return;
  const shown = displayPath(path.resolve(session.paths.dir, file), session.paths.dir);
  if (isBookkeeping(shown)) return;
  appendConfined(session.paths.changes, changeLine(now, tool, shown));
}
