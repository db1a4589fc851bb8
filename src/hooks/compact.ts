// PreCompact: keep discoveries.md short enough to read. Over 200 lines, the
// oldest `## ` sections move to discoveries.archive.md until about 100 lines
// remain. A section is never split and no line is ever lost: the archive is
// written before the shortened file replaces the old one.
import * as fs from 'node:fs';
import { readConfined, writeConfined } from '../lib/confine.js';
import type { HookSession } from './session.js';

export const ARCHIVE_OVER = 200;
export const KEEP_ABOUT = 100;

export interface Split {
  keep: string;
  archived: string;
}

/** Pure: which sections move. `null` when the file is short enough. */
export function splitDiscoveries(text: string, over = ARCHIVE_OVER, keepAbout = KEEP_ABOUT): Split | null {
  const lines = text.split('\n');
  if (lines.length <= over) return null;
  const starts = lines.flatMap((l, i) => (l.startsWith('## ') ? [i] : []));
  if (starts.length < 2) return null; // one huge section: nothing can move without splitting it
  const header = lines.slice(0, starts[0]);
  const sections = starts.map((s, i) => lines.slice(s, starts[i + 1] ?? lines.length));
  let remaining = lines.length;
  let moved = 0;
  // Always keep the newest section, however long.
  while (moved < sections.length - 1 && remaining > keepAbout) {
    remaining -= sections[moved]!.length;
    moved++;
  }
  if (moved === 0) return null;
  const archivedLines = sections.slice(0, moved).flat();
  const keptLines = [...header, ...sections.slice(moved).flat()];
  return { keep: keptLines.join('\n'), archived: archivedLines.join('\n') };
}

/**
 * Moves the oldest sections of the session's discoveries.md to
 * discoveries.archive.md (splitDiscoveries); null when nothing moved.
 * discoveries.md may be written meanwhile (a subagent's Edit, a feature merge
 * folding its records, the user): it is read again just before it is
 * replaced. Lines appended since are kept; any other change leaves both
 * files as they were, for the next PreCompact. `meanwhile` runs between the
 * two reads (tests).
 */
export function archiveDiscoveries(s: HookSession, meanwhile: () => void = () => {}): { movedLines: number } | null {
  const p = s.paths;
  // Read as written: never through a link (a cloned or pulled .cs/ may carry one), whose
  // target's sections would otherwise land in the archive, which git takes.
  const text = readConfined(p.discoveries, '');
  const split = splitDiscoveries(text);
  if (!split) return null;
  const hadArchive = fs.existsSync(p.discoveriesArchive);
  const existing = readConfined(p.discoveriesArchive, '');
  const sep = existing === '' ? '# Discoveries archive\n\n' : existing.endsWith('\n') ? '' : '\n';
  const archived = split.archived.endsWith('\n') ? split.archived : split.archived + '\n';
  // The archive holds what discoveries.md held: no more readable than it (writeConfined keeps an existing archive's narrower mode).
  const mode = (fs.statSync(p.discoveries, { throwIfNoEntry: false })?.mode ?? 0o644) & 0o666;
  writeConfined(p.discoveriesArchive, existing + sep + archived, mode & 0o644);
  meanwhile();
  const now = readConfined(p.discoveries, '');
  if (now !== text && !now.startsWith(text)) {
    // Changed in place: what moved cannot be told apart any more. Put the archive back as it was.
    if (hadArchive) writeConfined(p.discoveriesArchive, existing, mode & 0o644);
    else fs.rmSync(p.discoveriesArchive, { force: true });
    return null;
  }
  writeConfined(p.discoveries, split.keep + now.slice(text.length));
  return { movedLines: split.archived.split('\n').length };
}
