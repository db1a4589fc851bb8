// "Where you stand": the session whose directory holds the current one, so
// `cs` alone inside a session opens it. A session's directory is the first
// directory up from cwd with a `.cs/` directory in it; its name is its entry
// in the sessions root (the directory itself, or the link of an adopted one).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nameProblem } from './names.js';
import { sessionsRoot } from './paths.js';

function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

/** The name of the session `cwd` is inside, or null (outside every session, or not listed in the root). */
export function sessionAt(env: NodeJS.ProcessEnv, cwd: string): string | null {
  const root = realOrNull(sessionsRoot(env));
  let dir = realOrNull(cwd);
  if (root === null || dir === null) return null;
  for (;;) {
    if (dir === root) return null;
    if (fs.statSync(path.join(dir, '.cs'), { throwIfNoEntry: false })?.isDirectory()) break;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  if (path.dirname(dir) === root) {
    const name = path.basename(dir);
    return nameProblem(name) === null ? name : null;
  }
  return linkTo(root, dir);
}

/** The name of the link in the sessions root that leads to `dir` (an adopted project), or null. */
export function adoptedAs(env: NodeJS.ProcessEnv, dir: string): string | null {
  const root = realOrNull(sessionsRoot(env));
  const real = realOrNull(dir);
  return root === null || real === null ? null : linkTo(root, real);
}

/** Adopted: the link in the (real) root that leads to the real directory `dir`. */
function linkTo(root: string, dir: string): string | null {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const e of entries) {
    if (e.isSymbolicLink() && nameProblem(e.name) === null && realOrNull(path.join(root, e.name)) === dir) return e.name;
  }
  return null;
}
