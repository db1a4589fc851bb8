// Feature sessions: names and places. A feature session is written
// `<base>@<feature>`; both parts follow the session-name rules. Its work
// tree is a git worktree of the base's repository, kept under
// `<sessions root>/.features/<base>@<feature>/` — outside the user's tree
// (an adopted project gets nothing inside its directory) and out of the
// way of plain session names (no name may start with ".").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../lib/errors.js';
import { nameProblem, NAME_RULE } from '../session/names.js';
import { sessionsRoot } from '../session/paths.js';

export interface FeatureRef {
  base: string;
  feature: string;
  /** `<base>@<feature>`: the session's name everywhere (lock, status, -ls). */
  name: string;
}

/** Pure: `base@feature` → its parts; null when the word holds no "@". Throws a UsageError when a part breaks the name rules. */
export function parseFeatureRef(word: string): FeatureRef | null {
  const at = word.indexOf('@');
  if (at < 0) return null;
  const base = word.slice(0, at);
  const feature = word.slice(at + 1);
  const bad = nameProblem(base) ?? (feature.includes('@') ? `feature name '${feature}' contains "@"` : nameProblem(feature)?.replace('session name', 'feature name') ?? branchProblem(feature));
  if (bad) throw new UsageError(bad, `write a feature session as <base>@<feature>, each part ${NAME_RULE}; a feature is also a branch name (cs/<feature>): no "..", no ending in "." or ".lock"`);
  return { base, feature, name: `${base}@${feature}` };
}

/**
 * Why `feature`, a valid session name, is no git branch name as cs/<feature>
 * (git check-ref-format: no "..", no component ending in ".lock" or "."),
 * or null.
 */
function branchProblem(feature: string): string | null {
  if (feature.includes('..')) return `feature name '${feature}' contains ".."`;
  if (feature.endsWith('.lock')) return `feature name '${feature}' ends with ".lock"`;
  if (feature.endsWith('.')) return `feature name '${feature}' ends with "."`;
  return null;
}

/** Returns why `word` is neither a session name nor `base@feature`, or null. */
export function sessionRefProblem(word: string): string | null {
  if (!word.includes('@')) return nameProblem(word);
  try {
    parseFeatureRef(word);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Accepts a plain session name (its rules unchanged) or `base@feature`; throws a UsageError otherwise. */
export function validateSessionRef(word: string): string {
  if (!word.includes('@')) {
    const bad = nameProblem(word);
    if (bad) throw new UsageError(bad, `use ${NAME_RULE}`);
    return word;
  }
  return parseFeatureRef(word)!.name;
}

/** The session whose secrets a session uses: a feature shares its base's. */
export function secretsOwner(session: string): string {
  const at = session.indexOf('@');
  return at < 0 ? session : session.slice(0, at);
}

/** The git branch of a feature. */
export function featureBranch(feature: string): string {
  return `cs/${feature}`;
}

/** Pure: the directory under the sessions root that holds the entry `name` (a feature's is `<root>/.features`). */
export function entryParent(root: string, name: string): string {
  return name.includes('@') ? path.join(root, '.features') : root;
}

/** Feature session names under `root` (`base@feature` entries of `<root>/.features`), unsorted; [] when none. */
export function featureEntries(root: string): string[] {
  try {
    return fs.readdirSync(path.join(root, '.features')).filter((n) => sessionRefProblem(n) === null && n.includes('@'));
  } catch {
    return [];
  }
}

/** A feature's record in its worktree (src/features/model.ts), machine-local like the lock. */
export const FEATURE_RECORD = '.cs/local/feature.json';

/** Whether `dir` is the worktree of a feature session cs made. */
export function isFeatureWorktree(dir: string): boolean {
  return fs.existsSync(path.join(dir, FEATURE_RECORD));
}

/** `<root>/.features`: where every feature worktree lives. */
export function featuresRoot(env: NodeJS.ProcessEnv): string {
  return path.join(sessionsRoot(env), '.features');
}

export function featureDir(env: NodeJS.ProcessEnv, ref: FeatureRef): string {
  return path.join(featuresRoot(env), ref.name);
}
