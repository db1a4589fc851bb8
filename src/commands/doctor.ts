// cs -doctor [--json], cs <name> -doctor: is everything cs needs in place?
import type { CheckResult } from '../doctor/checks.js';
import { has, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface DoctorOptions {
  json: boolean;
}

export function parse(a: Args): DoctorOptions {
  return { json: has(a, '--json') };
}

const MARK = { ok: '✓', warn: '!', fail: '✗', skip: '-' } as const;

export function formatResult(r: CheckResult, color: Context['io']['color']): string {
  const mark = r.level === 'ok' ? color.green(MARK.ok) : r.level === 'fail' ? color.red(MARK.fail) : r.level === 'warn' ? color.yellow(MARK.warn) : color.dim(MARK.skip);
  return `${mark} ${r.check}: ${r.detail}${r.fix ? ` — fix: ${r.fix}` : ''}`;
}

export async function run(opts: DoctorOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  // The session (named, or the one Claude runs in) was found and checked before run.
  const session = ctx.session?.paths;
  const { runChecks } = await import('../doctor/checks.js');
  const results = await runChecks({ env, session });
  if (opts.json) io.out(JSON.stringify(results, null, 2));
  else for (const r of results) io.out(formatResult(r, io.color));
  return results.some((r) => r.level === 'fail') ? 1 : 0;
}

export const command: Command<DoctorOptions> = { parse, run };
