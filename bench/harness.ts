// Timing helpers shared by the benchmarks: medians of whole-process runs,
// always next to a baseline measured in the same run on the same machine.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Sample {
  label: string;
  medianMs: number;
  runs: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs a command `runs` times (after one warm-up unless warmup: false) and
 * returns the median wall time (ms). `before` runs ahead of each run, untimed
 * (to put the state a run should meet in place); `input` may differ per run.
 * Every run must exit with `exitCode` (0 unless given).
 */
export function timeCommand(label: string, cmd: string, args: string[], opts: { runs?: number; env?: NodeJS.ProcessEnv; input?: string | ((run: number) => string); cwd?: string; warmup?: boolean; before?: (run: number) => void; exitCode?: number } = {}): Sample {
  const runs = opts.runs ?? 15;
  let run = 0;
  const once = () => {
    const n = run++;
    opts.before?.(n);
    const input = typeof opts.input === 'function' ? opts.input(n) : (opts.input ?? '');
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: opts.env ?? process.env, input, cwd: opts.cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== (opts.exitCode ?? 0)) throw new Error(`${label}: exit ${r.status}: ${r.stderr?.toString().slice(0, 300)}`);
    return ms;
  };
  if (opts.warmup !== false) once();
  const times = Array.from({ length: runs }, once);
  return { label, medianMs: median(times), runs };
}

/**
 * Like timeCommand, but the runs are started by one bash loop instead of by
 * Node: a fork of this (large) Node process costs ~5 ms on slow VMs, which
 * belongs to the caller, not to the command measured. `command` and `setup`
 * (run untimed before each run; gets $i, the run's number) are bash text.
 * Needs bash >= 5 ($EPOCHREALTIME). Returns the median wall time (ms).
 */
export function timeInShell(label: string, command: string, opts: { runs?: number; env?: NodeJS.ProcessEnv; setup?: string; cwd?: string } = {}): Sample {
  const runs = opts.runs ?? 15;
  const loop = 'for ((i = 0; i <= $2; i++)); do eval "$3"; t0=${EPOCHREALTIME/./}; eval "$1"; t1=${EPOCHREALTIME/./}; [ "$i" -gt 0 ] && echo $((t1 - t0)); done';
  const r = spawnSync('bash', ['-c', loop, 'bench', command, String(runs), opts.setup ?? ':'], { env: opts.env ?? process.env, cwd: opts.cwd, encoding: 'utf8' });
  const times = r.stdout.split('\n').filter(Boolean).map((us) => Number(us) / 1000);
  if (r.status !== 0 || times.length !== runs) throw new Error(`${label}: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
  return { label, medianMs: median(times), runs };
}

export function ratioLine(sample: Sample, baseline: Sample, target?: { max: number }): string {
  const ratio = sample.medianMs / baseline.medianMs;
  const verdict = target ? (ratio <= target.max ? `ok (target <= ${target.max}x)` : `OVER TARGET (<= ${target.max}x)`) : '';
  return `${sample.label.padEnd(44)} ${sample.medianMs.toFixed(1).padStart(8)} ms  ${ratio.toFixed(2).padStart(6)}x ${baseline.label}  ${verdict}`;
}

/**
 * Times a Node process that does nothing but stat each of `paths` (statSync,
 * as cs does), started as cs is: what any answer kept current with every
 * one of those paths costs at least on this machine, against which a
 * target's baseline can be read. Writes its list and script into `tmpDir`.
 */
export function statFloor(label: string, paths: readonly string[], tmpDir: string, runs = 9): Sample {
  const list = path.join(tmpDir, 'floor-paths');
  const script = path.join(tmpDir, 'floor.cjs');
  fs.writeFileSync(list, paths.join('\n') + '\n');
  fs.writeFileSync(script, "const fs = require('fs');\nfor (const p of fs.readFileSync(process.argv[2], 'utf8').split('\\n')) if (p) fs.statSync(p, { throwIfNoEntry: false });\n");
  return timeCommand(label, process.execPath, [script, list], { runs });
}
