// cs -search <text> [--session NAME] [--limit N] [--json]
import { UsageError } from '../lib/errors.js';
import type { Visibility } from '../session/marks.js';
import { validateSessionRef } from '../features/ref.js';
import { searchSessions } from '../search/search.js';
import { has, value, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface SearchCommandOptions {
  query: string;
  session: string | null;
  limit: number;
  json: boolean;
  /** --archived / --all: search archived sessions too. */
  show: Visibility;
}

export function parse(a: Args): SearchCommandOptions {
  const usage = a.spec.usage[0]!;
  // Words after -search are one query (quotes optional); `--` lets it start with "-".
  const query = a.operands.join(' ').trim();
  if (!query) throw new UsageError('-search needs some text to look for', usage);
  const flagged = value(a, '--session');
  if (flagged !== undefined && a.session !== undefined && flagged !== a.session) {
    throw new UsageError(`two sessions given: ${a.session} and --session ${flagged}`, usage);
  }
  const given = flagged ?? a.session;
  const limitText = value(a, '--limit');
  let limit = 20;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new UsageError(`--limit takes a positive number, not '${limitText}'`, usage);
    limit = Number(limitText);
  }
  return { query, session: given === undefined ? null : validateSessionRef(given), limit, json: has(a, '--json'), show: { archived: has(a, '--archived'), all: has(a, '--all') } };
}

export async function run(opts: SearchCommandOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  // `cs <s> -search` was resolved before run; `--session <s>` the same way here.
  const session = opts.session === null ? undefined : (ctx.session ?? (await import('../session/resolve.js')).resolveSession(ctx.env, { name: opts.session, command: '-search' }, { stub: true }));
  const r = await searchSessions({ env: ctx.env, query: opts.query, session: session?.name, limit: opts.limit, now: ctx.now(), show: opts.show });
  if (opts.json) {
    io.out(JSON.stringify(r.hits, null, 2));
    return r.hits.length ? 0 : 1;
  }
  const c = io.color;
  if (r.hits.length === 0) {
    ctx.info(`no match for "${opts.query}" in ${r.files} files of ${r.sessions} session${r.sessions === 1 ? '' : 's'}`);
    return 1;
  }
  // One write: a line at a time costs a write(2) and a trip through the stream each.
  const lines: string[] = [];
  for (const h of r.hits) {
    lines.push(`${c.bold(h.session)}  ${c.cyan(`${h.file}:${h.line}`)}  ${c.dim(`${h.source}${h.matches > 1 ? `, ${h.matches} lines` : ''}`)}`);
    lines.push(`    ${h.snippet}`);
    for (const m of h.more) lines.push(`    ${c.dim(`${m.line}:`)} ${m.snippet}`);
  }
  io.out(lines.join('\n'));
  if (io.isTTY || r.total > r.hits.length) {
    io.err(c.dim(`${r.hits.length} of ${r.total} matching file${r.total === 1 ? '' : 's'} in ${r.sessions} session${r.sessions === 1 ? '' : 's'}${r.total > r.hits.length ? ' (--limit N for more)' : ''}`));
  }
  return 0;
}

export const command: Command<SearchCommandOptions> = { parse, run };
