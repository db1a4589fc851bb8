// Merging our hook entries into Claude Code's settings.json without touching
// anything we do not own. Pure: text in, text out.
import { UserError } from '../lib/errors.js';
import type { HookRegistration } from '../hooks/registry.js';
import { shellQuote } from '../lib/shell.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface HookCommand {
  type: string;
  command?: string;
  [k: string]: Json | undefined;
}
export interface MatcherGroup {
  matcher?: string;
  hooks: HookCommand[];
  [k: string]: Json | HookCommand[] | undefined;
}

const REFUSED_HINT = 'fix or move it, then run the installer again; nothing was changed';

/** Deeper than this, a settings file is refused: nobody writes one so, and every step after parsing recurses. */
export const MAX_SETTINGS_DEPTH = 64;

/** How deeply arrays and objects nest in `v` (0 for a scalar); iterative, so any depth is measured. */
export function jsonDepth(v: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d + 1 > max) max = d + 1;
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}

/**
 * Parses settings.json text into its top-level object ({} for none or
 * blank). Throws UserError for invalid JSON (comments and trailing commas
 * included: Claude Code reads plain JSON), a non-object top level, or nesting
 * deeper than MAX_SETTINGS_DEPTH.
 */
export function parseSettings(text: string | null, file: string): JsonObject {
  if (text === null || text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const why = e instanceof RangeError ? `nested too deeply to read` : (e as Error).message;
    throw new UserError(`${file} is not valid JSON (${why})`, REFUSED_HINT);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new UserError(`${file} does not hold a JSON object`, REFUSED_HINT);
  }
  const depth = jsonDepth(v);
  if (depth > MAX_SETTINGS_DEPTH) {
    throw new UserError(`${file} nests ${depth} levels deep (cs merges into at most ${MAX_SETTINGS_DEPTH})`, REFUSED_HINT);
  }
  return v as JsonObject;
}

function shapeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Refuses to merge into hook values of the wrong shape (Claude Code's
 * format: `hooks` an object, each event an array of matcher groups), as for a
 * non-object top level: replacing them would lose what the user had there.
 * Events we do not register are left alone whatever they hold.
 */
export function validateHookShapes(settings: JsonObject, regs: readonly HookRegistration[], file: string): void {
  if (!('hooks' in settings)) return;
  const hooks = settings.hooks;
  if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)) {
    throw new UserError(`"hooks" in ${file} is ${shapeOf(hooks)}, not an object of events`, REFUSED_HINT);
  }
  for (const event of new Set(regs.map((r) => r.event))) {
    const v = (hooks as JsonObject)[event];
    if (v !== undefined && !Array.isArray(v)) {
      throw new UserError(`"hooks.${event}" in ${file} is ${shapeOf(v)}, not an array of matcher groups`, REFUSED_HINT);
    }
  }
}

export function hookCommand(hooksDir: string, reg: HookRegistration): string {
  return shellQuote(`${hooksDir}/${reg.script}`);
}

/** Ours: the command runs a script from our hooks directory. */
export function isOurCommand(command: unknown, hooksDir: string): boolean {
  if (typeof command !== 'string') return false;
  const unquoted = command.replace(/^'|'$/g, '');
  return unquoted.startsWith(hooksDir + '/');
}

function groupsOf(hooks: JsonObject, event: string): MatcherGroup[] {
  const v = hooks[event];
  return Array.isArray(v) ? (v as unknown as MatcherGroup[]) : [];
}

/** Removes every hook command of ours; groups and events left empty by that go too. */
export function withoutOurHooks(settings: JsonObject, hooksDir: string): JsonObject {
  const hooks = settings.hooks;
  if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)) return settings;
  const nextHooks: JsonObject = {};
  for (const [event, value] of Object.entries(hooks)) {
    if (!Array.isArray(value)) {
      nextHooks[event] = value;
      continue;
    }
    const groups: Json[] = [];
    for (const g of value) {
      const group = g as unknown as MatcherGroup;
      if (typeof group !== 'object' || group === null || !Array.isArray(group.hooks)) {
        groups.push(g);
        continue;
      }
      const kept = group.hooks.filter((h) => !isOurCommand(h?.command, hooksDir));
      if (kept.length === group.hooks.length) groups.push(g);
      else if (kept.length > 0) groups.push({ ...group, hooks: kept } as unknown as Json);
    }
    if (groups.length > 0 || value.length === 0) nextHooks[event] = groups;
  }
  const next: JsonObject = { ...settings };
  // An empty "hooks" of the user's own stays; one we emptied goes.
  if (Object.keys(nextHooks).length === 0 && Object.keys(hooks).length > 0) delete next.hooks;
  else next.hooks = nextHooks;
  return next;
}

/** Whether `settings` (parsed settings.json) still holds hook entries of cs's own, as an older cs wrote them there. */
export function hasOurHooks(settings: unknown, hooksDir: string): boolean {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return false;
  return !sameJson(withoutOurHooks(settings as JsonObject, hooksDir), settings);
}

/**
 * Our hook entries by event, in registry order: one matcher group of one
 * command each (Claude Code's settings format, also a plugin's hooks.json:
 * code.claude.com/docs/en/hooks).
 */
export function hookGroups(hooksDir: string, regs: readonly HookRegistration[]): Record<string, MatcherGroup[]> {
  const hooks: Record<string, MatcherGroup[]> = {};
  for (const reg of regs) {
    const command = hookCommand(hooksDir, reg);
    const entry: HookCommand = { type: 'command', command };
    // Exec form: Claude Code spawns the script itself instead of `sh -c
    // <command>`, one process less on every hook (code.claude.com/docs/en/hooks,
    // "Exec form and shell form"). Only where the path needs no quoting, so a
    // Claude Code that predates `args` runs the very same file through its shell.
    if (command === `${hooksDir}/${reg.script}`) entry.args = [];
    if (reg.timeout !== undefined) entry.timeout = reg.timeout;
    if (reg.async) entry.async = true;
    (hooks[reg.event] ??= []).push(reg.matcher !== undefined ? { matcher: reg.matcher, hooks: [entry] } : { hooks: [entry] });
  }
  return hooks;
}

/** The indentation the file already uses, so a rewrite keeps its look. */
export function detectIndent(text: string | null): string | number {
  const m = text ? /^([ \t]+)\S/m.exec(text) : null;
  return m ? m[1]! : 2;
}

export function serialize(settings: JsonObject, original: string | null): string {
  return JSON.stringify(settings, null, detectIndent(original)) + '\n';
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
