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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], isHeader: boolean) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
        return !isHeader && style ? style(i, cell, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, true), ...rows.map((r) => line(r, false))];
}

/**
 * The STATUS cell of `cs -ls` for a session's live status (working |
 * needs-you | idle | closed | '' when never recorded; src/status/status.ts):
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
