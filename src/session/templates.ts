// Session templates: `templates/` of the package, with {{var}} placeholders.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../lib/package-root.js';

export const PROTOCOL_START = '<!-- cs:protocol:start -->';
export const PROTOCOL_END = '<!-- cs:protocol:end -->';

export type TemplateVars = Record<string, string>;

export function render(text: string, vars: TemplateVars): string {
  return text.replace(/\{\{(\w+)\}\}/g, (m, key: string) => vars[key] ?? m);
}

export function readTemplate(relative: string, vars: TemplateVars): string {
  return render(fs.readFileSync(path.join(packageRoot(), 'templates', relative), 'utf8'), vars);
}

/** Files of a new workspace, relative to its root, in the order they are written. */
export const WORKSPACE_FILES: ReadonlyArray<{ file: string; template: string }> = [
  { file: 'CLAUDE.md', template: 'CLAUDE.md' },
  { file: '.cs/README.md', template: 'cs/README.md' },
  { file: '.cs/discoveries.md', template: 'cs/discoveries.md' },
  { file: '.cs/changes.md', template: 'cs/changes.md' },
  { file: '.gitignore', template: 'gitignore' },
];

/**
 * Puts our protocol block into an existing CLAUDE.md: replaces the block
 * between the markers when present, else appends it. The user's own text
 * is never touched, and running it twice changes nothing.
 */
export function mergeProtocol(existing: string, block: string): string {
  const start = existing.indexOf(PROTOCOL_START);
  const end = existing.indexOf(PROTOCOL_END, start);
  const trimmedBlock = block.trim();
  if (start >= 0 && end > start) {
    return existing.slice(0, start) + trimmedBlock + existing.slice(end + PROTOCOL_END.length);
  }
  if (existing.trim() === '') return trimmedBlock + '\n';
  const sep = existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return existing + sep + trimmedBlock + '\n';
}

/** Adds `.cs/local/` to a .gitignore if it is not already ignored there. */
export function mergeGitignore(existing: string, block: string): string {
  if (/^\/?\.cs\/local\/?\s*$/m.test(existing)) return existing;
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  return existing + sep + block;
}
