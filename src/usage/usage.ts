// Tokens spent per session, read from Claude Code's transcripts
// (<config>/projects/<slug>/<uuid>.jsonl, and the subagent transcripts under
// <uuid>/). Claude Code writes one line per content block of an answer, each
// carrying the same `message.usage`, so lines are counted once per API
// request: keyed by `requestId`, else `message.id` (per field the largest
// value wins, since a streamed answer's last line has the final output count).
// Format checked against Claude Code 2.1.330 transcripts
// (test/integration/care/usage.test.ts fixture).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ownsEntry, type Owned } from '../conversations/owned.js';
import { claudeProjectDir } from '../session/claude-project.js';

export interface Tokens {
  input: number;
  output: number;
  /** cache_creation_input_tokens */
  cacheWrite: number;
  /** cache_read_input_tokens */
  cacheRead: number;
  /** API requests counted. */
  requests: number;
}

export const zero = (): Tokens => ({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0, requests: 0 });

export function add(a: Tokens, b: Tokens): Tokens {
  return { input: a.input + b.input, output: a.output + b.output, cacheWrite: a.cacheWrite + b.cacheWrite, cacheRead: a.cacheRead + b.cacheRead, requests: a.requests + b.requests };
}

/** One API request as found in a transcript. */
export interface Request {
  key: string;
  /** Conversation uuid (the transcript's, or its parent's for a subagent). */
  conversation: string;
  at: Date;
  tokens: Tokens;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** The request a transcript line reports, or null when it reports none. */
export function requestOf(line: string, conversation: string): Request | null {
  if (!line.includes('"usage"')) return null;
  let v: any;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const u = v?.message?.usage;
  if (v?.type !== 'assistant' || !u || typeof u !== 'object') return null;
  const key = typeof v.requestId === 'string' && v.requestId ? `r:${v.requestId}` : typeof v.message.id === 'string' ? `m:${v.message.id}` : null;
  const at = new Date(typeof v.timestamp === 'string' ? v.timestamp : NaN);
  if (!key || Number.isNaN(at.getTime())) return null;
  return {
    key,
    conversation,
    at,
    tokens: { input: n(u.input_tokens), output: n(u.output_tokens), cacheWrite: n(u.cache_creation_input_tokens), cacheRead: n(u.cache_read_input_tokens), requests: 1 },
  };
}

/** Every transcript file of a project folder that `owned` takes in (src/conversations/owned.ts), with the conversation it belongs to. */
function transcriptFiles(projectDir: string, owned: Owned): Array<{ file: string; conversation: string }> {
  const out: Array<{ file: string; conversation: string }> = [];
  let entries: fs.Dirent[];
  try {
    // By name, so a request copied into a continued conversation is credited the same way every run.
    entries = fs.readdirSync(projectDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!ownsEntry(owned, e.name)) continue;
    const p = path.join(projectDir, e.name);
    if (e.isFile() && e.name.endsWith('.jsonl')) out.push({ file: p, conversation: e.name.slice(0, -6) });
    else if (e.isDirectory()) {
      // <uuid>/subagents/*.jsonl and the like: the parent conversation's spending.
      const walk = (d: string) => {
        for (const x of fs.readdirSync(d, { withFileTypes: true })) {
          const q = path.join(d, x.name);
          if (x.isDirectory()) walk(q);
          else if (x.isFile() && x.name.endsWith('.jsonl')) out.push({ file: q, conversation: e.name });
        }
      };
      try {
        walk(p);
      } catch {
        // a folder that vanished while reading
      }
    }
  }
  return out;
}

/**
 * The requests in a session's transcripts made at or after `since`, once
 * each: of its project folder, what `owned` says the session owns (null:
 * everything; src/conversations/owned.ts). Files are streamed line by line;
 * files last written before `since` are skipped unread. A workspace that is
 * gone has none.
 */
export async function sessionRequests(configDir: string, sessionDir: string, since: Date, owned: Owned = null): Promise<Request[]> {
  let real: string;
  try {
    real = fs.realpathSync(sessionDir);
  } catch {
    return [];
  }
  const byKey = new Map<string, Request>();
  for (const { file, conversation } of transcriptFiles(claudeProjectDir(configDir, real), owned)) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st || st.mtimeMs < since.getTime()) continue;
    const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of rl) {
      const r = requestOf(line, conversation);
      if (!r || r.at < since) continue;
      const seen = byKey.get(r.key);
      if (!seen) byKey.set(r.key, r);
      else {
        // The same request on several lines: the largest figure of each field.
        seen.tokens = {
          input: Math.max(seen.tokens.input, r.tokens.input),
          output: Math.max(seen.tokens.output, r.tokens.output),
          cacheWrite: Math.max(seen.tokens.cacheWrite, r.tokens.cacheWrite),
          cacheRead: Math.max(seen.tokens.cacheRead, r.tokens.cacheRead),
          requests: 1,
        };
      }
    }
  }
  return [...byKey.values()];
}

/** Sums requests at or after `since`, in total and per conversation. */
export function tally(requests: readonly Request[], since: Date): { total: Tokens; byConversation: Map<string, Tokens> } {
  let total = zero();
  const byConversation = new Map<string, Tokens>();
  for (const r of requests) {
    if (r.at < since) continue;
    total = add(total, r.tokens);
    byConversation.set(r.conversation, add(byConversation.get(r.conversation) ?? zero(), r.tokens));
  }
  return { total, byConversation };
}
