// cs <name> -conversations [--json]: the Claude Code conversations pinned to a session.
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { relativeTime, table } from '../lib/format.js';
import { validateSessionRef } from '../features/ref.js';
import { findSession } from '../session/workspace.js';
import { usageLine } from './table.js';
import type { Context, Invocation } from './types.js';

export const usage = usageLine('-conversations');

export interface ConversationsOptions {
  session: string;
  json: boolean;
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): ConversationsOptions {
  const p = parseArgs(args, { booleans: ['--json'] }, '-conversations');
  expectPositionals(p, 0, 0, '-conversations', usage);
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  if (!given) throw new UsageError('-conversations needs a session', `${usage} (or run it inside a session)`);
  return { session: validateSessionRef(given), json: flag(p, '--json') };
}

export async function run(opts: ConversationsOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const found = findSession(ctx.env, opts.session);
  if (!found) throw new UserError(`no session named '${opts.session}'`, 'see cs -ls');
  const { conversationRows } = await import('../conversations/list.js');
  const { rows, problems } = conversationRows(found.paths.dir, ctx.env);
  for (const p of problems) io.err(io.color.yellow(`cs: .cs/conversations.json: ${p} (entry ignored)`));
  if (opts.json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    io.err(`cs: no pinned conversations in '${opts.session}' yet — cs ${opts.session} starts one`);
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
  if (io.isTTY) io.err(io.color.dim(`resume one with: cs ${opts.session} --resume <#|uuid>; a new one: cs ${opts.session} --new`));
  return 0;
}

/** Where a conversation's handoff came from: #n of the conversation that wrote it, its uuid prefix, else the file. */
function handoffSource(r: { handoff?: string; handoffFrom?: string }, rows: ReadonlyArray<{ uuid: string; index: number }>): string {
  if (!r.handoffFrom) return (r.handoff ?? '').replace('.cs/handoffs/', '');
  const index = rows.find((x) => x.uuid === r.handoffFrom)?.index;
  return index ? `#${index}` : r.handoffFrom.slice(0, 8);
}
