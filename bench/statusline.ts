// The status line's render (hooks/statusline on the sample status JSON, in a
// real session with a git repo), next to `sh -c :` and `node -e 0`. Target:
// median render <= 10 ms on this machine.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSession } from '../src/session/workspace.js';
import { ratioLine, timeCommand } from './harness.js';

const RUNS = 40;

export async function benchStatusLine(): Promise<string[]> {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-sl-')));
  try {
    const env = { ...process.env, HOME: tmp, CS_SESSIONS_ROOT: path.join(tmp, 'sessions') };
    const p = await createSession(env, 'bench');
    fs.writeFileSync(path.join(p.dir, 'changed.txt'), 'x');
    fs.writeFileSync(path.join(p.local, 'status.json'), '{"state":"working","event":"PreToolUse","ms":1}\n');
    execFileSync('git', ['-C', p.dir, 'status'], { stdio: 'ignore' });
    const now = Math.floor(Date.now() / 1000);
    const input = fs
      .readFileSync('test/fixtures/statusline/claude-2.1.330.json', 'utf8')
      .split('@@SESSION_DIR@@')
      .join(p.dir)
      .replace(/"@@NOW\+(\d+)@@"/g, (_m, s) => String(now + Number(s)));
    const slEnv = { PATH: process.env.PATH, CLAUDE_SESSION_NAME: 'bench', CLAUDE_SESSION_DIR: p.dir };
    const sh = timeCommand('sh -c :', 'sh', ['-c', ':'], { runs: RUNS });
    const node = timeCommand('node -e 0', process.execPath, ['-e', '0'], { runs: 10 });
    const line = timeCommand('status line render', path.resolve('hooks/statusline'), [], { runs: RUNS, env: slEnv, input });
    const verdict = line.medianMs <= 10 ? 'ok (target <= 10 ms)' : 'OVER TARGET (<= 10 ms)';
    return [ratioLine(line, sh), `${ratioLine(line, node)} ${verdict}`];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
