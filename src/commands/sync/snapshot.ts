// cs <name> -sync snapshot: autosave the workspace to refs/cs/auto now.
import { autosave } from '../../git/autosave.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const s = sessionOf(ctx);
    const { knownSessionSecrets } = await import('../../secrets/scrub.js');
    const r = await autosave(s.paths.dir, { env: ctx.env, known: await knownSessionSecrets(s.name, ctx.env) });
    if (r.withSecrets) ctx.warn((await import('../../git/secret-guard.js')).leftOutNotice(r.withSecrets, 'the snapshot', s.name));
    if (r.saved) ctx.io.err(`autosaved ${s.name} to refs/cs/auto (${r.commit.slice(0, 7)})`);
    else if (r.reason === 'busy') ctx.io.err('another autosave is running; try again in a moment');
    else ctx.io.err('nothing changed since the last autosave');
    return 0;
  },
};
