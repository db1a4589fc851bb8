// The one way we run external programs: argument arrays only (never a shell
// string built from input), stderr and exit code captured into ProcessError.
import { spawn } from 'node:child_process';
import { CancelError, ProcessError, UserError } from './errors.js';

/**
 * cs's own secrets that may sit in its environment (CS_SECRETS_PASSWORD,
 * CS_SERVE_TOKEN, and any later CS_*_TOKEN/_PASSWORD/_PASSPHRASE/_SECRET/_KEY):
 * cs reads them; no child ever inherits them (Claude, its Bash tool calls,
 * git, ssh...).
 */
export const CS_SECRET_VAR = /^CS_\w*_(PASSWORD|PASSPHRASE|TOKEN|SECRET|KEY)$/i;

/** The environment for any child process: `env` without cs's own secrets. The one place child environments are built from. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !CS_SECRET_VAR.test(k)) out[k] = v;
  return out;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  /** The run was ended by timeoutMs (code is then 124, as timeout(1) says). */
  timedOut?: boolean;
  /** stdout as bytes, with `bytes` (a binary blob that UTF-8 decoding would mangle). */
  stdoutBytes?: Buffer;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Do not throw on a non-zero exit; the caller inspects `code`. */
  allowFailure?: boolean;
  timeoutMs?: number;
  /**
   * For long-running children (git over the network, rsync, ssh): run in a
   * process group of its own, and end the whole group — the program and
   * whatever it started (git's ssh) — on timeout or when cs gets Ctrl-C,
   * SIGTERM or SIGHUP. An interrupted run rejects with CancelError (exit 130)
   * once the group is gone, so callers clean up after it, not beside it.
   */
  group?: boolean;
  /**
   * With `group`: a Ctrl-C, SIGTERM or SIGHUP does not end the program. For a
   * step that must not be cut off once started (its effect on another machine
   * cannot be told from its interruption); the caller notes the signal itself.
   */
  finishOnSignal?: boolean;
  /** Keep stdout's bytes too (RunResult.stdoutBytes); not with `group`. */
  bytes?: boolean;
}

/** How long a group gets between SIGTERM and SIGKILL. */
const GRACE_MS = 2000;

/** Runs a program to completion and collects its output. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (opts.group) return runGroup(command, args, opts);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: childEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(missingProgram(command));
      else reject(e);
    });
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(out);
      const result = {
        stdout: bytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? (signal ? 128 : 1),
        ...(opts.bytes ? { stdoutBytes: bytes } : {}),
      };
      if (result.code !== 0 && !opts.allowFailure) {
        reject(new ProcessError(command, args, result.code, result.stderr));
      } else resolve(result);
    });
    child.stdin!.on('error', () => {}); // the program may exit before reading input
    child.stdin!.end(opts.input ?? '');
  });
}

function runGroup(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let ending: 'timeout' | NodeJS.Signals | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    const endGroup = (why: 'timeout' | NodeJS.Signals) => {
      if (ending) return;
      ending = why;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), GRACE_MS);
    };
    const onSignal = (sig: NodeJS.Signals) => endGroup(sig);
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const done = () => {
      for (const sig of signals) process.off(sig, onSignal);
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
    };
    // The handlers go in before the program starts: a Ctrl-C between the two
    // would otherwise end cs by default and leave the detached group running.
    // (They run on the event loop, so never before `child` below is set.)
    if (!opts.finishOnSignal) for (const sig of signals) process.on(sig, onSignal);
    let child: ReturnType<typeof spawn>;
    try {
      // detached: the leader of a new process group (and session, so the
      // terminal's Ctrl-C reaches it only through us).
      child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      done();
      return reject(e);
    }
    if (opts.timeoutMs) timer = setTimeout(() => endGroup('timeout'), opts.timeoutMs);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(e.code === 'ENOENT' ? missingProgram(command) : e);
    });
    child.on('close', (code, signal) => {
      done();
      // Whatever the leader left behind in its group goes too.
      killGroup(child.pid, 'SIGKILL');
      if (ending && ending !== 'timeout') return reject(new CancelError(`interrupted: ${command} stopped`));
      const result: RunResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: ending === 'timeout' ? 124 : (code ?? (signal ? 128 : 1)),
        ...(ending === 'timeout' ? { timedOut: true } : {}),
      };
      if (result.code !== 0 && !opts.allowFailure) reject(new ProcessError(command, args, result.code, result.stderr));
      else resolve(result);
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is gone already
  }
}

/**
 * A watchdog for `pid`, a program attached to our terminal: a detached sh
 * that blocks reading a pipe only this process holds the other end of. If
 * we die without stopping the program first (SIGKILL, a crash), the kernel
 * closes our end, the read ends, and the program gets SIGHUP (as if its
 * terminal had closed), then SIGKILL if it is still there 10 s later: otherwise it would go on
 * reading the terminal the shell has taken back. No polling; one sh
 * process, blocked in read(2). Returns how to stop the watchdog (once the
 * program has exited), or undefined when it could not be started (the
 * program then runs as before).
 */
function watchdog(pid: number): (() => void) | undefined {
  try {
    // After the hang-up it looks once a second whether the program has gone, and stops there: a
    // KILL sent blindly 10 s later could hit another process that got its id meanwhile.
    const script = 'read _; kill -s HUP "$1" 2>/dev/null || exit 0; for _ in 1 2 3 4 5 6 7 8 9 10; do sleep 1; kill -0 "$1" 2>/dev/null || exit 0; done; kill -s KILL "$1" 2>/dev/null';
    const dog = spawn('sh', ['-c', script, 'sh', String(pid)], {
      env: childEnv(),
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true, // its own process group: a Ctrl-C meant for the program does not end it
    });
    dog.on('error', () => {});
    dog.stdin!.on('error', () => {});
    // Neither keeps us alive: it is stopped when the program exits.
    dog.unref();
    (dog.stdin as unknown as { unref?: () => void }).unref?.();
    return () => {
      try {
        dog.kill('SIGKILL');
      } catch {
        // gone already
      }
    };
  } catch {
    return undefined;
  }
}

/**
 * Runs a program attached to our terminal (Claude Code, ssh, a tmux client)
 * and resolves with its exit code. While it runs we stay alive to clean up
 * afterwards: SIGTERM and SIGHUP are passed on to it; SIGINT is passed on
 * only when we have no terminal, because on a terminal the child already got
 * it from the tty (passing it again would turn one Ctrl-C into two).
 * `received` is the signal passed on, if any: the caller then ends with
 * 128+signal (signalExitCode), whatever the program's own status says. Should
 * we be killed outright meanwhile, a watchdog hangs it up (watchdog()).
 * `stderr`: the program's stderr comes to this callback instead of the terminal.
 */
export function runAttached(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; onSpawn?: (pid: number) => void; stderr?: (text: string) => void } = {},
): Promise<{ code: number; signal: NodeJS.Signals | null; received: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    let killTimer: NodeJS.Timeout | undefined;
    let received: NodeJS.Signals | null = null;
    const forward = (sig: NodeJS.Signals) => () => {
      if (sig === 'SIGINT' && process.stdin.isTTY) return;
      received ??= sig;
      child.kill(sig);
      // A child that ignores the signal must not keep the session locked forever.
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), 10_000);
    };
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, forward(sig)] as const);
    let stopWatchdog: (() => void) | undefined;
    const cleanup = () => {
      for (const [sig, h] of handlers) process.off(sig, h);
      if (killTimer) clearTimeout(killTimer);
      stopWatchdog?.();
    };
    // Before the child starts, as in runGroup: a signal in between must not end us by default.
    for (const [sig, h] of handlers) process.on(sig, h);
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['inherit', 'inherit', opts.stderr ? 'pipe' : 'inherit'] });
    } catch (e) {
      cleanup();
      return reject(e);
    }
    if (opts.stderr) child.stderr!.on('data', (b: Buffer) => opts.stderr!(b.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(e.code === 'ENOENT' ? missingProgram(command) : e);
    });
    child.on('spawn', () => {
      stopWatchdog = watchdog(child.pid!);
      opts.onSpawn?.(child.pid!);
    });
    // 'close', not 'exit': a piped stderr has then been read to its end.
    child.on('close', (code, signal) => {
      cleanup();
      resolve({ code: code ?? 128 + (signal ? signalNumber(signal) : 0), signal, received });
    });
  });
}

/** The exit status of a process ended by `sig`, as a shell reports it (SIGTERM: 143). */
export function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + signalNumber(sig);
}

function signalNumber(sig: NodeJS.Signals): number {
  const n: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return n[sig] ?? 0;
}

const installHints: Record<string, string> = {
  claude: 'install Claude Code (npm install -g @anthropic-ai/claude-code) or set CLAUDE_CODE_BIN',
  git: 'install git (e.g. apt-get install git) and try again',
  ssh: 'install an ssh client (e.g. apt-get install openssh-client)',
  tmux: 'install tmux (e.g. apt-get install tmux)',
  rsync: 'install rsync (e.g. apt-get install rsync)',
  age: 'install age (e.g. apt-get install age)',
};

export function missingProgram(command: string): UserError {
  const base = command.split('/').pop() ?? command;
  return new UserError(`'${command}' was not found`, installHints[base] ?? `install ${base} or put it on PATH`, 127);
}
