// cs's status line in Claude Code's settings.json (`statusLine`), kept apart
// from the hook merge: the user may already have a status line of their own.
// Enabling keeps theirs unless asked to replace it; a replaced one is saved
// in ~/.config/cs/statusline.json and put back by disable and by -uninstall.
// Only the `statusLine` key is ever changed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { ensureDir, exists, writeFileAtomic } from '../lib/fsutil.js';
import { packageRoot } from '../lib/package-root.js';
import { csConfigDir } from '../session/paths.js';
import { shellQuote } from '../lib/shell.js';
import { hooksDir, readState, settingsPath } from './install.js';
import { parseSettings, sameJson, serialize } from './settings.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** What we remember: the command we set, and the user's status line it replaced (null: there was none). */
export interface StatusLineRecord {
  command: string;
  previous: Json | null;
}

export function recordPath(env: NodeJS.ProcessEnv): string {
  return path.join(csConfigDir(env), 'statusline.json');
}

/**
 * The command to register: the installed hooks (through the `current` link,
 * so updates keep it), else this package's. The script is an awk program
 * whose `#!` names /usr/bin/awk (no shell in between: one process per
 * render); where there is no /usr/bin/awk (NixOS) it is run as `awk -f`.
 */
export function statusLineCommand(env: NodeJS.ProcessEnv, usrBinAwk = exists('/usr/bin/awk')): string {
  const dir = readState(env) ? hooksDir(env) : path.join(packageRoot(), 'hooks');
  const script = shellQuote(path.join(dir, 'statusline'));
  return usrBinAwk ? script : `awk -f ${script}`;
}

/** Both forms statusLineCommand may have registered, to know ours on disable. */
function ourCommands(env: NodeJS.ProcessEnv, record: StatusLineRecord | null): string[] {
  return [statusLineCommand(env, true), statusLineCommand(env, false), ...(record ? [record.command] : [])];
}

function readRecord(env: NodeJS.ProcessEnv): StatusLineRecord | null {
  try {
    const v = JSON.parse(fs.readFileSync(recordPath(env), 'utf8')) as StatusLineRecord;
    return typeof v?.command === 'string' ? { command: v.command, previous: v.previous ?? null } : null;
  } catch {
    return null;
  }
}

/** The statusLine entry is ours: the command we recorded, or a `statusline` script of cs's hooks. */
export function isOurs(entry: Json | undefined, ourCommands: readonly string[]): boolean {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const command = (entry as JsonObject).command;
  return typeof command === 'string' && ourCommands.includes(command);
}

export type EnableOutcome = 'enabled' | 'already' | 'kept-yours' | 'replaced';

/**
 * Pure: settings → settings with our status line. `previous` is the user's
 * entry that was replaced (only with `replace`).
 */
export function withStatusLine(settings: JsonObject, command: string, ours: readonly string[], replace: boolean): { next: JsonObject; outcome: EnableOutcome; previous: Json | null } {
  const current = settings.statusLine;
  const entry: JsonObject = { type: 'command', command, padding: 0 };
  if (current === undefined) return { next: { ...settings, statusLine: entry }, outcome: 'enabled', previous: null };
  if (isOurs(current, ours)) return { next: { ...settings, statusLine: entry }, outcome: 'already', previous: null };
  if (!replace) return { next: settings, outcome: 'kept-yours', previous: null };
  return { next: { ...settings, statusLine: entry }, outcome: 'replaced', previous: current };
}

/** Pure: settings → settings without our status line, the user's previous one put back. */
export function withoutStatusLine(settings: JsonObject, ours: readonly string[], previous: Json | null): { next: JsonObject; removed: boolean } {
  if (!isOurs(settings.statusLine, ours)) return { next: settings, removed: false };
  const next: JsonObject = { ...settings };
  if (previous === null) delete next.statusLine;
  else next.statusLine = previous;
  return { next, removed: true };
}

function readSettings(file: string): { text: string | null; settings: JsonObject } {
  const text = exists(file) ? fs.readFileSync(file, 'utf8') : null;
  return { text, settings: parseSettings(text, file) };
}

export interface StatusLineChange {
  outcome: EnableOutcome | 'disabled' | 'not-ours' | 'none';
  file: string;
  /** The user's own status line (kept, replaced or restored), for messages. */
  theirs?: Json;
}

/** cs -statusline enable [--replace]. Writes settings.json only when something changes. */
export function enableStatusLine(env: NodeJS.ProcessEnv, replace: boolean): StatusLineChange {
  const file = settingsPath(env);
  const { text, settings } = readSettings(file);
  const command = statusLineCommand(env);
  const record = readRecord(env);
  const ours = ourCommands(env, record);
  const r = withStatusLine(settings, command, ours, replace);
  if (r.outcome === 'kept-yours') return { outcome: r.outcome, file, theirs: settings.statusLine };
  // The record first: a crash after it still lets disable put the user's entry back.
  const previous = r.outcome === 'replaced' ? r.previous : r.outcome === 'already' ? (record?.previous ?? null) : null;
  ensureDir(csConfigDir(env), 0o700);
  writeFileAtomic(recordPath(env), JSON.stringify({ command, previous } satisfies StatusLineRecord, null, 2) + '\n', 0o600);
  if (!sameJson(settings, r.next)) {
    ensureDir(path.dirname(file), 0o700);
    writeFileAtomic(file, serialize(r.next, text), text === null ? 0o600 : fs.statSync(file).mode & 0o777);
  }
  return { outcome: r.outcome, file, ...(r.previous !== null ? { theirs: r.previous } : {}) };
}

/** cs -statusline disable, and -uninstall: ours goes, the user's previous one comes back. */
export function disableStatusLine(env: NodeJS.ProcessEnv): StatusLineChange {
  const file = settingsPath(env);
  const record = readRecord(env);
  if (!exists(file)) {
    fs.rmSync(recordPath(env), { force: true });
    return { outcome: 'none', file };
  }
  const { text, settings } = readSettings(file);
  const ours = ourCommands(env, record);
  const r = withoutStatusLine(settings, ours, record?.previous ?? null);
  if (!r.removed) {
    if (settings.statusLine === undefined) fs.rmSync(recordPath(env), { force: true });
    return { outcome: settings.statusLine === undefined ? 'none' : 'not-ours', file, ...(settings.statusLine !== undefined ? { theirs: settings.statusLine } : {}) };
  }
  writeFileAtomic(file, serialize(r.next, text), fs.statSync(file).mode & 0o777);
  fs.rmSync(recordPath(env), { force: true });
  return { outcome: 'disabled', file, ...(record?.previous ? { theirs: record.previous } : {}) };
}

/** One line naming a status line entry, for messages. */
export function describeEntry(entry: Json | undefined): string {
  if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry.command === 'string') return entry.command.slice(0, 80);
  return JSON.stringify(entry ?? null).slice(0, 80);
}

export function assertNoConflict(change: StatusLineChange): void {
  if (change.outcome === 'kept-yours') {
    throw new UserError(
      `${change.file} already has a status line of yours (${describeEntry(change.theirs)}); it was kept`,
      'to use cs\'s instead run: cs -statusline enable --replace (cs -statusline disable puts yours back)',
    );
  }
}
