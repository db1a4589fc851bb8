// A real terminal for tests: one private tmux server (its own socket and
// no user config) running one command in a fixed-size pane. The pane stays
// after the command exits so its last screen and exit status can be read.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { descendants, waitGone } from './procs.js';

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Terminal {
  /** Named keys as tmux knows them: Enter, Tab, Down, Escape, C-c. */
  keys(...keys: string[]): void;
  /** Literal text, typed as is. */
  type(text: string): void;
  /** The visible screen; with escapes, the colour codes too. */
  screen(opts?: { escapes?: boolean }): string;
  /** Everything the pane printed, scrolled-off lines included (up to 5000 lines). */
  output(): string;
  /** Waits (bounded) until the screen satisfies check; returns that screen. */
  waitFor(check: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** null while the command runs, else its exit status. */
  exitStatus(): number | null;
  waitForExit(timeoutMs?: number): Promise<number>;
  close(): void;
  /** close(), then waits (≤ 30 s) for every process the terminal had started — before its files are removed. */
  end(): Promise<void>;
}

export function startTerminal(command: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; width?: number; height?: number }): Terminal {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-tmux-'));
  // A socket inside our temp dir: a private server, and nothing left behind in /tmp/tmux-<uid>.
  const socket = path.join(dir, 'sock');
  const conf = path.join(dir, 'tmux.conf');
  fs.writeFileSync(conf, 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 5000\n');
  // The server takes its environment from the client that starts it.
  const env: NodeJS.ProcessEnv = { ...opts.env, TERM: 'xterm-256color' };
  delete env.TMUX;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-S', socket, '-f', conf, ...args], { env, encoding: 'utf8', timeout: 10_000 });
  // tmux's #{pane_dead_status} is not reliably filled in (3.3a): the wrapper records the status itself.
  const statusFile = path.join(dir, 'status');
  const wrapped = ['sh', '-c', '"$@"; echo $? > "$CS_TEST_STATUS"', 'sh', ...command];
  tmux('new-session', '-d', '-s', 't', '-x', String(opts.width ?? 120), '-y', String(opts.height ?? 30), '-c', opts.cwd ?? dir, '-e', `CS_TEST_STATUS=${statusFile}`, ...wrapped);
  const screen = (o: { escapes?: boolean } = {}) => tmux('capture-pane', '-p', '-t', 't', ...(o.escapes ? ['-e'] : []));
  const exitStatus = () => {
    const text = fs.existsSync(statusFile) ? fs.readFileSync(statusFile, 'utf8') : '';
    return text.endsWith('\n') ? Number(text) : null;
  };
  const until = async <T>(probe: () => T | undefined, what: string, timeoutMs: number, last: () => string): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${last()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const close = () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return {
    keys: (...keys) => void tmux('send-keys', '-t', 't', ...keys),
    type: (text) => void tmux('send-keys', '-t', 't', '-l', text),
    screen,
    output: () => tmux('capture-pane', '-p', '-S', '-', '-t', 't'),
    waitFor: (check, what, timeoutMs = 10_000) =>
      until(
        () => {
          const s = screen();
          return check(s) ? s : undefined;
        },
        what,
        timeoutMs,
        () => screen(),
      ),
    exitStatus,
    waitForExit: (timeoutMs = 10_000) => until(() => exitStatus() ?? undefined, 'the command to exit', timeoutMs, () => screen()),
    close,
    async end() {
      let pids: number[] = [];
      try {
        pids = descendants(Number(tmux('display-message', '-p', '#{pid}').trim()));
      } catch {
        // the server is gone already
      }
      close();
      await waitGone(pids);
    },
  };
}
