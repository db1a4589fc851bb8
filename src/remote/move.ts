// `cs <s> --move-to <host>`: validate, lock, probe, push, copy, verify,
// carry the conversations, place, switch. The local workspace is only touched in the last step, after
// the copy on the host has been verified; until then any failure leaves it
// exactly as it was.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelError, UserError, errorMessage } from '../lib/errors.js';
import { shellQuote } from '../lib/shell.js';
import { run } from '../lib/proc.js';
import { acquireLock, describeHolder, lockState, readLock } from '../session/lock.js';
import { appendSessionLog } from '../session/log.js';
import { validateName } from '../session/names.js';
import { sessionsRoot, type SessionPaths } from '../session/paths.js';
import { findSession } from '../session/find.js';
import type { RunContext } from '../lib/context.js';
import { compareDigests, digestWorkspace, parseDigest, type Digest } from './digest.js';
import { resolveTarget, type Target } from './hosts.js';
import { probe, type Probe } from './probe.js';
import { step } from '../term/progress.js';
import { lastMeaningfulLine, remoteFailure, remoteJson, rsyncShell, runRemote, type TransportConfig, transportConfig } from './ssh.js';
import { readRemoteConf, writeStub } from './stub.js';

export interface MoveOptions {
  name: string;
  host: string;
}

export interface MoveReport {
  target: Target;
  remoteDir: string;
  backup: string;
  files: number;
  metaFiles: number;
  pushedTo: string | null;
  /** Transcript files installed for Claude Code on the host. */
  transcripts: number;
  /** Where the stub found on the host went (the session had moved away from there): kept, as it may name a copy of its own. */
  replacedStub?: string;
  /** The copy that stub named (the one its move away kept there), removed with the stub: the session is back in its place. */
  removedCopy?: string;
  /** A Ctrl-C (or SIGTERM, SIGHUP) came during the last step, which cannot be undone safely: the move was finished instead. */
  finishedAfterSignal?: boolean;
  /** The connection went as the copy was put in place, and asked again the host showed it in place: the move was finished. */
  placedUnseen?: boolean;
}

export async function moveTo(opts: MoveOptions, ctx: RunContext): Promise<number> {
  const { io } = ctx;
  // Counted while the workspace (and its backend record) is here: the move does not take the store.
  const secrets = await storedSecrets(opts.name, ctx.env);
  const r = await move(opts, ctx);
  const c = io.color;
  io.err(`${c.green('cs:')} moved '${opts.name}' to ${r.target.label}${r.target.label !== r.target.spec ? ` (${r.target.spec})` : ''} at ${r.remoteDir}`);
  io.err(`    ${r.files} files copied; .cs/ verified (${r.metaFiles} files, SHA-256)${r.pushedTo ? `; pushed to ${r.pushedTo} first` : ''}`);
  if (r.transcripts) io.err(`    ${r.transcripts} conversation transcript${r.transcripts === 1 ? '' : 's'} carried: cs ${opts.name} there resumes the latest`);
  if (r.replacedStub) io.err(`    the stub of '${opts.name}' there was replaced (kept at ${r.replacedStub})`);
  if (r.removedCopy) io.err(`    the stub of '${opts.name}' there was replaced, and the copy it kept (${r.removedCopy}) removed: the session it was a copy of is back there`);
  io.err(`    local copy kept at ${r.backup} until the next successful connect`);
  if (secrets) io.err(c.yellow(`    ${secrets} secret${secrets === 1 ? '' : 's'} stayed in this machine's store: the host gets ${secrets === 1 ? 'it' : 'them'} from .cs/secrets.age only if its age key is a recipient (cs ${opts.name} -secrets age add), else set ${secrets === 1 ? 'it' : 'them'} there (cs ${opts.name} -secrets set KEY)`));
  io.err(`    open it with: cs ${opts.name}`);
  if (r.finishedAfterSignal) io.err(c.yellow(`cs: the interrupt came while the copy was being put in place on ${r.target.label}, too late to stop: the move was finished`));
  if (r.placedUnseen) io.err(c.yellow(`cs: the connection to ${r.target.label} went as the copy was put in place; asked again, the host has it in place: the move was finished`));
  return 0;
}

/** How many secrets this machine stores for `name` (0 when the store cannot be read: the move does not depend on it). */
async function storedSecrets(name: string, env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const { selectBackend } = await import('../secrets/backend.js');
    const { backend } = await selectBackend(name, env);
    return (await backend.list(name)).length;
  } catch {
    return 0;
  }
}

export async function move(opts: MoveOptions, ctx: RunContext): Promise<MoveReport> {
  const { io, env } = ctx;
  const name = validateName(opts.name);
  const paths = validateLocal(env, name);
  const target = resolveTarget(env, opts.host);
  const cfg = transportConfig(env);
  const lock = takeLock(paths, ctx);
  const signals = watchSignals();
  let staging: string | null = null;
  let carried: string[] = [];
  try {
    const p = await step(io, `checking ${target.label}`, () => checkHost(cfg, target, name, env));
    signals.check();
    const pushedTo = await pushFirst(paths, ctx);
    signals.check();
    staging = `${p.root}/.cs-incoming-${name}-${randomBytes(4).toString('hex')}`;
    const stagingDir = staging;
    await step(io, `copying '${name}' to ${target.label}`, () => copy(cfg, target, paths.dir, stagingDir, env));
    signals.check();
    const local = await step(io, 'verifying the copy', () => verify(cfg, target, paths.dir, stagingDir, env));
    signals.check();
    carried = await step(io, 'carrying its conversations', () => carryTranscripts(cfg, target, name, paths.dir, p.dir, env));
    signals.check();
    const replaced = p.session === 'stub' ? `${p.root}/.replaced-stub-${name}-${randomBytes(4).toString('hex')}` : null;
    // The point of no return: once the rename there may have happened, stopping
    // would leave the session whole on both machines, so a signal from here on
    // lets the move finish (place() runs to its end; switchToStub is one step here).
    let placed: Awaited<ReturnType<typeof place>>;
    try {
      placed = await place(cfg, target, stagingDir, p.dir, replaced, env);
    } catch (e) {
      // Not known whether it moved: nothing there is removed (it may be the session now).
      if (e instanceof PlaceUnknownError) [staging, carried] = [null, []];
      throw e;
    }
    staging = null;
    const backup = switchToStub(env, paths, { host: opts.host, address: target.spec }, ctx.now());
    const removedCopy = replaced ? await dropReplacedStub(cfg, target, replaced, p.root, name, env, io) : null;
    return {
      target,
      remoteDir: p.dir,
      backup,
      files: local.files,
      metaFiles: Object.keys(local.meta).length,
      pushedTo,
      transcripts: carried.length,
      ...(replaced && !removedCopy ? { replacedStub: replaced } : {}),
      ...(removedCopy ? { removedCopy } : {}),
      ...(signals.interrupted ? { finishedAfterSignal: true } : {}),
      ...(placed === 'placed-unseen' ? { placedUnseen: true } : {}),
    };
  } catch (e) {
    if (staging) await discard(cfg, target, [staging, ...carried], env, io);
    // A step that saw the Ctrl-C only as its ssh dying (exit 255) is an interruption too.
    if (signals.interrupted || e instanceof CancelError) {
      throw new CancelError(`interrupted: the move to ${target.label} was stopped${staging ? ', its partial copy there removed' : ''}; nothing was changed here`);
    }
    throw e;
  } finally {
    signals.stop();
    lock.release();
  }
}

/**
 * Ctrl-C, SIGTERM or SIGHUP during a move are noted, not fatal: the program
 * of the step under way is ended (src/lib/proc.ts, group), and the move then
 * removes what it wrote on the host before cs exits 130. Without this a signal
 * between two programs ended cs at once and left the copy there.
 */
function watchSignals() {
  const names = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let got: NodeJS.Signals | null = null;
  const note = (sig: NodeJS.Signals) => {
    got ??= sig;
  };
  for (const sig of names) process.on(sig, note);
  return {
    get interrupted() {
      return got !== null;
    },
    check() {
      if (got) throw new CancelError(`interrupted (${got})`);
    },
    stop() {
      for (const sig of names) process.off(sig, note);
    },
  };
}

function validateLocal(env: NodeJS.ProcessEnv, name: string): SessionPaths {
  const conf = readRemoteConf(env, name);
  if (conf) throw new UserError(`session '${name}' already runs on ${conf.host}`, `connect with: cs ${name}`);
  const found = findSession(env, name);
  if (!found) throw new UserError(`no session named '${name}'`, 'cs -ls lists your sessions');
  if (found.adopted) {
    throw new UserError(`session '${name}' is adopted: its files are your project at ${found.paths.dir}, which cs does not move`, 'copy the project to the host yourself and run cs -adopt there');
  }
  if (!fs.existsSync(found.paths.meta)) throw new UserError(`${found.paths.dir} has no .cs/ directory: it is not a cs session`);
  return found.paths;
}

/** Refuse while the session is open; then hold its lock so nobody opens it mid-move. */
function takeLock(paths: SessionPaths, ctx: RunContext) {
  const current = readLock(paths.lock);
  if (current.kind === 'held' && lockState(current.info) !== 'stale') {
    throw new UserError(`session '${paths.name}' is open in ${describeHolder(current.info)}`, 'close it before moving it; nothing was changed');
  }
  return acquireLock(paths.lock, { session: paths.name, now: ctx.now() });
}

async function checkHost(cfg: TransportConfig, t: Target, name: string, env: NodeJS.ProcessEnv): Promise<Probe> {
  const p = await probe(cfg, t, name, { env, mkroot: true });
  if (!p.rsync) throw new UserError(`rsync is not installed on ${t.label}`, 'install it there (e.g. apt-get install rsync); nothing was changed');
  // A stub there holds no work (the session moved away from there, maybe to here): the move
  // replaces it (place()). A session there is never replaced.
  if (p.session === 'local') {
    throw new UserError(`a session named '${name}' already exists on ${t.label} (${p.dir})`, `connect to it with cs ${name} --on ${t.label}, or pick another name; nothing was changed`);
  }
  if (!p.root.startsWith('/')) throw new UserError(`${t.label} reported a sessions root that is not an absolute path: ${p.root}`);
  return p;
}

/** With a git remote, the history goes there first: the copy is then never the only one. */
async function pushFirst(paths: SessionPaths, ctx: RunContext): Promise<string | null> {
  const { openRepo } = await import('../git/repo.js');
  const { ensureOrigin } = await import('../git/remote.js');
  const { syncPush } = await import('../git/sync.js');
  const repo = await openRepo(paths.dir, { env: ctx.env });
  if (!(await ensureOrigin(repo))) return null;
  const r = await step(ctx.io, `pushing '${paths.name}' first`, () => syncPush(repo, paths.name));
  return r.url;
}

function rsyncHost(t: Target): string {
  return `${t.user}@${t.host.includes(':') ? `[${t.host}]` : t.host}`;
}

async function copy(cfg: TransportConfig, t: Target, dir: string, staging: string, env: NodeJS.ProcessEnv): Promise<void> {
  // -a keeps modes, times and links; .cs/local/ is this machine's lock and caches.
  const args = ['-a', '--timeout=60', '--exclude=/.cs/local/', '-e', rsyncShell(cfg, t), '--', `${dir}/`, `${rsyncHost(t)}:${staging}/`];
  // Its own process group: Ctrl-C ends rsync and the ssh under it, and cs exits 130.
  const r = await run('rsync', args, { env, allowFailure: true, group: true });
  if (r.code !== 0) throw new UserError(`copying to ${t.label} failed (rsync exit ${r.code}): ${lastMeaningfulLine(r.stderr) || 'no message'}`, 'nothing was changed here; try again');
}

async function verify(cfg: TransportConfig, t: Target, dir: string, staging: string, env: NodeJS.ProcessEnv): Promise<Digest> {
  const local = digestWorkspace(dir);
  const r = await runRemote(cfg, t, [cfg.remoteCs, '-remote', 'digest', staging], { env, group: true });
  const remote = r.code === 0 ? parseDigest(remoteJson(r.stdout)) : null;
  if (!remote) throw remoteFailure(t, 'checking the copy', r);
  const diff = compareDigests(local, remote);
  if (diff.length) {
    throw new UserError(`the copy on ${t.label} does not match (${diff.slice(0, 3).join('; ')}${diff.length > 3 ? '; ...' : ''})`, 'the copy was discarded and nothing was changed here; try again');
  }
  return local;
}

/**
 * Claude Code's transcripts of the workspace, installed on the host for the
 * workspace's place there (src/conversations/carry.ts), so the first
 * `cs <s>` there resumes the latest conversation. Returns the files written there.
 */
async function carryTranscripts(cfg: TransportConfig, t: Target, name: string, dir: string, finalDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { bundleTranscripts } = await import('../conversations/carry.js');
  const { ownedConversations } = await import('../conversations/owned.js');
  // Of a project folder another session shares (x.y and x-y), only this session's conversations go.
  const bundle = bundleTranscripts(env, dir, ownedConversations(sessionsRoot(env), name, fs.realpathSync(dir)));
  if (bundle.files.length === 0) return [];
  const r = await runRemote(cfg, t, [cfg.remoteCs, '-remote', 'transcripts', finalDir], { env, input: JSON.stringify(bundle), group: true });
  const installed = r.code === 0 ? (remoteJson(r.stdout) as { installed?: unknown } | undefined)?.installed : undefined;
  if (!Array.isArray(installed) || !installed.every((f) => typeof f === 'string' && f.startsWith('/'))) throw remoteFailure(t, 'installing the conversation transcripts', r);
  return installed as string[];
}

/**
 * Renames the verified copy into its place on the host. `aside`: where the
 * stub found there by the check goes first (still a stub: .cs/remote.conf,
 * and no workspace files); anything else in the way refuses. A signal does
 * not end it: ending ssh here would not stop the rename there, only hide
 * whether it happened.
 */
async function place(cfg: TransportConfig, t: Target, staging: string, finalDir: string, aside: string | null, env: NodeJS.ProcessEnv): Promise<'placed' | 'placed-unseen'> {
  const script = aside
    ? 'if [ -f "$2/.cs/remote.conf" ] && [ ! -e "$2/CLAUDE.md" ] && [ ! -e "$2/.git" ]; then mv -- "$2" "$3" || exit 4; elif [ -e "$2" ]; then echo "$2 appeared meanwhile" >&2; exit 3; fi; mv -- "$1" "$2"'
    : 'if [ -e "$2" ]; then echo "$2 appeared meanwhile" >&2; exit 3; fi; mv -- "$1" "$2"';
  let r;
  try {
    r = await runRemote(cfg, t, ['sh', '-c', script, 'sh', staging, finalDir, ...(aside ? [aside] : [])], { env, group: true, finishOnSignal: true });
  } catch (e) {
    // The connection went (ssh's 255, or no answer): the rename there may have happened or not.
    // Asked again: the copy still staged is a move that did not happen; the copy in its place, one that did.
    const seen = await runRemote(cfg, t, ['sh', '-c', 'if [ -e "$1" ]; then echo staged; elif [ -e "$2/.cs" ]; then echo placed; fi', 'sh', staging, finalDir], { env, timeoutMs: 20_000, batch: true }).catch(() => null);
    const said = seen?.code === 0 ? seen.stdout.trim().split('\n').pop() : undefined;
    if (said === 'staged') throw e;
    if (said === 'placed') return 'placed-unseen';
    throw new PlaceUnknownError(t, finalDir, staging, e);
  }
  if (r.code !== 0) throw remoteFailure(t, 'putting the copy in place', r);
  return 'placed';
}

/**
 * The connection went while the copy was put in place on the host, and
 * could not be asked again: whether the session is there now is not known.
 * Nothing is removed on either side, and the message says how to look.
 */
class PlaceUnknownError extends UserError {
  constructor(t: Target, finalDir: string, staging: string, cause: unknown) {
    super(
      `lost ${t.label} while putting the copy in place (${errorMessage(cause)}): whether the session is at ${finalDir} there now is not known; nothing was removed, and this copy is unchanged`,
      `look on the host (ssh ${t.port ? `-p ${t.port} ` : ''}${t.user}@${t.host} ls -d ${shellQuote(finalDir)} ${shellQuote(staging)}): if ${finalDir} is there, this copy is the older one; if only the staged copy is, remove it there and move again`,
    );
  }
}

// $1: the stub set aside on the host, $2: the sessions root there, $3: the
// session's name. Only a copy switchToStub made is removed: named by the
// stub, in that root, named .moved-<name>-<stamp> exactly, a session copy
// (.cs/). The stub goes too when it holds nothing but its remote.conf;
// anything else in it keeps it.
const DROP_REPLACED = [
  'b=$(sed -n "s/^backup=//p" "$1/.cs/remote.conf" | tail -n 1)',
  'case $b in "$2"/.moved-"$3"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]) ;; *) exit 0;; esac',
  '[ -d "$b/.cs" ] && [ ! -L "$b" ] || exit 0',
  'rm -rf -- "$b" || exit 5',
  'if [ "$(ls -A "$1")" = .cs ] && [ "$(ls -A "$1/.cs")" = remote.conf ]; then rm -rf -- "$1" && echo "removed-stub=$1"; fi',
  'echo "removed=$b"',
].join('\n');

/**
 * After a move back to a host that held the session's stub: the copy that
 * stub's move away kept there (`.moved-<name>-*`, until a connect that will
 * not come now, the stub being gone) is older than the session just put in
 * place, so it goes, and the stub set aside `aside` with it. Returns the
 * copy's path when both went; null when nothing was removed or the stub
 * stays (it is then named in the summary, as before). Never throws: the
 * move is done by now.
 */
async function dropReplacedStub(cfg: TransportConfig, t: Target, aside: string, root: string, name: string, env: NodeJS.ProcessEnv, io: RunContext['io']): Promise<string | null> {
  try {
    // The move is finished: a signal now must not turn it into an interruption.
    const r = await runRemote(cfg, t, ['sh', '-c', DROP_REPLACED, 'sh', aside, root, name], { env, timeoutMs: 60_000, group: true, finishOnSignal: true });
    if (r.code !== 0) throw remoteFailure(t, 'removing the copy the replaced stub kept', r);
    const said = (key: string) => r.stdout.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
    const copy = said('removed');
    if (copy && said('removed-stub') === aside) return copy;
    if (copy) io.err(io.color.yellow(`cs: removed the copy ${copy} on ${t.label}; the stub that named it stays at ${aside} (it holds more than a stub)`));
    return null;
  } catch (e) {
    io.err(io.color.yellow(`cs: the move is done, but the copy kept by the stub it replaced on ${t.label} was not removed (${errorMessage(e)}); it is named in ${aside}/.cs/remote.conf`));
    return null;
  }
}

/** Removes what this move wrote on the host (the staging copy, transcripts it installed). */
async function discard(cfg: TransportConfig, t: Target, written: string[], env: NodeJS.ProcessEnv, io: RunContext['io']): Promise<void> {
  try {
    const r = await runRemote(cfg, t, ['rm', '-rf', '--', ...written], { env, timeoutMs: 30_000, group: true });
    if (r.code !== 0) throw remoteFailure(t, 'removing the partial copy', r);
  } catch {
    io.err(io.color.yellow(`cs: could not remove the partial copy ${written.join(' ')} on ${t.label}; remove it by hand`));
  }
}

/** Local copy to `.moved-<name>-<stamp>` beside it, stub in its place; returns the copy's path. */
function switchToStub(env: NodeJS.ProcessEnv, paths: SessionPaths, conf: { host: string; address: string }, now: Date): string {
  const root = sessionsRoot(env);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const backup = path.join(root, `.moved-${paths.name}-${stamp}`);
  const stub = path.join(root, `.cs-stub-${paths.name}-${randomBytes(4).toString('hex')}`);
  writeStub(stub, { ...conf, moved: now.toISOString(), backup });
  appendSessionLog(paths.sessionLog, `session moved to ${conf.host} (${conf.address}); this copy is a backup`, now);
  try {
    fs.renameSync(paths.dir, backup);
  } catch (e) {
    fs.rmSync(stub, { recursive: true, force: true });
    throw e;
  }
  fs.renameSync(stub, paths.dir);
  fs.rmSync(path.join(backup, '.cs', 'local', 'lock'), { force: true });
  return backup;
}
