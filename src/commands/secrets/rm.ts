// cs <name> -secrets rm KEY: remove a secret. With secrets synced through
// .cs/secrets.age, the next export has the other machines remove it too
// (the value it had: src/secrets/age.ts recordRemoval).
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
    if (value === undefined || !(await backend.delete(o.name, opts.key))) {
      throw new UserError(`secret ${opts.key} is not set in session '${o.name}'`, `see the names with: cs ${o.name} -secrets list`);
    }
    // The age code loads only on a machine that syncs secrets (it has an age identity).
    if (fs.existsSync(ageIdentityPath(ctx.env))) await (await import('../../secrets/age.js')).recordRemoval(o.dir, ctx.env, opts.key, value);
    ctx.io.err(`removed ${opts.key} from session '${o.name}'`);
    return 0;
  },
};
