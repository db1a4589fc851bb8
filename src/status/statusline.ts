// The latest figures the status line recorded (hooks/statusline writes
// `.cs/local/statusline.json` at each refresh): context used and the plan's
// rate limits, for the handoff nudge and cs -usage.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StatusLineFigures {
  /** When the status line last rendered. */
  at: Date;
  /** Claude Code's conversation (session) uuid. */
  sessionId: string;
  /** Percent of the context window in use (0–100), null before the first reply. */
  contextPct: number | null;
  /** Tokens. */
  contextSize: number | null;
  fiveHourPct: number | null;
  fiveHourResetsAt: Date | null;
  sevenDayPct: number | null;
  sevenDayResetsAt: Date | null;
}

export function statusLineFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'local', 'statusline.json');
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const secs = (v: unknown): Date | null => (num(v) === null ? null : new Date((v as number) * 1000));

/** The recorded figures, or null when the status line never ran here (or the file is unreadable). */
export function readStatusLine(sessionDir: string): StatusLineFigures | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(fs.readFileSync(statusLineFile(sessionDir), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || num(v.at) === null) return null;
  return {
    at: secs(v.at)!,
    sessionId: typeof v.session_id === 'string' ? v.session_id : '',
    contextPct: num(v.context_pct),
    contextSize: num(v.context_size),
    fiveHourPct: num(v.five_hour_pct),
    fiveHourResetsAt: secs(v.five_hour_resets_at),
    sevenDayPct: num(v.seven_day_pct),
    sevenDayResetsAt: secs(v.seven_day_resets_at),
  };
}
