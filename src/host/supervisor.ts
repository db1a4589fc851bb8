// Starting a hosted session. The process in the tmux pane is the supervisor:
// a POSIX `sh` that lives exactly as long as Claude, independent of any
// terminal. It runs three things in turn, each in the pane:
//
//   1. dist/host.js start  (Node, exits)  lock, crash recovery, pull, imports,
//      conversation plan; prints the environment and argv for Claude as
//      shell words on stdout (a pipe: nothing of the environment on disk)
//   2. Claude Code, as the shell's child, in the pane's terminal
//   3. dist/host.js end    (Node, exec'd: same pid as the shell, so the lock
//      stays held by a live process) postmortem, transcript export, commit,
//      push, lock release
//
// While Claude runs, cs's only process is that `sh` (about a megabyte), so
// twenty idle sessions cost next to nothing; the hooks run as command hooks
// (the sh fast path of hooks/, then Node when there is work).
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { packageRoot } from '../lib/package-root.js';
import type { SessionPaths } from '../session/paths.js';
import { writeRequest, type StartRequest } from './state.js';
import { prepareServer, target, tmux, tmuxSessionName, type TmuxServer } from './tmux.js';

/**
 * The supervisor. `trap : INT` keeps a Ctrl-C that reaches the whole
 * foreground group (Claude in cooked mode) from killing the shell: it waits
 * for Claude and then does the end of the session.
 */
export const SUPERVISOR_SH = [
  'trap : INT',
  'node=$1 host=$2 name=$3 dir=$4 req=$5',
  'launch=$("$node" "$host" start "$name" "$dir" "$req" "$$") || exit $?',
  'eval "$launch"',
  // cs's own secrets stay with the supervisor (its end needs them), never with Claude and its tool calls.
  '(unset $cs_private; exec "$@")',
  'st=$?',
  'exec "$node" "$host" end "$name" "$dir" "$$" "$st"',
].join('\n');

export function hostScript(): string {
  return path.join(packageRoot(), 'dist', 'host.js');
}

export interface StartOptions {
  request: StartRequest;
  /** Terminal size for the new pane (the attaching terminal's, else 120x40). */
  columns?: number;
  rows?: number;
  node?: string;
}

/**
 * Starts the supervisor for `p` in a new tmux session of cs's server.
 * Throws UserError when the session is already running there, and the
 * UsageError of resolveConversation for a --resume that names no
 * conversation of the session, before anything starts (in the start step it
 * failed the run, which then looked like one that died).
 */
export async function startHosted(server: TmuxServer, env: NodeJS.ProcessEnv, p: SessionPaths, opts: StartOptions): Promise<void> {
  if (opts.request.resume !== undefined && !opts.request.fresh) {
    const { readConversations, resolveConversation } = await import('../conversations/store.js');
    resolveConversation(readConversations(p.dir).conversations, opts.request.resume, p.name);
  }
  prepareServer(server);
  const req = writeRequest(p, opts.request);
  const name = tmuxSessionName(p.name);
  const size = ['-x', String(opts.columns && opts.columns > 10 ? opts.columns : 120), '-y', String(opts.rows && opts.rows > 5 ? opts.rows : 40)];
  const cmd = ['sh', '-c', SUPERVISOR_SH, 'cs-host', opts.node ?? process.execPath, hostScript(), p.name, p.dir, req];
  // One tmux invocation, so the session carries our marks before anyone can list it.
  const r = await tmux(server, ['new-session', '-d', '-s', name, ...size, '-c', p.dir, ...cmd, ';', 'set-option', '-t', target(p.name), '@cs_name', p.name, ';', 'set-option', '-t', target(p.name), '@cs_dir', p.dir], env, true);
  if (r.code !== 0) {
    const { rmSync } = await import('node:fs');
    rmSync(req, { force: true });
    if (/duplicate session/.test(r.stderr)) throw new UserError(`'${p.name}' is already running`, `attach with: cs ${p.name}`);
    throw new UserError(`tmux could not start the session: ${r.stderr.trim() || `exit ${r.code}`}`, 'check it with: cs -doctor');
  }
}
