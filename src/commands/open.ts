// `cs <name>`: create the session or resume it, take its lock, launch Claude
// Code inside it with the session environment, and clean up when it exits.
import { UsageError } from '../lib/errors.js';
import { runAttached } from '../lib/proc.js';
import { launchTuning, sessionEnv, type SessionPaths } from '../session/paths.js';
import type { CreateOptions } from '../features/create.js';
import { validateSessionRef } from '../features/ref.js';
import { acquireLock, describeHolder } from '../session/lock.js';
import { appendSessionLog } from '../session/log.js';
import { checkWorkspace, createSession, refreshAdopted } from '../session/workspace.js';
import { checkedSession } from '../session/resolve.js';
import { isAdopted } from '../session/adopted.js';
import { setArchived } from '../session/marks.js';
import { requireClaude } from '../session/claude-bin.js';
import { hasClaudeFlag, planLaunch, unpinIfNeverStarted } from '../conversations/launch.js';
import { isUuid } from '../conversations/store.js';
import type { ChosenHandoff } from '../handoff/offer.js';
import { markClosed } from '../status/status.js';
import { startHookServer } from '../hooks/server.js';
import { afterClaude, beforeClaude, type Busy, type Report } from '../session/lifecycle.js';
import { step } from '../term/progress.js';
import { splitHostSession, validateHostArg } from '../remote/hosts.js';
import { isRemoteStub } from '../remote/stub.js';
import { confirmCommandLikeName } from './suggest.js';
import { has, value, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface OpenOptions {
  name: string;
  force: boolean;
  claudeArgs: string[];
  /** --new: start a new pinned conversation instead of resuming the latest. */
  fresh?: boolean;
  /** --resume <uuid|index>: resume this pinned conversation. */
  resume?: string;
  /** --from-handoff (implies --new) / --no-handoff; default: ask on a terminal. */
  handoff?: 'use' | 'skip';
  /** --on <host>, or the host of `cs <host>:<name>`. */
  on?: string;
  moveTo?: string;
  /** --foreground: run Claude in this terminal instead of hosting it (src/host/). */
  foreground?: boolean;
  /** A new feature starts from the last commit though the base is dirty. */
  fromHead?: boolean;
  /** --allow-setup: a new feature runs the base's .cs/worktree-setup though this machine has not allowed its text. */
  allowSetup?: boolean;
  /** --merge <feature> [--keep]: merge a feature of this session instead of opening it. */
  merge?: { feature: string; keep: boolean };
}

export function parse(a: Args): OpenOptions {
  const session = a.session;
  // `cs user@host:<name>` and `cs <alias>:<name>` mean --on (names never hold ":").
  const split = session === undefined ? null : splitHostSession(session);
  const on = value(a, '--on') ?? split?.host;
  const moveTo = value(a, '--move-to');
  if (split && has(a, '--on')) throw new UsageError('the host is given twice', `use either cs ${split.host}:${split.session} or cs ${split.session} --on <host>`);
  if (moveTo !== undefined && (on !== undefined || has(a, '--force') || a.rest.length)) {
    throw new UsageError('--move-to takes no other options', 'cs <name> --move-to <host>, then cs <name> to open it there');
  }
  const resume = value(a, '--resume');
  const handoff = has(a, '--from-handoff') ? 'use' : has(a, '--no-handoff') ? 'skip' : undefined;
  if (has(a, '--from-handoff') && has(a, '--no-handoff')) throw new UsageError('--from-handoff and --no-handoff exclude each other', 'cs <name> --new --from-handoff, or cs <name> --new --no-handoff');
  if (handoff === 'skip' && !has(a, '--new')) throw new UsageError('--no-handoff goes with --new', 'cs <name> --new --no-handoff');
  if (handoff !== undefined && resume !== undefined) throw new UsageError(`--${handoff === 'use' ? 'from' : 'no'}-handoff starts a new conversation; --resume continues one`, 'use one of them');
  if (resume !== undefined && has(a, '--new')) throw new UsageError('--new and --resume exclude each other', 'cs <name> --new starts a conversation; cs <name> --resume <#|uuid> resumes one');
  if (resume !== undefined && !/^\d+$/.test(resume) && !isUuid(resume.toLowerCase())) {
    throw new UsageError(`--resume takes a conversation uuid or its number, not '${resume.slice(0, 80)}'`, `see them with: cs ${session ?? '<name>'} -conversations`);
  }
  const merge = value(a, '--merge');
  if (merge !== undefined && (a.flags.size > 1 + Number(has(a, '--keep')) || a.rest.length)) {
    throw new UsageError('--merge takes no other options than --keep', 'cs <base> --merge <feature> [--keep]');
  }
  if (has(a, '--keep') && merge === undefined) throw new UsageError('--keep goes with --merge', 'cs <base> --merge <feature> --keep');
  return {
    name: validateSessionRef(split?.session ?? session ?? ''),
    ...(has(a, '--from-head') ? { fromHead: true } : {}),
    ...(has(a, '--allow-setup') ? { allowSetup: true } : {}),
    ...(merge !== undefined ? { merge: { feature: validateSessionRef(merge), keep: has(a, '--keep') } } : {}),
    force: has(a, '--force'),
    claudeArgs: a.rest,
    ...(has(a, '--new') || handoff === 'use' ? { fresh: true } : {}),
    ...(handoff !== undefined ? { handoff } : {}),
    ...(resume !== undefined ? { resume: resume.toLowerCase() } : {}),
    ...(on !== undefined ? { on: validateHostArg(on) } : {}),
    ...(moveTo !== undefined ? { moveTo: validateHostArg(moveTo) } : {}),
    ...(has(a, '--foreground') ? { foreground: true } : {}),
  };
}

export async function run(opts: OpenOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  if (opts.merge) {
    const { mergeFeature } = await import('../features/merge.js');
    return (await mergeFeature({ base: opts.name, feature: opts.merge.feature, keep: opts.merge.keep }, env, io, ctx.now())) === 'merged' ? 0 : 1;
  }
  // Remote sessions (--on, host:name, --move-to, or the stub they leave) are src/remote's.
  if (opts.on !== undefined || opts.moveTo !== undefined || isRemoteStub(env, opts.name)) return (await import('../remote/open.js')).openRemote(opts, ctx);
  // Fail on a missing Claude before anything is created or locked.
  const bin = requireClaude(env);
  const { paths, created } = await openWorkspace(opts.name, ctx, { fromHead: opts.fromHead === true, allowSetup: opts.allowSetup === true });
  // A daily, non-blocking notice; only where a person is watching.
  if (io.canPrompt) (await import('../update/check.js')).maybeNotifyUpdate(ctx);
  // Hooks not registered, no keychain: said once per machine, on a terminal.
  if (io.canPrompt) await (await import('../doctor/launch-notices.js')).launchNotices(env, io);
  // Hosted in cs's tmux server when a person is at a terminal (src/host/open.ts).
  const host = await import('../host/open.js');
  // Both marked seen once the open succeeded (exit 0): an open that fails says them again next time.
  const postmortemSeen = await host.reportPostmortem(paths, io, ctx.now());
  const queueDigestSeen = (await import('../queue/digest.js')).reportQueueDigest(paths.dir, io);
  const digestSeen = () => {
    postmortemSeen();
    queueDigestSeen();
  };
  const hosting = host.hostingMode({ foreground: opts.foreground, env, stdinTTY: Boolean(io.stdin.isTTY), stdoutTTY: io.isTTY, tmux: () => host.hasTmux(env) });
  if (hosting.mode === 'hosted') {
    // The handoff is offered here, on the user's terminal; the start step in
    // cs's tmux server plans the conversation with it (planLaunch, as below).
    const handoff = await chooseHandoff(opts, paths, ctx);
    const request = { force: opts.force, created, claudeArgs: opts.claudeArgs, ...(opts.fresh ? { fresh: true } : {}), ...(opts.resume ? { resume: opts.resume } : {}), ...(handoff ? { handoff } : {}) };
    const code = await host.openHosted({ paths, request }, io, env);
    if (code === 0) digestSeen();
    return code;
  }
  if (hosting.notice) ctx.warn(hosting.notice);
  const lock = acquireLock(paths.lock, { force: opts.force, session: opts.name, now: ctx.now() });
  if (lock.tookOver && opts.force) ctx.warn(`took over the lock from ${describeHolder(lock.tookOver)}`);
  const unregister = ctx.onExit(() => lock.release());
  let stopServer: (() => Promise<void>) | undefined;
  try {
    const report: Report = (line, level, o) => {
      if (o?.logged !== false) appendSessionLog(paths.sessionLog, line, ctx.now());
      io.err(level === 'warn' ? io.color.yellow(`cs: ${line}`) : io.color.dim(`cs: ${line}`));
    };
    const busy: Busy = (message, work) => step(io, message, work);
    await beforeClaude(paths, env, report, busy);
    // An exact conversation: --session-id for a new one, --resume <uuid> (src/conversations/launch.ts).
    // Offered after beforeClaude, so a handoff the auto-sync just pulled counts.
    const handoff = await chooseHandoff(opts, paths, ctx);
    const plan = planLaunch(paths, env, { created, claudeArgs: opts.claudeArgs, ...(opts.fresh ? { fresh: true } : {}), ...(opts.resume ? { resume: opts.resume } : {}), ...(handoff ? { handoff } : {}) }, ctx.now(), report);
    // A --settings of the user's own would replace ours (Claude keeps one):
    // then the command hooks do all the work instead of our HTTP endpoint.
    const userSettings = hasClaudeFlag(opts.claudeArgs, ['--settings']);
    const hookServer = userSettings ? null : await startHookServer(paths, env);
    stopServer = hookServer?.close;
    const args = [...(hookServer ? ['--settings', hookServer.settingsFile] : []), ...plan.args, ...opts.claudeArgs];
    const about = plan.uuid ? `, conversation ${plan.uuid}${plan.how === 'new' ? ' (new)' : ''}` : plan.how === 'continue-latest' ? ', continuing conversation' : '';
    appendSessionLog(paths.sessionLog, `session start (pid ${process.pid}${about})`, ctx.now());
    // CS_LAUNCHED tells our hooks that this process does the end-of-session
    // work; CS_HOOK_SERVER that the served events come over HTTP.
    const launchEnv = { ...env, ...launchTuning(env), ...sessionEnv(paths), CS_LAUNCHED: '1', ...(hookServer ? { CS_HOOK_SERVER: '1' } : {}) };
    // Closed as soon as Claude is gone (for -watch), however it ended; the
    // commit and push below may take a while and need no hook endpoint.
    const result = await runAttached(bin, args, { cwd: paths.dir, env: launchEnv }).finally(() => markClosed(paths.dir, ctx.now()));
    if (result.code === 0) digestSeen();
    await stopServer?.();
    stopServer = undefined;
    appendSessionLog(paths.sessionLog, `session end (exit ${result.signal ?? result.code})`, ctx.now());
    if (result.code !== 0 && !result.signal) report(`Claude Code exited with status ${result.code}`, 'warn');
    unpinIfNeverStarted(plan, paths, env);
    await afterClaude(paths, env, report, busy);
    return result.code;
  } finally {
    await stopServer?.();
    lock.release();
    unregister();
  }
}

/** With --new: the session's latest unused handoff, offered or taken as the flags say (src/handoff/offer.ts); null otherwise. */
async function chooseHandoff(opts: OpenOptions, paths: SessionPaths, ctx: Context): Promise<ChosenHandoff | null> {
  if (!opts.fresh) return null;
  return (await import('../handoff/offer.js')).offerHandoff(paths, opts.handoff ?? 'ask', ctx.io, ctx.env);
}

export async function openWorkspace(name: string, ctx: Context, create: CreateOptions = { fromHead: false }): Promise<{ paths: SessionPaths; created: boolean }> {
  const found = checkedSession(ctx.env, name, 'cs <name>', { feature: true, stub: true });
  const feature = found ? null : (await import('../features/ref.js')).parseFeatureRef(name);
  if (feature) {
    const { paths, kept } = await (await import('../features/create.js')).createFeature(feature, ctx.env, ctx.io, create, ctx.now());
    if (kept) {
      const commits = `${kept.ahead} commit${kept.ahead === 1 ? '' : 's'}`;
      ctx.info(`re-created the worktree of feature '${name}' on its existing branch cs/${feature.feature} (${commits} ahead of '${feature.base}', kept) at ${paths.dir}`);
    } else ctx.info(`created feature session '${name}' on branch cs/${feature.feature} at ${paths.dir}`);
    return { paths, created: true };
  }
  if (found) {
    for (const file of checkWorkspace(found.paths, ctx.now())) {
      ctx.warn(`${file} was missing in '${name}'; restored it from the template`);
    }
    if (setArchived(found.paths.dir, false, ctx.now())) ctx.info(`'${name}' was archived; opening it unarchived it (cs -archive ${name} to archive it again)`);
    if (isAdopted(found.paths.dir)) {
      // Its name, for the hooks of a Claude started some other way (adopted by an older cs, or renamed by hand).
      try {
        (await import('../session/session-name.js')).recordSessionName(found.paths.dir, name);
      } catch (e) {
        ctx.warn(`could not record the session's name in ${found.paths.local}: ${(e as Error)?.message ?? String(e)}`);
      }
      // Its rules in .git/info, its protocol in CLAUDE.local.md; a project adopted the old way is moved over once.
      // Never a reason not to open the session (an old adoption inside a larger repository, a read-only .git).
      const r = await refreshAdopted(ctx.env, found.paths, ctx.now()).catch((e: unknown) => {
        ctx.warn(`could not bring the adopted project's cs files up to date: ${(e as Error)?.message ?? String(e)}`);
        return {} as Awaited<ReturnType<typeof refreshAdopted>>;
      });
      for (const line of [r.notice, r.protocolProblem]) if (line) ctx.warn(line);
    } else await noticeIdentity(found.paths.dir, ctx);
    return { paths: found.paths, created: false };
  }
  await confirmCommandLikeName(name, ctx.io);
  const paths = await createSession(ctx.env, name, ctx.now());
  ctx.info(`created session '${name}' at ${paths.dir}`);
  await noticeIdentity(paths.dir, ctx);
  return { paths, created: true };
}

/** Once per machine, where a person is watching: commits here will carry cs's fallback identity. */
async function noticeIdentity(dir: string, ctx: Context): Promise<void> {
  if (!ctx.io.canPrompt) return;
  const { identityNoticeOnce } = await import('../git/identity.js');
  const notice = await identityNoticeOnce(dir, ctx.env).catch(() => null);
  if (notice) ctx.warn(notice);
}

export const command: Command<OpenOptions> = { parse, run };
