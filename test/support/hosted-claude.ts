// One fixture for tests that host the real Claude Code in cs's own tmux
// server: a temp home with cs installed, a private runtime dir (so the
// server's socket is the test's own), the scripted fake Anthropic API, one
// session with Claude's first-run screens accepted, and a teardown that
// waits for every process the server started — Claude included — before the
// temp dir is removed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSession } from '../../src/session/workspace.js';
import { descendants, waitGone } from './procs.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptTurn } from './fake-anthropic.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from './claude.js';
import { laptop } from './laptops.js';
import { acceptFirstRun } from './host.js';

export interface HostedClaude {
  tmp: string;
  env: NodeJS.ProcessEnv;
  /** cs's tmux socket for this fixture. */
  socket: string;
  api: FakeAnthropic;
  /** The session's directory. */
  dir: string;
  /** tmux against cs's server here. */
  tmux(...args: string[]): string;
  /** Ends the server, waits (≤ 30 s) for every process it had started, closes the API, removes the temp dir. */
  teardown(): Promise<void>;
}

/**
 * Sets up `session` (created, first run accepted) against a fake API
 * scripted with `turns`. `extra` is merged into the environment last.
 */
export async function hostedClaude(prefix: string, session: string, turns: ScriptTurn[], extra: NodeJS.ProcessEnv = {}): Promise<HostedClaude> {
  const tmp = makeTempDir(prefix);
  const me = laptop(tmp, 'me', path.join(tmp, 'sessions'));
  const runtime = path.join(tmp, 'run');
  fs.mkdirSync(runtime, { mode: 0o700 });
  const socket = path.join(runtime, 'cs', 'tmux.sock');
  const api = await startFakeAnthropic(turns);
  const env: NodeJS.ProcessEnv = { ...offlineClaudeEnv({ home: me.home, configDir: me.env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...me.env, CLAUDE_CODE_BIN: CLAUDE_BIN, XDG_RUNTIME_DIR: runtime, ...extra };
  const s = await createSession(env, session);
  acceptFirstRun(env.CLAUDE_CONFIG_DIR!, 'sk-test', [s.dir]);
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  return {
    tmp,
    env,
    socket,
    api,
    dir: s.dir,
    tmux,
    async teardown() {
      // Collected before the kill: once the supervisor dies, Claude is re-parented and no longer found under the server.
      let pids: number[] = [];
      try {
        pids = descendants(Number(tmux('display-message', '-p', '#{pid}').trim()));
        tmux('kill-server');
      } catch {
        // not running
      }
      await waitGone(pids);
      await api.close();
      fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
    },
  };
}
