// What a person marks on a session to find it again among many: tags and
// the archive marker. Both live in `.cs/` (not `.cs/local/`), so they travel
// with the session's git history to the other machines.
//
//   .cs/tags       one tag a line, sorted, lower case (a line merge of two
//                  machines' edits keeps both sides' tags)
//   .cs/archived   present when archived; holds the ISO time it was archived
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../lib/errors.js';
import { writeConfined } from '../lib/confine.js';

export const TAG_RULE = '1–32 characters of letters, digits, ".", "_" or "-", starting with a letter or digit';
const TAG_RE = /^[a-z0-9][a-z0-9._-]{0,31}$/;

export function tagsFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'tags');
}

export function archiveMarker(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'archived');
}

/** A tag as stored (lower case, a leading `#` dropped); throws a UsageError naming the rule. */
export function normalizeTag(raw: string): string {
  const t = raw.trim().replace(/^#/, '').toLowerCase();
  if (!TAG_RE.test(t)) throw new UsageError(`'${raw.slice(0, 40)}' is not a usable tag`, `use ${TAG_RULE}`);
  return t;
}

/** Tags from the file's text: one a line, invalid lines and merge markers skipped, sorted, unique. */
export function parseTags(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const t = line.trim().toLowerCase();
    if (TAG_RE.test(t)) out.add(t);
  }
  return [...out].sort();
}

/** The session's tags ([] when it has none). A linked tags file is read (a tags file shared by sessions), never written through (changeTags). */
export function readTags(sessionDir: string): string[] {
  try {
    return parseTags(fs.readFileSync(tagsFile(sessionDir), 'utf8'));
  } catch {
    return [];
  }
}

/**
 * Adds and removes tags (each already normalized); resolves to the tags after
 * the change. The file is removed when no tag is left, so an untagged session
 * has no file to merge.
 */
export function changeTags(sessionDir: string, add: readonly string[], remove: readonly string[]): string[] {
  const tags = new Set(readTags(sessionDir));
  for (const t of add) tags.add(t);
  for (const t of remove) tags.delete(t);
  const list = [...tags].sort();
  const file = tagsFile(sessionDir);
  // Never through a link (UnsafePathError: a linked file's text would be copied into the session, which syncs); its mode kept.
  if (list.length) writeConfined(file, list.join('\n') + '\n');
  else if (!fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(file, { force: true });
  return list;
}

export function isArchived(sessionDir: string): boolean {
  return fs.existsSync(archiveMarker(sessionDir));
}

/** Sets or clears the archive marker; resolves to whether anything changed. */
export function setArchived(sessionDir: string, archived: boolean, now: Date): boolean {
  const marker = archiveMarker(sessionDir);
  if (archived === fs.existsSync(marker)) return false;
  if (archived) writeConfined(marker, now.toISOString() + '\n');
  else fs.rmSync(marker, { force: true });
  return true;
}

export interface Visibility {
  /** Only sessions with this tag. */
  tag?: string;
  /** Only archived sessions (--archived). */
  archived?: boolean;
  /** Archived and not (--all). */
  all?: boolean;
}

/** Which sessions a listing shows: archived ones only when asked for, and the tag filter. */
export function visible<T extends { tags?: readonly string[]; archived?: boolean }>(list: readonly T[], v: Visibility): T[] {
  return list.filter((s) => (v.all ? true : v.archived ? s.archived === true : s.archived !== true) && (v.tag === undefined || (s.tags ?? []).includes(v.tag)));
}
