// cs -remote remove <alias>: forget a host (its sessions stay there).
import { removeHost } from '../../remote/hosts.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ alias: string }> = {
  parse: (a: Args) => ({ alias: a.operands[0]! }),
  async run(opts, ctx) {
    const gone = removeHost(ctx.env, opts.alias);
    ctx.info(`forgot host '${gone.alias}' (${gone.host}); sessions there are untouched`);
    return 0;
  },
};
