// cs <name> -sync pull: fetch and rebase onto the remote; for an adopted
// project, its records (refs/cs/session) only.
import { syncPull } from '../../git/sync.js';
import type { Repo } from '../../git/repo.js';
import { requireRecordsUrl, sessionRepo, withProgress } from './shared.js';
import { describeHolder, liveHolder } from '../../session/lock.js';
import { UserError } from '../../lib/errors.js';
import { has } from '../argv.js';
import { sessionOf, type Command, type Context } from '../types.js';

export const command: Command<{ force: boolean }> = {
  parse: (a) => ({ force: has(a, '--force') }),
  async run(opts, ctx) {
    // A pull rewrites the session's files (and first commits what is half done): not under a running Claude.
    const { name, paths } = sessionOf(ctx);
    const holder = opts.force ? null : liveHolder(paths.lock);
    if (holder) throw new UserError(`'${name}' is open in ${describeHolder(holder)}: a pull would change its files under Claude`, `close it first (with auto-sync on, its next start pulls), or run: cs ${name} -sync pull --force`);
    const { repo, adopted } = await sessionRepo(ctx);
    if (adopted) return pullRecords(name, repo, ctx);
    const r = await withProgress(ctx.io, `pulling ${name}`, () => syncPull(repo, name, ctx.now));
    for (const w of r.warnings ?? []) ctx.warn(w);
    if (r.committed) ctx.io.err(`committed ${r.committedFiles} local file${r.committedFiles === 1 ? '' : 's'} first (${r.committed.slice(0, 7)})`);
    const said: Record<typeof r.result, string> = {
      'up-to-date': 'already up to date',
      ahead: 'nothing new on the remote; this machine is ahead (cs ' + name + ' -sync push)',
      'fast-forward': 'updated from the remote',
      rebased: 'updated: local commits replayed on top of the remote',
      'no-remote-branch': `the remote has no branch ${r.branch} yet (cs ${name} -sync push creates it)`,
    };
    ctx.io.err(`${name}: ${said[r.result]}`);
    if (r.secrets) ctx.io.err(`${name}: ${(await import('../../secrets/merge.js')).describeSecretsMerge(r.secrets)}`);
    return 0;
  },
};

async function pullRecords(session: string, repo: Repo, ctx: Context): Promise<number> {
  const records = await import('../../git/records.js');
  const url = await requireRecordsUrl(session, repo);
  const r = await withProgress(ctx.io, `pulling ${session}'s records`, () => records.pullRecords(repo, url, session));
  const said: Record<typeof r.result, string> = {
    'up-to-date': 'records already up to date',
    ahead: `nothing new on the remote; this machine's records are ahead (cs ${session} -sync push)`,
    'fast-forward': 'records updated from the remote',
    merged: "records merged with the remote's",
    'no-remote-records': `the remote has no records yet (cs ${session} -sync push sends them)`,
  };
  ctx.io.err(`${session}: ${said[r.result]}`);
  if (r.secrets) ctx.io.err(`${session}: ${(await import('../../secrets/merge.js')).describeSecretsMerge(r.secrets)}`);
  return 0;
}
