// cs <name> -secrets get KEY: print a secret's value.
import { UserError } from '../../lib/errors.js';
import { validateKey } from '../../secrets/keys.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<{ key: string }> = {
  parse: (a: Args) => ({ key: validateKey(a.operands[0]!) }),
  async run(opts, ctx) {
    const o = owner(ctx);
    const { backend } = await select(o, ctx);
    const value = await backend.get(o.name, opts.key);
    if (value === undefined) throw new UserError(`secret ${opts.key} is not set in session '${o.name}'`, `see the names with: cs ${o.name} -secrets list`);
    ctx.io.out(value);
    return 0;
  },
};
