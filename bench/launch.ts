// Where `cs <name>`'s fixed cost goes: a stand-in Claude that exits at once,
// and a `git` first on PATH that logs each call before running the real one,
// give the time from starting cs to Claude starting and from Claude exiting
// to cs exiting, and the git processes in each, for a new session and for
// reopening one (medians of a few runs).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installedHome } from '../test/support/installed-home.js';
import { median, timeCommand } from './harness.js';

const csBin = path.resolve('dist/cs.js');

interface Phase {
  launchMs: number;
  exitMs: number;
  before: string[];
  after: string[];
}

function once(env: NodeJS.ProcessEnv, log: string, name: string): Phase {
  fs.writeFileSync(log, `${BigInt(Date.now()) * 1_000_000n} CS-START\n`);
  const r = spawnSync(process.execPath, [csBin, name, '--', '-p', 'hi'], { env: { ...env, CS_TRACE_LOG: log }, encoding: 'utf8' });
  fs.appendFileSync(log, `${BigInt(Date.now()) * 1_000_000n} CS-END\n`);
  if (r.status !== 0) throw new Error(`cs ${name}: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  const at = lines.findIndex((l) => l.endsWith(' CLAUDE'));
  const ns = (l: string) => Number(BigInt(l.split(' ')[0]!)) / 1e6;
  return { launchMs: ns(lines[at]!) - ns(lines[0]!), exitMs: ns(lines.at(-1)!) - ns(lines[at]!), before: lines.slice(1, at), after: lines.slice(at + 1, -1) };
}

const kinds = (calls: string[]) => {
  const m = new Map<string, number>();
  for (const c of calls) {
    const k = c.split(' ').slice(1, 3).join(' ');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([k, v]) => `${v}x ${k}`).join(', ');
};

export async function benchLaunch(): Promise<string[]> {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-launch-')));
  try {
    const shim = path.join(tmp, 'bin');
    fs.mkdirSync(shim);
    // Every line of the log starts with the wall clock in ns (date +%s%N; Node writes Date.now() in ms as ns).
    fs.writeFileSync(path.join(shim, 'git'), `#!/bin/sh\nprintf '%s git %s\\n' "$(date +%s%N)" "$*" >> "$CS_TRACE_LOG"\nexec ${JSON.stringify(spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim())} "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(shim, 'claude'), `#!/bin/sh\nprintf '%s CLAUDE\\n' "$(date +%s%N)" >> "$CS_TRACE_LOG"\n`, { mode: 0o755 });
    const env = installedHome(tmp, { CS_SECRETS_BACKEND: 'encrypted', CS_HOST: 'foreground', CLAUDE_CODE_BIN: path.join(shim, 'claude'), PATH: `${shim}:${process.env.PATH}` });
    // A git identity, as on a developer's machine (without one each commit first fails, then retries with cs's).
    fs.writeFileSync(path.join(env.HOME!, '.gitconfig'), '[user]\n\tname = Bench\n\temail = bench@example.com\n');
    const log = path.join(tmp, 'trace.log');
    const node = timeCommand('node -e 0', process.execPath, ['-e', '0'], { runs: 5 });
    const lines: string[] = [`baseline: node -e 0 = ${node.medianMs.toFixed(0)} ms (the bash tool's launcher: 0.18 s, from #25)`];
    const report = (label: string, runs: Phase[]) => {
      lines.push(`${label.padEnd(22)} cs -> Claude ${median(runs.map((r) => r.launchMs)).toFixed(0).padStart(5)} ms, ${runs[0]!.before.length} git   Claude exit -> cs exit ${median(runs.map((r) => r.exitMs)).toFixed(0).padStart(5)} ms, ${runs[0]!.after.length} git`);
      lines.push(`  before Claude: ${kinds(runs[0]!.before) || 'none'}`);
      lines.push(`  after Claude: ${kinds(runs[0]!.after) || 'none'}`);
    };
    report('new session', [1, 2, 3].map((i) => once(env, log, `new${i}`)));
    report('reopen a session', [1, 2, 3].map(() => once(env, log, 'new1')));
    return lines;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
