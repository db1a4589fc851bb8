// cs -version and cs -ls with generated sessions, next to `node -e 0`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ratioLine, statFloor, timeCommand, type Sample } from './harness.js';

const csBin = path.resolve('dist/cs.js');

/** Makes `count` sessions by copying one real-looking workspace (no git: -ls never reads it). */
export function generateSessions(root: string, count: number): void {
  fs.mkdirSync(root, { recursive: true });
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `session-${String(i).padStart(5, '0')}`);
    fs.mkdirSync(path.join(dir, '.cs/artifacts'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.cs/logs'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.cs/local'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'CLAUDE.md'), '# Session\n');
    fs.writeFileSync(path.join(dir, '.cs/README.md'), `# s${i}\n\n## Objective\nFind bug ${i}\n`);
    fs.writeFileSync(path.join(dir, '.cs/discoveries.md'), '# Discoveries\n\n## 2026-11-01 a\nx\n## 2026-11-02 b\ny\n');
    fs.writeFileSync(path.join(dir, '.cs/artifacts/MANIFEST.json'), '[]\n');
    fs.writeFileSync(path.join(dir, '.cs/artifacts/run.sh'), 'echo hi\n');
    fs.writeFileSync(path.join(dir, '.cs/logs/session.log'), `[2026-11-0${(i % 9) + 1} 10:00:00] session start\n`);
  }
}

export async function benchCli(): Promise<string[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
  try {
    const lines: string[] = [];
    const node = timeCommand('node -e 0', process.execPath, ['-e', '0'], { runs: 21 });
    lines.push(`baseline: node -e 0 = ${node.medianMs.toFixed(1)} ms`);
    const version = timeCommand('cs -version', process.execPath, [csBin, '-version'], { runs: 21 });
    lines.push(ratioLine(version, node, { max: 1.3 }));
    const counts = [250, 500, 1000];
    const ls: Sample[] = [];
    for (const n of counts) generateSessions(path.join(tmp, `root-${n}`), n);
    // Sessions changed in the last 2 s are summarized afresh each time and not cached (the
    // cache's racy window, src/session/summary.ts): timed once they are older, as a user's are.
    await new Promise((r) => setTimeout(r, 2100));
    for (const n of counts) {
      const env = { ...process.env, CS_SESSIONS_ROOT: path.join(tmp, `root-${n}`), HOME: tmp, NO_COLOR: '1' };
      ls.push(timeCommand(`cs -ls (${n} sessions)`, process.execPath, [csBin, '-ls'], { runs: 11, env }));
    }
    for (const [i, s] of ls.entries()) lines.push(ratioLine(s, node, counts[i] === 1000 ? { max: 3 } : undefined));
    // Linear: the per-session cost above node start-up stays about the same.
    const perSession = ls.map((s, i) => (s.medianMs - node.medianMs) / counts[i]!);
    lines.push(`cs -ls cost per session above start-up: ${perSession.map((x) => `${(x * 1000).toFixed(0)} µs`).join(' / ')} (250 / 500 / 1000: flat means linear)`);
    // 10,000 sessions: the first listing reads every session and writes the cache
    // (src/session/summary.ts); later ones stat each session and read the cache.
    const big = path.join(tmp, 'root-10000');
    generateSessions(big, 10_000);
    const env = { ...process.env, CS_SESSIONS_ROOT: big, HOME: tmp, NO_COLOR: '1' };
    const cold = timeCommand('cs -ls (10,000 sessions, no cache yet)', process.execPath, [csBin, '-ls'], { runs: 1, env, warmup: false });
    await new Promise((r) => setTimeout(r, 2100)); // past the cache's racy window for the newest sessions
    const warm = timeCommand('cs -ls (10,000 sessions)', process.execPath, [csBin, '-ls'], { runs: 7, env });
    // What a listing current with every session must look at, whatever it caches: per session
    // the paths its row depends on that exist here (STAMPED, src/session/summary.ts): the session
    // log (last used), .cs (markers), README (objective), discoveries, the artifacts and local
    // folders (status, lock).
    const stamped = ['logs/session.log', '', 'README.md', 'discoveries.md', 'artifacts', 'local'];
    const looked = fs.readdirSync(big).flatMap((name) => stamped.map((f) => path.join(big, name, '.cs', f)));
    const floor = statFloor(`floor: Node start + ${looked.length.toLocaleString('en-US')} stats`, looked, tmp, 7);
    lines.push(ratioLine(cold, node));
    lines.push(ratioLine(warm, node, { max: 5 }));
    lines.push(ratioLine(floor, node));
    return lines;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
