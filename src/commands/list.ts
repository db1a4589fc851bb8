// `cs -list` / `cs -ls`: every session with when it was last used and what it holds.
import { flag, flagValue, expectPositionals, parseArgs } from '../args.js';
import { relativeTime, table } from '../format.js';
import { sessionsRoot } from '../session/paths.js';
import { listSessions } from '../session/summary.js';
import { normalizeTag, visible, type Visibility } from '../session/marks.js';
import { usageLine } from './table.js';
import type { Context } from './types.js';

export interface ListOptions {
  json: boolean;
  /** Also ask the registered hosts (cs -ls --remote). */
  remote: boolean;
  /** --tag, --archived, --all (src/session/marks.ts visible). */
  show: Visibility;
}

export function parse(args: string[]): ListOptions {
  const parsed = parseArgs(args, { booleans: ['--json', '--remote', '--archived', '--all'], values: ['--tag'] }, '-list');
  expectPositionals(parsed, 0, 0, '-list', usageLine('-list'));
  const tag = flagValue(parsed, '--tag');
  return { json: flag(parsed, '--json'), remote: flag(parsed, '--remote'), show: { ...(tag !== undefined ? { tag: normalizeTag(tag) } : {}), archived: flag(parsed, '--archived'), all: flag(parsed, '--all') } };
}

export async function run(opts: ListOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const root = sessionsRoot(ctx.env);
  const every = listSessions(root);
  const sessions = visible(every, opts.show);
  if (opts.remote) return (await import('../remote/list.js')).listWithRemote(sessions, opts, ctx);
  if (opts.json) {
    io.out(JSON.stringify(sessions, null, 2));
    return 0;
  }
  if (sessions.length === 0) {
    if (every.length) io.err(`cs: no ${opts.show.archived ? 'archived ' : ''}sessions${opts.show.tag ? ` tagged #${opts.show.tag}` : ''}${every.some((s) => s.archived) && !opts.show.all ? ' (archived ones: cs -ls --archived)' : ''}`);
    else io.err(`cs: no sessions yet in ${root} — start one with: cs <name>`);
    return 0;
  }
  const remote = sessions.some((s) => s.location !== 'local');
  const now = ctx.now();
  const header = ['NAME', 'STATUS', 'LAST USED', 'DISCOVERIES', 'ARTIFACTS', 'SYNC', ...(remote ? ['LOCATION'] : [])];
  const rows = sessions.map((s) => [
    s.name + (s.open ? ' ●' : '') + (s.adopted ? ' ↗' : ''),
    s.status && s.status !== 'closed' ? s.status : '-',
    relativeTime(new Date(s.lastUsed), now),
    String(s.discoveries),
    String(s.artifacts),
    s.sync === 'none' ? '-' : s.sync,
    ...(remote ? [s.location] : []),
  ]);
  const c = io.color;
  const lines = table(header, rows, (col, cell, padded) => (col === 0 ? c.bold(padded) : col === 1 && cell === 'needs-you' ? c.yellow(padded) : padded));
  io.out(c.dim(lines[0]!));
  for (const l of lines.slice(1)) io.out(l);
  const hidden = opts.show.all || opts.show.archived ? 0 : every.filter((s) => s.archived).length;
  if (io.isTTY) io.err(c.dim(`${sessions.length} session${sessions.length === 1 ? '' : 's'} in ${root}  (● open, ↗ adopted)${hidden ? `, ${hidden} archived not shown (--all)` : ''}`));
  return 0;
}
