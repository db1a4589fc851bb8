// `cs` alone on a terminal: pick a session to resume, sorted by last use and
// grouped by day, filtered as you type. Tab opens the actions of the focused
// session (sync, remove); Enter resumes it. Row building is pure and tested
// as tables; the prompt itself is @clack/core's autocomplete with our render.
import { expectPositionals, parseArgs } from '../lib/args.js';
import { CancelError, UsageError, UserError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { nameProblem, NAME_RULE } from '../session/names.js';
import { sessionsRoot } from '../session/paths.js';
import { listSessions, type SessionSummary } from '../session/summary.js';
import { visible } from '../session/marks.js';
import { featuresUnderBases } from '../features/order.js';
import { sessionRefProblem } from '../features/ref.js';
import { findCommand, OPEN } from './table.js';
import type { Context, Invocation } from './types.js';

export type PickOptions = Record<string, never>;

export function parse(args: string[]): PickOptions {
  expectPositionals(parseArgs(args, {}, 'cs'), 0, 0, 'cs', 'cs');
  return {};
}

// ---------------------------------------------------------------- pure parts

export const GROUPS = ['Today', 'Yesterday', 'This week', 'Older'] as const;
export type Group = (typeof GROUPS)[number];

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

export interface Glyphs {
  open: string;
  discoveries: (n: number) => string;
  artifacts: (n: number) => string;
  location: (loc: string) => string;
  add: string;
}

/** Plain text by default; Nerd Font icons with CS_NERD_FONTS=1. */
export function glyphs(nerd: boolean): Glyphs {
  if (nerd) {
    return {
      open: '\uf111', // nf-fa-circle
      discoveries: (n) => `\uf0eb ${n}`, // nf-fa-lightbulb_o
      artifacts: (n) => `\uf15b ${n}`, // nf-fa-file
      location: (loc) => (loc === 'local' ? `\uf109 local` : `\uf233 ${loc}`), // nf-fa-laptop / nf-fa-server
      add: '\uf067', // nf-fa-plus
    };
  }
  return {
    open: '●',
    discoveries: (n) => `${n} disc`,
    artifacts: (n) => `${n} art`,
    location: (loc) => loc,
    add: '+',
  };
}

export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...s];
  return chars.length <= width ? s : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

const len = (s: string) => [...s].length;

export type Row =
  | { kind: 'header'; value: string; group: Group }
  | { kind: 'session'; value: string; session: SessionSummary; cells: { name: string; objective: string; stats: string; location: string } }
  | { kind: 'new'; value: string; name: string | null };

export const NEW_VALUE = '\0new';

/** Columns of one session row fitted into `width` characters; the objective takes what is left. */
export function sessionCells(s: SessionSummary, nameWidth: number, width: number, g: Glyphs): Extract<Row, { kind: 'session' }>['cells'] {
  const mark = s.open ? g.open : ' ';
  const name = `${mark} ${truncate(s.name, nameWidth).padEnd(nameWidth)}`;
  const stats = `${g.discoveries(s.discoveries).padStart(7)}  ${g.artifacts(s.artifacts).padStart(6)}`;
  const location = g.location(s.location);
  const fixed = len(name) + 2 + len(stats) + 2 + len(location);
  const about = [...(s.queued ? [`[${s.queued} queued]`] : []), ...(s.tags ?? []).map((t) => `#${t}`), s.objective].filter(Boolean).join(' ');
  const objective = truncate(about, width - fixed - 2).padEnd(Math.max(0, width - fixed - 2));
  return { name, objective, stats, location };
}

/**
 * The picker's rows for a query: matching sessions in last-used order under
 * their day headers (a header only when its group has matches), then the
 * "new session" row, which carries the query when it is a usable new name.
 */
export function buildRows(sessions: readonly SessionSummary[], query: string, now: Date, g: Glyphs, width: number): Row[] {
  // Features (base@feature) sit under their base, in its day group.
  const shown = featuresUnderBases(sessions.filter((s) => matches(s, query)));
  const nameWidth = Math.min(24, Math.max(8, ...shown.map((s) => len(s.name))));
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

/** Rows to draw around the cursor when they do not all fit. */
export function visibleWindow(total: number, cursor: number, room: number): { start: number; end: number } {
  if (total <= room) return { start: 0, end: total };
  const start = Math.min(Math.max(0, cursor - Math.floor(room / 2)), total - room);
  return { start, end: start + room };
}

// ------------------------------------------------------------- the terminal

export type Choice = { kind: 'open'; name: string } | { kind: 'new'; name: string | null } | { kind: 'actions'; name: string };

const KEYS_HELP = '↑/↓ move · Enter resume · Tab actions · #tag filters by tag · Esc quit';

async function choose(sessions: readonly SessionSummary[], ctx: Context): Promise<Choice | null> {
  const { io } = ctx;
  const [{ AutocompletePrompt, isCancel }, clack] = await Promise.all([import('@clack/core'), import('@clack/prompts')]);
  const g = glyphs(ctx.env.CS_NERD_FONTS === '1');
  const c = io.color;
  const out = io.stderr as NodeJS.WriteStream;
  const width = () => Math.max(40, (out.columns ?? 80) - 4);
  const now = ctx.now();
  let cache: { query: string; width: number; rows: Row[] } | undefined;
  const rowsFor = (query: string): Row[] => {
    const w = width();
    if (cache?.query !== query || cache.width !== w) cache = { query, width: w, rows: buildRows(sessions, query, now, g, w) };
    return cache.rows;
  };
  let chosen: Choice | null = null;
  const bar = c.cyan(clack.S_BAR);

  const prompt = new AutocompletePrompt<Row & { disabled?: boolean }>({
    input: io.stdin,
    output: out,
    // A function, so the prompt does no filtering of its own: buildRows does, headers included.
    options(this: { userInput: string }) {
      return rowsFor(this.userInput).map((r) => ({ ...r, disabled: r.kind === 'header' }));
    },
    initialValue: sessions.length ? [sessions[0]!.name] : [NEW_VALUE],
    render() {
      const title = `${clack.symbol(this.state)}  ${c.bold('cs')} ${c.dim(`— ${sessions.length} session${sessions.length === 1 ? '' : 's'}`)}`;
      if (this.state === 'submit' || this.state === 'cancel') {
        const what = chosen ? (chosen.kind === 'new' ? `new session${chosen.name ? ` ${chosen.name}` : ''}` : chosen.name) : '';
        return `${c.dim(clack.S_BAR)}\n${title}\n${c.dim(clack.S_BAR)}  ${c.dim(this.state === 'cancel' ? 'cancelled' : what)}`;
      }
      // Same rows as filteredOptions, with cells refitted when the terminal was resized.
      const rows = rowsFor(this.userInput);
      const matchCount = rows.filter((r) => r.kind === 'session').length;
      const input = this.userInput ? this.userInputWithCursor : c.dim('type to filter');
      const count = this.userInput ? c.dim(`  (${matchCount} match${matchCount === 1 ? '' : 'es'})`) : '';
      const head = [c.dim(clack.S_BAR), title, `${bar}  ${c.dim('Search:')} ${input}${count}`, bar];
      const foot = [bar, `${bar}  ${c.dim(KEYS_HELP)}`, c.cyan(clack.S_BAR_END)];
      const room = Math.max(3, ((out.rows ?? 24) - head.length - foot.length - 1));
      const { start, end } = visibleWindow(rows.length, this.cursor, room);
      const lines = rows.slice(start, end).map((r, i) => {
        const active = start + i === this.cursor;
        const pointer = active ? c.green('›') : ' ';
        if (r.kind === 'header') return `${bar}  ${c.dim(r.group)}`;
        if (r.kind === 'new') {
          const text = r.name ? `${g.add} New session '${r.name}'` : `${g.add} New session…`;
          return `${bar}${pointer} ${active ? c.bold(text) : c.dim(text)}`;
        }
        const { name, objective, stats, location } = r.cells;
        const styledName = active ? c.bold(name) : name;
        return `${bar}${pointer} ${styledName}  ${objective}  ${c.dim(stats)}  ${c.dim(location)}`;
      });
      return [...head, ...lines, ...foot].join('\n');
    },
  });
  prompt.on('key', (_char, key) => {
    const focused = prompt.focusedValue as string | undefined;
    const row = focused === undefined ? undefined : rowsFor(prompt.userInput).find((r) => r.value === focused);
    if (key.name === 'return') {
      if (!row || row.kind === 'header') return;
      chosen = row.kind === 'new' ? { kind: 'new', name: row.name } : { kind: 'open', name: row.value };
    } else if (key.name === 'tab' && row?.kind === 'session') {
      // Setting the state here makes the prompt finish after this key, like Enter.
      chosen = { kind: 'actions', name: row.value };
      prompt.state = 'submit';
    }
  });
  const result = await prompt.prompt();
  if (isCancel(result)) return null;
  return chosen;
}

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
    output: io.stderr,
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
    output: io.stderr,
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
      output: io.stderr,
    });
    if (clack.isCancel(host)) return null;
  }
  if (host !== OTHER) return host as string;
  const typed = await clack.text({
    message: 'Host (alias or user@host[:port])',
    validate: (v) => ((v ?? '').trim() === '' ? 'a host is needed' : undefined),
    input: io.stdin,
    output: io.stderr,
  });
  return clack.isCancel(typed) ? null : typed.trim();
}

/** Runs another command from the table as if typed, with this context. */
async function runCommand(token: string, args: string[], inv: Invocation, ctx: Context): Promise<number> {
  const spec = token === '' ? OPEN : findCommand(token);
  if (!spec?.load) throw new Error(`no command ${token || '<open>'} in the table`);
  const command = await spec.load();
  return (await command.run(command.parse(args, inv, ctx.env), ctx)) ?? 0;
}

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
    const sessions = visible(listSessions(root), {});
    const choice = await choose(sessions, ctx);
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
      if (e instanceof CancelError) io.err(io.color.dim(`cs: ${e.message}`));
      else if (e instanceof UserError || e instanceof UsageError) io.err(`${io.color.red('cs:')} ${e.message}${e.hint ? ` — ${e.hint}` : ''}`);
      else throw e;
    }
  }
}
