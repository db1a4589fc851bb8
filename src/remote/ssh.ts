// The ssh/et transport. Every program gets an argument array; the only
// string the remote shell parses is built by commandLine() from quoted words.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessError, UserError } from '../lib/errors.js';
import { run, type RunResult } from '../lib/proc.js';
import { which } from '../lib/which.js';
import type { Target } from './hosts.js';
import { commandLine, shellQuote } from '../lib/shell.js';

/** Knobs read from the environment once (CS_SSH, CS_SSH_OPTS, CS_REMOTE_CS, CS_TRANSPORT). */
export interface TransportConfig {
  ssh: string;
  /** Extra ssh options, split on whitespace (never through a shell). */
  sshOpts: string[];
  /** The cs command on the remote side. */
  remoteCs: string;
  /** 'ssh', 'et', or 'auto' (et when installed and usable). */
  transport: 'ssh' | 'et' | 'auto';
}

export function transportConfig(env: NodeJS.ProcessEnv): TransportConfig {
  const t = env.CS_TRANSPORT;
  return {
    ssh: env.CS_SSH?.trim() || 'ssh',
    sshOpts: (env.CS_SSH_OPTS ?? '').split(/\s+/).filter(Boolean),
    remoteCs: env.CS_REMOTE_CS?.trim() || 'cs',
    transport: t === 'ssh' || t === 'et' ? t : 'auto',
  };
}

export interface SshCall {
  /** Allocate a terminal (interactive) or not. */
  tty: boolean;
  /** Never prompt (parallel listing). */
  batch?: boolean;
  connectTimeoutS?: number;
}

/** ssh argv for running `command` (already a remote command line) on the target. */
export function sshArgs(cfg: TransportConfig, t: Target, call: SshCall, command: string): string[] {
  return [
    // The user's options come first: for ssh the first value given wins.
    ...cfg.sshOpts,
    call.tty ? '-t' : '-T',
    ...(call.batch ? ['-o', 'BatchMode=yes'] : []),
    '-o',
    `ConnectTimeout=${call.connectTimeoutS ?? 10}`,
    ...(t.port ? ['-p', String(t.port)] : []),
    '--',
    `${t.user}@${t.host}`,
    command,
  ];
}

/** The -e value for rsync: rsync splits it on spaces and honours single quotes. */
export function rsyncShell(cfg: TransportConfig, t: Target): string {
  const words = [cfg.ssh, ...cfg.sshOpts, '-T', '-o', 'ConnectTimeout=10', ...(t.port ? ['-p', String(t.port)] : [])];
  for (const w of words) {
    if (w.includes("'")) throw new UserError(`cannot pass ${JSON.stringify(w)} to rsync's -e (it contains a single quote)`, 'remove the quote from CS_SSH/CS_SSH_OPTS');
  }
  return words.map(shellQuote).join(' ');
}

/** How to attach interactively: et when installed (and nothing ssh-specific was asked for), else ssh -t. */
export function interactiveArgv(cfg: TransportConfig, t: Target, command: string, env: NodeJS.ProcessEnv): { bin: string; args: string[]; via: 'et' | 'ssh' } {
  const sshSpecific = t.port !== undefined || cfg.sshOpts.length > 0 || cfg.ssh !== 'ssh';
  const et = cfg.transport === 'et' || (cfg.transport === 'auto' && !sshSpecific && which('et', env) !== null);
  // The host was validated (no leading "-"), so et cannot read it as an option.
  if (et) return { bin: 'et', args: ['-c', command, `${t.user}@${t.host}`], via: 'et' };
  return { bin: cfg.ssh, args: sshArgs(cfg, t, { tty: true }, command), via: 'ssh' };
}

/** ssh's own failures exit 255; anything else is the remote command's code. */
export const SSH_FAILED = 255;

/**
 * Runs a command (given as words) on the target and captures its output.
 * `bounded`: the host ends the command itself after `timeoutMs` too
 * (boundedWords), for a question whose answer is no use once cs has
 * stopped waiting for it (-ls --remote).
 */
export async function runRemote(
  cfg: TransportConfig,
  t: Target,
  words: readonly string[],
  opts: { env: NodeJS.ProcessEnv; timeoutMs?: number; batch?: boolean; input?: string; group?: boolean; finishOnSignal?: boolean; bounded?: boolean },
): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const connectTimeoutS = Math.max(1, Math.min(10, Math.ceil(timeoutMs / 2000)));
  const there = opts.bounded ? boundedWords(words, Math.ceil(timeoutMs / 1000)) : words;
  const args = sshArgs(cfg, t, { tty: false, batch: opts.batch, connectTimeoutS }, commandLine(there));
  const started = Date.now();
  // In batch mode ssh never asks on the terminal, so it can run in a group of
  // its own that Ctrl-C ends as a whole (src/lib/proc.ts); otherwise it keeps the
  // terminal for a password question. `group` asks for the group without batch
  // mode: a step after the first contact (--move-to's), which Ctrl-C must end as a whole.
  const r = await run(cfg.ssh, args, { env: opts.env, allowFailure: true, timeoutMs, input: opts.input, group: opts.group ?? opts.batch === true, finishOnSignal: opts.finishOnSignal });
  if (r.code === SSH_FAILED) throw unreachable(t, r.stderr, KEY_REFUSED.test(r.stderr) ? await knownHostsOf(cfg, t, opts.env) : undefined);
  if (r.timedOut || (r.code === 128 && Date.now() - started >= timeoutMs - 50)) throw unreachable(t, `no answer within ${Math.round(timeoutMs / 1000)} s`);
  return r;
}

// Ending ssh here does not end the command there: without a terminal, sshd
// sends it no hang-up, and a command that is not writing never notices the
// connection is gone. So the command runs beside a watchdog that ends it
// (SIGTERM) after $1 seconds; a watchdog no longer needed is ended with its
// sleep. Plain sh, as timeout(1) is not on every host (macOS). An async
// command's stdin would be /dev/null: fd 3 hands it the connection's.
const WATCHDOG = [
  't=$1; shift',
  'exec 3<&0',
  '"$@" <&3 3<&- &',
  'p=$!',
  'exec 3<&-',
  '( trap \'kill "$s" 2>/dev/null; exit 0\' TERM; sleep "$t" & s=$!; wait "$s"; kill -TERM "$p" 2>/dev/null ) </dev/null >/dev/null 2>&1 &',
  'w=$!',
  'wait "$p"; c=$?',
  'kill "$w" 2>/dev/null',
  'exit "$c"',
].join('\n');

/**
 * `words` wrapped so that the host ends them after `seconds` even when the
 * connection that started them is gone (runRemote's `bounded`). The exit
 * code is theirs (143 when the watchdog ended them).
 */
export function boundedWords(words: readonly string[], seconds: number): string[] {
  return ['sh', '-c', WATCHDOG, 'sh', String(Math.max(1, Math.ceil(seconds))), ...words];
}

const KEY_REFUSED = /Host key verification failed/i;

/** Where ssh keeps the host's key, as ssh itself resolves it for the target (knownHostsOf). */
export interface KnownHosts {
  /** The name the key is recorded under: HostKeyAlias, else HostName ([HostName]:port off port 22). */
  name: string;
  /** The first UserKnownHostsFile: where ssh records keys, and looks first. */
  file: string;
}

/**
 * Asks ssh (`ssh -G`, which prints the configuration it would use and
 * connects nowhere) where it keeps the target's host key: the user's ssh
 * config and CS_SSH_OPTS may set UserKnownHostsFile, HostKeyAlias or
 * HostName, and a hint naming ~/.ssh/known_hosts would then act on the
 * wrong file. undefined when ssh cannot say (an ssh without -G).
 */
export async function knownHostsOf(cfg: TransportConfig, t: Target, env: NodeJS.ProcessEnv): Promise<KnownHosts | undefined> {
  const r = await run(cfg.ssh, [...cfg.sshOpts, '-G', ...(t.port ? ['-p', String(t.port)] : []), '--', `${t.user}@${t.host}`], { env, allowFailure: true, timeoutMs: 5000 }).catch(() => null);
  if (!r || r.code !== 0) return undefined;
  const said = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line.trim());
    if (m && !said.has(m[1]!.toLowerCase())) said.set(m[1]!.toLowerCase(), m[2]!);
  }
  const files = said.get('userknownhostsfile');
  const hostname = said.get('hostname');
  if (!files || !hostname) return undefined;
  const port = Number(said.get('port') ?? 22);
  const alias = said.get('hostkeyalias');
  // known_hosts names a host on another port [host]:port (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT).
  return { name: alias && alias !== 'none' ? alias : port !== 22 ? `[${hostname}]:${port}` : hostname, file: firstPath(files) };
}

/**
 * The first of the paths `ssh -G` prints space-separated and unquoted: a
 * path with a space in it is recognised by being there (the file of a key
 * that changed is), else the first word is taken.
 */
function firstPath(list: string): string {
  const words = list.split(' ');
  for (let i = 1; i <= words.length; i++) {
    const candidate = words.slice(0, i).join(' ');
    if (fs.existsSync(candidate)) return candidate;
  }
  return words[0]!;
}

/**
 * The one-line error for a host ssh could not reach (exit 255), `stderr`
 * being ssh's. A host key it refused gets what to run: ssh says why in its
 * own words (OpenSSH: "REMOTE HOST IDENTIFICATION HAS CHANGED" before
 * "Host key verification failed."; an unknown key in batch mode, which cs
 * uses so that ssh never asks on a terminal cs is drawing on, only the latter).
 * `known`: where ssh keeps the key (knownHostsOf); without it, the defaults.
 */
export function unreachable(t: Target, stderr: string, known?: KnownHosts): UserError {
  const line = lastMeaningfulLine(stderr) || 'no answer';
  const where = `${t.label}${t.label !== t.spec ? ` (${t.spec})` : ''}`;
  if (KEY_REFUSED.test(stderr)) {
    // known_hosts names a host on another port [host]:port (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT).
    const name = known?.name ?? (t.port && t.port !== 22 ? `[${t.host}]:${t.port}` : t.host);
    // ssh-keygen -R edits ~/.ssh/known_hosts unless told another file (-f).
    const file = known && known.file !== path.join(os.userInfo().homedir, '.ssh', 'known_hosts') ? ` -f ${shellQuote(known.file)}` : '';
    const ssh = `ssh ${t.port ? `-p ${t.port} ` : ''}${t.user}@${t.host}`;
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED|host key for .* has changed/i.test(stderr)) {
      return new UserError(`cannot reach ${where}: its host key changed since this machine last saw it (a reinstalled host, or someone in between)`, `make sure the new key is right, then forget the old one (ssh-keygen -R '${name.replace(/'/g, `'\\''`)}'${file}) and accept the new one (${ssh}); nothing was changed`);
    }
    return new UserError(`cannot reach ${where}: its host key is not known here yet`, `check and accept it once with: ${ssh}, then try again; nothing was changed`);
  }
  return new UserError(`cannot reach ${where}: ${line}`, 'check the host, your network and ssh keys (CS_SSH_OPTS adds ssh options); nothing was changed');
}

/** The last stderr line that is not one of ssh's routine warnings. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: Permanently added/.test(l) && !/^\*\*/.test(l));
  return lines.pop() ?? '';
}

/**
 * The JSON a remote cs printed on stdout, past whatever came before it: a
 * login script or a wrapper may print first (a chatty .bashrc, nvm's "Now
 * using node ..."), as the probe already allows for. cs prints its JSON
 * starting at the beginning of a line, so each line that starts with "[" or
 * "{" is tried as the start, first to last. undefined when none parses.
 */
export function remoteJson(stdout: string): unknown {
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^[[{]/.test(lines[i]!)) continue;
    try {
      return JSON.parse(lines.slice(i).join('\n'));
    } catch {
      // a line of the noise that looked like JSON: try the next start
    }
  }
  return undefined;
}

/** Turns a failed remote step into a one-line UserError naming the host. */
export function remoteFailure(t: Target, what: string, r: RunResult | ProcessError): UserError {
  const stderr = r instanceof ProcessError ? r.stderr : r.stderr;
  const code = r.code;
  return new UserError(`${what} failed on ${t.label} (exit ${code}): ${lastMeaningfulLine(stderr) || 'no message'}`);
}
