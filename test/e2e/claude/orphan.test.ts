// `cs <name>` killed outright (kill -9) while the real Claude Code TUI runs in
// it, in a real terminal (tmux): Claude must not go on reading the terminal
// the shell has taken back. A watchdog (src/lib/proc.ts) hangs it up. (Where
// the terminal's own leader exits too, the kernel hangs up the foreground
// group anyway: the shell here stays, as an interactive one would.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/session/workspace.js';
import { pidAlive } from '../../../src/lib/lockfile.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { csBin } from '../../support/cs.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { hasTmux, startTerminal } from '../../support/tmux.js';
import { laptop, type Laptop } from '../../support/laptops.js';
import { descendants, parentOf, waitGone } from '../../support/procs.js';
import { acceptFirstRun } from '../../support/host.js';

let tmp: string;
let api: FakeAnthropic;
let a: Laptop;

beforeAll(async () => {
  tmp = makeTempDir('cs-orphan-');
  a = laptop(tmp, 'a', path.join(tmp, 'a', 'sessions'));
  api = await startFakeAnthropic(['Hello.']);
});

afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The process whose command line starts with `argv`, among `pids`. */
function withCmdline(pids: number[], argv: string[]): number | undefined {
  return pids.find((pid) => {
    try {
      const has = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.every((a, i) => has[i] === a);
    } catch {
      return false;
    }
  });
}

describe.skipIf(!hasTmux())('cs killed outright while Claude runs in the terminal (foreground)', () => {
  it('takes Claude Code down with it: SIGHUP, as a closed terminal would', { timeout: 120_000 }, async () => {
    const s = await createSession(a.env, 'demo');
    const configDir = a.env.CLAUDE_CONFIG_DIR!;
    acceptFirstRun(configDir, 'sk-test', [s.dir]);
    // In the terminal itself (a hosted session runs in cs's tmux server, where it is meant to outlive the terminal).
    const env = { ...offlineClaudeEnv({ home: a.home, configDir, baseUrl: api.url }), ...a.env, CLAUDE_CODE_BIN: CLAUDE_BIN, CS_HOST: 'foreground' };
    // As from a shell that takes the terminal back: its leader lives on, so the kernel hangs nothing up itself.
    const term = startTerminal(['sh', '-c', '"$@"; sleep 60', 'sh', process.execPath, csBin, 'demo'], { env, cwd: a.home, width: 120, height: 40 });
    let claude: number | undefined;
    try {
      await term.waitFor((sc) => /❯|>\s*$/m.test(sc) && !/trust/i.test(sc), 'the Claude prompt', 60_000);
      // The tmux server is a daemon, not one of ours: every process is looked at.
      const all = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
      const cs = withCmdline(all, [process.execPath, csBin, 'demo']);
      expect(cs).toBeDefined();
      const children = descendants(cs!).filter((pid) => parentOf(pid) === cs);
      claude = children.find((pid) => /claude/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!));
      expect(claude, `the Claude Code process under cs, among ${children.map((c) => fs.readFileSync(`/proc/${c}/cmdline`, 'utf8')).join(' | ')}`).toBeDefined();
      process.kill(cs!, 'SIGKILL');
      await waitGone([claude!], 15_000);
      expect(pidAlive(claude!), 'Claude Code still running after cs was killed').toBe(false);
    } finally {
      if (claude && pidAlive(claude)) process.kill(claude, 'SIGKILL');
      await term.end();
    }
  });
});
