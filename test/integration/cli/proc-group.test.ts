// src/lib/proc.ts run({ group: true }), as used for git over the network, rsync
// and batch ssh: Ctrl-C (SIGINT to cs) and the timeout end the program and
// everything it started, and an interrupted run rejects with CancelError.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pidAlive as alive } from '../../../src/lib/lockfile.js';
import { run } from '../../../src/lib/proc.js';
import { makeTempDir } from '../../support/claude.js';
import { repoRoot, waitFor } from '../../support/cs.js';

let tmp: string;
beforeEach(() => {
  tmp = makeTempDir('cs-proc-');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));


/** A program that starts a long-lived grandchild and writes its pid. */
const parentOfSleeper = (pidFile: string) => ['-c', `sleep 60 & echo $! > ${pidFile}; wait`];

describe('run in a process group', () => {
  it('Ctrl-C ends the program and its children; the run rejects with CancelError', { timeout: 45_000 }, async () => {
    const pidFile = path.join(tmp, 'grandchild.pid');
    const script = `import { run } from ${JSON.stringify(path.join(repoRoot, 'src/lib/proc.ts'))};
run('sh', ${JSON.stringify(parentOfSleeper(pidFile))}, { group: true }).then(() => process.exit(0), (e) => { console.log(e.name); process.exit(e.name === 'CancelError' ? 130 : 1); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').endsWith('\n'), 15_000, 'the grandchild');
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, sig) => r([c, sig])));
    // What the program said and how it ended, for whoever reads a failure.
    expect(out.trim(), `exit ${code}, signal ${signal}, stderr: ${err}`).toBe('CancelError');
    expect(code).toBe(130);
    await waitFor(() => !alive(grandchild), 15_000, 'the grandchild to end');
  });

  it('the timeout ends the program and its children and says so', { timeout: 30_000 }, async () => {
    const pidFile = path.join(tmp, 'grandchild.pid');
    // Long enough for sh to have started the grandchild and written its pid on a loaded machine
    // (at 500 ms the group could be ended before that, leaving no pid to check), far below sleep 60.
    const r = await run('sh', parentOfSleeper(pidFile), { group: true, timeoutMs: 3000, allowFailure: true });
    expect(r).toMatchObject({ code: 124, timedOut: true });
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(grandchild), 15_000, 'the grandchild to end');
  });
});
