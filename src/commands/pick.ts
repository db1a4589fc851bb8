// `cs` alone on a terminal: pick a session to resume, sorted by last use and
// grouped by day, filtered as you type. Tab opens the actions of the focused
// session (sync, remove); Enter resumes it. Row building is pure and tested
// as tables; the prompt and its rendering are src/term/picker.ts.
import { CancelError, UsageError, UserError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { nameProblem, NAME_RULE } from '../session/names.js';
import { sessionsRoot } from '../session/paths.js';
import { listSessions, type SessionSummary } from '../session/summary.js';
import { visible } from '../session/marks.js';
import { featuresUnderBases } from '../features/order.js';
import { sessionRefProblem } from '../features/ref.js';
import { choose, glyphs, NEW_VALUE, sessionCells, type Glyphs, type Group, type Row } from '../term/picker.js';
import { OPEN } from './table.js';
import type { Command, Context } from './types.js';

export type PickOptions = Record<string, never>;

export function parse(): PickOptions {
  return {};
}

// ---------------------------------------------------------------- pure parts


const DAY = 86_400_000;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Calendar days in local time: today, yesterday, the 5 days before, older. A future time (clock skew) counts as today. */
export function groupOf(lastUsed: Date, now: Date): Group {
  const days = Math.round((startOfDay(now) - startOfDay(lastUsed)) / DAY);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return 'This week';
  return 'Older';
}

/**
 * Every word of the query occurs (case-insensitively) in the name, objective
 * or location; a word `#tag` must instead start one of the session's tags.
 */
export function matches(s: Pick<SessionSummary, 'name' | 'objective' | 'location'> & { tags?: readonly string[] }, query: string): boolean {
  const hay = `${s.name}\n${s.objective}\n${s.location}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => (w.startsWith('#') ? (s.tags ?? []).some((t) => t.startsWith(w.slice(1))) : hay.includes(w)));
}

/**
 * The picker's rows for a query: matching sessions in last-used order under
 * their day headers (a header only when its group has matches), then the
 * "new session" row, which carries the query when it is a usable new name.
 */
export function buildRows(sessions: readonly SessionSummary[], query: string, now: Date, g: Glyphs, width: number): Row[] {
  // Features (base@feature) sit under their base, in its day group.
  const shown = featuresUnderBases(sessions.filter((s) => matches(s, query)));
  const nameWidth = Math.min(24, Math.max(8, ...shown.map((s) => [...s.name].length)));
  const rows: Row[] = [];
  let group: Group | undefined;
  for (const s of shown) {
    const underBase = s.name.includes('@') && rows.some((r) => r.kind === 'session' && r.value === s.name.split('@')[0]);
    const gr = underBase ? group! : groupOf(new Date(s.lastUsed), now);
    if (gr !== group) rows.push({ kind: 'header', value: `\0group:${gr}`, group: (group = gr) });
    rows.push({ kind: 'session', value: s.name, session: s, cells: sessionCells(s, nameWidth, width, g) });
  }
  const q = query.trim();
  const fresh = q !== '' && (nameProblem(q) === null || (sessionRefProblem(q) === null && sessions.some((s) => s.name === q.split('@')[0]))) && !sessions.some((s) => s.name === q);
  rows.push({ kind: 'new', value: NEW_VALUE, name: fresh ? q : null });
  return rows;
}

// ------------------------------------------------------------- the terminal

type Action = 'resume' | 'push' | 'pull' | 'move' | 'remove' | 'back';

/** Moving is offered once `cs <name> --move-to <host>` is in the table. */
const canMove = () => (OPEN.flags ?? []).some((f) => f.name === '--move-to');

async function chooseAction(s: SessionSummary, io: IO): Promise<Action> {
  const clack = await import('@clack/prompts');
  const local = s.location === 'local';
  const options: { value: Action; label: string; hint?: string }[] = [
    { value: 'resume', label: 'Resume', hint: `cs ${s.name}` },
    ...(local && s.sync !== 'none'
      ? [
          { value: 'push' as const, label: 'Sync push', hint: `cs ${s.name} -sync push` },
          { value: 'pull' as const, label: 'Sync pull', hint: `cs ${s.name} -sync pull` },
        ]
      : []),
    ...(local && canMove() ? [{ value: 'move' as const, label: 'Move to host…', hint: `cs ${s.name} --move-to <host>` }] : []),
    { value: 'remove', label: 'Remove…', hint: s.adopted ? 'unlinks; the project stays' : 'asks first' },
    { value: 'back', label: 'Back' },
  ];
  const answer = await clack.select<Action>({
    message: `${s.name}${s.objective ? ` — ${s.objective}` : ''}${local && s.sync === 'none' ? '  (no sync remote: cs ' + s.name + ' -sync remote <url>)' : ''}`,
    options,
    input: io.stdin,
    output: io.promptOut,
  });
  return clack.isCancel(answer) ? 'back' : answer;
}

async function askName(initial: string | null, sessions: readonly SessionSummary[], io: IO): Promise<string | null> {
  const clack = await import('@clack/prompts');
  const answer = await clack.text({
    message: 'New session name',
    placeholder: 'e.g. fix-login',
    initialValue: initial ?? '',
    validate: (v) => {
      const name = (v ?? '').trim();
      const problem = sessionRefProblem(name);
      if (problem) return `${problem} (${NAME_RULE}; a feature: <base>@<feature>)`;
      if (sessions.some((s) => s.name === name)) return `'${name}' exists; pick it from the list to resume it`;
      return undefined;
    },
    input: io.stdin,
    output: io.promptOut,
  });
  return clack.isCancel(answer) ? null : answer.trim();
}

async function askHost(ctx: Context): Promise<string | null> {
  const [clack, { hostCandidates }] = await Promise.all([import('@clack/prompts'), import('../completions/candidates.js')]);
  const io = ctx.io;
  const hosts = hostCandidates(ctx.env);
  const OTHER = '\0other';
  let host: string | symbol = OTHER;
  if (hosts.length) {
    host = await clack.select({
      message: 'Move to which host?',
      options: [...hosts.map((h) => ({ value: h.alias, label: h.alias, hint: h.host })), { value: OTHER, label: 'Another host (user@host)…' }],
      input: io.stdin,
      output: io.promptOut,
    });
    if (clack.isCancel(host)) return null;
  }
  if (host !== OTHER) return host as string;
  const typed = await clack.text({
    message: 'Host (alias or user@host[:port])',
    validate: (v) => ((v ?? '').trim() === '' ? 'a host is needed' : undefined),
    input: io.stdin,
    output: io.promptOut,
  });
  return clack.isCancel(typed) ? null : typed.trim();
}

/** Another command of the table, as if typed. */
const runCommand = (token: string, args: string[], inv: { session?: string }, ctx: Context) => ctx.invoke(token, args, inv.session);

/** Resuming hands the terminal to Claude Code: nothing of ours may keep reading it. */
function releaseTerminal(io: IO): void {
  io.stdin.pause();
}

export async function run(_opts: PickOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  if (!io.canPrompt || !io.isTTY) return runCommand('-list', [], {}, ctx);
  const root = sessionsRoot(ctx.env);
  for (;;) {
    // Archived sessions stay out of the picker (cs -ls --archived finds them).
    const sessions = visible(await listSessions(root), {});
    const now = ctx.now();
    const g = glyphs(ctx.env.CS_NERD_FONTS === '1');
    const choice = await choose(sessions.length, sessions.length ? sessions[0]!.name : NEW_VALUE, (query, width) => buildRows(sessions, query, now, g, width), io, g);
    if (!choice) return 0;
    if (choice.kind === 'open') {
      releaseTerminal(io);
      return runCommand('', [], { session: choice.name }, ctx);
    }
    if (choice.kind === 'new') {
      const name = await askName(choice.name, sessions, io);
      if (name === null) continue;
      releaseTerminal(io);
      return runCommand('', [], { session: name }, ctx);
    }
    const s = sessions.find((x) => x.name === choice.name)!;
    const action = await chooseAction(s, io);
    if (action === 'back') continue;
    if (action === 'resume') {
      releaseTerminal(io);
      return runCommand('', [], { session: s.name }, ctx);
    }
    try {
      // -sync and --move-to show their own progress on a terminal; -remove asks before deleting.
      if (action === 'push' || action === 'pull') await runCommand('-sync', [action], { session: s.name }, ctx);
      else if (action === 'move') {
        const host = await askHost(ctx);
        if (host !== null) await runCommand('', ['--move-to', host], { session: s.name }, ctx);
      } else await runCommand('-remove', [s.name], {}, ctx);
    } catch (e) {
      if (e instanceof CancelError) {
        if (e.message) io.err(io.color.dim(`cs: ${e.message}`));
      } else if (e instanceof UserError || e instanceof UsageError) io.err(`${io.color.red('cs:')} ${e.message}${e.hint ? ` — ${e.hint}` : ''}`);
      else throw e;
    }
  }
}

export const command: Command<PickOptions> = { parse, run };
