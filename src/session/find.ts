// Looking a session up by name: what every command naming a session does
// first, kept apart from making workspaces (workspace.ts), whose git and
// process modules a lookup (`cs <s> -secrets get`) has no use for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { validateSessionRef } from '../features/ref.js';
import { nameProblem, validateName } from './names.js';
import { sessionPaths, sessionsRoot, type SessionPaths } from './paths.js';

/**
 * The entries of sessions root `root` named as sessions are (nameProblem:
 * no staging folders, no .features, no stray dot files), sorted; none when
 * the root does not exist. Throws the file system's error otherwise.
 */
export function sessionEntries(root: string): string[] {
  try {
    return fs.readdirSync(root).filter((n) => nameProblem(n) === null).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export interface ResolvedSession {
  paths: SessionPaths;
  /** The entry in the root is a link to a directory elsewhere (adopted). */
  adopted: boolean;
}

/** Finds a session by name; null when it does not exist. */
export function findSession(env: NodeJS.ProcessEnv, name: string): ResolvedSession | null {
  // `base@feature`: a feature session, whose directory is its worktree (src/features/).
  if (name.includes('@')) validateSessionRef(name);
  else validateName(name);
  const entry = name.includes('@') ? path.join(sessionsRoot(env), '.features', name) : path.join(sessionsRoot(env), name);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(entry);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = fs.realpathSync(entry);
    } catch {
      throw new UserError(`session '${name}' links to ${fs.readlinkSync(entry)}, which no longer exists`, `remove the link with: cs -rm ${name}`);
    }
    return { paths: sessionPaths(target, name), adopted: true };
  }
  if (!st.isDirectory()) throw new UserError(`${entry} is not a session directory`, 'move that file away');
  // The real path, as Claude Code sees its cwd: through a linked sessions
  // root the hooks would otherwise get paths that match neither spelling.
  return { paths: sessionPaths(fs.realpathSync(entry), name), adopted: false };
}
