// cs <name> -sync status [--json] [--no-fetch]: ahead/behind/dirty, remote,
// auto-sync; for an adopted project, of its records.
import { syncStatus, type SyncStatus } from '../../git/sync.js';
import { readSyncConf } from '../../git/syncconf.js';
import { maskUrlPassword } from '../../git/url-password.js';
import type { Repo } from '../../git/repo.js';
import { has, type Args } from '../argv.js';
import type { Command, Context } from '../types.js';
import { recordsUrl, sessionRepo, withProgress } from './shared.js';

export interface SyncStatusOptions {
  json: boolean;
  fetch: boolean;
}

const count = (n: number | null) => (n === null ? '-' : String(n));

export const command: Command<SyncStatusOptions> = {
  parse: (a: Args) => ({ json: has(a, '--json'), fetch: !has(a, '--no-fetch') }),
  async run(opts, ctx) {
    const { name, repo, adopted } = await sessionRepo(ctx);
    if (adopted) return recordsStatus(name, repo, opts, ctx);
    const status: SyncStatus = await withProgress(ctx.io, `checking ${name}`, () => syncStatus(repo, name, { fetch: opts.fetch }), opts.fetch);
    // A remote written by an older cs (or pulled) may hold a password: never shown.
    const s = { ...status, remote: status.remote === null ? null : maskUrlPassword(status.remote) };
    if (opts.json) {
      ctx.io.out(JSON.stringify(s));
      return 0;
    }
    ctx.io.out(`session   ${s.session}`);
    ctx.io.out(`branch    ${s.branch ?? '(detached HEAD)'}`);
    ctx.io.out(`remote    ${s.remote ?? '(none)'}${s.reachable === false ? ' (unreachable)' : ''}`);
    ctx.io.out(`auto      ${s.auto ? 'on' : 'off'}`);
    ctx.io.out(`ahead     ${count(s.ahead)}`);
    ctx.io.out(`behind    ${count(s.behind)}`);
    ctx.io.out(`dirty     ${s.dirty} file${s.dirty === 1 ? '' : 's'}`);
    ctx.io.out(`autosave  ${s.autosave ? s.autosave.slice(0, 7) : '(none)'}`);
    return 0;
  },
};

async function recordsStatus(session: string, repo: Repo, opts: SyncStatusOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const records = await import('../../git/records.js');
  const url = await recordsUrl(repo);
  const s = await withProgress(io, `checking ${session}`, () => records.recordsStatus(repo, url, opts.fetch), opts.fetch && url !== null);
  const shown = url === null ? null : maskUrlPassword(url);
  const out = { session, adopted: true, ref: records.RECORDS_REF, remote: shown, auto: readSyncConf(repo.dir).auto, ...s };
  if (opts.json) {
    io.out(JSON.stringify(out));
    return 0;
  }
  io.out(`session   ${session} (adopted: records on ${records.RECORDS_REF})`);
  io.out(`remote    ${shown ?? '(none)'}${s.reachable === false ? ' (unreachable)' : ''}`);
  io.out(`auto      ${out.auto ? 'on' : 'off'}`);
  io.out(`ahead     ${count(s.ahead)}`);
  io.out(`behind    ${count(s.behind)}`);
  io.out(`records   ${s.unrecorded ? 'changed since the last snapshot' : 'all recorded'}`);
  return 0;
}
