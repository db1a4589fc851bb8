// What cs writes in a project it adopted, and nowhere else: `.cs/`, its
// protocol in CLAUDE.local.md (Claude Code loads it; it is meant to stay
// local), and its ignore and merge rules in .git/info/exclude and
// .git/info/attributes. The project's CLAUDE.md, .gitignore, .gitattributes,
// index and branches are the user's. Also the one-time migration of projects
// adopted by older versions, which wrote into those files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exists, readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import { PROTOCOL_END, PROTOCOL_START, mergeProtocol, readTemplate, type TemplateVars } from './templates.js';

/** Claude Code's per-user project memory file; cs's protocol block goes here in adopted projects. */
export const LOCAL_PROTOCOL_FILE = 'CLAUDE.local.md';
/** Lines cs keeps in .git/info/exclude of an adopted project. */
export const EXCLUDE_LINES = ['/.cs/', `/${LOCAL_PROTOCOL_FILE}`];
/** Marker file: the session lives in a project cs did not create. */
export const ADOPTED_MARKER = '.cs/adopted';

export function isAdopted(dir: string): boolean {
  return exists(path.join(dir, ADOPTED_MARKER));
}

/** Keeps a file's own mode when rewriting it (never widen it). */
function rewrite(file: string, text: string): void {
  const mode = fs.statSync(file).mode & 0o777;
  writeFileAtomic(file, text, mode);
}

export type LocalProtocolResult = 'written' | 'unchanged' | 'link' | 'tracked';

/**
 * Puts cs's protocol block into CLAUDE.local.md (between the markers of an
 * existing one, else appended; a new file otherwise). A CLAUDE.local.md that
 * is a symbolic link, or that the project tracks, is the user's and is left
 * alone ('link' / 'tracked').
 */
export function writeLocalProtocol(dir: string, vars: TemplateVars, tracked = false): LocalProtocolResult {
  const file = path.join(dir, LOCAL_PROTOCOL_FILE);
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) return 'link';
  if (tracked) return 'tracked';
  const current = readFileOr(file, '');
  const merged = mergeProtocol(current, readTemplate('CLAUDE.md', vars));
  if (merged === current) return 'unchanged';
  if (st) rewrite(file, merged);
  else writeFileAtomic(file, merged);
  return 'written';
}

/** What to say when the protocol could not go into CLAUDE.local.md; null when it did. */
export function localProtocolProblem(r: LocalProtocolResult): string | null {
  if (r === 'link') return `${LOCAL_PROTOCOL_FILE} is a symbolic link: cs leaves it alone, so Claude gets only the short form of the protocol cs gives at session start`;
  if (r === 'tracked') return `${LOCAL_PROTOCOL_FILE} is tracked by this project: cs leaves it alone, so Claude gets only the short form of the protocol cs gives at session start`;
  return null;
}

/**
 * Removes cs's protocol block from a text it was merged into by
 * mergeProtocol(), with the blank line mergeProtocol put before it. Returns
 * the text unchanged when there is no block.
 */
export function removeProtocol(text: string): string {
  const start = text.indexOf(PROTOCOL_START);
  const end = text.indexOf(PROTOCOL_END, start);
  if (start < 0 || end < start) return text;
  let before = text.slice(0, start);
  let after = text.slice(end + PROTOCOL_END.length);
  if (after.startsWith('\n')) after = after.slice(1);
  // mergeProtocol separated an appended block from the user's text by one blank line.
  if (after === '' && before.endsWith('\n\n')) before = before.slice(0, -1);
  return before + after;
}

/** Removes `block` (as appended whole to a file) or, failing that, nothing. */
export function removeBlock(text: string, block: string): string {
  const i = text.lastIndexOf(block);
  if (i < 0) return text;
  return text.slice(0, i) + text.slice(i + block.length);
}

/** Removes each of `lines` where it is a whole line of `text`. */
export function removeLines(text: string, lines: readonly string[]): string {
  const drop = new Set(lines);
  const kept = text.split('\n').filter((l) => !drop.has(l.replace(/\r$/, '')));
  return kept.join('\n');
}

export interface MigrationReport {
  /** Project files cs edited (left uncommitted for the user to review). */
  edited: string[];
  /** Project files cs removed because they held only what cs had put there. */
  removed: string[];
}

/**
 * Undoes what older versions wrote into an adopted project's own files: the
 * protocol block in CLAUDE.md (moved to CLAUDE.local.md), the lines added to
 * .gitignore and .gitattributes. Only text cs added goes; a file left empty
 * is removed. Nothing is staged or committed, and history is not touched.
 */
export function migrateOldAdoption(dir: string, vars: TemplateVars, unionAttributeLines: readonly string[], localTracked = false): MigrationReport {
  const report: MigrationReport = { edited: [], removed: [] };
  const apply = (name: string, next: (text: string) => string) => {
    const file = path.join(dir, name);
    if (!fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) return;
    const text = fs.readFileSync(file, 'utf8');
    const out = next(text);
    if (out === text) return;
    if (out.trim() === '') {
      fs.rmSync(file);
      report.removed.push(name);
    } else {
      rewrite(file, out);
      report.edited.push(name);
    }
  };
  const claudeMd = readFileOr(path.join(dir, 'CLAUDE.md'), '');
  // The block leaves CLAUDE.md only when it has somewhere to go.
  if (claudeMd.includes(PROTOCOL_START) && ['written', 'unchanged'].includes(writeLocalProtocol(dir, vars, localTracked))) {
    apply('CLAUDE.md', removeProtocol);
  }
  const gitignoreBlock = readTemplate('gitignore', vars);
  apply('.gitignore', (t) => removeBlock(t, gitignoreBlock));
  apply('.gitattributes', (t) => removeLines(t, unionAttributeLines).replace(/\n{2,}$/, '\n'));
  return report;
}

/** The one paragraph said after a migration. */
export function migrationNotice(r: MigrationReport, stillTracked: boolean): string {
  const what = [...r.edited.map((f) => `edited ${f}`), ...r.removed.map((f) => `removed ${f} (it held only cs's lines)`)].join(', ');
  return [
    `this project was adopted by an older cs, which wrote into your own files and committed to your branch. cs now keeps to itself:`,
    `it ${what}; its protocol is in ${LOCAL_PROTOCOL_FILE}, its ignore and merge rules in .git/info/exclude and .git/info/attributes,`,
    `and its records travel on the private ref refs/cs/session, never on a branch. These edits are not committed: review them with git diff.`,
    `Earlier "Session update" commits stay in your history${stillTracked ? '; .cs/ is still tracked there — to stop tracking it: git rm -r --cached .cs' : ''}.`,
  ].join(' ');
}
