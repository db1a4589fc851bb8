// Two cs -serve processes (a phone page and a laptop tab on another server)
// may answer the same permission request at the same moment: exactly one
// answer counts, and the other side is told it came too late. Real
// processes racing on the real files.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holdRequest, readDecision } from '../../../src/approval/approval.js';

const repoRoot = path.resolve(__dirname, '../../..');
let tmp: string;
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Starts `n` processes that each wait for `go`, then answer request `id` (allow or deny by turns); resolves to what each decide() returned. */
async function race(local: string, id: string, n: number): Promise<Array<{ decision: string; won: boolean }>> {
  const go = path.join(tmp, 'go');
  const script = `
    import * as fs from 'node:fs';
    import { decide } from ${JSON.stringify(path.join(repoRoot, 'src/approval/approval.ts'))};
    const [local, id, decision, go] = process.argv.slice(-4);
    while (!fs.existsSync(go)) {}
    process.stdout.write(JSON.stringify({ decision, won: decide(local, id, decision, 'race') }));`;
  const children = Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', local, id, i % 2 ? 'deny' : 'allow', go], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    return new Promise<{ decision: string; won: boolean }>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`)))));
  });
  // Every child loaded and spinning before the start: give them time to get there.
  await new Promise((r) => setTimeout(r, 4000));
  fs.writeFileSync(go, '');
  return Promise.all(children);
}

describe('answering a permission request', () => {
  it('two answers at the same moment: exactly one counts, and it is the one recorded', { timeout: 60_000 }, async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-decide-'));
    const local = path.join(tmp, 'local');
    for (let round = 0; round < 3; round++) {
      const req = holdRequest(local, 'Bash', 'Bash rm -rf build');
      const answers = await race(local, req.id, 6);
      const winners = answers.filter((a) => a.won);
      expect(winners).toHaveLength(1);
      expect(readDecision(local, req.id)?.decision).toBe(winners[0]!.decision);
      // Nothing half-made left beside it.
      expect(fs.readdirSync(path.join(local, 'permissions')).filter((f) => f.includes(req.id)).sort()).toEqual([`${req.id}.decision`, `${req.id}.json`]);
      expect(fs.readdirSync(path.join(local, 'permissions')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
  });
});
