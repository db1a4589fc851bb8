// cs <name> -conversations [--json]: the Claude Code conversations pinned to a session.
import { relativeTime, table } from '../lib/format.js';
import { has, type Args } from './argv.js';
import { sessionOf, type Command, type Context } from './types.js';

export interface ConversationsOptions {
  json: boolean;
}

export function parse(a: Args): ConversationsOptions {
  return { json: has(a, '--json') };
}

export async function run(opts: ConversationsOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const found = sessionOf(ctx);
  const session = found.name;
  const { conversationRows } = await import('../conversations/list.js');
  const { rows, problems } = conversationRows(found.paths.dir, ctx.env);
  for (const p of problems) ctx.warn(`.cs/conversations.json: ${p}`);
  if (opts.json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    ctx.info(`no pinned conversations in '${session}' yet — cs ${session} starts one`);
    return 0;
  }
  const now = ctx.now();
  const lines = table(
    ['#', 'CONVERSATION', 'LAST', 'MACHINE', 'HERE', 'TITLE'],
    rows.map((r) => [
      String(r.index),
      r.uuid,
      relativeTime(new Date(r.lastActivity || r.started), now),
      r.machine + (r.mine ? ' (this)' : ''),
      r.local ? 'yes' : r.synced ? 'at next start' : 'missing',
      (r.from ? `↳ ${rows.find((x) => x.uuid === r.from)?.index ?? r.from.slice(0, 8)}  ` : '') +
        // Started from a handoff: which conversation wrote it (when this machine asked for it), else the file.
        (r.handoff ? `⇢ ${handoffSource(r, rows)} (handoff)  ` : '') +
        (r.title ?? ''),
    ]),
  );
  io.out(io.color.dim(lines[0]!));
  for (const l of lines.slice(1)) io.out(l);
  if (io.isTTY) io.err(io.color.dim(`resume one with: cs ${session} --resume <#|uuid>; a new one: cs ${session} --new`));
  return 0;
}

/** Where a conversation's handoff came from: #n of the conversation that wrote it, its uuid prefix, else the file. */
function handoffSource(r: { handoff?: string; handoffFrom?: string }, rows: ReadonlyArray<{ uuid: string; index: number }>): string {
  if (!r.handoffFrom) return (r.handoff ?? '').replace('.cs/handoffs/', '');
  const index = rows.find((x) => x.uuid === r.handoffFrom)?.index;
  return index ? `#${index}` : r.handoffFrom.slice(0, 8);
}

export const command: Command<ConversationsOptions> = { parse, run };
