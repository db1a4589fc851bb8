// `cs <base> -features [--json]`: the feature sessions of a base with their
// branch, commits ahead/behind the base, dirty, running, merged.
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UsageError } from '../lib/errors.js';
import { table } from '../lib/format.js';
import { featureState, featuresOf, requireBase } from '../features/model.js';
import { validateName } from '../session/names.js';
import type { Context, Invocation } from './types.js';

export interface FeaturesOptions {
  base: string;
  json: boolean;
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): FeaturesOptions {
  const p = parseArgs(args, { booleans: ['--json'] }, '-features');
  expectPositionals(p, 0, 0, '-features', 'cs <base> -features [--json]');
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  if (!given) throw new UsageError('-features needs a session', 'name it: cs <base> -features');
  // Inside a feature session, its base's features.
  return { base: validateName(given.split('@')[0]!), json: flag(p, '--json') };
}

export async function run(opts: FeaturesOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const base = requireBase(env, opts.base);
  const states = await Promise.all(featuresOf(env, opts.base).map((ref) => featureState(env, base.paths.dir, ref)));
  if (opts.json) {
    io.out(JSON.stringify(states, null, 2));
    return 0;
  }
  if (states.length === 0) {
    io.err(`cs: '${opts.base}' has no features — start one with: cs ${opts.base}@<feature>`);
    return 0;
  }
  const rows = states.map((s) => [s.name, s.branch, String(s.ahead), String(s.behind), s.dirty ? 'dirty' : '-', s.running ? 'running' : '-', s.merged ? 'merged' : '-']);
  const lines = table(['FEATURE', 'BRANCH', 'AHEAD', 'BEHIND', 'TREE', 'SESSION', 'MERGED'], rows, (col, _cell, padded) => (col === 0 ? io.color.bold(padded) : padded));
  io.out(io.color.dim(lines[0]!));
  for (const l of lines.slice(1)) io.out(l);
  return 0;
}
