// `.cs/conversations.json`: the Claude Code conversations pinned to a
// session, one entry per uuid. Entries are never edited once written, only
// added, and each sits on its own line before a closing `{}` sentinel:
//
//   {"format":"cs-conversations","version":1,"conversations":[
//   {"uuid":"…","started":"…","machine":"…","machineId":"…"},
//   {}]}
//
// so two machines that each add a conversation touch different lines (a line
// merge keeps both and the file stays valid JSON), and a reader that meets
// conflict markers or a half-merged file still recovers every entry line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../lib/errors.js';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { crypto } from '../lib/lazy-crypto.js';
import { userAtHost } from '../lib/machine.js';
import { csConfigDir } from '../session/paths.js';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

export function newUuid(): string {
  return crypto().randomUUID();
}

export interface Conversation {
  uuid: string;
  /** ISO time the conversation was pinned. */
  started: string;
  /** Display name of the machine that owns (writes) its synced transcript. */
  machine: string;
  /** Stable id of that machine (one per HOME): only the owner exports the transcript. */
  machineId: string;
  /** The conversation this one continues (history copied under a new uuid). */
  from?: string;
  /** First prompt, when cs knew it at launch. */
  title?: string;
  /** The handoff (.cs/handoffs/<time>.md) this conversation started from (src/handoff/handoff.ts). */
  handoff?: string;
  /** The conversation that wrote that handoff, when known. */
  handoffFrom?: string;
  /** The feature session (`base@<feature>`) it ran in, once merged into the base (src/features/fold.ts). */
  feature?: string;
}

export function conversationsFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'conversations.json');
}

export function syncedDir(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'conversations');
}

// --- this machine --------------------------------------------------------------

export interface Machine {
  id: string;
  name: string;
}

/** This machine's id (made once, kept in the cs config dir) and display name. */
export function thisMachine(env: NodeJS.ProcessEnv): Machine {
  const file = path.join(csConfigDir(env), 'machine-id');
  let id = '';
  try {
    id = fs.readFileSync(file, 'utf8').trim();
  } catch {
    // first use on this machine
  }
  if (!/^[0-9a-f]{16}$/.test(id)) {
    id = crypto().randomBytes(8).toString('hex');
    ensureDir(path.dirname(file), 0o700);
    writeFileAtomic(file, id + '\n', 0o600);
  }
  return { id, name: userAtHost(env) };
}

// --- reading and writing -------------------------------------------------------

export interface ReadResult {
  conversations: Conversation[];
  /** Lines that held no usable entry (bad uuid, not JSON): reported, and kept out of every path. */
  problems: string[];
  exists: boolean;
}

function toEntry(v: unknown): Conversation | string | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not an object';
  const o = v as Record<string, unknown>;
  if (Object.keys(o).length === 0) return null; // the sentinel
  if (typeof o.uuid !== 'string' || !isUuid(o.uuid)) return `'${String(o.uuid).slice(0, 60)}' is not a uuid`;
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const c: Conversation = { uuid: o.uuid, started: s('started') ?? '1970-01-01T00:00:00.000Z', machine: s('machine') ?? 'unknown', machineId: s('machineId') ?? '' };
  const from = s('from');
  if (from && isUuid(from)) c.from = from;
  if (s('title')) c.title = s('title');
  const handoff = s('handoff');
  if (handoff && /^\.cs\/handoffs\/[^/]+\.md$/.test(handoff)) c.handoff = handoff;
  const handoffFrom = s('handoffFrom');
  if (handoffFrom && isUuid(handoffFrom)) c.handoffFrom = handoffFrom;
  if (s('feature')) c.feature = s('feature');
  return c;
}

/**
 * Parses the file, tolerating merge leftovers; entries come out oldest first,
 * one per uuid. `problems` are whole sentences for the user, each saying what
 * was left out: an entry, a line, or the whole file.
 */
export function parseConversations(text: string): { conversations: Conversation[]; problems: string[] } {
  const found: Conversation[] = [];
  const problems: string[] = [];
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  const list = whole && typeof whole === 'object' && Array.isArray((whole as { conversations?: unknown }).conversations) ? ((whole as { conversations: unknown[] }).conversations) : null;
  if (list) {
    for (const v of list) {
      const e = toEntry(v);
      if (typeof e === 'string') problems.push(`${e} (entry ignored)`);
      else if (e) found.push(e);
    }
  } else {
    // Not one JSON document (a conflict, a hand edit): take every line that is an entry.
    for (const raw of text.split('\n')) {
      const line = raw.trim().replace(/,$/, '').replace(/\]\}$/, '');
      if (!line.startsWith('{"uuid"') && !line.startsWith('{ "uuid"')) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        problems.push(`unreadable line: ${line.slice(0, 60)} (line ignored)`);
        continue;
      }
      const e = toEntry(v);
      if (typeof e === 'string') problems.push(`${e} (entry ignored)`);
      else if (e) found.push(e);
    }
    // JSON of another shape is not "not valid JSON": say what it lacks.
    if (found.length === 0 && text.trim() !== '') problems.push(whole === undefined ? 'the file is not valid JSON and holds no entry line (nothing in it is used)' : 'the file holds no "conversations" list (nothing in it is used)');
  }
  const byUuid = new Map<string, Conversation>();
  for (const c of found) byUuid.set(c.uuid, { ...byUuid.get(c.uuid), ...c });
  const conversations = [...byUuid.values()].sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : 0));
  return { conversations, problems };
}

export function readConversations(sessionDir: string): ReadResult {
  let text: string;
  try {
    text = fs.readFileSync(conversationsFile(sessionDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { conversations: [], problems: [], exists: false };
    throw e;
  }
  return { ...parseConversations(text), exists: true };
}

function entryLine(c: Conversation): string {
  // Fixed key order: an entry's line never changes once written.
  const o: Record<string, string> = { uuid: c.uuid, started: c.started, machine: c.machine, machineId: c.machineId };
  if (c.from) o.from = c.from;
  if (c.title) o.title = c.title.replace(/\s+/g, ' ').slice(0, 120);
  if (c.handoff) o.handoff = c.handoff;
  if (c.handoffFrom) o.handoffFrom = c.handoffFrom;
  if (c.feature) o.feature = c.feature;
  return JSON.stringify(o);
}

export function serializeConversations(list: readonly Conversation[]): string {
  return ['{"format":"cs-conversations","version":1,"conversations":[', ...list.map((c) => entryLine(c) + ','), '{}]}', ''].join('\n');
}

/** Adds an entry (read, append, atomic write). */
export function addConversation(sessionDir: string, c: Conversation): void {
  const { conversations } = readConversations(sessionDir);
  if (conversations.some((x) => x.uuid === c.uuid)) return;
  const file = conversationsFile(sessionDir);
  ensureDir(path.dirname(file));
  writeFileAtomic(file, serializeConversations([...conversations, c]));
}

/**
 * Pins a conversation Claude started or switched to inside the session
 * (`/clear`, `/resume`, a fork): an entry owned by this machine, unless the
 * uuid is pinned already. Returns whether an entry was added.
 */
export function pinConversation(sessionDir: string, env: NodeJS.ProcessEnv, uuid: string, now: Date): boolean {
  if (!isUuid(uuid)) return false;
  const { conversations } = readConversations(sessionDir);
  if (conversations.some((x) => x.uuid === uuid)) return false;
  const me = thisMachine(env);
  addConversation(sessionDir, { uuid, started: now.toISOString(), machine: me.name, machineId: me.id });
  return true;
}

/**
 * Takes back an entry this run added when Claude never started it (it
 * exited with an error before writing a transcript): the entry was written
 * moments ago under the session lock and was never committed, so no other
 * machine has it.
 */
export function unpinConversation(sessionDir: string, uuid: string): void {
  const { conversations } = readConversations(sessionDir);
  const rest = conversations.filter((x) => x.uuid !== uuid);
  if (rest.length === conversations.length) return;
  writeFileAtomic(conversationsFile(sessionDir), serializeConversations(rest));
}

/**
 * `--resume <uuid|index>` of `session`: index 1 is the oldest, as
 * `-conversations` numbers them. Throws UsageError naming the session's own
 * commands to look them up.
 */
export function resolveConversation(list: readonly Conversation[], ref: string, session: string): Conversation {
  const see = `see them with: cs ${session} -conversations`;
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    const c = list[i - 1];
    if (!c) throw new UsageError(`no conversation #${ref} in this session (it has ${list.length})`, see);
    return c;
  }
  const wanted = ref.toLowerCase();
  if (!isUuid(wanted)) throw new UsageError(`'${ref.slice(0, 80)}' is neither a conversation uuid nor a number`, see);
  const c = list.find((x) => x.uuid === wanted);
  if (!c) throw new UsageError(`no conversation ${wanted} in this session`, `${see}, or pass it to Claude: cs ${session} -- --resume <uuid>`);
  return c;
}
