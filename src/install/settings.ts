// Merging our hook entries into Claude Code's settings.json without touching
// anything we do not own. Pure: text in, text out.
import { UserError } from '../errors.js';
import type { HookRegistration } from '../hooks/registry.js';
import { shellQuote } from '../shell.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface HookCommand {
  type: string;
  command?: string;
  [k: string]: Json | undefined;
}
interface MatcherGroup {
  matcher?: string;
  hooks: HookCommand[];
  [k: string]: Json | HookCommand[] | undefined;
}

export function parseSettings(text: string | null, file: string): JsonObject {
  if (text === null || text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message})`, 'fix or move it, then run the installer again; nothing was changed');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new UserError(`${file} does not hold a JSON object`, 'fix or move it, then run the installer again; nothing was changed');
  }
  return v as JsonObject;
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
  if (Object.keys(nextHooks).length === 0) delete next.hooks;
  else next.hooks = nextHooks;
  return next;
}

/** Our hooks, in registry order, after whatever else is there. */
export function withOurHooks(settings: JsonObject, hooksDir: string, regs: readonly HookRegistration[]): JsonObject {
  const base = withoutOurHooks(settings, hooksDir);
  if (regs.length === 0) return base;
  const hooks: JsonObject = typeof base.hooks === 'object' && base.hooks !== null && !Array.isArray(base.hooks) ? { ...(base.hooks as JsonObject) } : {};
  for (const reg of regs) {
    const entry: HookCommand = { type: 'command', command: hookCommand(hooksDir, reg) };
    if (reg.timeout !== undefined) entry.timeout = reg.timeout;
    if (reg.async) entry.async = true;
    const group: MatcherGroup = reg.matcher !== undefined ? { matcher: reg.matcher, hooks: [entry] } : { hooks: [entry] };
    hooks[reg.event] = [...groupsOf(hooks, reg.event), group] as unknown as Json;
  }
  return { ...base, hooks };
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
