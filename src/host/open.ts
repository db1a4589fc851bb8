// The terminal side of hosted sessions: `cs <name>` starts the session in
// cs's tmux server (unless it is running already) and attaches this terminal;
// `cs -spawn` starts without attaching. Which of hosted and foreground
// applies is decided here too (hostingMode).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { UserError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { describeHolder, lockState, readLock } from '../session/lock.js';
import type { SessionPaths } from '../session/paths.js';
import { markSeen, unseenPostmortem, writePostmortem } from './postmortem.js';
import { readRun, type StartRequest } from './state.js';
import { startHosted } from './supervisor.js';
import { attachAndReport, reportEnd } from './attach.js';
import { DETACH_KEY_LABEL, findHosted, hasTmux, tmuxServer, type HostedSession } from './tmux.js';
import { readStatus } from '../status/status.js';
import { parseEventLine, readLinesSync, timelineFile } from '../timeline/timeline.js';

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
 * How long -spawn watches a Claude that has started before it says the
 * session runs, when no SessionStart says so sooner. A Claude that cannot
 * start (an unknown option, a broken install) exits within this: Claude Code
 * 2.1.332 rejects an unknown option 0.6–1.4 s after it starts on a 2-core
 * machine. A Claude with cs's hooks records its SessionStart in the timeline
 * (about a second), which ends the wait at once, so the whole of it is only
 * paid by a Claude that runs without them (no cs -install, a stand-in).
 */
const SPAWN_SETTLE_MS = 2_000;
/** How long -spawn waits for the start step (a pull) or for the end step of a Claude that ended (commit, push) before it reports. */
const SPAWN_WAIT_MS = 60_000;

/**
 * -spawn: waits until Claude is up (its SessionStart recorded, or
 * SPAWN_SETTLE_MS of it running) or the session has ended. Resolves true
 * when up; false once the supervisor gave up or Claude ended, after the end
 * step is done (its last.json then says why, as reportEnd shows it), or
 * after SPAWN_WAIT_MS when that step is still at work.
 */
async function waitUp(p: SessionPaths, env: NodeJS.ProcessEnv, since: number): Promise<boolean> {
  const server = tmuxServer(env);
  const timeline = timelineFile(p.meta);
  // Set once run.json names the supervisor: timeline lines from before (a pull in the start step) are not this Claude's.
  let claude: { at: number; offset: number } | null = null;
  let sessionStarted = false;
  for (;;) {
    const hosted = await findHosted(server, env, p.name);
    if (!hosted) return false;
    const now = Date.now();
    if (!claude) {
      const run = readRun(p);
      if (run && run.pid === hosted.panePid) claude = { at: now, offset: fs.statSync(timeline, { throwIfNoEntry: false })?.size ?? 0 };
    }
    // The end step marks the status closed first: Claude has ended, and its last lines come with the end.
    const status = readStatus(p.dir);
    const ended = status?.state === 'closed' && status.ms >= since;
    if (now - since > SPAWN_WAIT_MS) return !ended;
    if (claude && !ended) {
      claude.offset = readLinesSync(timeline, claude.offset, (line) => {
        if (parseEventLine(line)?.type === 'session-start') sessionStarted = true;
      });
      if (sessionStarted || now - claude.at >= SPAWN_SETTLE_MS) return true;
    }
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

/**
 * `cs -spawn <name>`: start hosted without attaching; resolves 0 once Claude
 * is up (waitUp). A session that ended as it started is reported with the
 * lines an attached terminal would get (reportEnd: what the start step or
 * Claude said) and resolves non-zero: Claude's status, else 1. The wait is
 * SPAWN_SETTLE_MS at most once Claude runs, less with cs's hooks.
 */
export async function spawnHosted(o: HostedOpen, io: IO, env: NodeJS.ProcessEnv): Promise<number> {
  const server = tmuxServer(env);
  const { paths } = o;
  if (await findHosted(server, env, paths.name)) throw new UserError(`'${paths.name}' is already running`, `attach with: cs ${paths.name}`);
  checkLock(paths, o.request.force);
  const since = Date.now();
  await startHosted(server, env, paths, { request: { ...o.request, env: plainEnv(env) } });
  if (!(await waitUp(paths, env, since))) {
    const code = reportEnd(paths, io, since);
    io.err(io.color.yellow(`cs: '${paths.name}' did not start: it ended as it started — the lines above say why; the session log is .cs/logs/session.log in ${paths.dir}`));
    // Ended at once with status 0 (a `-- --version`) is still no running session.
    return code === 0 ? 1 : code;
  }
  io.err(`cs: '${paths.name}' is running — attach with: cs ${paths.name}  (${DETACH_KEY_LABEL} detaches again; cs ${paths.name} -stop ends it)`);
  return 0;
}

function plainEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export { hasTmux, tmuxServer, findHosted, type HostedSession };
