// cs <s> -sync {remote [url]|push|pull|status [--json]|auto on|off|snapshot}
// cs -sync clone <name|url> [name]
import * as fs from 'node:fs';
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { CancelError, UsageError, UserError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { step } from '../term/progress.js';
import { nameProblem, validateName } from '../session/names.js';
import { sessionDir, sessionsRoot } from '../session/paths.js';
import { autosave } from '../git/autosave.js';
import { Repo, openRepo } from '../git/repo.js';
import { isAdopted } from '../session/adopted.js';
import { cloneSession, syncPull, syncPush, syncStatus, type SyncStatus } from '../git/sync.js';
import { ensureOrigin, explainRemoteError, isMissingLocalRemote, originUrl, setRemote, validateRemoteUrl } from '../git/remote.js';
import { readSyncConf, updateSyncConf } from '../git/syncconf.js';
import { assertLocalSession } from '../remote/stub.js';
import { findCommand } from './table.js';
import type { Command, Context } from './types.js';
import * as path from 'node:path';

export type SyncOptions =
  | { action: 'remote'; session: string; url: string | null }
  | { action: 'push'; session: string; create?: boolean }
  | { action: 'pull' | 'snapshot'; session: string }
  | { action: 'status'; session: string; json: boolean; fetch: boolean }
  | { action: 'auto'; session: string; on: boolean }
  | { action: 'clone'; source: string; name: string | null };

const SUBCOMMANDS = (findCommand('-sync')?.subcommands ?? []).map((s) => s.name);

export const command: Command<SyncOptions> = {
  parse(args, inv, env) {
    const p = parseArgs(args, { booleans: ['--json', '--no-fetch', '--create'] }, '-sync');
    const [sub, ...rest] = p.positionals;
    if (sub === undefined) throw new UsageError('-sync needs a subcommand', `one of: ${SUBCOMMANDS.join(', ')} (see cs -sync -help)`);
    if (!SUBCOMMANDS.includes(sub)) throw new UsageError(`unknown -sync subcommand '${sub}'`, `one of: ${SUBCOMMANDS.join(', ')}`);
    const onlyFlags = (allowed: string[]) => {
      for (const f of p.flags.keys()) if (!allowed.includes(f)) throw new UsageError(`${f} does not apply to -sync ${sub}`);
    };
    const positionals = (min: number, max: number, form: string) =>
      expectPositionals({ ...p, positionals: rest }, min, max, `-sync ${sub}`, form);

    if (sub === 'clone') {
      if (inv.session !== undefined) throw new UsageError('clone makes a new session: run it without a session name', 'cs -sync clone <name|url> [name]');
      onlyFlags([]);
      const [source, name] = positionals(1, 2, 'cs -sync clone <name|url> [name]');
      return { action: 'clone', source: source!, name: name === undefined ? null : validateName(name) };
    }

    const given = inv.session ?? env.CLAUDE_SESSION_NAME;
    if (!given) throw new UsageError(`-sync ${sub} needs a session`, `cs <name> -sync ${sub} (or run it inside a session)`);
    const session = validateName(given);
    switch (sub) {
      case 'remote': {
        onlyFlags([]);
        const [url] = positionals(0, 1, 'cs <name> -sync remote [url]');
        return { action: 'remote', session, url: url ?? null };
      }
      case 'status':
        onlyFlags(['--json', '--no-fetch']);
        positionals(0, 0, 'cs <name> -sync status [--json] [--no-fetch]');
        return { action: 'status', session, json: flag(p, '--json'), fetch: !flag(p, '--no-fetch') };
      case 'auto': {
        onlyFlags([]);
        const [v] = positionals(1, 1, 'cs <name> -sync auto on|off');
        if (v !== 'on' && v !== 'off') throw new UsageError(`-sync auto takes on or off, not '${v}'`, 'cs <name> -sync auto on|off');
        return { action: 'auto', session, on: v === 'on' };
      }
      case 'push':
        onlyFlags(['--create']);
        positionals(0, 0, 'cs <name> -sync push [--create]');
        return { action: 'push', session, ...(flag(p, '--create') ? { create: true } : {}) };
      default:
        onlyFlags([]);
        positionals(0, 0, `cs <name> -sync ${sub}`);
        return { action: sub as 'pull' | 'snapshot', session };
    }
  },

  async run(opts, ctx) {
    if (opts.action === 'clone') return clone(opts, ctx);
    assertLocalSession(ctx.env, opts.session, '-sync');
    const repo = await openSession(opts.session, ctx);
    if (opts.action !== 'auto' && opts.action !== 'snapshot' && isAdopted(repo.dir)) return adoptedSync(repo, opts, ctx);
    switch (opts.action) {
      case 'remote':
        return remote(repo, opts, ctx);
      case 'push': {
        await createMissingRemote(repo, opts, ctx);
        await exportBeforePush(opts.session, ctx);
        const r = await withProgress(ctx.io, `pushing ${opts.session}`, () => syncPush(repo, opts.session));
        if (r.committed) ctx.io.err(`committed ${r.committedFiles} file${r.committedFiles === 1 ? '' : 's'} (${r.committed.slice(0, 7)})`);
        ctx.io.err(`pushed ${opts.session} (${r.branch}) to ${r.url}`);
        return 0;
      }
      case 'pull': {
        const r = await withProgress(ctx.io, `pulling ${opts.session}`, () => syncPull(repo, opts.session, ctx.now));
        if (r.committed) ctx.io.err(`committed ${r.committedFiles} local file${r.committedFiles === 1 ? '' : 's'} first (${r.committed.slice(0, 7)})`);
        const said: Record<typeof r.result, string> = {
          'up-to-date': 'already up to date',
          ahead: 'nothing new on the remote; this machine is ahead (cs ' + opts.session + ' -sync push)',
          'fast-forward': 'updated from the remote',
          rebased: 'updated: local commits replayed on top of the remote',
          'no-remote-branch': `the remote has no branch ${r.branch} yet (cs ${opts.session} -sync push creates it)`,
        };
        ctx.io.err(`${opts.session}: ${said[r.result]}`);
        return 0;
      }
      case 'status':
        return status(repo, opts, ctx);
      case 'auto':
        updateSyncConf(repo.dir, { auto: opts.on });
        ctx.io.err(`auto-sync ${opts.on ? 'on: pull at session start, push at session end' : 'off'} for ${opts.session}`);
        if (opts.on && !readSyncConf(repo.dir).remote) ctx.io.err(`note: no remote yet; set one with cs ${opts.session} -sync remote <url>`);
        return 0;
      case 'snapshot': {
        const r = await autosave(repo.dir, { env: ctx.env });
        if (r.saved) ctx.io.err(`autosaved ${opts.session} to refs/cs/auto (${r.commit.slice(0, 7)})`);
        else if (r.reason === 'busy') ctx.io.err('another autosave is running; try again in a moment');
        else ctx.io.err('nothing changed since the last autosave');
        return 0;
      }
    }
  },
};

export default command;

/**
 * An adopted project: only its records (refs/cs/session) travel, to the
 * remote in sync.conf or else the project's origin; its branches are the
 * user's to push.
 */
async function adoptedSync(repo: Repo, opts: Exclude<SyncOptions, { action: 'clone' | 'auto' | 'snapshot' }>, ctx: Context): Promise<number> {
  const { io } = ctx;
  const records = await import('../git/records.js');
  if (opts.action === 'remote') {
    if (opts.url === null && !ctx.env.CS_SYNC_PREFIX) {
      const current = readSyncConf(repo.dir).remote;
      const origin = current ? null : await originUrl(repo);
      if (current) io.out(current);
      else io.err(`session '${opts.session}' has no sync remote of its own; its records go to the project's origin (${origin ?? 'none set'})`);
      return 0;
    }
    const valid = validateRemoteUrl(opts.url ?? `${ctx.env.CS_SYNC_PREFIX}${opts.session}.git`, ctx.cwd);
    updateSyncConf(repo.dir, { remote: valid });
    io.err(`sync remote for ${opts.session}'s records: ${valid} (the project's own remotes are unchanged)`);
    return 0;
  }
  const url = readSyncConf(repo.dir).remote ?? (await originUrl(repo));
  if (opts.action === 'status') {
    const s = await withProgress(io, `checking ${opts.session}`, () => records.recordsStatus(repo, url, opts.fetch), opts.fetch && url !== null);
    const out = { session: opts.session, adopted: true, ref: records.RECORDS_REF, remote: url, auto: readSyncConf(repo.dir).auto, ...s };
    if (opts.json) {
      io.out(JSON.stringify(out));
      return 0;
    }
    const count = (n: number | null) => (n === null ? '-' : String(n));
    io.out(`session   ${opts.session} (adopted: records on ${records.RECORDS_REF})`);
    io.out(`remote    ${url ?? '(none)'}${s.reachable === false ? ' (unreachable)' : ''}`);
    io.out(`auto      ${out.auto ? 'on' : 'off'}`);
    io.out(`ahead     ${count(s.ahead)}`);
    io.out(`behind    ${count(s.behind)}`);
    io.out(`records   ${s.unrecorded ? 'changed since the last snapshot' : 'all recorded'}`);
    return 0;
  }
  if (!url) throw new UserError(`session '${opts.session}' has no sync remote and the project has no origin`, `set one: cs ${opts.session} -sync remote <url>`);
  if (opts.action === 'push') {
    const r = await withProgress(io, `pushing ${opts.session}'s records`, () => records.pushRecords(repo, url, opts.session));
    io.err(`${r.upToDate ? 'already pushed' : 'pushed'} ${opts.session}'s records (${records.RECORDS_REF} ${r.commit.slice(0, 7)}) to ${url}; your branches are yours to push`);
    return 0;
  }
  const r = await withProgress(io, `pulling ${opts.session}'s records`, () => records.pullRecords(repo, url, opts.session));
  const said: Record<typeof r, string> = {
    'up-to-date': 'records already up to date',
    ahead: `nothing new on the remote; this machine's records are ahead (cs ${opts.session} -sync push)`,
    'fast-forward': 'records updated from the remote',
    merged: "records merged with the remote's",
    'no-remote-records': `the remote has no records yet (cs ${opts.session} -sync push sends them)`,
  };
  io.err(`${opts.session}: ${said[r]}`);
  return 0;
}

async function openSession(session: string, ctx: Context): Promise<Repo> {
  const dir = sessionDir(ctx.env, session);
  if (!fs.existsSync(dir)) throw new UserError(`no session named '${session}'`, 'cs -ls lists your sessions');
  return openRepo(dir, { env: ctx.env });
}

/**
 * A push carries what the other machines need (issue #18): the secrets,
 * re-encrypted to .cs/secrets.age when they changed, and the transcripts of
 * conversations that are not running (an open session's are exported when
 * its Claude exits, and the push says so).
 */
async function exportBeforePush(session: string, ctx: Context): Promise<void> {
  const [{ existingSessionDir }, { exportIfChanged }, { exportTranscripts }, { readLock, lockState }] = await Promise.all([
    import('../secrets/keys.js'),
    import('../secrets/age.js'),
    import('../conversations/transcripts.js'),
    import('../lib/lockfile.js'),
  ]);
  const dir = existingSessionDir(session, ctx.env);
  const s = await exportIfChanged({ session, sessionDir: dir, env: ctx.env });
  if (s.status === 'exported') ctx.io.err(`exported ${s.count} secret(s) to .cs/secrets.age`);
  const lock = readLock(path.join(dir, '.cs', 'local', 'lock'));
  if (lock.kind === 'held' && lockState(lock.info) !== 'stale') {
    ctx.io.err(`note: '${session}' is open: its conversation's transcript is exported and pushed when Claude exits`);
    return;
  }
  const t = await exportTranscripts({ sessionDir: dir, session, env: ctx.env, now: ctx.now() }, (line) => ctx.io.err(line));
  if (t.exported.length) ctx.io.err(`saved ${t.exported.length} conversation transcript(s) to .cs/conversations/ (age-encrypted)`);
}

async function remote(repo: Repo, opts: Extract<SyncOptions, { action: 'remote' }>, ctx: Context): Promise<number> {
  let url = opts.url;
  if (url === null) {
    const prefix = ctx.env.CS_SYNC_PREFIX;
    if (!prefix) {
      const current = readSyncConf(repo.dir).remote;
      if (current) {
        ctx.io.out(current);
        return 0;
      }
      throw new UsageError(`session '${opts.session}' has no remote and CS_SYNC_PREFIX is not set`, `cs ${opts.session} -sync remote <url>`);
    }
    url = `${prefix}${opts.session}.git`;
  }
  const valid = validateRemoteUrl(url, ctx.cwd);
  const previous = await setRemote(repo, valid);
  ctx.io.err(`sync remote for ${opts.session}: ${valid}${previous && previous !== valid ? ` (was ${previous})` : ''}`);
  // A remote that does not answer yet is allowed (it may be created later), but say so.
  const check = await withProgress(ctx.io, `checking ${valid}`, () =>
    repo.network(['ls-remote', '--heads', valid], 30_000).then(
      () => null,
      (e: unknown) => explainRemoteError(valid, e),
    ),
  );
  if (check instanceof UserError && isMissingLocalRemote(valid)) ctx.io.err(`note: no repository at ${valid} yet; cs ${opts.session} -sync push offers to create it (--create to skip the question)`);
  else if (check instanceof UserError) ctx.io.err(`warning: ${check.message}; push will fail until it answers — ${check.hint}`);
  else if (check) throw check;
  return 0;
}

/**
 * A remote that is a local path where nothing exists yet: make the bare
 * repository there, with --create or after a yes on a terminal; without
 * either, refuse with the flag to use.
 */
async function createMissingRemote(repo: Repo, opts: Extract<SyncOptions, { action: 'push' }>, ctx: Context): Promise<void> {
  const url = (await ensureOrigin(repo)) ?? '';
  if (!isMissingLocalRemote(url)) return;
  if (!opts.create) {
    if (!ctx.io.canPrompt) throw new UserError(`no repository at ${url} (the path does not exist)`, `create it with: cs ${opts.session} -sync push --create`);
    const clack = await import('@clack/prompts');
    const yes = await clack.confirm({ message: `There is no repository at ${url}. Create a bare repository there?`, initialValue: true, output: ctx.io.stderr, input: ctx.io.stdin });
    if (clack.isCancel(yes) || yes !== true) throw new CancelError(`nothing pushed — create it with: cs ${opts.session} -sync push --create`);
  }
  const branch = (await repo.branch()) ?? 'main';
  await repo.raw(['init', '--quiet', '--bare', `--initial-branch=${branch}`, '--', url]);
  ctx.io.err(`created a bare repository at ${url}`);
}

async function status(repo: Repo, opts: Extract<SyncOptions, { action: 'status' }>, ctx: Context): Promise<number> {
  const s: SyncStatus = await withProgress(ctx.io, `checking ${opts.session}`, () => syncStatus(repo, opts.session, { fetch: opts.fetch }), opts.fetch);
  if (opts.json) {
    ctx.io.out(JSON.stringify(s));
    return 0;
  }
  const count = (n: number | null) => (n === null ? '-' : String(n));
  ctx.io.out(`session   ${s.session}`);
  ctx.io.out(`branch    ${s.branch ?? '(detached HEAD)'}`);
  ctx.io.out(`remote    ${s.remote ?? '(none)'}${s.reachable === false ? ' (unreachable)' : ''}`);
  ctx.io.out(`auto      ${s.auto ? 'on' : 'off'}`);
  ctx.io.out(`ahead     ${count(s.ahead)}`);
  ctx.io.out(`behind    ${count(s.behind)}`);
  ctx.io.out(`dirty     ${s.dirty} file${s.dirty === 1 ? '' : 's'}`);
  ctx.io.out(`autosave  ${s.autosave ? s.autosave.slice(0, 7) : '(none)'}`);
  return 0;
}

async function clone(opts: Extract<SyncOptions, { action: 'clone' }>, ctx: Context): Promise<number> {
  const prefix = ctx.env.CS_SYNC_PREFIX;
  let url: string;
  let name: string | null = opts.name;
  const looksLikeName = nameProblem(opts.source) === null && !/[/:]/.test(opts.source);
  if (looksLikeName && prefix) {
    url = `${prefix}${opts.source}.git`;
    name ??= opts.source;
  } else if (looksLikeName && !fs.existsSync(path.resolve(ctx.cwd, opts.source))) {
    throw new UsageError(`CS_SYNC_PREFIX is not set, so '${opts.source}' cannot be turned into an URL`, `cs -sync clone <url> (or export CS_SYNC_PREFIX=git@github.com:you/)`);
  } else {
    url = opts.source;
  }
  url = validateRemoteUrl(url, ctx.cwd);
  if (name === null) {
    const base = url.replace(/[/\\]+$/, '').split(/[/:\\]/).pop() ?? '';
    name = base.replace(/\.git$/, '');
    const problem = nameProblem(name);
    if (problem) throw new UsageError(`cannot name a session after ${url}: ${problem}`, 'give the name: cs -sync clone <url> <name>');
  }
  const target = path.join(sessionsRoot(ctx.env), name);
  // An adopted project's remote is the user's code plus our records: not a workspace to clone.
  const { remoteHasRecords } = await import('../git/records.js');
  if (await withProgress(ctx.io, `checking ${url}`, () => remoteHasRecords(new Repo(ctx.cwd, { env: ctx.env }), url))) {
    throw new UserError(
      `${url} holds the records of an adopted project, not a cs workspace; cloning it would copy the project itself`,
      `check out the project yourself (git clone ${url} <dir>), then in that directory run: cs -adopt ${name} --from ${url}`,
    );
  }
  await withProgress(ctx.io, `cloning ${url}`, () => cloneSession(url, target, { env: ctx.env }));
  ctx.io.err(`cloned ${url} into session '${name}' (${target}); open it with: cs ${name}`);
  return 0;
}

/** Network work behind a spinner; local-only work runs as is. */
function withProgress<T>(io: IO, message: string, work: () => Promise<T>, network = true): Promise<T> {
  return network ? step(io, message, work) : work();
}
