// Commits in cs-created workspaces need an author. Without user.name /
// user.email cs uses a fallback (Repo.identityArgs); the user hears of it
// once, on a terminal, and `cs -doctor` keeps saying it. Adopted projects
// never get commits from cs, so they need no identity.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../lib/fsutil.js';
import { csConfigDir } from '../session/paths.js';
import { Repo } from './repo.js';

export const FALLBACK_IDENTITY = 'cs <cs@localhost>';
export const SET_IDENTITY_HINT = 'git config --global user.name "Your Name" && git config --global user.email you@example.com';

/** The halves of the identity git would lack in `dir` ("user.name", "user.email"); empty when both are set. */
export async function missingIdentity(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const args = await new Repo(dir, { env }).identityArgs();
  return args.filter((a) => a !== '-c').map((a) => a.split('=')[0]!);
}

export function identityMessage(missing: readonly string[]): string {
  return `git has no ${missing.join(' or ')} configured: commits in cs-created workspaces will be authored as ${FALLBACK_IDENTITY}; set your own with: ${SET_IDENTITY_HINT}`;
}

/**
 * The notice to show once per machine, or null (identity set, or already
 * said). Marks it said.
 */
export async function identityNoticeOnce(dir: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const stamp = path.join(csConfigDir(env), 'identity-notice-shown');
  if (fs.existsSync(stamp)) return null;
  const missing = await missingIdentity(dir, env);
  if (missing.length === 0) return null;
  fs.mkdirSync(path.dirname(stamp), { recursive: true, mode: 0o700 });
  writeFileAtomic(stamp, `${new Date().toISOString()}\n`, 0o600);
  return identityMessage(missing);
}
