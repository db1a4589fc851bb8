// `cs -list` / `cs -ls`: every session with when it was last used and what it holds.
import { flag, expectPositionals, parseArgs } from '../args.js';
import { relativeTime, statusCell, table } from '../format.js';
import { sessionsRoot } from '../session/paths.js';
import { listCacheFile, listSessions } from '../session/summary.js';
import type { Context } from './types.js';

export interface ListOptions {
  json: boolean;
  /** Also ask the registered hosts (cs -ls --remote). */
  remote: boolean;
}

export function parse(args: string[]): ListOptions {
  const parsed = parseArgs(args, { booleans: ['--json', '--remote'] }, '-list');
  expectPositionals(parsed, 0, 0, '-list', 'cs -list [--json] [--remote]');
  return { json: flag(parsed, '--json'), remote: flag(parsed, '--remote') };
}

export async function run(opts: ListOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const root = sessionsRoot(ctx.env);
  const sessions = listSessions(root, { cacheFile: listCacheFile(ctx.env, root) });
  if (opts.remote) return (await import('../remote/list.js')).listWithRemote(sessions, opts, ctx);
  if (opts.json) {
    io.out(JSON.stringify(sessions, null, 2));
    return 0;
  }
  if (sessions.length === 0) {
    io.err(`cs: no sessions yet in ${root} — start one with: cs <name>`);
    return 0;
  }
  const remote = sessions.some((s) => s.location !== 'local');
  const now = ctx.now();
  const header = ['NAME', 'STATUS', 'LAST USED', 'DISCOVERIES', 'ARTIFACTS', 'SYNC', ...(remote ? ['LOCATION'] : [])];
  const rows = sessions.map((s) => [
    s.name + (s.open ? ' ●' : '') + (s.adopted ? ' ↗' : ''),
    statusCell(s.status),
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
  if (io.isTTY) io.err(c.dim(`${sessions.length} session${sessions.length === 1 ? '' : 's'} in ${root}  (● open, ↗ adopted)`));
  return 0;
}
