// Autosave on a generated 10,000-file workspace with one file changed:
// our incremental snapshot (index kept in .cs/local/) against the naive one
// (fresh temporary index + git add -A + write-tree + commit-tree), measured
// in the same run, interleaved so both see the same machine state.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { autosave, prepareRepo } from '../src/git/autosave.js';
import { commitAll, initRepo, type Repo } from '../src/git/repo.js';

export interface AutosaveBench {
  files: number;
  /** Total size of the generated files. */
  bytes: number;
  runs: number;
  /** Median wall time of one incremental autosave, in ms. */
  incrementalMs: number;
  /** Median wall time of one naive snapshot, in ms. */
  naiveMs: number;
  /** incremental / naive; the target is <= 0.5. */
  ratio: number;
}

export interface AutosaveBenchOptions {
  files?: number;
  runs?: number;
  /** Keep the generated workspace (printed) instead of deleting it. */
  keep?: boolean;
}

export async function benchAutosave(opts: AutosaveBenchOptions = {}): Promise<AutosaveBench> {
  const files = opts.files ?? 10_000;
  const runs = opts.runs ?? 9;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-autosave-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };
  const dir = path.join(tmp, 'ws');
  try {
    fs.mkdirSync(dir);
    const bytes = generate(dir, files);
    const repo = await initRepo(dir, { env });
    // No background gc racing the measurements (10,000 loose objects would start one).
    await repo.raw(['config', 'gc.auto', '0']);
    await prepareRepo(dir, { env });
    await commitAll(dir, 'Create session', { env });
    // Let file mtimes fall behind the index's so no entry is "racily clean".
    await new Promise((r) => setTimeout(r, 1100));
    await autosave(dir, { env });
    touch(dir, files, -1);
    await autosave(dir, { env });

    const naiveIndex = path.join(tmp, 'naive.index');
    const incremental: number[] = [];
    const naive: number[] = [];
    for (let i = 0; i < runs; i++) {
      touch(dir, files, i * 2);
      let t = performance.now();
      const r = await autosave(dir, { env });
      incremental.push(performance.now() - t);
      if (!r.saved) throw new Error(`bench: autosave saved nothing (${r.reason})`);

      touch(dir, files, i * 2 + 1);
      t = performance.now();
      await naiveSnapshot(repo, naiveIndex);
      naive.push(performance.now() - t);
    }
    const incrementalMs = median(incremental);
    const naiveMs = median(naive);
    return { files, bytes, runs, incrementalMs, naiveMs, ratio: incrementalMs / naiveMs };
  } finally {
    if (opts.keep || process.env.CS_BENCH_KEEP) process.stderr.write(`bench workspace kept at ${dir}\n`);
    else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** The approach we compare against: everything rehashed into a fresh index. */
async function naiveSnapshot(repo: Repo, index: string): Promise<void> {
  fs.rmSync(index, { force: true });
  const env = { GIT_INDEX_FILE: index };
  const parent = (await repo.resolve('refs/cs/naive')) ?? (await repo.resolve('HEAD'))!;
  await repo.raw(['add', '-A'], env);
  const tree = (await repo.raw(['write-tree'], env)).trim();
  const commit = (await repo.commitRaw(['commit-tree', tree, '-p', parent, '-m', 'naive snapshot'])).trim();
  await repo.raw(['update-ref', 'refs/cs/naive', commit]);
}

/** Writes n files and returns their total size in bytes. */
function generate(dir: string, n: number): number {
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `src/d${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) fs.mkdirSync(sub, { recursive: true });
    // 1-7 KB per file (about 4 KB on average), like a source tree.
    const lines = 16 + (i % 97);
    let body = `// file ${i}\n`;
    for (let l = 0; l < lines; l++) body += `export const v${i}_${l} = ${(i * 7919 + l * 104729) % 1000003}; // ${'x'.repeat(20 + ((i + l) % 20))}\n`;
    fs.writeFileSync(path.join(sub, `f${i}.ts`), body);
    bytes += body.length;
  }
  fs.mkdirSync(path.join(dir, '.cs'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.cs/discoveries.md'), '# Discoveries\n');
  fs.writeFileSync(path.join(dir, '.gitignore'), '.cs/local/\n');
  return bytes;
}

/** The one change per run: a new line in discoveries (what the hook reacts to). */
function touch(dir: string, _files: number, i: number): void {
  fs.appendFileSync(path.join(dir, '.cs/discoveries.md'), `- finding ${i}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchAutosave();
  process.stdout.write(
    `autosave, ${r.files} files (${(r.bytes / 1e6).toFixed(0)} MB), one changed (median of ${r.runs}): incremental ${r.incrementalMs.toFixed(1)} ms, ` +
      `naive ${r.naiveMs.toFixed(1)} ms, ratio ${r.ratio.toFixed(2)}x (target <= 0.5x)\n`,
  );
}
