// Run the real Claude Code CLI (node_modules/.bin/claude) offline against the
// fake Anthropic API in test/support/fake-anthropic.ts.
//
// Verified with Claude Code 2.1.330: with the env below, `claude -p` makes no
// connection other than to ANTHROPIC_BASE_URL (checked with strace), needs no
// onboarding, and exits by itself when the scripted turns end.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The Claude Code under test: the pinned dev dependency, or CS_TEST_CLAUDE_BIN (CI also runs the hook facts against the latest release). */
export const CLAUDE_BIN = process.env.CS_TEST_CLAUDE_BIN || path.join(REPO_ROOT, 'node_modules', '.bin', 'claude');

/** The environment that keeps Claude Code offline, quiet and non-interactive. */
export function offlineClaudeEnv(opts: { home: string; configDir?: string; baseUrl: string }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    SHELL: fs.existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: os.tmpdir(),
    HOME: opts.home,
    CLAUDE_CONFIG_DIR: opts.configDir ?? path.join(opts.home, '.claude'),
    ANTHROPIC_BASE_URL: opts.baseUrl,
    ANTHROPIC_API_KEY: 'sk-test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
    CLAUDE_CODE_DISABLE_AUTO_MEMORY: '1',
    NO_COLOR: '1',
  };
}

export interface RunClaudeOptions {
  /** Working directory (the workspace Claude works in). */
  cwd: string;
  /** Temp HOME; CLAUDE_CONFIG_DIR defaults to <home>/.claude. */
  home: string;
  /** Given right after -p; omitted, the test puts it in `args` (or gives none). */
  prompt?: string;
  /** Pass the prompt last, after `--` (as cs passes a hosted session's first prompt), not right after -p. */
  promptLast?: boolean;
  /** Fake API URL; may also be given as env.ANTHROPIC_BASE_URL. */
  baseUrl?: string;
  /** Extra env for the claude process (wins over the defaults). The parent env is NOT inherited (except PATH). */
  env?: Record<string, string | undefined>;
  /** Passed as `--settings <file>`. */
  settingsFile?: string;
  /** Extra CLI args. Default adds `--allowedTools Write,Edit,Bash` unless args already contain --allowedTools. */
  args?: string[];
  /** Data written to stdin (default: none, stdin closed). */
  stdin?: string;
  /** Kill (SIGKILL, whole process group) after this long. Default 30 s. */
  timeoutMs?: number;
}

export interface RunClaudeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export function runClaude(opts: RunClaudeOptions): Promise<RunClaudeResult> {
  const baseUrl = opts.baseUrl ?? opts.env?.ANTHROPIC_BASE_URL;
  if (!baseUrl) throw new Error('runClaude: baseUrl (or env.ANTHROPIC_BASE_URL) is required');
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(baseUrl)) {
    throw new Error(`runClaude: refusing non-loopback base URL ${baseUrl}`);
  }
  const env: Record<string, string> = offlineClaudeEnv({ home: opts.home, baseUrl });
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const extra = opts.args ?? [];
  const args = ['-p', ...(opts.prompt !== undefined && !opts.promptLast ? [opts.prompt] : [])];
  if (!extra.includes('--allowedTools') && !extra.includes('--allowed-tools')) args.push('--allowedTools', 'Write,Edit,Bash');
  if (opts.settingsFile) args.push('--settings', opts.settingsFile);
  args.push(...extra);
  if (opts.promptLast && opts.prompt !== undefined) args.push('--', opts.prompt);
  const timeoutMs = opts.timeoutMs ?? 30_000;

  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE_BIN, args, { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** A fresh temp dir (realpath, so it matches what Claude Code sees as cwd). */
export function makeTempDir(prefix = 'cs-test-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export interface TempHome {
  home: string;
  /** <home>/.claude, created; use as CLAUDE_CONFIG_DIR. */
  configDir: string;
  cleanup(): void;
}

/** A temp HOME with an empty .claude config dir inside. */
export function makeTempHome(): TempHome {
  const home = makeTempDir('cs-home-');
  const configDir = path.join(home, '.claude');
  fs.mkdirSync(configDir, { recursive: true });
  return { home, configDir, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------
// Hook capture: a settings file whose command hooks run a tiny sh script that
// stores each invocation's stdin and selected env vars in its own directory.

export interface HookCall {
  event: string;
  payload: any;
  /** Raw stdin text. */
  raw: string;
  /** Selected env vars as the hook saw them (unset ones are absent). */
  env: Record<string, string>;
  /** Directory name: <ns-timestamp>-<pid>-<event>, so sorting gives call order. */
  id: string;
}

export interface HookCapture {
  settingsFile: string;
  dir: string;
  calls(): HookCall[];
  byEvent(event: string): HookCall[];
}

export interface HookCaptureOptions {
  /** Where to put the script, settings file and captured calls. */
  dir: string;
  /** Events to capture, each with an optional matcher (default: all tools / all). */
  events: Array<string | { event: string; matcher?: string; async?: boolean; timeout?: number }>;
  /** Extra settings merged at the top level (e.g. permissions). */
  extraSettings?: Record<string, unknown>;
  /** Env vars the script records (CLAUDE_PROJECT_DIR, CLAUDE_ENV_FILE and every CLAUDE_SESSION_* always). */
  envVars?: string[];
  /** Optional sh snippet run after capturing; stdin is in "$d/stdin.json". Its stdout is the hook's output. */
  respond?: string;
}

export function captureHooks(opts: HookCaptureOptions): HookCapture {
  const callsDir = path.join(opts.dir, 'calls');
  fs.mkdirSync(callsDir, { recursive: true });
  const script = path.join(opts.dir, 'capture.sh');
  const vars = ['CLAUDE_PROJECT_DIR', 'CLAUDE_ENV_FILE', ...(opts.envVars ?? [])];
  const lines = [
    '#!/bin/sh',
    `ev="$1"`,
    `d="${callsDir}/$(date +%s%N)-$$-$ev"`,
    'mkdir -p "$d"',
    'cat > "$d/stdin.json"',
    ...vars.map((v) => `[ -n "\${${v}+x}" ] && printf '%s=%s\\n' ${v} "$${v}" >> "$d/env.txt"`),
    `env | grep '^CLAUDE_SESSION_' >> "$d/env.txt"`,
    opts.respond ?? '',
    'exit 0',
    '',
  ];
  fs.writeFileSync(script, lines.join('\n'), { mode: 0o755 });
  const hooks: Record<string, unknown[]> = {};
  for (const e of opts.events) {
    const spec = typeof e === 'string' ? { event: e } : e;
    const hook: Record<string, unknown> = { type: 'command', command: `sh ${script} ${spec.event}` };
    if (spec.async) hook.async = true;
    if (spec.timeout !== undefined) hook.timeout = spec.timeout;
    const entry: Record<string, unknown> = { hooks: [hook] };
    if (spec.matcher !== undefined) entry.matcher = spec.matcher;
    (hooks[spec.event] ??= []).push(entry);
  }
  const settingsFile = path.join(opts.dir, 'settings.json');
  fs.writeFileSync(settingsFile, JSON.stringify({ ...(opts.extraSettings ?? {}), hooks }, null, 2));

  const calls = (): HookCall[] =>
    fs
      .readdirSync(callsDir)
      .sort((a, b) => (BigInt(a.split('-')[0]!) < BigInt(b.split('-')[0]!) ? -1 : 1))
      .map((name) => {
        const d = path.join(callsDir, name);
        const raw = fs.existsSync(path.join(d, 'stdin.json')) ? fs.readFileSync(path.join(d, 'stdin.json'), 'utf8') : '';
        let payload: any;
        try {
          payload = JSON.parse(raw);
        } catch {
          payload = undefined;
        }
        const env: Record<string, string> = {};
        const envFile = path.join(d, 'env.txt');
        if (fs.existsSync(envFile)) {
          for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
            const i = line.indexOf('=');
            if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
          }
        }
        return { event: name.split('-').slice(2).join('-'), payload, raw, env, id: name };
      });
  return { settingsFile, dir: opts.dir, calls, byEvent: (ev) => calls().filter((c) => c.event === ev) };
}
