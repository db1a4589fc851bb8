// cs -mv <old> <new> (alias -rename): rename a session and everything keyed by its name (src/session/rename.ts).
import { NAME_RULE, nameProblem, validateName } from '../session/names.js';
import { parseFeatureRef } from '../features/ref.js';
import { UsageError } from '../lib/errors.js';
import { has, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface RenameOptions {
  from: string;
  to: string;
  json: boolean;
}

export function parse(a: Args): RenameOptions {
  const [from, to] = a.operands;
  // base@feature names a feature session, whose name is its branch's (cs/<feature>): not renamed here.
  const feature = from!.includes('@') ? parseFeatureRef(from!) : null;
  if (feature) throw new UsageError(`'${feature.name}' is a feature session: its name is its branch's (cs/${feature.feature}), so it cannot be renamed`, `merge it (cs ${feature.base} --merge ${feature.feature}) or remove it (cs -rm ${feature.name}), and make the one you want: cs ${feature.base}@<feature>`);
  if (to!.includes('@') && nameProblem(from!) === null) throw new UsageError(`'${to!.slice(0, 80)}' is a feature session's name (base@feature); a session is renamed to a plain name`, `pick a name of ${NAME_RULE}, or make a feature of '${from}' with: cs ${from}@<feature>`);
  return { from: validateName(from!), to: validateName(to!), json: has(a, '--json') };
}

export async function run(opts: RenameOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  await (await import('./suggest.js')).confirmCommandLikeName(opts.to, io, 'rename');
  const { renameSession } = await import('../session/rename.js');
  const r = await renameSession(ctx.env, opts.from, opts.to, ctx.now(), (line, level) => io.err(level === 'warn' ? io.color.yellow(`cs: ${line}`) : io.color.dim(`cs: ${line}`)));
  if (opts.json) {
    io.out(JSON.stringify(r, null, 2));
    return 0;
  }
  const secrets = r.secrets.reduce((n, s) => n + s.keys.length, 0);
  const parts = [
    r.adopted ? 'the project stays where it is' : `now at ${r.dir}`,
    ...(secrets ? [`${secrets} secret${secrets === 1 ? '' : 's'} moved (${r.secrets.map((s) => s.backend).join(', ')})`] : []),
    ...(r.transcripts ? [`${r.transcripts} conversation${r.transcripts === 1 ? '' : 's'} moved`] : []),
  ];
  ctx.info(`renamed '${r.from}' to '${r.to}': ${parts.join('; ')}`);
  return 0;
}

export const command: Command<RenameOptions> = { parse, run };
