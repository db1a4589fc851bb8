// cs <name> -log [-n N] [--follow] [--json]: the session's timeline.
import { expectPositionals, flag, flagValue, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { validateSessionRef } from '../features/ref.js';
import { findSession } from '../session/workspace.js';
import { followTimeline } from '../timeline/follow.js';
import { formatEvent } from '../timeline/format.js';
import { readTimeline, type TimelineEvent } from '../timeline/timeline.js';
import { usageLine } from './table.js';
import { untilStopped } from '../lib/until-stopped.js';
import type { Command, Context } from './types.js';

export const usage = usageLine('-log');

export interface LogOptions {
  session: string;
  /** Only the newest N events (then follow, with --follow). */
  limit: number | null;
  follow: boolean;
  json: boolean;
}

export interface LogRunOptions {
  /** Ends --follow (tests); by default SIGINT/SIGTERM do. */
  signal?: AbortSignal;
}

export function parse(args: string[], inv: { session?: string }, env: NodeJS.ProcessEnv): LogOptions {
  const p = parseArgs(args, { booleans: ['--follow', '-f', '--json'], values: ['-n', '--lines'] }, '-log');
  expectPositionals(p, 0, 0, '-log', usage);
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  if (!given) throw new UsageError('-log needs a session', `${usage} (or run it inside a session)`);
  const n = flagValue(p, '-n') ?? flagValue(p, '--lines');
  let limit: number | null = null;
  if (n !== undefined) {
    if (!/^\d+$/.test(n) || Number(n) < 1) throw new UsageError(`-n takes a positive number, not '${n}'`, usage);
    limit = Number(n);
  }
  return { session: validateSessionRef(given), limit, follow: flag(p, '--follow', '-f'), json: flag(p, '--json') };
}

export async function run(opts: LogOptions, ctx: Context, runOpts: LogRunOptions = {}): Promise<number> {
  const { io } = ctx;
  const found = findSession(ctx.env, opts.session);
  if (!found) throw new UserError(`no session named '${opts.session}'`, 'see cs -ls');
  const meta = found.paths.meta;
  const { events, offset } = readTimeline(meta, { limit: opts.limit ?? undefined });
  // --json: one array; with --follow, one object a line (JSON Lines) so a reader can stream it.
  const print = (evs: TimelineEvent[]) => {
    for (const ev of evs) io.out(opts.json ? JSON.stringify(ev) : formatEvent(ev, io.color));
  };
  if (opts.json && !opts.follow) io.out(JSON.stringify(events, null, 2));
  else print(events);
  if (!opts.follow) {
    if (!opts.json && events.length === 0) io.err(`cs: no timeline events yet for ${opts.session}`);
    return 0;
  }

  await untilStopped((signal) => followTimeline(meta, print, { offset, signal }).done, runOpts.signal);
  return 0;
}

export const command: Command<LogOptions> = { parse, run: (o, c) => run(o, c) };
