// cs <name> -sync remote [url]: set (or show) the session's sync remote.
import { UsageError, UserError } from '../../lib/errors.js';
import { explainRemoteError, isMissingLocalRemote, originUrl, setRemote, validateRemoteUrl } from '../../git/remote.js';
import { readSyncConf, updateSyncConf } from '../../git/syncconf.js';
import { maskUrlPassword } from '../../git/url-password.js';
import type { Repo } from '../../git/repo.js';
import type { Args } from '../argv.js';
import type { Command, Context } from '../types.js';
import { sessionRepo, withProgress } from './shared.js';

export interface SyncRemoteOptions {
  url: string | null;
}

export const command: Command<SyncRemoteOptions> = {
  parse: (a: Args) => ({ url: a.operands[0] ?? null }),
  async run(opts, ctx) {
    const { name, repo, adopted } = await sessionRepo(ctx);
    return adopted ? recordsRemote(name, repo, opts, ctx) : remote(name, repo, opts, ctx);
  },
};

async function remote(session: string, repo: Repo, opts: SyncRemoteOptions, ctx: Context): Promise<number> {
  let url = opts.url;
  if (url === null) {
    const prefix = ctx.env.CS_SYNC_PREFIX;
    if (!prefix) {
      const current = readSyncConf(repo.dir).remote;
      // One written by an older cs (or pulled): shown, never with its password.
      if (current) {
        ctx.io.out(maskUrlPassword(current));
        return 0;
      }
      throw new UsageError(`session '${session}' has no remote and CS_SYNC_PREFIX is not set`, `cs ${session} -sync remote <url>`);
    }
    url = `${prefix}${session}.git`;
  }
  const valid = validateRemoteUrl(url, ctx.cwd);
  const previous = await setRemote(repo, valid);
  ctx.io.err(`sync remote for ${session}: ${valid}${previous && previous !== valid ? ` (was ${maskUrlPassword(previous)})` : ''}`);
  // A remote that does not answer yet is allowed (it may be created later), but say so.
  const check = await withProgress(ctx.io, `checking ${valid}`, () =>
    repo.network(['ls-remote', '--heads', valid], 30_000).then(
      () => null,
      (e: unknown) => explainRemoteError(valid, e),
    ),
  );
  if (check instanceof UserError && isMissingLocalRemote(valid)) ctx.io.err(`note: no repository at ${valid} yet; cs ${session} -sync push offers to create it (--create to skip the question)`);
  else if (check instanceof UserError) ctx.io.err(`warning: ${check.message}; push will fail until it answers — ${check.hint}`);
  else if (check) throw check;
  return 0;
}

/** An adopted project: the remote of its records only; the project's own remotes stay the user's. */
async function recordsRemote(session: string, repo: Repo, opts: SyncRemoteOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  if (opts.url === null && !ctx.env.CS_SYNC_PREFIX) {
    const current = readSyncConf(repo.dir).remote;
    const origin = current ? null : await originUrl(repo);
    if (current) io.out(maskUrlPassword(current));
    else io.err(`session '${session}' has no sync remote of its own; its records go to the project's origin (${origin ? maskUrlPassword(origin) : 'none set'})`);
    return 0;
  }
  const valid = validateRemoteUrl(opts.url ?? `${ctx.env.CS_SYNC_PREFIX}${session}.git`, ctx.cwd);
  updateSyncConf(repo.dir, { remote: valid });
  io.err(`sync remote for ${session}'s records: ${valid} (the project's own remotes are unchanged)`);
  return 0;
}
