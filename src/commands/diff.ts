// `cs <name> -diff [--stat]`: what the session changed — a feature since it
// branched, any session since it last started — through git's pager.
import { diffBase, showDiff } from '../features/diff.js';
import { has, type Args } from './argv.js';
import { sessionOf, type Command, type Context } from './types.js';

export interface DiffOptions {
  stat: boolean;
}

export function parse(a: Args): DiffOptions {
  return { stat: has(a, '--stat') };
}

export async function run(opts: DiffOptions, ctx: Context): Promise<number> {
  const s = sessionOf(ctx);
  const { commit } = await diffBase(s.name, s.paths.dir, ctx.env);
  return showDiff(s.paths.dir, commit, { stat: opts.stat }, ctx.env);
}

export const command: Command<DiffOptions> = { parse, run };
