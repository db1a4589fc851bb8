// `cs <name>`: create the session or resume it, take its lock, launch Claude
// Code inside it with the session environment, and clean up when it exits.
import { flag, flagValue, parseArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { runAttached } from '../proc.js';
import { sessionEnv, type SessionPaths } from '../session/paths.js';
import { validateSessionRef } from '../features/ref.js';
import { acquireLock, describeHolder } from '../session/lock.js';
import { appendSessionLog } from '../session/log.js';
import { checkWorkspace, createSession, findSession } from '../session/workspace.js';
import { requireClaude } from '../session/claude-bin.js';
import { planConversation } from '../conversations/launch.js';
import { isUuid } from '../conversations/store.js';
import { markClosed } from '../status/status.js';
import { startHookServer } from '../hooks/server.js';
import { afterClaude, beforeClaude, type Report } from '../session/lifecycle.js';
import { splitHostSession, validateHostArg } from '../remote/hosts.js';
import { isRemoteStub } from '../remote/stub.js';
import type { Context, Invocation } from './types.js';

export interface OpenOptions {
  name: string;
  force: boolean;
  claudeArgs: string[];
  /** --new: start a new pinned conversation instead of resuming the latest. */
  fresh?: boolean;
  /** --resume <uuid|index>: resume this pinned conversation. */
  resume?: string;
  /** --on <host>, or the host of `cs <host>:<name>`. */
  on?: string;
  moveTo?: string;
  /** A new feature starts from the last commit though the base is dirty. */
  fromHead?: boolean;
  /** --merge <feature> [--keep]: merge a feature of this session instead of opening it. */
  merge?: { feature: string; keep: boolean };
}

export function parse(args: string[], inv: Invocation): OpenOptions {
  const parsed = parseArgs(args, { booleans: ['--force', '--new', '--from-head', '--keep'], values: ['--on', '--move-to', '--resume', '--merge'] }, inv.session ?? '<name>');
  if (parsed.positionals.length) {
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`, `to pass arguments to Claude Code put them after --: cs ${inv.session} -- ${parsed.positionals[0]}`);
  }
  // `cs user@host:<name>` and `cs <alias>:<name>` mean --on (names never hold ":").
  const split = inv.session === undefined ? null : splitHostSession(inv.session);
  const on = flagValue(parsed, '--on') ?? split?.host;
  const moveTo = flagValue(parsed, '--move-to');
  if (split && parsed.flags.has('--on')) throw new UsageError('the host is given twice', `use either cs ${split.host}:${split.session} or cs ${split.session} --on <host>`);
  if (moveTo !== undefined && (on !== undefined || parsed.flags.has('--force') || parsed.rest.length)) {
    throw new UsageError('--move-to takes no other options', 'cs <name> --move-to <host>, then cs <name> to open it there');
  }
  const resume = flagValue(parsed, '--resume');
  if (resume !== undefined && flag(parsed, '--new')) throw new UsageError('--new and --resume exclude each other', 'cs <name> --new starts a conversation; cs <name> --resume <#|uuid> resumes one');
  if (resume !== undefined && !/^\d+$/.test(resume) && !isUuid(resume.toLowerCase())) {
    throw new UsageError(`--resume takes a conversation uuid or its number, not '${resume.slice(0, 80)}'`, `see them with: cs ${inv.session ?? '<name>'} -conversations`);
  }
  const merge = flagValue(parsed, '--merge');
  if (merge !== undefined && (parsed.flags.size > 1 + Number(flag(parsed, '--keep')) || parsed.rest.length)) {
    throw new UsageError('--merge takes no other options than --keep', 'cs <base> --merge <feature> [--keep]');
  }
  if (flag(parsed, '--keep') && merge === undefined) throw new UsageError('--keep goes with --merge', 'cs <base> --merge <feature> --keep');
  return {
    name: validateSessionRef(split?.session ?? inv.session ?? ''),
    ...(flag(parsed, '--from-head') ? { fromHead: true } : {}),
    ...(merge !== undefined ? { merge: { feature: validateSessionRef(merge), keep: flag(parsed, '--keep') } } : {}),
    force: flag(parsed, '--force'),
    claudeArgs: parsed.rest,
    ...(flag(parsed, '--new') ? { fresh: true } : {}),
    ...(resume !== undefined ? { resume: resume.toLowerCase() } : {}),
    ...(on !== undefined ? { on: validateHostArg(on) } : {}),
    ...(moveTo !== undefined ? { moveTo: validateHostArg(moveTo) } : {}),
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
  const { paths, created } = await openWorkspace(opts.name, ctx, opts.fromHead === true);
  // A daily, non-blocking notice; only where a person is watching.
  if (io.canPrompt) (await import('../update/check.js')).maybeNotifyUpdate(ctx);
  const lock = acquireLock(paths.lock, { force: opts.force, session: opts.name, now: ctx.now() });
  if (lock.tookOver && opts.force) io.err(io.color.yellow(`cs: took over the lock from ${describeHolder(lock.tookOver)}`));
  const releaseOnExit = () => lock.release();
  process.once('exit', releaseOnExit);
  let stopServer: (() => Promise<void>) | undefined;
  try {
    const report: Report = (line, level) => {
      appendSessionLog(paths.sessionLog, line, ctx.now());
      io.err(level === 'warn' ? io.color.yellow(`cs: ${line}`) : io.color.dim(`cs: ${line}`));
    };
    await beforeClaude(paths, env, report);
    // An exact conversation: --session-id for a new one, --resume <uuid> (src/conversations/launch.ts).
    // A new feature's worktree holds its base's conversation list: it starts its own conversation.
    const plan = planConversation(paths, env, { fresh: opts.fresh || (created && opts.name.includes('@')), resume: opts.resume }, { created, claudeArgs: opts.claudeArgs, now: ctx.now(), report });
    // A --settings of the user's own would replace ours (Claude keeps one):
    // then the command hooks do all the work instead of our HTTP endpoint.
    const userSettings = opts.claudeArgs.some((a) => a === '--settings' || a.startsWith('--settings='));
    const hookServer = userSettings ? null : await startHookServer(paths, env);
    stopServer = hookServer?.close;
    const args = [...(hookServer ? ['--settings', hookServer.settingsFile] : []), ...plan.args, ...opts.claudeArgs];
    const about = plan.uuid ? `, conversation ${plan.uuid}${plan.how === 'new' ? ' (new)' : ''}` : plan.how === 'continue-latest' ? ', continuing conversation' : '';
    appendSessionLog(paths.sessionLog, `session start (pid ${process.pid}${about})`, ctx.now());
    // CS_LAUNCHED tells our hooks that this process does the end-of-session
    // work; CS_HOOK_SERVER that the served events come over HTTP.
    const launchEnv = { ...env, ...sessionEnv(paths), CS_LAUNCHED: '1', ...(hookServer ? { CS_HOOK_SERVER: '1' } : {}) };
    // Closed as soon as Claude is gone (for -watch), however it ended; the
    // commit and push below may take a while and need no hook endpoint.
    const result = await runAttached(bin, args, { cwd: paths.dir, env: launchEnv }).finally(() => markClosed(paths.dir, ctx.now()));
    await stopServer?.();
    stopServer = undefined;
    appendSessionLog(paths.sessionLog, `session end (exit ${result.signal ?? result.code})`, ctx.now());
    await afterClaude(paths, env, report);
    return result.code;
  } finally {
    await stopServer?.();
    lock.release();
    process.off('exit', releaseOnExit);
  }
}

async function openWorkspace(name: string, ctx: Context, fromHead: boolean): Promise<{ paths: SessionPaths; created: boolean }> {
  const found = findSession(ctx.env, name);
  const feature = found ? null : (await import('../features/ref.js')).parseFeatureRef(name);
  if (feature) {
    const paths = await (await import('../features/create.js')).createFeature(feature, ctx.env, ctx.io, { fromHead }, ctx.now());
    ctx.io.err(`cs: created feature session '${name}' on branch cs/${feature.feature} at ${paths.dir}`);
    return { paths, created: true };
  }
  if (found) {
    for (const file of checkWorkspace(found.paths, ctx.now())) {
      ctx.io.err(ctx.io.color.yellow(`cs: ${file} was missing in '${name}'; restored it from the template`));
    }
    return { paths: found.paths, created: false };
  }
  const paths = await createSession(ctx.env, name, ctx.now());
  ctx.io.err(`cs: created session '${name}' at ${paths.dir}`);
  return { paths, created: true };
}
