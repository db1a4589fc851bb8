// `cs <base> -features [--json]`: the feature sessions of a base with their
// branch, commits ahead/behind the base, dirty, running, merged; a feature
// whose worktree was deleted by hand is listed by its branch, as missing.
import { table } from '../lib/format.js';
import { allFeaturesOf, featureState, requireBase } from '../features/model.js';
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
  const rows = states.map((s) => [s.name, s.branch, String(s.ahead), String(s.behind), s.missing ? 'missing' : s.dirty ? 'dirty' : '-', s.running ? 'running' : '-', s.merged ? 'merged' : '-']);
  const lines = table(['FEATURE', 'BRANCH', 'AHEAD', 'BEHIND', 'TREE', 'SESSION', 'MERGED'], rows, (col, _cell, padded) => (col === 0 ? io.color.bold(padded) : padded));
  io.out(io.color.dim(lines[0]!));
  for (const l of lines.slice(1)) io.out(l);
  const missing = states.filter((s) => s.missing);
  if (missing.length) ctx.info(`${missing.map((s) => s.name).join(', ')}: worktree missing (deleted by hand); its branch and commits are kept — cs ${missing[0]!.name} makes the worktree again`);
  return 0;
}

export const command: Command<FeaturesOptions> = { parse, run };
