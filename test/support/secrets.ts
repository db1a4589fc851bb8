// Temp homes, sessions and a runner for the -secrets command, in-process
// (parse + run over testIO) or as a real process (test/support/secrets-cli.ts).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, run } from '../../src/commands/secrets.js';
import { errorMessage, exitCodeOf } from '../../src/lib/errors.js';
import { testIO } from './io.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cliEntry = path.join(repoRoot, 'test', 'support', 'secrets-cli.ts');

export interface Home {
  dir: string;
  home: string;
  root: string;
  env: NodeJS.ProcessEnv;
  /** Creates `<root>/<name>/.cs/` and returns the session dir. */
  session(name: string): string;
  cleanup(): void;
}

export function tempHome(extra: NodeJS.ProcessEnv = {}): Home {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-secrets-')));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const root = path.join(home, '.claude-sessions');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, CS_SESSIONS_ROOT: root, NO_COLOR: '1', LANG: 'C.UTF-8', ...extra };
  return {
    dir,
    home,
    root,
    env,
    session(name) {
      const s = path.join(root, name);
      fs.mkdirSync(path.join(s, '.cs', 'local'), { recursive: true });
      return s;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
  error?: unknown;
}

/** parse + run in this process; errors become exit codes as main() would map them. */
export async function secrets(session: string | undefined, args: string[], env: NodeJS.ProcessEnv, input = '', opts: { canPrompt?: boolean } = {}): Promise<Result> {
  const io = testIO(input, opts);
  try {
    const o = parse(args, { session }, env);
    const code = await run(o, { io, env, cwd: env.HOME ?? '/', now: () => new Date('2025-01-02T03:04:05Z') });
    return { code: code ?? 0, stdout: io.stdoutText(), stderr: io.stderrText() };
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    io.err(`cs: ${errorMessage(error)}${hint ? `\n  ${hint}` : ''}`);
    return { code: exitCodeOf(error), stdout: io.stdoutText(), stderr: io.stderrText(), error };
  }
}

export interface Spawned extends Result {
  argv: string[];
}

/** Every argv we spawned in tests, for the leak check. */
export const spawnedArgv: string[][] = [];

export function spawnProgram(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string; timeoutMs?: number } = {}): Promise<Spawned> {
  spawnedArgv.push([cmd, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, argv: [cmd, ...args] }));
    child.stdin.on('error', () => {}); // the program may exit before reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** The -secrets command as a real process: `node --import tsx test/support/secrets-cli.ts <session> args…`. */
export function secretsProcess(session: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Spawned> {
  return spawnProgram(process.execPath, ['--import', 'tsx', cliEntry, session, ...args], { env, input, cwd: repoRoot });
}

/**
 * Runs the command on a real pseudo-terminal (util-linux `script`), typing
 * each answer once its prompt appears. Resolves with the raw transcript.
 */
export function secretsOnTty(session: string, args: string[], env: NodeJS.ProcessEnv, answers: { waitFor: RegExp; send: string }[]): Promise<Spawned> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // A pty made without a parent terminal is 0x0; give it a size so prompts draw normally.
  const command = 'stty cols 120 rows 40; ' + [process.execPath, '--import', 'tsx', cliEntry, session, ...args].map(quote).join(' ');
  const argv = ['script', '-qec', command, '/dev/null'];
  spawnedArgv.push(argv);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...env, CI: '' }, cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    const pending = [...answers];
    child.stdout.on('data', (b) => {
      stdout += b;
      const next = pending[0];
      if (next && next.waitFor.test(stdout.replace(/[\r\n]/g, ''))) {
        pending.shift();
        child.stdin.write(next.send);
      }
    });
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      child.stdin.destroy();
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, argv });
    });
    child.stdin.on('error', () => {});
  });
}
