// cs <name> -secrets rm [--here] KEY: remove a secret. Where secrets sync
// through .cs/secrets.age, it goes from the file too, and the other machines
// remove it at their next sync (src/secrets/age.ts removeFromSync); a key
// missing here (after -secrets purge) that the file still holds can be
// removed so. --here: from this machine's store only (a stale copy in a
// backend, after migrate-backend).
import * as fs from 'node:fs';
import { UserError } from '../../lib/errors.js';
import { ageIdentityPath, validateKey } from '../../secrets/keys.js';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, refreshEnvFile, select } from './shared.js';

export const command: Command<{ key: string; here: boolean }> = {
  parse: (a: Args) => ({ key: validateKey(a.operands[0]!), here: has(a, '--here') }),
  async run(opts, ctx) {
    const o = owner(ctx);
    const { backend } = await select(o, ctx);
    const value = await backend.get(o.name, opts.key);
    const here = value !== undefined && (await backend.delete(o.name, opts.key));
    // A running session's Bash gets its secrets from its env file: the next command no longer does.
    if (here) await refreshEnvFile(o.name, backend, ctx.env);
    const notSet = () => new UserError(`secret ${opts.key} is not set in session '${o.name}'`, `see the names with: cs ${o.name} -secrets list`);
    // The age code loads only on a machine that syncs secrets (it has an age identity).
    if (opts.here || !fs.existsSync(ageIdentityPath(ctx.env))) {
      if (!here) throw notSet();
      ctx.io.err(`removed ${opts.key} from session '${o.name}'`);
      return 0;
    }
    const age = await import('../../secrets/age.js');
    let sync: Awaited<ReturnType<typeof age.removeFromSync>>;
    try {
      sync = await age.removeFromSync({ session: o.name, sessionDir: o.dir, env: ctx.env, backend }, opts.key, here ? value : undefined);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      const again = `run cs ${o.name} -secrets rm ${opts.key} again to take it out of .cs/secrets.age`;
      throw new UserError(`${here ? `removed ${opts.key} here, but ` : ''}.cs/secrets.age was not updated: ${e.message}`, e.hint ? `${e.hint}; then ${again}` : again);
    }
    if (!here && sync === 'absent') throw notSet();
    const where = here ? `removed ${opts.key} from session '${o.name}'` : `${opts.key} was not set here`;
    if (sync === 'listed') ctx.io.err(`${where}; .cs/secrets.age lists it as removed: the other machines remove it at their next sync`);
    else if (sync === 'noted') ctx.io.err(`${where}; the next export of .cs/secrets.age lists it as removed`);
    else ctx.io.err(where);
    return 0;
  },
};
