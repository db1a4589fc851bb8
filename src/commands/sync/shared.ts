// What the -sync subcommands share: the session's repository, the spinner
// for network work, and where an adopted project's records go.
import { UserError } from '../../lib/errors.js';
import type { IO } from '../../term/io.js';
import { step } from '../../term/progress.js';
import { openRepo, type Repo } from '../../git/repo.js';
import { isAdopted } from '../../session/adopted.js';
import { originUrl } from '../../git/remote.js';
import { readSyncConf } from '../../git/syncconf.js';
import { sessionOf, type Context } from '../types.js';

/** The session (resolved by the dispatcher) and its repository; `adopted`: only its records (refs/cs/session) travel. */
export async function sessionRepo(ctx: Context): Promise<{ name: string; repo: Repo; adopted: boolean }> {
  const s = sessionOf(ctx);
  const repo = await openRepo(s.paths.dir, { env: ctx.env });
  // A link in the sessions root is an adopted project, also when its .cs/adopted marker went: never its branches.
  return { name: s.name, repo, adopted: s.kind === 'adopted' || isAdopted(repo.dir) };
}

/** An adopted project's records go to the remote in sync.conf, else the project's origin. */
export async function recordsUrl(repo: Repo): Promise<string | null> {
  return readSyncConf(repo.dir).remote ?? (await originUrl(repo));
}

/** recordsUrl for a push or pull, which need one: a UserError saying how to set it otherwise. */
export async function requireRecordsUrl(session: string, repo: Repo): Promise<string> {
  const url = await recordsUrl(repo);
  if (!url) throw new UserError(`session '${session}' has no sync remote and the project has no origin`, `set one: cs ${session} -sync remote <url>`);
  return url;
}

/** Network work behind a spinner; local-only work runs as is. */
export function withProgress<T>(io: IO, message: string, work: () => Promise<T>, network = true): Promise<T> {
  return network ? step(io, message, work) : work();
}
