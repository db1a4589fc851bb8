// cs's own tmux server: every hosted session runs there, one tmux session per
// cs session. Its socket lives in the user's runtime directory and it reads
// only cs's minimal config (never ~/.tmux.conf), so the user's own tmux
// server and settings are never involved. `-u` always: ssh logins often carry
// a locale that does not say UTF-8, and Claude's screen is then drawn with
// `_` and `qqq` (DESIGN.md, "Hosting and remote control").
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { run, runAttached, type RunResult } from '../lib/proc.js';
import { which } from '../lib/which.js';

/**
 * The key that detaches a terminal from a hosted session, without a prefix.
 * cs's server has no prefix key at all: Ctrl-B is Claude Code's own key (run
 * a command in the background), and inside the user's tmux their prefix must
 * reach their server. Ctrl-\ is unused by Claude Code's TUI.
 */
export const DETACH_KEY = 'C-\\';
export const DETACH_KEY_LABEL = 'Ctrl-\\';

/** cs's tmux config: no status bar (no double bar inside the user's tmux), no prefix, Esc passed at once. */
export const TMUX_CONF = [
  '# cs: the tmux server that hosts Claude Code sessions (written by cs; edits are overwritten)',
  'set -g prefix None',
  'set -g prefix2 None',
  'unbind -a -T prefix',
  `bind -n '${DETACH_KEY}' detach-client`,
  'set -g status off',
  'set -g escape-time 0',
  'set -g history-limit 10000',
  'set -g mouse off',
  'set -g set-titles off',
  'set -g remain-on-exit off',
  'set -g exit-empty on',
  'set -g destroy-unattached off',
  'set -g window-size latest',
  'set -g default-terminal tmux-256color',
  'set -g focus-events on',
  '',
].join('\n');

export interface TmuxServer {
  socket: string;
  conf: string;
}

/**
 * Where cs's server lives: `$XDG_RUNTIME_DIR/cs/tmux.sock`, else
 * `${TMUX_TMPDIR:-/tmp}/cs-<uid>/tmux.sock` (a 0700 directory of ours).
 */
export function tmuxServer(env: NodeJS.ProcessEnv): TmuxServer {
  const runtime = env.XDG_RUNTIME_DIR && path.isAbsolute(env.XDG_RUNTIME_DIR) ? path.join(env.XDG_RUNTIME_DIR, 'cs') : path.join(env.TMUX_TMPDIR || os.tmpdir(), `cs-${os.userInfo().uid}`);
  return { socket: path.join(runtime, 'tmux.sock'), conf: path.join(runtime, 'tmux.conf') };
}

/** Writes the config (when it differs) and the 0700 directory the socket needs. */
export function prepareServer(server: TmuxServer): void {
  const dir = path.dirname(server.socket);
  ensureDir(dir, 0o700);
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== os.userInfo().uid) throw new Error(`${dir} is not a directory of this user's; remove it or set XDG_RUNTIME_DIR`);
  let current = '';
  try {
    current = fs.readFileSync(server.conf, 'utf8');
  } catch {
    // first use
  }
  if (current !== TMUX_CONF) writeFileAtomic(server.conf, TMUX_CONF, 0o600);
}

/**
 * The environment for a tmux client of cs's server: TMUX unset, or tmux
 * refuses to start inside the user's own tmux ("sessions should be nested
 * with care"); we talk to a different server, so nesting is what we mean.
 */
export function clientEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.TMUX;
  delete out.TMUX_PANE;
  return out;
}

function baseArgs(server: TmuxServer): string[] {
  return ['-u', '-S', server.socket, '-f', server.conf];
}

/** Runs one tmux command against cs's server and collects its output; `input` goes to its stdin. */
export function tmux(server: TmuxServer, args: readonly string[], env: NodeJS.ProcessEnv, allowFailure = false, input?: string): Promise<RunResult> {
  return run('tmux', [...baseArgs(server), ...args], { env: clientEnv(env), allowFailure, timeoutMs: 10_000, input });
}

/** tmux is on PATH (looked up like execvp would; starting it would cost a process on every open). */
export function hasTmux(env: NodeJS.ProcessEnv): boolean {
  return which('tmux', env) !== null;
}

/**
 * The tmux session for a cs session. tmux gives "." and ":" a meaning in
 * targets; cs names never hold "~", so "." → "~" keeps names apart
 * ("a.b" and "a_b" are two sessions).
 */
export function tmuxSessionName(name: string): string {
  return name.replace(/\./g, '~');
}

/**
 * An exact target: "=" stops tmux from matching a prefix of another
 * session's name; the ":" makes it a session target for every command
 * (tmux 3.3 reads "=name" alone as a pane for set-option and send-keys).
 */
export function target(name: string): string {
  return `=${tmuxSessionName(name)}:`;
}

export interface HostedSession {
  /** The cs session name. */
  name: string;
  /** Its workspace directory (recorded when it started). */
  dir: string;
  /** Terminals attached right now. */
  attached: number;
  /** When the tmux session was created. */
  created: Date;
  /** The pid of the process in the pane: the supervisor. */
  panePid: number;
}

const FORMAT = '#{session_name}\t#{session_attached}\t#{session_created}\t#{pane_pid}\t#{@cs_name}\t#{@cs_dir}';

/** Every session running in cs's server (none when the server is not running). */
export async function listHosted(server: TmuxServer, env: NodeJS.ProcessEnv): Promise<HostedSession[]> {
  if (!fs.existsSync(server.socket)) return [];
  const r = await tmux(server, ['list-panes', '-a', '-F', FORMAT], env, true);
  if (r.code !== 0) return []; // "no server running": a socket left by a server that ended
  const out: HostedSession[] = [];
  for (const line of r.stdout.split('\n')) {
    const [, attached, created, pid, name, dir] = line.split('\t');
    if (!name || !dir) continue; // not one of ours
    out.push({ name, dir, attached: Number(attached) || 0, created: new Date(Number(created) * 1000), panePid: Number(pid) || 0 });
  }
  return out;
}

/** The hosted session of this name, if it is running. */
export async function findHosted(server: TmuxServer, env: NodeJS.ProcessEnv, name: string): Promise<HostedSession | null> {
  return (await listHosted(server, env)).find((s) => s.name === name) ?? null;
}

/**
 * Attaches this terminal to a hosted session and resolves when the terminal
 * detaches or the session ends. Inside the user's own tmux this runs nested
 * in their pane: cs's server shows no status bar and takes no prefix, so
 * their prefix keeps working for their tmux. `missing`: there was no such
 * session (tmux's own message is then kept back for the caller to decide).
 * The client is a child like Claude in the foreground (runAttached): SIGTERM
 * or SIGHUP to cs ends it (`received` names the signal), the session runs on;
 * the terminal's Ctrl-C is a key for Claude (tmux has the tty raw).
 */
export async function attach(server: TmuxServer, env: NodeJS.ProcessEnv, name: string): Promise<{ code: number; missing: boolean; received: NodeJS.Signals | null }> {
  let err = '';
  // The terminal is stdin/stdout; stderr carries only tmux's error messages.
  const r = await runAttached('tmux', [...baseArgs(server), 'attach-session', '-t', target(name)], { env: clientEnv(env), stderr: (text) => (err += text) });
  const missing = r.code !== 0 && !r.received && /can't find session|no server running|no sessions|error connecting/.test(err);
  if (!missing && !r.received && err) process.stderr.write(err);
  return { code: r.code, missing, received: r.received };
}
