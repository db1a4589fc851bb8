// Presentation helpers shared by listings.

/** "just now", "5m ago", "3h ago", "yesterday", "4d ago", else the date. */
export function relativeTime(then: Date, now: Date): string {
  const s = Math.round((now.getTime() - then.getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  if (s < 2 * 86400) return 'yesterday';
  if (s < 14 * 86400) return `${Math.floor(s / 86400)}d ago`;
  return then.toISOString().slice(0, 10);
}

/** Left-aligned columns separated by two spaces; colour applied after padding. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], style?: (col: number, cell: string, padded: string) => string): string[] {
  const widths = columnWidths(header, rows);
  const lines = [tableLine(header, widths)];
  for (const r of rows) lines.push(tableLine(r, widths, style));
  return lines;
}

/**
 * The length of the longest line table(header, rows) makes, without making
 * them: `cs -ls` measures ten thousand rows to see whether a column fits.
 */
export function tableWidth(header: readonly string[], rows: readonly (readonly string[])[]): number {
  const widths = columnWidths(header, rows);
  const length = (cells: readonly string[]): number => {
    const last = cells[cells.length - 1] ?? '';
    // A line ending in white space is trimmed: measure that rare one by making it.
    if (last === '' || /\s$/.test(last)) return tableLine(cells, widths).length;
    let n = 2 * (cells.length - 1) + last.length;
    for (let i = 0; i < cells.length - 1; i++) n += Math.max(cells[i]!.length, widths[i] ?? 0);
    return n;
  };
  let max = length(header);
  for (const r of rows) max = Math.max(max, length(r));
  return max;
}

/** Each column's width: its longest cell, header included. */
function columnWidths(header: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const widths = header.map((h) => h.length);
  for (const r of rows) {
    for (let i = 0; i < widths.length; i++) {
      const n = (r[i] ?? '').length;
      if (n > widths[i]!) widths[i] = n;
    }
  }
  return widths;
}

/** One line of table(): every cell but the last padded to its column's width; `style` (rows only) after padding. */
function tableLine(cells: readonly string[], widths: readonly number[], style?: (col: number, cell: string, padded: string) => string): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
    line += (i === 0 ? '' : '  ') + (style ? style(i, cell, padded) : padded);
  }
  return line.trimEnd();
}

/**
 * The STATUS cell of `cs -ls` for a session's state (working | needs-you |
 * idle | closed | starting | ended-unexpectedly | '' when never recorded;
 * src/status/shown.ts):
 * the state's word (closed included, as --json says it), "-" when nothing was recorded.
 */
export function statusCell(status: string | undefined): string {
  return status || '-';
}

// C0/C1 controls, DEL, line/paragraph separators, bidi overrides and
// isolates, zero-width marks and the BOM: characters that can hide or
// reorder what a log line shows (a file named "x\u202Etxt.sh" reads as
// "xhs.txt") or break it across lines.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Replaces control and bidi characters by visible `\uXXXX` escapes, for one-line logs. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The first `max` items joined by ", ", with how many more there are:
 * `a, b, c, +4 more`. For one-line messages that name what they are about
 * without running over (errors, doctor checks, notices).
 */
export function firstFew(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, +${items.length - max} more` : shown;
}
