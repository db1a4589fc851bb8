// The session context injected at SessionStart and SubagentStart: objective,
// latest discoveries, captured artifacts. Short: it costs tokens every time.
import * as path from 'node:path';
import { readConfined } from '../lib/confine.js';
import { objectiveOf } from '../session/summarize.js';
import { LOCAL_PROTOCOL_FILE, isAdopted } from '../session/adopted.js';
import { readManifest } from './artifacts.js';
import type { HookSession } from './session.js';

const DISCOVERY_LINES = 40;

export function latestDiscoveries(text: string, maxLines = DISCOVERY_LINES): string {
  const at = text.indexOf('\n## ');
  if (at < 0) return '';
  const body = text.slice(at + 1).trimEnd().split('\n');
  return body.slice(-maxLines).join('\n');
}

/** A .cs/ file's text for the context, '' when it is missing or not the session's own (a link, a FIFO: readConfined). */
function ownText(file: string): string {
  try {
    return readConfined(file, '');
  } catch {
    return '';
  }
}

export function sessionContext(s: HookSession): string {
  const p = s.paths;
  const objective = objectiveOf(ownText(p.readme));
  const discoveries = latestDiscoveries(ownText(p.discoveries));
  const artifacts = readManifest(p.manifest).map((e) => e.name);
  const protocolFile = isAdopted(p.dir) ? LOCAL_PROTOCOL_FILE : 'CLAUDE.md';
  const lines = [`cs session "${p.name}" (workspace ${p.dir}). Follow the protocol in ${protocolFile}: record findings in .cs/discoveries.md; store secrets with \`cs -secrets set KEY\` (value on stdin), never in files.`];
  lines.push(`Objective: ${objective || '(not set yet: write it into .cs/README.md)'}`);
  if (discoveries) lines.push('', 'Latest discoveries (.cs/discoveries.md):', discoveries);
  if (artifacts.length) lines.push('', `Artifacts in ${path.relative(p.dir, p.artifacts)}/: ${artifacts.slice(-30).join(', ')}`);
  return lines.join('\n');
}
