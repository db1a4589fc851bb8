// `cs <name> -stop`: end a hosted session the way /exit would, escalating to
// SIGTERM and then SIGKILL for a Claude that does not leave; the supervisor
// then does the normal end of the session, and we wait for it to finish.
import * as fs from 'node:fs';
import { UserError } from '../lib/errors.js';
import { ensureDir } from '../lib/fsutil.js';
import { run } from '../lib/proc.js';
import type { SessionPaths } from '../session/paths.js';
import { describeHolder, liveHolder } from '../session/lock.js';
import { hostDir, readLast, stopFile, type LastRun } from './state.js';
import { findHosted, target, tmux, tmuxServer } from './tmux.js';

/** Waits `ms`, or less when `signal` aborts first. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** The children of the supervisor: Claude (pgrep -P works on Linux and macOS). */
async function claudePids(panePid: number): Promise<number[]> {
  const r = await run('pgrep', ['-P', String(panePid)], { allowFailure: true, timeoutMs: 5_000 });
  return r.stdout.split('\n').map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export interface StopResult {
  /** How Claude ended: exit, or the signal we had to send. */
  how: 'exit' | 'SIGTERM' | 'SIGKILL';
  last: LastRun | null;
  /** The stop was called off (`signal` aborted) while Claude still ran: it runs on, and ending later is no stop of ours. */
  calledOff?: boolean;
}

/**
 * Stops the hosted session of `p`. `timeoutMs` is how long Claude gets for
 * each step (/exit, then SIGTERM) before the next; the end-of-session work
 * (commit, push) then gets up to `endTimeoutMs`. `signal` (Ctrl-C) calls
 * the stop off: before SIGKILL went out, Claude is left running and the
 * stop marker is taken back, so a crash later is reported as one (a
 * postmortem, the "died" notification) instead of passing for this stop;
 * after it, only the wait for the end-of-session work ends (the supervisor
 * does that work anyway). Throws UserError when the session is not running
 * here.
 */
export async function stopHosted(p: SessionPaths, env: NodeJS.ProcessEnv, opts: { timeoutMs: number; endTimeoutMs?: number; onStopping?: () => void; signal?: AbortSignal }): Promise<StopResult> {
  const server = tmuxServer(env);
  const hosted = await findHosted(server, env, p.name);
  if (!hosted) {
    // Open in a terminal (`cs <name>`): cs cannot type /exit there, and must not kill it.
    const holder = liveHolder(p.lock);
    if (holder) throw new UserError(`'${p.name}' runs in the foreground in a terminal (${describeHolder(holder)}), not in cs's tmux server`, 'end it there with /exit; cs -stop stops the sessions cs hosts (cs -spawn, cs -live)');
    throw new UserError(`'${p.name}' is not running in cs's tmux server here`, 'see the running sessions with: cs -live');
  }
  opts.onStopping?.();
  ensureDir(hostDir(p), 0o700);
  fs.writeFileSync(stopFile(p), new Date().toISOString() + '\n', { mode: 0o600 });
  const since = Date.now();
  const calledOff = () => opts.signal?.aborted === true;
  const gone = async (ms: number) => {
    const end = Date.now() + ms;
    for (;;) {
      const pids = await claudePids(hosted.panePid);
      if (pids.length === 0) return { done: true, pids };
      if (Date.now() > end || calledOff()) return { done: false, pids };
      await sleep(100, opts.signal);
    }
  };
  // As typed: Escape leaves any half-typed input or menu, then the command.
  await tmux(server, ['send-keys', '-t', target(p.name), 'Escape'], env, true);
  await sleep(150);
  await tmux(server, ['send-keys', '-t', target(p.name), '-l', '/exit'], env, true);
  await sleep(150);
  await tmux(server, ['send-keys', '-t', target(p.name), 'Enter'], env, true);
  let how: StopResult['how'] = 'exit';
  let w = await gone(opts.timeoutMs);
  if (!w.done && !calledOff()) {
    how = 'SIGTERM';
    signal(w.pids, 'SIGTERM');
    w = await gone(opts.timeoutMs);
    if (!w.done && !calledOff()) {
      how = 'SIGKILL';
      signal(w.pids, 'SIGKILL');
    }
  }
  if (calledOff() && how !== 'SIGKILL' && (await claudePids(hosted.panePid)).length > 0) {
    fs.rmSync(stopFile(p), { force: true });
    return { how, last: null, calledOff: true };
  }
  // The supervisor now does the end of the session; the tmux session ends with it.
  const end = Date.now() + (opts.endTimeoutMs ?? 120_000);
  while ((await findHosted(server, env, p.name)) && Date.now() < end && !calledOff()) await sleep(100, opts.signal);
  const last = readLast(p);
  return { how, last: last && Date.parse(last.ended) >= since - 1000 ? last : null };
}
