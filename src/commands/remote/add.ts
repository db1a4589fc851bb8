// cs -remote add <alias> <user@host[:port]>: register a host sessions can run on.
import { addHost, readHosts } from '../../remote/hosts.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ alias: string; host: string }> = {
  parse: (a: Args) => ({ alias: a.operands[0]!, host: a.operands[1]! }),
  async run(opts, ctx) {
    const previous = addHost(ctx.env, opts.alias, opts.host, ctx.now());
    const now = readHosts(ctx.env).find((h) => h.alias === opts.alias)!.host;
    ctx.info(`host '${opts.alias}' is ${now}${previous && previous !== now ? ` (was ${previous})` : ''} — use it with: cs <session> --on ${opts.alias}`);
    return 0;
  },
};
