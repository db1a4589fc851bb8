// Hosted sessions (src/host/): the memory cs itself holds for 20 idle hosted
// sessions (everything but Claude and tmux), and the time `cs <name>` takes
// to attach a terminal to a running session, next to `node -e 0` started the
// same way (in a terminal of a private tmux server, timed until done).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './harness.js';

const csBin = path.resolve('dist/cs.js');
const fakeClaude = path.resolve('test/support/fake-claude.sh');
const SESSIONS = 20;

/** pid → { ppid, rss in kB, comm } for every process (Linux /proc, else ps). */
function processTable(): Map<number, { ppid: number; rssKb: number; comm: string }> {
  const out = new Map<number, { ppid: number; rssKb: number; comm: string }>();
  const ps = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' });
  for (const line of ps.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) out.set(Number(m[1]), { ppid: Number(m[2]), rssKb: Number(m[3]), comm: m[4]!.trim() });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchHost(): Promise<string[]> {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-host-')));
  const runtime = path.join(tmp, 'run');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmp,
    CS_SESSIONS_ROOT: path.join(tmp, 'sessions'),
    CLAUDE_CONFIG_DIR: path.join(tmp, '.claude'),
    CLAUDE_CODE_BIN: fakeClaude,
    FAKE_CLAUDE_SLEEP: '600',
    XDG_RUNTIME_DIR: runtime,
    NO_COLOR: '1',
    CS_NO_UPDATE_CHECK: '1',
    LANG: 'C.UTF-8',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  };
  const csSocket = path.join(runtime, 'cs', 'tmux.sock');
  const outerSocket = path.join(tmp, 'outer.sock');
  const csTmux = (...args: string[]) => execFileSync('tmux', ['-S', csSocket, ...args], { encoding: 'utf8', env });
  const outer = (...args: string[]) => spawnSync('tmux', ['-S', outerSocket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: { ...env, TERM: 'xterm-256color' } });
  try {
    for (let i = 0; i < SESSIONS; i++) {
      const r = spawnSync(process.execPath, [csBin, '-spawn', `idle-${i}`], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cs -spawn idle-${i}: ${r.stderr}`);
    }
    await sleep(1000);
    // cs's own processes: each pane's supervisor and whatever it runs besides
    // Claude (Claude is the supervisor's child running CLAUDE_CODE_BIN).
    const table = processTable();
    const panes = csTmux('list-panes', '-a', '-F', '#{pane_pid}').split('\n').filter(Boolean).map(Number);
    const children = (pid: number) => [...table.entries()].filter(([, p]) => p.ppid === pid).map(([c]) => c);
    let csKb = 0;
    let claudeKb = 0;
    for (const pane of panes) {
      csKb += table.get(pane)?.rssKb ?? 0;
      const walk = (pid: number): number => (table.get(pid)?.rssKb ?? 0) + children(pid).reduce((n, c) => n + walk(c), 0);
      for (const c of children(pane)) claudeKb += walk(c);
    }
    const tmuxServerPid = Number(csTmux('display', '-p', '#{pid}').trim());
    const lines = [
      `${panes.length} idle hosted sessions: cs's own processes ${(csKb / 1024).toFixed(1)} MB RSS in total (${(csKb / panes.length / 1024).toFixed(2)} MB each)  ${csKb / 1024 <= 150 ? 'ok' : 'OVER TARGET'} (target <= 150 MB)`,
      `  for scale, not counted: the stand-in Claude processes ${(claudeKb / 1024).toFixed(1)} MB, cs's tmux server ${((table.get(tmuxServerPid)?.rssKb ?? 0) / 1024).toFixed(1)} MB`,
    ];

    // Attach: time from starting the command in a fresh terminal to cs's server seeing the terminal attached.
    const attachTimes: number[] = [];
    const nodeTimes: number[] = [];
    for (let i = 0; i < 8; i++) {
      let t0 = process.hrtime.bigint();
      outer('new-session', '-d', '-s', `a${i}`, '-x', '120', '-y', '40', process.execPath, csBin, 'idle-0');
      for (;;) {
        if (csTmux('display', '-p', '-t', '=idle-0:', '#{session_attached}').trim() === '1') break;
        await sleep(2);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      csTmux('detach-client', '-s', '=idle-0:');
      for (let w = 0; w < 500 && outer('has-session', '-t', `=a${i}`).status === 0; w++) await sleep(5);
      t0 = process.hrtime.bigint();
      outer('new-session', '-d', '-s', `n${i}`, '-x', '120', '-y', '40', process.execPath, '-e', '0');
      while (outer('has-session', '-t', `=n${i}`).status === 0) await sleep(2);
      const nodeMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i > 0) {
        attachTimes.push(ms);
        nodeTimes.push(nodeMs);
      }
    }
    const a = median(attachTimes);
    const n = median(nodeTimes);
    lines.push(`baseline: node -e 0 in a new terminal = ${n.toFixed(1)} ms`);
    lines.push(`${'cs <name> attaching to a running session'.padEnd(44)} ${a.toFixed(1).padStart(8)} ms  ${(a / n).toFixed(2).padStart(6)}x node -e 0  ${a / n <= 1.5 ? 'ok' : 'OVER TARGET'} (target <= 1.5x)`);
    return lines;
  } finally {
    spawnSync('tmux', ['-S', csSocket, 'kill-server'], { stdio: 'ignore' });
    spawnSync('tmux', ['-S', outerSocket, 'kill-server'], { stdio: 'ignore' });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
