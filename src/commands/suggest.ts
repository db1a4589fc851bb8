// Typos in command names: `cs -sl` gets "did you mean cs -ls?", and
// `cs install` (a command without its dash) asks before creating a session
// of that name.
import { CancelError, UsageError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { COMMANDS, commandLine, findCommand } from './table.js';

/** Optimal string alignment distance: edits, counting a swap of two neighbours as one (`-sl` → `-ls`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The command names (and aliases) nearest to `token`, within 1 edit for short tokens, 2 otherwise (the closest ones only). */
export function similarCommands(token: string, scope?: 'session'): string[] {
  const t = token.toLowerCase();
  const limit = t.replace(/^-+/, '').length <= 3 ? 1 : 2;
  const scored: Array<[string, number]> = [];
  for (const c of COMMANDS) {
    if (c.builtin || (scope && c.scope === 'global')) continue;
    for (const n of [c.name, ...c.aliases]) {
      const dist = editDistance(t, n);
      // Ties go to the name of the same length (a swap over a dropped letter: -sl is -ls, not -s).
      if (dist <= limit && !scored.some(([m]) => m === n)) scored.push([n, dist * 10 + Math.abs(n.length - t.length)]);
    }
  }
  const best = Math.min(...scored.map(([, score]) => score));
  return scored.filter(([, score]) => score === best).slice(0, 3).map(([n]) => n);
}

/** A hint for an unknown command: "did you mean cs -ls?", else the pointer to the list. */
export function unknownCommandHint(token: string, prefix = 'cs', scope?: 'session'): string {
  const near = similarCommands(token, scope);
  return near.length ? `did you mean ${near.map((n) => `${prefix} ${n}`).join(' or ')}? (see cs -help)` : 'see cs -help for the list of commands';
}

/**
 * `cs install` where `install` is a command without its dash and no session
 * of that name exists: ask on a terminal, refuse without one. Throws
 * CancelError when declined, UsageError when nobody can be asked.
 */
export async function confirmCommandLikeName(name: string, io: IO, action: 'create' | 'adopt' | 'rename' = 'create'): Promise<void> {
  const spec = findCommand(`-${name}`);
  // One-letter aliases (-s, -h, -v) are too common as session names to ask about.
  if (!spec || name.length < 2) return;
  const typed = commandLine(spec);
  const words = {
    create: { none: `no session named '${name}' was created`, cancelled: 'no session created', ask: `Create a session named '${name}'?`, anyway: `to create the session anyway, run cs ${name} on a terminal and confirm` },
    adopt: { none: `no session named '${name}' was adopted`, cancelled: 'no session adopted', ask: `Adopt this project as a session named '${name}'?`, anyway: `to adopt it under that name anyway, run cs -adopt ${name} on a terminal and confirm` },
    rename: { none: `nothing was renamed`, cancelled: 'nothing renamed', ask: `Rename the session to '${name}'?`, anyway: `to rename it anyway, run cs -mv on a terminal and confirm` },
  }[action];
  if (!io.canPrompt) {
    throw new UsageError(`'${name}' is the name of a command (${typed}), so ${words.none}`, `run the command with: ${typed}; ${words.anyway}`);
  }
  const clack = await import('@clack/prompts');
  const answer = await clack.confirm({ message: `'${name}' is also a command (${typed}). ${words.ask}`, initialValue: false, output: io.promptOut, input: io.stdin });
  if (clack.isCancel(answer) || answer !== true) throw new CancelError(`${words.cancelled} — to run the command: ${typed}`);
}
