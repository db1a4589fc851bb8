// cs -usage [<s>] [--since <when>] [--json]: tokens per session (or, for one
// session, per conversation) over the last 5 hours and 7 days, from Claude
// Code's transcripts (src/usage/usage.ts).
import { UsageError } from '../lib/errors.js';
import { table } from '../lib/format.js';
import { claudeConfigDir, sessionsRoot } from '../session/paths.js';
import { has, value, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface UsageOptions {
  session?: string;
  json: boolean;
  /** --since: a duration back from now (ms), or an absolute time. */
  since?: { ms: number } | { at: Date };
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** The furthest back --since goes (ms): 100 years. */
const MAX_SINCE_MS = 100 * 365 * 86_400_000;

/** `30m`, `5h`, `2d`, `1w` (at most 100 years), or an ISO date/time; throws a UsageError otherwise. */
export function parseSince(text: string, usage = 'cs -usage [<name>] [--since <30m|5h|2d|1w|date>] [--json]'): { ms: number } | { at: Date } {
  const m = /^(\d+)([mhdw])$/.exec(text.trim());
  // Further back than any session: a typo (99999999d printed a date 270,000 years BC).
  if (m && Number(m[1]) * UNITS[m[2]!]! > MAX_SINCE_MS) throw new UsageError(`--since ${text.slice(0, 40)} reaches back more than 100 years`, `usage: ${usage}`);
  if (m) return { ms: Number(m[1]) * UNITS[m[2]!]! };
  if (/^\d{4}-\d\d-\d\d([T ][\d:.]+(Z|[+-]\d\d:?\d\d)?)?$/.test(text.trim())) {
    const at = new Date(text.trim());
    if (!Number.isNaN(at.getTime())) return { at };
  }
  throw new UsageError(`--since takes a duration (30m, 5h, 2d, 1w) or a date (2026-11-01), not '${text.slice(0, 40)}'`, `usage: ${usage}`);
}

/** `cs <s> -usage` or `cs -usage <s>`: the session named one way, not both. */
export function parse(a: Args): UsageOptions {
  const [named] = a.operands;
  if (a.session !== undefined && named !== undefined) throw new UsageError(`-usage: unexpected argument '${named}'`, `usage: ${a.usage}`);
  const session = a.session ?? named;
  const since = value(a, '--since');
  return { ...(session !== undefined ? { session } : {}), json: has(a, '--json'), ...(since !== undefined ? { since: parseSince(since, a.usage) } : {}) };
}

interface Window {
  name: string;
  since: Date;
}

function windowsFor(opts: UsageOptions, now: Date): Window[] {
  if (opts.since) {
    const since = 'at' in opts.since ? opts.since.at : new Date(now.getTime() - opts.since.ms);
    return [{ name: 'since', since }];
  }
  return [
    { name: '5h', since: new Date(now.getTime() - 5 * 3_600_000) },
    { name: '7d', since: new Date(now.getTime() - 7 * 86_400_000) },
  ];
}

/** 1234 → 1.2k, 1234567 → 1.2M: columns stay readable. */
export function compact(v: number): string {
  if (v < 1000) return String(v);
  if (v < 1_000_000) return `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)}k`;
  return `${(v / 1_000_000).toFixed(v < 10_000_000 ? 1 : 0)}M`;
}

const HEAD = ['INPUT', 'OUTPUT', 'CACHE WRITE', 'CACHE READ', 'REQUESTS'];

export async function run(opts: UsageOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const { sessionRequests, tally } = await import('../usage/usage.js');
  const now = ctx.now();
  const windows = windowsFor(opts, now);
  const earliest = new Date(Math.min(...windows.map((w) => w.since.getTime())));
  const config = claudeConfigDir(env);
  const cells = (t: { input: number; output: number; cacheWrite: number; cacheRead: number; requests: number }) => [compact(t.input), compact(t.output), compact(t.cacheWrite), compact(t.cacheRead), String(t.requests)];
  const title = (w: Window) => (w.name === '5h' ? 'last 5 hours' : w.name === '7d' ? 'last 7 days' : `since ${w.since.toISOString().slice(0, 16).replace('T', ' ')} UTC`);

  if (opts.session) {
    const { resolveSession } = await import('../session/resolve.js');
    const found = ctx.session ?? resolveSession(env, { name: opts.session, command: '-usage' });
    const { readConversations } = await import('../conversations/store.js');
    const pinned = readConversations(found.paths.dir).conversations.map((c) => c.uuid);
    const [{ ownedConversations }, { workspaceRealPath }] = await Promise.all([import('../conversations/owned.js'), import('../conversations/transcripts.js')]);
    // Of a project folder another session shares (x.y and x-y), only this session's conversations.
    const requests = await sessionRequests(config, found.paths.dir, earliest, ownedConversations(sessionsRoot(env), found.name, workspaceRealPath(found.paths.dir)));
    const out = windows.map((w) => {
      const t = tally(requests, w.since);
      const conversations = [...t.byConversation.entries()]
        .map(([uuid, tokens]) => ({ uuid, ...(pinned.includes(uuid) ? { index: pinned.indexOf(uuid) + 1 } : {}), ...tokens }))
        .sort((a, b) => b.input + b.output + b.cacheWrite + b.cacheRead - (a.input + a.output + a.cacheWrite + a.cacheRead));
      return { window: w.name, since: w.since.toISOString(), total: t.total, conversations };
    });
    if (opts.json) {
      io.out(JSON.stringify({ session: opts.session, windows: out }, null, 2));
      return 0;
    }
    for (const w of out) {
      io.out(io.color.bold(`${opts.session}, ${title(windows.find((x) => x.name === w.window)!)}`));
      const rows = [...w.conversations.map((c) => [c.index ? `#${c.index} ${c.uuid.slice(0, 8)}` : c.uuid.slice(0, 8), ...cells(c)]), ['total', ...cells(w.total)]];
      const lines = table(['CONVERSATION', ...HEAD], rows);
      io.out(io.color.dim(lines[0]!));
      for (const l of lines.slice(1)) io.out(l);
    }
    return 0;
  }

  const { listSessions } = await import('../session/summary.js');
  const root = sessionsRoot(env);
  const sessions = await listSessions(root);
  const [{ ownedBySession }, { workspaceRealPath }] = await Promise.all([import('../conversations/owned.js'), import('../conversations/transcripts.js')]);
  // Each request counted once: a project folder two sessions share is split between them.
  const owned = ownedBySession(root, sessions.map((s) => ({ name: s.name, realDir: workspaceRealPath(s.dir) })));
  const per = await Promise.all(sessions.map(async (s) => ({ name: s.name, requests: await sessionRequests(config, s.dir, earliest, owned.get(s.name) ?? null) })));
  const out = windows.map((w) => {
    const rows = per.map((s) => ({ session: s.name, ...tally(s.requests, w.since).total })).filter((r) => r.requests > 0);
    rows.sort((a, b) => b.input + b.output + b.cacheWrite + b.cacheRead - (a.input + a.output + a.cacheWrite + a.cacheRead));
    const total = rows.reduce((t, r) => ({ input: t.input + r.input, output: t.output + r.output, cacheWrite: t.cacheWrite + r.cacheWrite, cacheRead: t.cacheRead + r.cacheRead, requests: t.requests + r.requests }), { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, requests: 0 });
    return { window: w.name, since: w.since.toISOString(), total, sessions: rows };
  });
  if (opts.json) {
    io.out(JSON.stringify({ windows: out }, null, 2));
    return 0;
  }
  for (const w of out) {
    io.out(io.color.bold(title(windows.find((x) => x.name === w.window)!)));
    if (w.sessions.length === 0) {
      io.out(io.color.dim('  no requests'));
      continue;
    }
    const lines = table(['SESSION', ...HEAD], [...w.sessions.map((r) => [r.session, ...cells(r)]), ['total', ...cells(w.total)]]);
    io.out(io.color.dim(lines[0]!));
    for (const l of lines.slice(1)) io.out(l);
  }
  return 0;
}

export const command: Command<UsageOptions> = { parse, run };
