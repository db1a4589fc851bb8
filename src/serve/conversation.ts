// A session's conversation for the page, read from Claude Code's transcript
// (<config>/projects/<slug>/<uuid>.jsonl; DESIGN.md: one JSON object a line,
// `type` "user" | "assistant", `message.content` a string or an array of
// blocks `text` | `tool_use` {name, input} | `tool_result` {content,
// is_error}). Items are numbered from 1 in transcript order, so a page asks
// for `after=<last n it has>`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeProjectDir, latestTranscript } from '../session/claude-project.js';
import { scrubKnown } from '../secrets/scrub.js';
import { ownsEntry, type Owned } from '../conversations/owned.js';

export type ItemKind = 'prompt' | 'text' | 'tool' | 'result';

export interface Item {
  n: number;
  kind: ItemKind;
  /** prompt/text: the text; tool: the one-line summary; result: the result, shortened. */
  text: string;
  /** tool: its name; result: the tool it answers, when known. */
  tool?: string;
  /** result: the tool reported an error. */
  error?: boolean;
  ts?: string;
}

const MAX_RESULT = 2000;
const MAX_SUMMARY = 160;

const oneLine = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
};

/** Text as it is: for callers with no secret to take out. */
const asIs = (s: string) => s;

/**
 * One line about a tool call: its most telling input (command, path,
 * pattern, url), else its string inputs. `scrub` (scrubKnown's) runs on
 * the whole text before it is put on one line and cut: a value with a line
 * break, or one the cut would halve, is then still found whole.
 */
export function toolSummary(name: string, input: unknown, scrub: (text: string) => string = asIs): string {
  return summaryLine(scrub(toolText(name, input)));
}

/** The whole text toolSummary makes its line of, before any scrub: for a caller whose scrub is asynchronous (the secret detector). */
export function toolText(name: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const pick = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description', 'prompt'].map((k) => i[k]).find((v) => typeof v === 'string') as string | undefined;
  const text = pick ?? Object.values(i).filter((v) => typeof v === 'string').join(' ');
  return `${name} ${text}`;
}

/** A scrubbed toolText on one line, cut as toolSummary cuts it. */
export function summaryLine(scrubbed: string): string {
  return oneLine(scrubbed, MAX_SUMMARY);
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (b && typeof b === 'object' && (b as { type?: string }).type === 'text' ? String((b as { text?: unknown }).text ?? '') : '')).join('\n');
  return '';
}

/**
 * The items of transcript text (pure; unreadable lines are skipped). Each
 * item numbered above `after` has its text passed through `scrub` before it
 * is shortened (see toolSummary); the others are left as they are, for the
 * caller drops them.
 */
export function parseTranscript(text: string, scrub: (text: string) => string = asIs, after = 0): Item[] {
  const out: Item[] = [];
  const toolNames = new Map<string, string>();
  const push = (it: Omit<Item, 'n'>) => out.push({ n: out.length + 1, ...it });
  const scrubbed = () => (out.length + 1 > after ? scrub : asIs);
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: { type?: string; isMeta?: boolean; timestamp?: string; message?: { content?: unknown } } | null;
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    // A line that is JSON but no record (null, a number) is skipped like one that is no JSON.
    if (!rec || typeof rec !== 'object' || (rec.type !== 'user' && rec.type !== 'assistant') || rec.isMeta) continue;
    const ts = typeof rec.timestamp === 'string' ? rec.timestamp : undefined;
    const content = rec.message && typeof rec.message === 'object' ? rec.message.content : undefined;
    if (typeof content === 'string') {
      // Slash-command plumbing and local command output are not prompts.
      if (rec.type === 'user' && !/^<(command-|local-command-)/.test(content)) push({ kind: 'prompt', text: scrubbed()(content), ts });
      else if (rec.type === 'assistant') push({ kind: 'text', text: scrubbed()(content), ts });
      continue;
    }
    if (!Array.isArray(content)) continue;
    for (const b of content as Array<Record<string, unknown> | null>) {
      if (!b || typeof b !== 'object') continue;
      if (b.type === 'text' && typeof b.text === 'string' && b.text.trim()) push({ kind: rec.type === 'user' ? 'prompt' : 'text', text: scrubbed()(b.text), ts });
      else if (b.type === 'tool_use') {
        // A block without a name is shown as a tool, not as "null" or "undefined".
        const name = typeof b.name === 'string' && b.name ? b.name : 'tool';
        toolNames.set(String(b.id), name);
        push({ kind: 'tool', tool: name, text: toolSummary(name, b.input, scrubbed()), ts });
      } else if (b.type === 'tool_result') {
        const r = scrubbed()(resultText(b.content));
        push({ kind: 'result', tool: toolNames.get(String(b.tool_use_id)), text: r.length > MAX_RESULT ? r.slice(0, MAX_RESULT) + '…' : r, ...(b.is_error ? { error: true } : {}), ts });
      }
    }
  }
  return out;
}

/**
 * The transcript of the running conversation (`uuid`), else the newest of
 * the workspace's that `ownedOf(real workspace path)` gives the session
 * (src/conversations/owned.ts: a project folder another session shares is
 * split by pinned conversations); null when none.
 */
export function transcriptFile(configDir: string, dir: string, uuid?: string, ownedOf?: (realDir: string) => Owned): string | null {
  let real = dir;
  try {
    real = fs.realpathSync(dir);
  } catch {
    // gone: nothing to find either way
  }
  if (uuid && /^[0-9a-f-]{36}$/.test(uuid)) {
    const f = path.join(claudeProjectDir(configDir, real), `${uuid}.jsonl`);
    if (fs.existsSync(f)) return f;
  }
  const owned = ownedOf?.(real) ?? null;
  return latestTranscript(configDir, real, owned ? (entry) => ownsEntry(owned, entry) : undefined);
}

/** Items numbered above `after`, every text scrubbed of `secrets` (key -> value). */
export function conversation(file: string | null, after: number, secrets: Readonly<Record<string, string>>): Item[] {
  if (!file) return [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseTranscript(text, (t) => scrubKnown(t, secrets).text, after).filter((i) => i.n > after);
}
