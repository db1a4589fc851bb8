// `cs -list` / `cs -ls`: every session with when it was last used and what it holds.
import { relativeTime, statusCell, table, tableWidth } from '../lib/format.js';
import { sessionsRoot } from '../session/paths.js';
import { listCacheFile, listSessions, type SessionSummary } from '../session/summary.js';
import { normalizeTag, visible, type Visibility } from '../session/marks.js';
import { has, value, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface ListOptions {
  json: boolean;
  /** Also ask the registered hosts (cs -ls --remote). */
  remote: boolean;
  /** --tag, --archived, --all (src/session/marks.ts visible). */
  show: Visibility;
  /** Objectives with the sessions' stored secret values replaced (cs -ls --scrub). */
  scrub: boolean;
}

export function parse(a: Args): ListOptions {
  const tag = value(a, '--tag');
  return { json: has(a, '--json'), remote: has(a, '--remote'), show: { ...(tag !== undefined ? { tag: normalizeTag(tag) } : {}), archived: has(a, '--archived'), all: has(a, '--all') }, scrub: has(a, '--scrub') };
}

export async function run(opts: ListOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const root = sessionsRoot(ctx.env);
  const gone: string[] = [];
  const every = await listSessions(root, { cacheFile: listCacheFile(ctx.env, root), onDangling: (name) => gone.push(name) });
  // Not listed (nothing to show), but not silently dropped either.
  for (const name of gone) io.err(io.color.yellow(`cs: ${name}: its adopted project is gone (moved or deleted); remove the entry with: cs -rm ${name}`));
  const shown = visible(every, opts.show);
  const sessions = opts.scrub ? await scrubObjectives(shown, ctx.env) : shown;
  if (opts.remote) return (await import('../remote/list.js')).listWithRemote(sessions, opts, ctx);
  if (opts.json) {
    io.out(JSON.stringify(sessions, null, 2));
    return 0;
  }
  if (sessions.length === 0) {
    if (every.length) io.err(`cs: no ${opts.show.archived ? 'archived ' : ''}sessions${opts.show.tag ? ` tagged #${opts.show.tag}` : ''}${every.some((s) => s.archived) && !opts.show.all ? ' (archived ones: cs -ls --archived)' : ''}`);
    else ctx.info(`no sessions yet in ${root} — start one with: cs <name>`);
    return 0;
  }
  const remote = sessions.some((s) => s.location !== 'local');
  const now = ctx.now();
  const header = ['NAME', 'STATUS', 'LAST USED', 'DISCOVERIES', 'ARTIFACTS', 'SYNC', ...(remote ? ['LOCATION'] : [])];
  const rows = sessions.map((s) => [
    s.name + (s.open ? ' ●' : '') + (s.adopted ? ' ↗' : ''),
    statusCell(s.status) + (s.queued ? ` · ${s.queued} queued` : ''),
    relativeTime(new Date(s.lastUsed), now),
    String(s.discoveries),
    String(s.artifacts),
    s.sync === 'none' ? '-' : s.sync,
    ...(remote ? [s.location] : []),
  ]);
  withObjectives(header, rows, sessions.map((s) => s.objective), terminalWidth(io, ctx.env));
  const c = io.color;
  const lines = table(header, rows, (col, cell, padded) => (col === 0 ? c.bold(padded) : col === 1 && (cell === 'needs-you' || cell === 'ended-unexpectedly') ? c.yellow(padded) : padded));
  lines[0] = c.dim(lines[0]!);
  io.out(lines.join('\n')); // one write, not one per session (10,000 write calls showed in -ls's profile)
  for (const s of sessions) if (s.postmortem) io.err(c.yellow(`cs: ${s.name}: last run: ${s.postmortem}`));
  const hidden = opts.show.all || opts.show.archived ? 0 : every.filter((s) => s.archived).length;
  if (io.isTTY) io.err(c.dim(`${sessions.length} session${sessions.length === 1 ? '' : 's'} in ${root}  (● running, ↗ adopted)${hidden ? `, ${hidden} archived not shown (--all)` : ''}`));
  return 0;
}

/** Columns of the terminal (COLUMNS wins, as for other tools), 80 when unknown. */
function terminalWidth(io: Context['io'], env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  // Piped (grep, less -S) and no COLUMNS: no width to keep to, so objectives are not cut.
  return (io.stdout as { columns?: number }).columns ?? (io.isTTY ? 80 : Infinity);
}

const MIN_OBJECTIVE = 20;

/**
 * Adds an OBJECTIVE column (from .cs/README.md) when some session has one and
 * at least MIN_OBJECTIVE characters are left on the line; longer objectives
 * are cut with "…". Mutates header and rows.
 */
export function withObjectives(header: string[], rows: string[][], objectives: readonly string[], width: number): void {
  if (!objectives.some((o) => o !== '')) return;
  const used = tableWidth(header, rows);
  const room = width - used - 2;
  if (room < MIN_OBJECTIVE) return;
  header.push('OBJECTIVE');
  rows.forEach((r, i) => {
    const o = objectives[i] ?? '';
    r.push(o.length > room ? o.slice(0, room - 1) + '…' : o);
  });
}

export const command: Command<ListOptions> = { parse, run };

/**
 * `sessions` with each objective's stored secret values (knownSessionSecrets)
 * replaced by `[secret: KEY]`: the objective is the user's text and may quote
 * one, and a page shows it (cs -serve asks other hosts with --scrub). One
 * keychain probe for them all; sessions without an objective cost nothing.
 */
async function scrubObjectives(sessions: SessionSummary[], env: NodeJS.ProcessEnv): Promise<SessionSummary[]> {
  if (!sessions.some((s) => s.objective)) return sessions;
  const { knownSessionSecrets, scrubKnown } = await import('../secrets/scrub.js');
  const probes = {};
  return Promise.all(sessions.map(async (s) => (s.objective ? { ...s, objective: scrubKnown(s.objective, await knownSessionSecrets(s.name, env, probes)).text } : s)));
}
