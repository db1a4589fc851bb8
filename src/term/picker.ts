// The session picker's terminal side: row cells fitted to the width, the
// glyphs, and the @clack/core autocomplete render. What the rows are (which
// sessions match, in what order) is src/commands/pick.ts's.
import type { SessionSummary } from '../session/summary.js';
import type { IO } from './io.js';
import { CancelError } from '../lib/errors.js';

/** The day groups rows are shown under, newest first. */
export const GROUPS = ['Today', 'Yesterday', 'This week', 'Older'] as const;
export type Group = (typeof GROUPS)[number];

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

/** Rows to draw around the cursor when they do not all fit. */
export function visibleWindow(total: number, cursor: number, room: number): { start: number; end: number } {
  if (total <= room) return { start: 0, end: total };
  const start = Math.min(Math.max(0, cursor - Math.floor(room / 2)), total - room);
  return { start, end: start + room };
}

export type Choice = { kind: 'open'; name: string } | { kind: 'new'; name: string | null } | { kind: 'actions'; name: string };

// The key help, shortened to the terminal's width (a wrapped line breaks the frame); the
// parts go in this order of what is dropped first, and Esc quit always stays.
const KEYS_HELP = ['↑/↓ PgUp/PgDn move', 'Enter resume', 'Tab actions', '#tag filters by tag', 'Esc quit'];
const DROP_FIRST = ['#tag filters by tag', 'Tab actions', '↑/↓ PgUp/PgDn move', 'Enter resume'];

export function keysHelp(width: number): string {
  const parts = [...KEYS_HELP];
  for (const drop of DROP_FIRST) {
    if (len(parts.join(' · ')) <= width) break;
    parts.splice(parts.indexOf(drop), 1);
  }
  return truncate(parts.join(' · '), width);
}

/**
 * The picker on the terminal: @clack/core's autocomplete with our render.
 * `rowsFor(query, width)` gives the rows (src/commands/pick.ts builds and
 * filters them); resolves to what was chosen, null when cancelled.
 */
export async function choose(total: number, initial: string, rowsFor0: (query: string, width: number) => Row[], io: IO, g: Glyphs): Promise<Choice | null> {
  const [{ AutocompletePrompt, isCancel }, clack] = await Promise.all([import('@clack/core'), import('@clack/prompts')]);
  const c = io.color;
  const out = io.promptOut;
  const width = () => Math.max(40, (out.columns ?? 80) - 4);
  let cache: { query: string; width: number; rows: Row[] } | undefined;
  const rowsFor = (query: string): Row[] => {
    const w = width();
    if (cache?.query !== query || cache.width !== w) cache = { query, width: w, rows: rowsFor0(query, w) };
    return cache.rows;
  };
  let chosen: Choice | null = null;
  const bar = c.cyan(clack.S_BAR);
  // Rows shown at once: the screen less the 4 lines above them, the 3 below and one spare.
  const roomFor = () => Math.max(3, (out.rows ?? 24) - 8);

  const prompt = new AutocompletePrompt<Row & { disabled?: boolean }>({
    input: io.stdin,
    output: out,
    // A function, so the prompt does no filtering of its own: buildRows does, headers included.
    options(this: { userInput: string }) {
      return rowsFor(this.userInput).map((r) => ({ ...r, disabled: r.kind === 'header' }));
    },
    initialValue: [initial],
    render() {
      const title = `${clack.symbol(this.state)}  ${c.bold('cs')} ${c.dim(`— ${total} session${total === 1 ? '' : 's'}`)}`;
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
      const foot = [bar, `${bar}  ${c.dim(keysHelp((out.columns ?? 80) - 4))}`, c.cyan(clack.S_BAR_END)];
      const room = roomFor();
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
  // Esc and Ctrl-C both cancel the prompt; only Ctrl-C is an interrupt (exit 130).
  let interrupted = false;
  prompt.on('key', (_char, key) => {
    if (key.ctrl && key.name === 'c') interrupted = true;
    if (key.name === 'pagedown' || key.name === 'pageup') return page(key.name === 'pagedown' ? 1 : -1);
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
  // A page of rows at a time, stopping at the first and the last (↑/↓ wrap around): the
  // prompt keeps its cursor to itself, so this is its own ↑/↓, as many times as it takes.
  function page(dir: 1 | -1): void {
    const rows = rowsFor(prompt.userInput);
    const selectable = rows.flatMap((r, i) => (r.kind === 'header' ? [] : [i]));
    const at = selectable.indexOf(rows.findIndex((r) => r.value === prompt.focusedValue));
    if (at < 0) return;
    const steps = Math.min(roomFor() - 1, dir > 0 ? selectable.length - 1 - at : at);
    for (let i = 0; i < steps; i++) prompt.emit('key', undefined, { name: dir > 0 ? 'down' : 'up' });
  }
  const result = await prompt.prompt();
  if (isCancel(result)) {
    // Its last frame already says 'cancelled': nothing more is printed (an empty message).
    if (interrupted) throw new CancelError('');
    return null;
  }
  return chosen;
}

