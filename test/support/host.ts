// Helpers for hosted-session tests: a sandbox whose cs tmux server is private
// (XDG_RUNTIME_DIR inside the sandbox), terminals running the built cs, and
// the way to end that server when a test is done.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { csBin, runCs, sandbox, type Sandbox } from './cs.js';
import { startTerminal, type Terminal } from './tmux.js';

export interface HostSandbox extends Sandbox {
  /** cs's tmux socket in this sandbox. */
  socket: string;
  /** A terminal running `cs <args>` with the sandbox environment. */
  terminal(args: string[], extra?: NodeJS.ProcessEnv): Terminal;
  live(): Promise<Array<{ name: string; state: string; attached: number; running: boolean; conversation: string | null; postmortem?: string }>>;
  /** tmux against cs's server in this sandbox. */
  csTmux(...args: string[]): string;
  close(): void;
}

export function hostSandbox(extra: NodeJS.ProcessEnv = {}): HostSandbox {
  const sb = sandbox({
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.invalid',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.invalid',
    ...extra,
  });
  const runtime = sb.env.XDG_RUNTIME_DIR!;
  const socket = path.join(runtime, 'cs', 'tmux.sock');
  const terminals: Terminal[] = [];
  const csTmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 10_000 });
  return {
    ...sb,
    socket,
    terminal(args, more = {}) {
      const t = startTerminal([process.execPath, csBin, ...args], { env: { ...sb.env, ...more }, cwd: sb.dir });
      terminals.push(t);
      return t;
    },
    async live() {
      const r = await runCs(['-live', '--json'], { env: sb.env });
      if (r.code !== 0) throw new Error(`cs -live failed: ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    csTmux,
    close() {
      for (const t of terminals) t.close();
      try {
        csTmux('kill-server');
      } catch {
        // not running
      }
      sb.cleanup();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The fake claude's recorded starts (test/support/fake-claude.sh). */
export function claudeStarts(log: string): Array<{ argv: string[]; pid: number; env: Record<string, string> }> {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Pre-accepts Claude Code's first-run screens for `dirs` (DESIGN.md: checked with 2.1.330). */
export function acceptFirstRun(configDir: string, apiKey: string, dirs: string[]): void {
  const file = path.join(configDir, '.claude.json');
  const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  state.hasCompletedOnboarding = true;
  state.customApiKeyResponses = { approved: [apiKey.trim().slice(-20)], rejected: [] };
  state.projects = { ...(state.projects ?? {}), ...Object.fromEntries(dirs.map((d) => [d, { hasTrustDialogAccepted: true }])) };
  fs.writeFileSync(file, JSON.stringify(state, null, 2));
}

/** What a drained queue leaves in a session's journal (src/queue/queue.ts changeQueue): the next open's digest says "1 task done, queue drained". */
export function drainedJournal(dir: string): void {
  const ts = new Date().toISOString();
  const lines = [{ type: 'task', id: 1 }, { type: 'done', id: 1 }, { type: 'drained' }].map((e) => JSON.stringify({ ts, ...e }) + '\n');
  fs.mkdirSync(path.join(dir, '.cs', 'queue'), { recursive: true });
  fs.appendFileSync(path.join(dir, '.cs', 'queue', 'journal.jsonl'), lines.join(''));
}
