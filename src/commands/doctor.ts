// cs -doctor [--json], cs <name> -doctor: is everything cs needs in place?
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UserError } from '../lib/errors.js';
import { validateName } from '../session/names.js';
import { findSession } from '../session/workspace.js';
import { usageLine } from './table.js';
import type { CheckResult } from '../doctor/checks.js';
import type { Context, Invocation } from './types.js';

export const usage = usageLine('-doctor');

export interface DoctorOptions {
  session?: string;
  json: boolean;
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): DoctorOptions {
  const p = parseArgs(args, { booleans: ['--json'] }, '-doctor');
  expectPositionals(p, 0, 0, '-doctor', usage);
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  return { ...(given ? { session: validateName(given) } : {}), json: flag(p, '--json') };
}

const MARK = { ok: '✓', warn: '!', fail: '✗', skip: '-' } as const;

export function formatResult(r: CheckResult, color: Context['io']['color']): string {
  const mark = r.level === 'ok' ? color.green(MARK.ok) : r.level === 'fail' ? color.red(MARK.fail) : r.level === 'warn' ? color.yellow(MARK.warn) : color.dim(MARK.skip);
  return `${mark} ${r.check}: ${r.detail}${r.fix ? ` — fix: ${r.fix}` : ''}`;
}

export async function run(opts: DoctorOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  let session;
  if (opts.session) {
    const found = findSession(env, opts.session);
    if (!found) throw new UserError(`no session named '${opts.session}'`, 'see cs -ls, or run cs -doctor for the machine-wide checks');
    session = found.paths;
  }
  const { runChecks } = await import('../doctor/checks.js');
  const results = await runChecks({ env, session });
  if (opts.json) io.out(JSON.stringify(results, null, 2));
  else for (const r of results) io.out(formatResult(r, io.color));
  return results.some((r) => r.level === 'fail') ? 1 : 0;
}
