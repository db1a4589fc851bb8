// Runs the built `cs` (dist/cs.js) as a real process against temp homes.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const csBin = path.join(repoRoot, 'dist', 'cs.js');
export const fakeClaude = path.join(repoRoot, 'test', 'support', 'fake-claude.sh');

export interface Sandbox {
  dir: string;
  home: string;
  root: string;
  env: NodeJS.ProcessEnv;
  /** Where the fake claude writes what it was started with. */
  claudeLog: string;
  cleanup(): void;
}

/** A temp HOME with its own sessions root and the fake claude. */
export function sandbox(extraEnv: NodeJS.ProcessEnv = {}): Sandbox {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-test-')));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  // The user's runtime folder exists before anything runs, as the login made it (XDG Base Directory: 0700).
  fs.mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
  const root = path.join(home, '.claude-sessions');
  const claudeLog = path.join(dir, 'claude.log');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CS_SESSIONS_ROOT: root,
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    CLAUDE_CODE_BIN: fakeClaude,
    FAKE_CLAUDE_LOG: claudeLog,
    NO_COLOR: '1',
    CS_NO_UPDATE_CHECK: '1',
    LANG: 'C.UTF-8',
    // cs's tmux server (hosted sessions, src/host/tmux.ts) private to the sandbox.
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    ...extraEnv,
  };
  return { dir, home, root, env, claudeLog, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface CsResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCs(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string }): Promise<CsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [csBin, ...args], { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Starts `cs` without waiting; for lock and signal tests. */
export function startCs(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): ChildProcess & { done: Promise<CsResult> } {
  const child = spawn(process.execPath, [csBin, ...args], { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b) => (stdout += b));
  child.stderr!.on('data', (b) => (stderr += b));
  const done = new Promise<CsResult>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr })));
  return Object.assign(child, { done });
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Lines the fake claude logged: one JSON object per start. */
export function claudeStarts(sb: Sandbox): Array<{ argv: string[]; cwd: string; env: Record<string, string>; pid: number }> {
  if (!fs.existsSync(sb.claudeLog)) return [];
  return fs.readFileSync(sb.claudeLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
