// The one way we run external programs: argument arrays only (never a shell
// string built from input), stderr and exit code captured into ProcessError.
import { spawn, type SpawnOptions } from 'node:child_process';
import { ProcessError, UserError } from './errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Do not throw on a non-zero exit; the caller inspects `code`. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** Runs a program to completion and collects its output. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
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
      const result = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? (signal ? 128 : 1),
      };
      if (result.code !== 0 && !opts.allowFailure) {
        reject(new ProcessError(command, args, result.code, result.stderr));
      } else resolve(result);
    });
    child.stdin!.on('error', () => {}); // the program may exit before reading input
    child.stdin!.end(opts.input ?? '');
  });
}

/** Runs a program attached to our terminal and resolves with its exit code. */
export function runInteractive(
  command: string,
  args: readonly string[],
  opts: Pick<SpawnOptions, 'cwd' | 'env'> & { onSpawn?: (pid: number) => void } = {},
): Promise<{ code: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: 'inherit' });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(missingProgram(command));
      else reject(e);
    });
    child.on('spawn', () => opts.onSpawn?.(child.pid!));
    child.on('exit', (code, signal) => resolve({ code: code ?? 128, signal }));
  });
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
