// cs <name> -secrets rm KEY: remove a secret. Where secrets sync through
// .cs/secrets.age, it goes from the file too, and the other machines remove
// it at their next sync (src/secrets/age.ts removeFromSync); a key missing
// here (after -secrets purge) that the file still holds can be removed so.
import * as fs from 'node:fs';
import { UserError } from '../../lib/errors.js';
import { ageIdentityPath, validateKey } from '../../secrets/keys.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<{ key: string }> = {
  parse: (a: Args) => ({ key: validateKey(a.operands[0]!) }),
  async run(opts, ctx) {
    const o = owner(ctx);
    const { backend } = await select(o, ctx);
    const value = await backend.get(o.name, opts.key);
    const here = value !== undefined && (await backend.delete(o.name, opts.key));
    const notSet = () => new UserError(`secret ${opts.key} is not set in session '${o.name}'`, `see the names with: cs ${o.name} -secrets list`);
    // The age code loads only on a machine that syncs secrets (it has an age identity).
    if (!fs.existsSync(ageIdentityPath(ctx.env))) {
      if (!here) throw notSet();
      ctx.io.err(`removed ${opts.key} from session '${o.name}'`);
      return 0;
    }
    const age = await import('../../secrets/age.js');
    let sync: Awaited<ReturnType<typeof age.removeFromSync>>;
    try {
      sync = await age.removeFromSync({ session: o.name, sessionDir: o.dir, env: ctx.env, backend }, opts.key, here ? value : undefined);
    } catch (e) {
      if (!(e instanceof UserError) || !here) throw e;
      throw new UserError(`removed ${opts.key} here, but .cs/secrets.age was not updated: ${e.message}`, e.hint);
    }
    if (!here && sync === 'absent') throw notSet();
    const where = here ? `removed ${opts.key} from session '${o.name}'` : `${opts.key} was not set here`;
    if (sync === 'listed') ctx.io.err(`${where}; .cs/secrets.age lists it as removed: the other machines remove it at their next sync`);
    else if (sync === 'noted') ctx.io.err(`${where}; the next export of .cs/secrets.age lists it as removed`);
    else ctx.io.err(where);
    return 0;
  },
};
