// Attaching a terminal to a hosted session, and the fast path for the daily
// `cs <name>` on a running session: cli.ts tries it before loading the open
// command, so attaching costs a Node start, two tmux calls and little else
// (the target in `npm run bench` is 1.5x `node -e 0`).
import * as fs from 'node:fs';
import { signalExitCode } from '../lib/proc.js';
import type { IO } from '../term/io.js';
import { readQueueDigest, reportQueueDigest } from '../queue/digest.js';
import { nameProblem } from '../session/names.js';
import { sessionDir, sessionPaths, type SessionPaths } from '../session/paths.js';
import { readLast } from './state.js';
import { attach, findHosted, tmuxServer, type TmuxServer } from './tmux.js';

/** Attaches, and once the terminal is back says whether the session runs on or how it ended; resolves to the exit code. */
export async function attachAndReport(server: TmuxServer, env: NodeJS.ProcessEnv, p: Pick<SessionPaths, 'name' | 'local'>, io: IO, since: number): Promise<number> {
  return (await attachOrMissing(server, env, p, io, since)) ?? reportEnd(p, io, since);
}

/** Attaches and reports; null when the session was not running (nothing was shown). */
async function attachOrMissing(server: TmuxServer, env: NodeJS.ProcessEnv, p: Pick<SessionPaths, 'name' | 'local'>, io: IO, since: number): Promise<number | null> {
  const r = await attach(server, env, p.name);
  if (r.missing) return null;
  // Terminated (SIGTERM, or SIGHUP: the terminal is gone): the client has gone, the session runs on; nothing to say.
  if (r.received) return signalExitCode(r.received);
  if (await findHosted(server, env, p.name)) {
    io.err(io.color.dim(`cs: detached; '${p.name}' keeps running — cs ${p.name} attaches, cs ${p.name} -stop ends it`));
    return 0;
  }
  return reportEnd(p, io, since);
}

/**
 * After the session ended: says what its end said (a start step that failed,
 * the last lines of a Claude that failed as it started, the commit) and
 * resolves to the exit code, Claude's status. Nothing, and 0, when last.json
 * is older than `since` (not this run's). For the terminal that attached and
 * for -spawn, which waited instead.
 */
export function reportEnd(p: Pick<SessionPaths, 'name' | 'local'>, io: IO, since: number): number {
  const last = readLast(p);
  if (!last || Date.parse(last.ended) < since - 1000) return 0;
  for (const line of last.lines) io.err(io.color.dim(`cs: ${line}`));
  if (last.startFailed) return 1;
  if (last.stopped) {
    io.err(io.color.dim(`cs: '${p.name}' was stopped (cs ${p.name} -stop)`));
    return 0;
  }
  return last.status;
}

/**
 * `cs <name>` with no options, on a terminal, for a session running in cs's
 * server: attach at once. Resolves to null whenever the full open command
 * must decide instead (options given, no terminal, foreground asked for,
 * not running).
 */
export async function attachIfRunning(name: string, args: readonly string[], env: NodeJS.ProcessEnv, io: IO): Promise<number | null> {
  if (args.length || env.CS_HOST === 'foreground' || !io.stdin.isTTY || !io.isTTY || nameProblem(name) !== null) return null;
  const server = tmuxServer(env);
  if (!fs.existsSync(server.socket)) return null;
  const p = sessionPaths(sessionDir(env, name), name);
  // A digest is shown here only for a running session (one tmux call more, then): else the open
  // command shows it, once, and marks it seen only if the session opened.
  const digest = readQueueDigest(p.dir);
  if (digest && !(await findHosted(server, env, name))) return null;
  const seen = reportQueueDigest(p.dir, io, digest);
  // Straight to attach (one tmux call): tmux itself says when there is no such session.
  const code = await attachOrMissing(server, env, p, io, Date.now());
  if (code === 0) seen();
  return code;
}
