// The dynamic candidates behind `cs -completions --list <kind>`, read with a
// few syscalls: the scripts call this on TAB, so nothing heavy loads here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nameProblem } from '../session/names.js';
import { csConfigDir } from '../session/paths.js';

/** Session names: entries of the root with a `.cs` folder (an adopted session's link is followed). */
export function sessionCandidates(root: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const plain = names.filter((n) => nameProblem(n) === null && fs.statSync(path.join(root, n, '.cs'), { throwIfNoEntry: false })?.isDirectory());
  // Feature sessions `base@feature` (worktrees in <root>/.features/).
  let features: string[] = [];
  try {
    features = fs.readdirSync(path.join(root, '.features')).filter((n) => /^[^@]+@[^@]+$/.test(n) && plain.includes(n.split('@')[0]!));
  } catch {
    // none yet
  }
  return [...plain, ...features].sort();
}

/**
 * Registered remote aliases with their address, from hosts.json
 * (`{ "version": 1, "hosts": { "<alias>": { "host": "user@host" } } }`,
 * written by `cs -remote add`). A missing or unreadable file offers nothing:
 * completion must never print an error into the user's command line.
 */
export function hostCandidates(env: NodeJS.ProcessEnv): Array<{ alias: string; host: string }> {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(path.join(csConfigDir(env), 'hosts.json'), 'utf8'));
  } catch {
    return [];
  }
  const hosts = (data as { hosts?: unknown } | null)?.hosts;
  if (typeof hosts !== 'object' || hosts === null) return [];
  return Object.entries(hosts as Record<string, { host?: unknown }>)
    .filter(([alias]) => /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(alias))
    .map(([alias, v]) => ({ alias, host: typeof v?.host === 'string' ? v.host.replace(/[:\s]/g, ' ') : '' }))
    .sort((a, b) => a.alias.localeCompare(b.alias));
}
