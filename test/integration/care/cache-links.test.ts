// cs's caches (-ls's and -search's, in ~/.cache/cs) are read only as regular
// files of cs's own: one replaced by a link to /dev/zero, to a FIFO or to
// another file is not read through (a link to /dev/zero hung cs -search),
// and costs only the time the cache would have saved.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csBin, runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { searchSessions } from '../../../src/search/search.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

/** cs run with a bound (a hang fails the test instead of the suite). */
function csWithin(args: string[], ms = 20_000) {
  const r = spawnSync(process.execPath, [csBin, ...args], { env: sb.env, encoding: 'utf8', timeout: ms, killSignal: 'SIGKILL' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined || r.signal === 'SIGKILL' };
}

describe('the caches of -ls and -search', () => {
  it('are not read through a link to a device, a FIFO or another file; the answers stay the same', async () => {
    expect((await runCs(['alpha'], { env: sb.env })).code).toBe(0);
    fs.appendFileSync(path.join(sb.root, 'alpha', '.cs', 'discoveries.md'), '\n## 2026-12-02 a finding\nthe wombatfinch flag\n');
    // The search cache records a file's words once it was left alone a while (src/search/cache.ts): made here at once.
    await searchSessions({ env: sb.env, query: 'wombatfinch', cacheSettledMs: 0 });
    const ls = csWithin(['-ls', '--json']);
    const search = csWithin(['-search', 'wombatfinch', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(search.code, search.stderr).toBe(0);
    const cacheDir = path.join(sb.home, '.cache', 'cs');
    const caches = ['ls', 'search'].flatMap((d) => fs.readdirSync(path.join(cacheDir, d)).map((f) => path.join(cacheDir, d, f)));
    expect(caches).toHaveLength(2);
    const elsewhere = path.join(sb.dir, 'elsewhere.txt');
    fs.writeFileSync(elsewhere, 'not a cache\n');
    const fifo = path.join(sb.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const target of ['/dev/zero', fifo, elsewhere]) {
      for (const c of caches) {
        fs.rmSync(c, { force: true });
        fs.symlinkSync(target, c);
      }
      const ls2 = csWithin(['-ls', '--json']);
      const search2 = csWithin(['-search', 'wombatfinch', '--json']);
      for (const r of [ls2, search2]) expect(r.timedOut, `${target}: ${r.stderr}`).toBe(false);
      expect(ls2.stdout, target).toBe(ls.stdout);
      expect(search2.stdout, target).toBe(search.stdout);
      // Never written through either.
      expect(fs.readFileSync(elsewhere, 'utf8')).toBe('not a cache\n');
    }
  }, 120_000);
});
