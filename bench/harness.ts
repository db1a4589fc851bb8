// Timing helpers shared by the benchmarks: medians of whole-process runs,
// always next to a baseline measured in the same run on the same machine.
import { spawnSync } from 'node:child_process';

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

/** Runs a command `runs` times (after one warm-up unless warmup: false) and returns the median wall time. */
export function timeCommand(label: string, cmd: string, args: string[], opts: { runs?: number; env?: NodeJS.ProcessEnv; input?: string; cwd?: string; warmup?: boolean } = {}): Sample {
  const runs = opts.runs ?? 15;
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: opts.env ?? process.env, input: opts.input ?? '', cwd: opts.cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr?.toString().slice(0, 300)}`);
    return ms;
  };
  if (opts.warmup !== false) once();
  const times = Array.from({ length: runs }, once);
  return { label, medianMs: median(times), runs };
}

export function ratioLine(sample: Sample, baseline: Sample, target?: { max: number }): string {
  const ratio = sample.medianMs / baseline.medianMs;
  const verdict = target ? (ratio <= target.max ? `ok (target <= ${target.max}x)` : `OVER TARGET (<= ${target.max}x)`) : '';
  return `${sample.label.padEnd(44)} ${sample.medianMs.toFixed(1).padStart(8)} ms  ${ratio.toFixed(2).padStart(6)}x ${baseline.label}  ${verdict}`;
}
