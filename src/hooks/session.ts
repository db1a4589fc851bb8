// Which cs session a hook runs in: CLAUDE_SESSION_DIR when cs launched
// Claude, else the nearest `.cs/` of cs's own (SESSION_MARKS) up from the
// project dir or cwd (adopted repos opened from an IDE), named as it
// recorded (src/session/session-name.ts), else by its folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sessionPaths, type SessionPaths } from '../session/paths.js';
import { recordedSessionName } from '../session/session-name.js';
import type { HookInput } from './protocol.js';
import { str } from './protocol.js';

function hasMeta(dir: string): boolean {
  return fs.statSync(path.join(dir, '.cs'), { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * What a `.cs/` of cs's own holds, relative to it: the session log (every
 * session cs made or opened has one) or the adopted marker. A folder found
 * by looking up from the project is a session only with one of them: a
 * `.cs/` of another tool's is not cs's to write in (the hooks' status,
 * timeline and autosave went there). The sh side (dist/hook.sh) is written
 * from this list.
 */
export const SESSION_MARKS = ['logs/session.log', 'adopted'] as const;

function isSessionDir(dir: string): boolean {
  return hasMeta(dir) && SESSION_MARKS.some((m) => fs.statSync(path.join(dir, '.cs', m), { throwIfNoEntry: false })?.isFile());
}

export function findSessionDir(start: string): string | null {
  let dir = path.resolve(start);
  for (;;) {
    if (isSessionDir(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export interface HookSession {
  paths: SessionPaths;
  /** cs launched this Claude and does the end-of-session work itself. */
  launchedByCs: boolean;
}

export function locateSession(env: NodeJS.ProcessEnv, input: HookInput | null): HookSession | null {
  const fromEnv = env.CLAUDE_SESSION_DIR;
  if (fromEnv && hasMeta(fromEnv)) {
    // Without CLAUDE_SESSION_NAME, the name the session recorded, as dist/hook.sh reads it: the sh part
    // and Node must look up the same env file of secrets (a value sh finds there is Node's to scrub).
    const name = env.CLAUDE_SESSION_NAME || recordedSessionName(fromEnv, env) || path.basename(fromEnv);
    return { paths: sessionPaths(fromEnv, name), launchedByCs: env.CS_LAUNCHED === '1' };
  }
  const start = env.CLAUDE_PROJECT_DIR || (input && str(input, 'cwd'));
  if (!start) return null;
  const dir = findSessionDir(start);
  // An adopted project's folder is named for the project, not for its session.
  return dir ? { paths: sessionPaths(dir, recordedSessionName(dir, env) ?? path.basename(dir)), launchedByCs: false } : null;
}

/** Resolves a path the way the filesystem will, following links of the existing part. */
export function realTarget(p: string): string {
  const abs = path.resolve(p);
  let existing = abs;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  return path.join(fs.realpathSync(existing), ...rest);
}

/**
 * `file` as cs's logs show it when it lies in `workspace`: relative to it
 * ('.' for the workspace itself), after resolving `.` and `..` lexically
 * (no symlinks followed); null for anything outside. The one rule for
 * changes.md and the timeline; the sh fast paths (dist/hook.sh, written from
 * src/hooks/shlib.ts) take only paths where it reduces to cutting "$dir/".
 */
export function workspaceRelative(file: string, workspace: string): string | null {
  if (!path.isAbsolute(file)) return null;
  const rel = path.relative(workspace, file);
  if (rel === '') return '.';
  return rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel) ? null : rel;
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** One hook invocation as the handlers (src/hooks/handlers.ts) see it: the session, Claude Code's input, the environment, the time. */
export interface HookContext {
  session: HookSession;
  input: HookInput;
  env: NodeJS.ProcessEnv;
  now: Date;
}

/** A hook event's handler: resolves to the JSON to print for Claude Code, or null for nothing. */
export type Handler = (c: HookContext) => Promise<object | null>;
