// The terminal side of hosted sessions: `cs <name>` starts the session in
// cs's tmux server (unless it is running already) and attaches this terminal;
// `cs -spawn` starts without attaching. Which of hosted and foreground
// applies is decided here too (hostingMode).
import * as os from 'node:os';
import { UserError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { describeHolder, lockState, readLock } from '../session/lock.js';
import type { SessionPaths } from '../session/paths.js';
import { markSeen, unseenPostmortem, writePostmortem } from './postmortem.js';
import { readLast, readRun, type StartRequest } from './state.js';
import { startHosted } from './supervisor.js';
import { attachAndReport } from './attach.js';
import { DETACH_KEY_LABEL, findHosted, hasTmux, tmuxServer, type HostedSession } from './tmux.js';
import { readStatus } from '../status/status.js';

export type HostingMode = { mode: 'hosted' } | { mode: 'foreground'; notice?: string };

/**
 * Hosted when a person is at a terminal (stdin and stdout are TTYs) and tmux
 * is installed; foreground with --foreground, CS_HOST=foreground, without a
 * terminal (scripts, pipes, the test suite's `cs <name> -- -p ...`), or
 * without tmux (then with a one-line notice).
 */
export function hostingMode(o: { foreground?: boolean; env: NodeJS.ProcessEnv; stdinTTY: boolean; stdoutTTY: boolean; tmux: () => boolean }): HostingMode {
  if (o.foreground || o.env.CS_HOST === 'foreground') return { mode: 'foreground' };
  if (!o.stdinTTY || !o.stdoutTTY) return { mode: 'foreground' };
  if (!o.tmux()) return { mode: 'foreground', notice: 'tmux not found: Claude runs in this terminal and ends with it (install tmux to keep sessions running)' };
  return { mode: 'hosted' };
}

/**
 * Before a session starts: a lock left by a process of this host that died
 * (the host process killed, a power cut) means the last run never finished —
 * record a postmortem. Then say in one line what the last postmortem was.
 * Returns what marks it seen, for the caller to call once the open
 * succeeded (an open that fails says it again next time). Never throws.
 */
export async function reportPostmortem(p: SessionPaths, io: IO, now: Date): Promise<() => void> {
  try {
    const lock = readLock(p.lock);
    const dead = lock.kind === 'held' && lock.info.host === os.hostname() && lockState(lock.info) === 'stale';
    if (dead) {
      // Its end step releases the lock: a lock left means it died before it. Claude may have
      // ended first (its SessionEnd hook marked the status closed: a killed host hangs its pane up).
      const what = readStatus(p.dir)?.state === 'closed'
        ? `the process hosting the session (${describeHolder(lock.info)}) ended before the end of the session was done: Claude Code had ended, the session-end commit and push did not run (the work is in the tree and refs/cs/auto)`
        : `the process hosting the session (${describeHolder(lock.info)}) ended before Claude Code finished`;
      writePostmortem(p, { what, status: null, now });
    }
    // Nobody runs the session: a task still marked running was cut off with its Claude.
    if (lock.kind !== 'held' || dead) {
      const debrief = (await import('../queue/drain.js')).parkInterrupted(p.dir, p.name, now);
      if (debrief) io.err(io.color.yellow(`cs: queue ${debrief}`));
    }
    const pm = unseenPostmortem(p);
    if (pm) {
      io.err(io.color.yellow(`cs: last run: ${pm.line}`));
      return () => {
        try {
          markSeen(p);
        } catch {
          // said again next time
        }
      };
    }
  } catch {
    // a report, never a reason not to open the session
  }
  return () => {};
}

/** The same refusal a foreground open gives, before we start anything in tmux. */
function checkLock(p: SessionPaths, force: boolean): void {
  if (force) return;
  const lock = readLock(p.lock);
  if (lock.kind !== 'held' || lockState(lock.info) === 'stale') return;
  const where = lockState(lock.info) === 'foreign' ? ' (another host: cannot check whether it is still running)' : '';
  throw new UserError(`session '${p.name}' is open in ${describeHolder(lock.info)}${where}`, 'close it there, or use --force to take it over');
}

function terminalSize(io: IO): { columns?: number; rows?: number } {
  const out = io.stdout as NodeJS.WriteStream;
  return { columns: out.columns, rows: out.rows };
}

/**
 * Waits until the supervisor has started Claude (run.json names its pid) or
 * given up; resolves with the lines that say why it gave up, else null.
 */
async function waitStarted(p: SessionPaths, env: NodeJS.ProcessEnv, since: number, timeoutMs = 60_000): Promise<string[] | null> {
  const server = tmuxServer(env);
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hosted = await findHosted(server, env, p.name);
    const run = readRun(p);
    if (hosted && run && run.pid === hosted.panePid) return null;
    if (!hosted) {
      const last = readLast(p);
      return last && Date.parse(last.ended) >= since - 1000 ? last.lines : ['the session ended at once'];
    }
    if (Date.now() > end) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface HostedOpen {
  paths: SessionPaths;
  request: Omit<StartRequest, 'env'>;
}

/** `cs <name>` hosted: start when not running, attach this terminal, report how it ended. */
export async function openHosted(o: HostedOpen, io: IO, env: NodeJS.ProcessEnv): Promise<number> {
  const server = tmuxServer(env);
  const { paths } = o;
  const running = await findHosted(server, env, paths.name);
  const since = Date.now();
  if (running) {
    io.err(io.color.dim(`cs: attaching to '${paths.name}' (running since ${running.created.toLocaleString()}; ${DETACH_KEY_LABEL} detaches, it keeps running)`));
    if (o.request.claudeArgs.length || o.request.fresh || o.request.resume) io.err(io.color.yellow(`cs: '${paths.name}' is already running: the conversation and Claude arguments given were not used`));
  } else {
    checkLock(paths, o.request.force);
    await startHosted(server, env, paths, { request: { ...o.request, env: plainEnv(env) }, ...terminalSize(io) });
    io.err(io.color.dim(`cs: '${paths.name}' runs in cs's tmux server: ${DETACH_KEY_LABEL} detaches (it keeps running), cs ${paths.name} attaches again from any terminal`));
  }
  return attachAndReport(server, env, paths, io, since);
}

/** `cs -spawn <name>`: start hosted without attaching; resolves once Claude runs. */
export async function spawnHosted(o: HostedOpen, io: IO, env: NodeJS.ProcessEnv): Promise<number> {
  const server = tmuxServer(env);
  const { paths } = o;
  if (await findHosted(server, env, paths.name)) throw new UserError(`'${paths.name}' is already running`, `attach with: cs ${paths.name}`);
  checkLock(paths, o.request.force);
  const since = Date.now();
  await startHosted(server, env, paths, { request: { ...o.request, env: plainEnv(env) } });
  const failed = await waitStarted(paths, env, since);
  if (failed) throw new UserError(`'${paths.name}' did not start: ${failed.join('; ')}`, `see .cs/logs/session.log in ${paths.dir}`);
  io.err(`cs: '${paths.name}' is running — attach with: cs ${paths.name}  (${DETACH_KEY_LABEL} detaches again; cs ${paths.name} -stop ends it)`);
  return 0;
}

function plainEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export { hasTmux, tmuxServer, findHosted, type HostedSession };
