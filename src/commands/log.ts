// cs <name> -log [-n N] [--follow] [--json]: the session's timeline.
import { UsageError } from '../lib/errors.js';
import { followTimeline } from '../timeline/follow.js';
import { formatEvent } from '../timeline/format.js';
import { readTimeline, type TimelineEvent } from '../timeline/timeline.js';
import { has, value, type Args } from './argv.js';
import { sessionOf, type Command, type Context } from './types.js';

export interface LogOptions {
  /** Only the newest N events (then follow, with --follow). */
  limit: number | null;
  follow: boolean;
  json: boolean;
}

export function parse(a: Args): LogOptions {
  const n = value(a, '-n');
  let limit: number | null = null;
  if (n !== undefined) {
    if (!/^\d+$/.test(n) || Number(n) < 1) throw new UsageError(`-n takes a positive number, not '${n}'`, a.usage);
    limit = Number(n);
  }
  return { limit, follow: has(a, '--follow'), json: has(a, '--json') };
}

export async function run(opts: LogOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const found = sessionOf(ctx);
  const meta = found.paths.meta;
  const read = readTimeline(meta, { limit: opts.limit ?? undefined });
  // Values stored for the session show as [secret: KEY], also in lines written before they were
  // stored (as the page shows them): the values known now, asked once.
  // A multi-line value (a private key) also line by line: a timeline target may hold one of its lines.
  const { knownSessionSecrets, lineMarker, scrubJson, withValueLines } = await import('../secrets/scrub.js');
  const known = withValueLines(await knownSessionSecrets(found.name, ctx.env));
  const { offset } = read;
  const events = scrubJson(read.events, known, lineMarker);
  // --json: one array; with --follow, one object a line (JSON Lines) so a reader can stream it.
  const print = (evs: TimelineEvent[]) => {
    for (const ev of scrubJson(evs, known, lineMarker)) io.out(opts.json ? JSON.stringify(ev) : formatEvent(ev, io.color));
  };
  if (opts.json && !opts.follow) io.out(JSON.stringify(events, null, 2));
  else print(read.events);
  if (!opts.follow) {
    if (!opts.json && events.length === 0) ctx.info(`no timeline events yet for ${found.name}`);
    return 0;
  }

  await ctx.untilInterrupted((signal) => followTimeline(meta, print, { offset, signal }).done);
  return 0;
}

export const command: Command<LogOptions> = { parse, run };
