// cs <name> -secrets rm KEY: remove a secret.
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
    if (!(await backend.delete(o.name, opts.key))) throw new UserError(`secret ${opts.key} is not set in session '${o.name}'`, `see the names with: cs ${o.name} -secrets list`);
    ctx.io.err(`removed ${opts.key} from session '${o.name}'`);
    return 0;
  },
};
