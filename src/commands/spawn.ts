// `cs -spawn <name> [--prompt <text>] [--task <text>]`: start a hosted session without
// attaching a terminal (src/host/), and say how to attach.
import { UsageError, UserError } from '../lib/errors.js';
import { parseFeatureRef, validateSessionRef } from '../features/ref.js';
import { requireClaude } from '../session/claude-bin.js';
import { isUuid } from '../conversations/store.js';
import { has, value, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface SpawnOptions {
  name: string;
  prompt?: string;
  /** --task: queued and the queue armed (src/queue/); Claude starts on it when there is no prompt. */
  task?: string;
  force: boolean;
  fresh?: boolean;
  resume?: string;
  claudeArgs: string[];
}

export function parse(a: Args): SpawnOptions {
  const [name] = a.operands;
  const prompt = value(a, '--prompt');
  if (prompt !== undefined && prompt.trim() === '') throw new UsageError('--prompt is empty', 'give the text Claude should start with: --prompt "fix the failing test"');
  const task = value(a, '--task');
  if (task !== undefined && task.trim() === '') throw new UsageError('--task is empty', 'give the task for the queue: --task "update the changelog"');
  // The queue is the base's (src/queue/queue.ts): a feature's Claude would never get the rest of it.
  const feature = task !== undefined && name !== undefined ? parseFeatureRef(name) : null;
  if (feature) throw new UsageError(`'${feature.name}' is a feature session; --task works on plain sessions`, `give it its first instruction with --prompt, or queue the task on the base: cs -spawn ${feature.base} --task "<task>"`);
  const resume = value(a, '--resume');
  if (resume !== undefined && has(a, '--new')) throw new UsageError('--new and --resume exclude each other', a.usage);
  if (resume !== undefined && !/^\d+$/.test(resume) && !isUuid(resume.toLowerCase())) throw new UsageError(`--resume takes a conversation uuid or its number, not '${resume.slice(0, 80)}'`, `see them with: cs ${validateSessionRef(name!)} -conversations`);
  return {
    // A feature session (base@feature) is hosted like any other (issue #21).
    name: validateSessionRef(name!),
    force: has(a, '--force'),
    claudeArgs: a.rest,
    ...(prompt !== undefined ? { prompt } : {}),
    ...(task !== undefined ? { task } : {}),
    ...(has(a, '--new') ? { fresh: true } : {}),
    ...(resume !== undefined ? { resume: resume.toLowerCase() } : {}),
  };
}

export async function run(opts: SpawnOptions, ctx: Context): Promise<number> {
  const { env } = ctx;
  const host = await import('../host/open.js');
  if (!host.hasTmux(env)) throw new UserError('-spawn needs tmux, which is not installed', 'install tmux (e.g. apt-get install tmux), or run the session in a terminal: cs <name> --foreground');
  requireClaude(env);
  const { openWorkspace } = await import('./open.js');
  const { paths, created } = await openWorkspace(opts.name, ctx);
  // Marked seen once the session is running (or was already): a failed start says it again.
  const postmortemSeen = await host.reportPostmortem(paths, ctx.io, ctx.now());
  let prompt = opts.prompt;
  let taken = false;
  if (opts.task !== undefined) {
    const { queueAndArm } = await import('../queue/drain.js');
    // Already running: the task waits for Claude's next stop.
    const running = await host.findHosted(host.tmuxServer(env), env, paths.name);
    // As -queue add keeps it: a stored value, or one found there (then stored), as [secret: KEY].
    const scrub = await import('../secrets/scrub.js');
    const { text: task, stored } = await scrub.scrubForSession(paths.name, env, opts.task);
    if (stored.length) ctx.info(scrub.storedNotice(stored));
    let first: ReturnType<typeof queueAndArm>;
    try {
      first = queueAndArm(paths.dir, task, prompt === undefined && !running, ctx.now());
    } catch (e) {
      // The session is an operand here, not one the dispatcher resolved: name it in the hint.
      throw (await import('../lib/errors.js')).namingSession(e, paths.name);
    }
    ctx.info(`queued the task in '${opts.name}' and armed the queue (cs ${opts.name} -queue)`);
    if (running) {
      ctx.info(`'${opts.name}' is already running: Claude gets the task when it next stops — attach with: cs ${opts.name}`);
      postmortemSeen();
      return 0;
    }
    if (first) [prompt, taken] = [first, true];
  } else if (prompt === undefined && !(await host.findHosted(host.tmuxServer(env), env, paths.name))) {
    // An armed queue (-queue start while nothing ran) and no prompt: a fresh
    // Claude sits idle and never stops, so no Stop would ever hand a task
    // over. The next pending one is its first prompt, as with --task.
    const first = await armedQueueTask(paths.dir, paths.name, ctx);
    if (first) {
      [prompt, taken] = [first.text, true];
      ctx.info(`the queue of '${opts.name}' is armed: Claude starts on task ${first.id} (cs ${opts.name} -queue)`);
    }
  }
  const request = {
    force: opts.force,
    created,
    claudeArgs: opts.claudeArgs,
    ...(prompt !== undefined ? { prompt } : {}),
    ...(opts.fresh ? { fresh: true } : {}),
    ...(opts.resume ? { resume: opts.resume } : {}),
  };
  try {
    const code = await host.spawnHosted({ paths, request }, ctx.io, env);
    if (code === 0) postmortemSeen();
    return code;
  } catch (e) {
    if (taken) (await import('../queue/drain.js')).unstart(paths.dir, ctx.now());
    throw e;
  }
}

/**
 * Marks the next pending task of an armed queue running and returns it with
 * its handover text, or null (no queue, not armed, none pending, a task
 * running already, or a queue file that is not a queue: -queue says so).
 */
async function armedQueueTask(dir: string, name: string, ctx: Context): Promise<{ id: number; text: string } | null> {
  const [{ changeQueue, hasQueue, runningTask, DamagedQueueError }, { takeNext }] = await Promise.all([import('../queue/queue.js'), import('../queue/drain.js')]);
  if (!hasQueue(dir)) return null;
  try {
    return changeQueue(
      dir,
      (q, journal) => {
        const text = takeNext(q, journal, ctx.now());
        return text === undefined ? null : { id: runningTask(q)!.id, text };
      },
      ctx.now(),
    );
  } catch (e) {
    if (!(e instanceof DamagedQueueError)) throw e;
    ctx.warn(`${e.message} — Claude starts without a task; see cs ${name} -queue`);
    return null;
  }
}

export const command: Command<SpawnOptions> = { parse, run };
