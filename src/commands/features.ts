// `cs <base> -features [--json]`: the feature sessions of a base with their
// branch, commits ahead/behind the base, dirty, running, merged; a feature
// whose worktree was deleted by hand is listed by its branch, as missing; one
// whose worktree left its branch by hand is named with the way back.
import { table } from '../lib/format.js';
import { allFeaturesOf, featureState, offBranchAdvice, requireBase, type FeatureState } from '../features/model.js';
import { has, type Args } from './argv.js';
import { sessionOf, type Command, type Context } from './types.js';

export interface FeaturesOptions {
  json: boolean;
}

export function parse(a: Args): FeaturesOptions {
  return { json: has(a, '--json') };
}

export async function run(opts: FeaturesOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  // Inside a feature session, its base's features.
  const name = sessionOf(ctx).base;
  const base = requireBase(env, name);
  const states = await Promise.all((await allFeaturesOf(env, name, base.paths.dir)).map((ref) => featureState(env, base.paths.dir, ref)));
  if (opts.json) {
    io.out(JSON.stringify(states, null, 2));
    return 0;
  }
  if (states.length === 0) {
    ctx.info(`'${name}' has no features — start one with: cs ${name}@<feature>`);
    return 0;
  }
  // A branch deleted by hand has nothing to count: '?' rather than a 0 that reads as "nothing to merge".
  const branchCell = (s: FeatureState) => (s.off?.gone ? `${s.branch} (deleted)` : s.off ? `${s.branch} (not checked out)` : s.branch);
  const count = (s: FeatureState, n: number) => (s.off?.gone ? '?' : String(n));
  const rows = states.map((s) => [s.name, branchCell(s), count(s, s.ahead), count(s, s.behind), s.missing ? 'missing' : s.dirty ? 'dirty' : '-', s.running ? 'running' : '-', s.merged && !s.off?.gone ? 'merged' : '-']);
  const lines = table(['FEATURE', 'BRANCH', 'AHEAD', 'BEHIND', 'TREE', 'SESSION', 'MERGED'], rows, (col, _cell, padded) => (col === 0 ? io.color.bold(padded) : padded));
  io.out(io.color.dim(lines[0]!));
  for (const l of lines.slice(1)) io.out(l);
  const missing = states.filter((s) => s.missing);
  for (const s of states) {
    if (!s.off) continue;
    const { problem, fix } = offBranchAdvice(s, s.dir, s.off);
    ctx.info(`${problem} — ${fix}`);
  }
  if (missing.length) ctx.info(`${missing.map((s) => s.name).join(', ')}: worktree missing (deleted by hand); its branch and commits are kept — cs ${missing[0]!.name} makes the worktree again`);
  return 0;
}

export const command: Command<FeaturesOptions> = { parse, run };
