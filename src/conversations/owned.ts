// Which transcripts in a Claude Code project folder belong to a session.
//
// Claude Code names the folder after the workspace path with every character
// other than [a-zA-Z0-9] turned into '-' (src/session/claude-project.ts), so
// sessions `x.y` and `x-y` of one root share one folder, and whatever takes
// "the folder's transcripts" as a session's would take the other session's
// too. The rule: a session that is alone in its folder owns everything there
// (conversations started outside cs, or before cs pinned them, included, as
// always); a folder that two or more sessions of the root map to is split by
// `.cs/conversations.json`: each session owns the conversations it pins.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeProjectSlug } from '../session/claude-project.js';
import { nameProblem } from '../session/names.js';
import { readConversations } from './store.js';

/** What a session owns in its project folder: `null` = every transcript there, else the conversation uuids it pins. */
export type Owned = ReadonlySet<string> | null;

/**
 * The names of the sessions of `root` other than `self` whose workspace
 * Claude Code files under the same project folder as `realDir` (a real
 * path). A session folder is taken as `<real root>/<name>`, a link (adopted
 * project) is resolved; entries without a `.cs` folder are not sessions. A
 * root that cannot be read has none (no error).
 */
export function sessionsSharingFolder(root: string, self: string, realDir: string): string[] {
  const slug = claudeProjectSlug(realDir);
  let realRoot: string;
  let entries: fs.Dirent[];
  try {
    realRoot = fs.realpathSync.native(root);
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name === self || nameProblem(e.name) !== null) continue;
    let dir: string;
    try {
      dir = e.isDirectory() ? `${realRoot}/${e.name}` : fs.realpathSync.native(path.join(root, e.name));
    } catch {
      continue; // a dangling link
    }
    // The slug first: it costs no syscall, and almost every entry fails it.
    if (claudeProjectSlug(dir) !== slug) continue;
    if (fs.statSync(`${dir}/.cs`, { throwIfNoEntry: false })?.isDirectory()) out.push(e.name);
  }
  return out;
}

/**
 * What session `name` (workspace at the real path `realDir`, under `root`)
 * owns in its project folder: `null` when no other session of the root maps
 * to that folder, else the uuids its `.cs/conversations.json` pins (an
 * unreadable file pins nothing). `shared` skips the root listing when the
 * caller already knows whether the folder is shared.
 */
export function ownedConversations(root: string, name: string, realDir: string, shared?: boolean): Owned {
  if (!(shared ?? sessionsSharingFolder(root, name, realDir).length > 0)) return null;
  try {
    return new Set(readConversations(realDir).conversations.map((c) => c.uuid));
  } catch {
    return new Set();
  }
}

/**
 * What each of `sessions` (every session of one root, each with its
 * workspace's real path) owns in its project folder, by name: as
 * ownedConversations, with the sharing found from the list itself rather
 * than from a listing of the root per session.
 */
export function ownedBySession(root: string, sessions: ReadonlyArray<{ name: string; realDir: string }>): Map<string, Owned> {
  const perSlug = new Map<string, number>();
  const slugs = sessions.map((s) => claudeProjectSlug(s.realDir));
  for (const slug of slugs) perSlug.set(slug, (perSlug.get(slug) ?? 0) + 1);
  return new Map(sessions.map((s, i) => [s.name, ownedConversations(root, s.name, s.realDir, perSlug.get(slugs[i]!)! > 1)]));
}

/**
 * Whether an entry at the top of a project folder belongs to the session
 * that owns `owned`: `<uuid>.jsonl` and the `<uuid>/` folder beside it
 * (subagents, tool results) go with their conversation; anything else
 * (Claude Code's `memory/`, say) only with a folder the session has alone.
 */
export function ownsEntry(owned: Owned, entry: string): boolean {
  if (owned === null) return true;
  return owned.has(entry.endsWith('.jsonl') ? entry.slice(0, -'.jsonl'.length) : entry);
}
