// cs <name> -sync push [--create]: commit what changed and push it; for an
// adopted project, its records (refs/cs/session) only.
import * as path from 'node:path';
import { CancelError, UserError } from '../../lib/errors.js';
import { ensureOrigin, isMissingLocalRemote } from '../../git/remote.js';
import { syncPush } from '../../git/sync.js';
import { maskUrlPassword } from '../../git/url-password.js';
import type { Repo } from '../../git/repo.js';
import { has, type Args } from '../argv.js';
import { sessionOf, type Command, type Context } from '../types.js';
import { requireRecordsUrl, sessionRepo, withProgress } from './shared.js';

export interface SyncPushOptions {
  create: boolean;
}

export const command: Command<SyncPushOptions> = {
  parse: (a: Args) => ({ create: has(a, '--create') }),
  async run(opts, ctx) {
    const { name, repo, adopted } = await sessionRepo(ctx);
    if (adopted) return pushRecords(name, repo, ctx);
    await createMissingRemote(name, repo, opts, ctx);
    await exportBeforePush(name, ctx);
    const r = await withProgress(ctx.io, `pushing ${name}`, () => syncPush(repo, name));
    for (const w of r.warnings ?? []) ctx.warn(w);
    if (r.committed) ctx.io.err(`committed ${r.committedFiles} file${r.committedFiles === 1 ? '' : 's'} (${r.committed.slice(0, 7)})`);
    ctx.io.err(`pushed ${name} (${r.branch}) to ${maskUrlPassword(r.url)}`);
    return 0;
  },
};

async function pushRecords(session: string, repo: Repo, ctx: Context): Promise<number> {
  const records = await import('../../git/records.js');
  const url = await requireRecordsUrl(session, repo);
  const r = await withProgress(ctx.io, `pushing ${session}'s records`, () => records.pushRecords(repo, url, session));
  ctx.io.err(`${r.upToDate ? 'already pushed' : 'pushed'} ${session}'s records (${records.RECORDS_REF} ${r.commit.slice(0, 7)}) to ${maskUrlPassword(url)}; your branches are yours to push`);
  return 0;
}

/**
 * A push carries what the other machines need (issue #18): the secrets,
 * re-encrypted to .cs/secrets.age when they changed, and the transcripts of
 * conversations that are not running (an open session's are exported when
 * its Claude exits, and the push says so).
 */
async function exportBeforePush(session: string, ctx: Context): Promise<void> {
  const [{ exportIfChanged }, { exportTranscripts }, { readLock, lockState }] = await Promise.all([
    import('../../secrets/age.js'),
    import('../../conversations/transcripts.js'),
    import('../../lib/lockfile.js'),
  ]);
  const dir = sessionOf(ctx).paths.dir;
  try {
    const s = await exportIfChanged({ session, sessionDir: dir, env: ctx.env });
    if (s.status === 'exported') ctx.io.err(`exported ${s.count} secret(s) to .cs/secrets.age`);
  } catch (e) {
    // A machine that cannot read secrets.age (one that just joined with
    // `age init`) must still push: its recipient file is what lets a machine
    // that can read it re-encrypt for it. The file stays as it was, so no
    // secret is lost; the session end skips the export the same way.
    if (!(e instanceof UserError)) throw e;
    ctx.warn(
      `secrets not exported, pushing the rest (.cs/secrets.age as it was): ${e.message} — ` +
        `to encrypt it for this machine too, on a machine that can read it run: cs ${session} -sync pull && cs ${session} -sync push`,
    );
  }
  const lock = readLock(path.join(dir, '.cs', 'local', 'lock'));
  if (lock.kind === 'held' && lockState(lock.info) !== 'stale') {
    ctx.io.err(`note: '${session}' is open: its conversation's transcript is exported and pushed when Claude exits`);
    return;
  }
  const t = await exportTranscripts({ sessionDir: dir, session, env: ctx.env, now: ctx.now() }, (line) => ctx.io.err(line));
  if (t.exported.length) ctx.io.err(`saved ${t.exported.length} conversation transcript(s) to .cs/conversations/ (age-encrypted)`);
}

/**
 * A remote that is a local path where nothing exists yet: make the bare
 * repository there, with --create or after a yes on a terminal; without
 * either, refuse with the flag to use.
 */
async function createMissingRemote(session: string, repo: Repo, opts: SyncPushOptions, ctx: Context): Promise<void> {
  const url = (await ensureOrigin(repo)) ?? '';
  if (!isMissingLocalRemote(url)) return;
  if (!opts.create) {
    if (!ctx.io.canPrompt) throw new UserError(`no repository at ${url} (the path does not exist)`, `create it with: cs ${session} -sync push --create`);
    const clack = await import('@clack/prompts');
    const yes = await clack.confirm({ message: `There is no repository at ${url}. Create a bare repository there?`, initialValue: true, output: ctx.io.promptOut, input: ctx.io.stdin });
    if (clack.isCancel(yes) || yes !== true) throw new CancelError(`nothing pushed — create it with: cs ${session} -sync push --create`);
  }
  const branch = (await repo.branch()) ?? 'main';
  await repo.raw(['init', '--quiet', '--bare', `--initial-branch=${branch}`, '--', url]);
  ctx.io.err(`created a bare repository at ${url}`);
}
