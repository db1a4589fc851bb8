// cs -search <text> [--session NAME] [--limit N] [--json]
import { flag, flagValue, parseArgs } from '../lib/args.js';
import { UsageError } from '../lib/errors.js';
import { validateName } from '../session/names.js';
import type { Visibility } from '../session/marks.js';
import { searchSessions } from '../search/search.js';
import { usageLine } from './table.js';
import type { Command, Context } from './types.js';

export const usage = usageLine('-search');

export interface SearchCommandOptions {
  query: string;
  session: string | null;
  limit: number;
  json: boolean;
  /** --archived / --all: search archived sessions too. */
  show: Visibility;
}

export function parse(args: string[], inv: { session?: string }): SearchCommandOptions {
  const p = parseArgs(args, { booleans: ['--json', '--archived', '--all'], values: ['--session', '--limit'] }, '-search');
  // Words after -search are one query (quotes optional); `--` lets it start with "-".
  const words = [...p.positionals, ...p.rest];
  const query = words.join(' ').trim();
  if (!query) throw new UsageError('-search needs some text to look for', usage);
  const given = flagValue(p, '--session') ?? inv.session;
  if (flagValue(p, '--session') !== undefined && inv.session !== undefined && flagValue(p, '--session') !== inv.session) {
    throw new UsageError(`two sessions given: ${inv.session} and --session ${flagValue(p, '--session')}`, usage);
  }
  const limitText = flagValue(p, '--limit');
  let limit = 20;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new UsageError(`--limit takes a positive number, not '${limitText}'`, usage);
    limit = Number(limitText);
  }
  return { query, session: given === undefined ? null : validateName(given), limit, json: flag(p, '--json'), show: { archived: flag(p, '--archived'), all: flag(p, '--all') } };
}

export async function run(opts: SearchCommandOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const r = await searchSessions({ env: ctx.env, query: opts.query, session: opts.session ?? undefined, limit: opts.limit, now: ctx.now(), show: opts.show });
  if (opts.json) {
    io.out(JSON.stringify(r.hits, null, 2));
    return r.hits.length ? 0 : 1;
  }
  const c = io.color;
  if (r.hits.length === 0) {
    io.err(`cs: no match for "${opts.query}" in ${r.files} files of ${r.sessions} session${r.sessions === 1 ? '' : 's'}`);
    return 1;
  }
  for (const h of r.hits) {
    io.out(`${c.bold(h.session)}  ${c.cyan(`${h.file}:${h.line}`)}  ${c.dim(`${h.source}${h.matches > 1 ? `, ${h.matches} lines` : ''}`)}`);
    io.out(`    ${h.snippet}`);
    for (const m of h.more) io.out(`    ${c.dim(`${m.line}:`)} ${m.snippet}`);
  }
  if (io.isTTY || r.total > r.hits.length) {
    io.err(c.dim(`${r.hits.length} of ${r.total} matching file${r.total === 1 ? '' : 's'} in ${r.sessions} session${r.sessions === 1 ? '' : 's'}${r.total > r.hits.length ? ' (--limit N for more)' : ''}`));
  }
  return 0;
}

export const command: Command<SearchCommandOptions> = { parse: (a, inv) => parse(a, inv), run };
