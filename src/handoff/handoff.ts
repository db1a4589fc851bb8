// Handing a heavy conversation over to a fresh one before the context fills.
//
// When a conversation has used 80 % of its context window, the Stop hook
// asks Claude, once per conversation, to write `.cs/handoffs/<time>.md`
// (goal, state, the exact facts found that are written nowhere else, next
// step). The figure comes from the status line's record when it describes
// this conversation (src/status/statusline.ts), else from the usage of the
// transcript's last answer, the way Claude Code computes it (input + cache
// write + cache read tokens of the latest request, over the window size).
// `cs <s> --new` then offers the newest handoff no conversation started from
// yet; the conversation that uses it records `handoff` and `handoffFrom` in
// conversations.json (synced), which -conversations shows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, readdirOr, writeFileAtomic } from '../lib/fsutil.js';
import { readStatusLine } from '../status/statusline.js';

export const HANDOFF_THRESHOLD_PCT = 80;
/**
 * The context window (tokens) assumed when the status line never recorded
 * one. It depends on the model (Claude Code 2.1.330 reported 1,000,000 for
 * its default model in test/e2e/care/statusline-claude.test.ts, 200,000 is the
 * common size): the smaller one, so the nudge comes early rather than late.
 */
export const DEFAULT_CONTEXT_TOKENS = 200_000;
/** A status-line record older than this says nothing about now. */
const STATUS_FRESH_MS = 15 * 60_000;
const TAIL_BYTES = 512 * 1024;

export function handoffsDir(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'handoffs');
}

function asksFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'local', 'handoffs.json');
}

/** The file name for a handoff written at `now`: `<YYYYMMDD-HHMMSS>.md` (UTC), sortable. */
export function handoffName(now: Date): string {
  return `${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.md`;
}

/** The latest request's context tokens in a transcript (input + cache write + cache read), or null. */
export function lastContextTokens(transcript: string): number | null {
  let text: string;
  try {
    const fd = fs.openSync(transcript, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, TAIL_BYTES);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes('"usage"') || !line.includes('"assistant"')) continue;
    try {
      const v = JSON.parse(line) as { type?: string; isSidechain?: boolean; message?: { usage?: Record<string, unknown> } };
      const u = v.message?.usage;
      if (v.type !== 'assistant' || v.isSidechain === true || !u) continue;
      const n = (k: string) => (typeof u[k] === 'number' ? (u[k] as number) : 0);
      return n('input_tokens') + n('cache_creation_input_tokens') + n('cache_read_input_tokens');
    } catch {
      // the first line of the tail may be cut
    }
  }
  return null;
}

export interface ContextReading {
  pct: number;
  source: 'statusline' | 'transcript';
}

/** How full the conversation's context is, from the status line when it speaks of this conversation, else the transcript. */
export function contextUsed(sessionDir: string, conversation: string, transcript: string | undefined, now: Date): ContextReading | null {
  const sl = readStatusLine(sessionDir);
  const fresh = sl && sl.sessionId === conversation && now.getTime() - sl.at.getTime() <= STATUS_FRESH_MS;
  if (fresh && sl.contextPct !== null) return { pct: sl.contextPct, source: 'statusline' };
  if (!transcript) return null;
  const tokens = lastContextTokens(transcript);
  if (tokens === null) return null;
  const size = sl?.contextSize && sl.contextSize > 0 ? sl.contextSize : DEFAULT_CONTEXT_TOKENS;
  return { pct: (100 * tokens) / size, source: 'transcript' };
}

/** Conversation uuid → the handoff file it was asked to write (machine-local: only the asking matters here). */
export type Asks = Record<string, { at: string; file: string }>;

export function readAsks(sessionDir: string): Asks {
  try {
    const v = JSON.parse(fs.readFileSync(asksFile(sessionDir), 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Asks) : {};
  } catch {
    return {};
  }
}

/** The words of the nudge: what to write, where, and what never to put in it. */
export function handoffRequest(relFile: string, pct: number): string {
  return [
    `cs: this conversation has used ${Math.round(pct)}% of its context window. Before going on, write a handoff to ${relFile} so a fresh conversation can take over without losing anything:`,
    '## Goal — what we are trying to achieve, and for whom.',
    '## State — what is done, what is in progress, what is broken.',
    '## Facts — the exact things found that are written nowhere else: readings, numbers, identifiers, paths, commands that worked, options rejected and why.',
    '## Next step — the very next thing to do.',
    'Keep it short and precise. Never write secret values (tokens, passwords, keys): name them, they are in the session\'s secrets. Then stop.',
  ].join('\n');
}

/**
 * Decides whether to nudge now; when so, records the ask (once per
 * conversation) and resolves to the Stop block reason.
 */
export async function nudge(sessionDir: string, conversation: string, transcript: string | undefined, now: Date, settleMs = 1500): Promise<{ reason: string; file: string; pct: number } | null> {
  if (!conversation) return null;
  const asks = readAsks(sessionDir);
  if (asks[conversation]) return null;
  let reading = contextUsed(sessionDir, conversation, transcript, now);
  // Claude Code may run the Stop hook before the first answer's line reaches
  // the transcript: give it a moment (bounded) before concluding there is none.
  for (let waited = 0; reading === null && transcript && fs.existsSync(transcript) && waited < settleMs; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    reading = contextUsed(sessionDir, conversation, transcript, now);
  }
  if (!reading || reading.pct < HANDOFF_THRESHOLD_PCT) return null;
  const rel = `.cs/handoffs/${handoffName(now)}`;
  asks[conversation] = { at: now.toISOString(), file: rel };
  ensureDir(path.dirname(asksFile(sessionDir)), 0o700);
  writeFileAtomic(asksFile(sessionDir), JSON.stringify(asks, null, 2) + '\n', 0o600);
  ensureDir(handoffsDir(sessionDir));
  return { reason: handoffRequest(rel, reading.pct), file: rel, pct: reading.pct };
}

export interface Handoff {
  /** `.cs/handoffs/<name>.md` */
  rel: string;
  path: string;
  mtimeMs: number;
  /** The conversation asked to write it, when this machine asked. */
  from?: string;
}

/** Handoffs of the session, newest first. */
export function listHandoffs(sessionDir: string): Handoff[] {
  const dir = handoffsDir(sessionDir);
  const names = readdirOr(dir);
  if (!names.length) return [];
  const asks = readAsks(sessionDir);
  const out: Handoff[] = [];
  for (const name of names) {
    if (!name.endsWith('.md') || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    const rel = `.cs/handoffs/${name}`;
    const from = Object.entries(asks).find(([, a]) => a.file === rel)?.[0];
    out.push({ rel, path: p, mtimeMs: st.mtimeMs, ...(from ? { from } : {}) });
  }
  return out.sort((a, b) => (a.rel < b.rel ? 1 : a.rel > b.rel ? -1 : 0));
}

/** The newest handoff no conversation has started from (`used` holds the `handoff` fields of conversations.json). */
export function latestUnused(sessionDir: string, used: ReadonlySet<string>): Handoff | null {
  return listHandoffs(sessionDir).find((h) => !used.has(h.rel)) ?? null;
}
