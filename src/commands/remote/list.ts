// cs -remote list [--json]: the registered hosts.
import { table } from '../../lib/format.js';
import { readHosts } from '../../remote/hosts.js';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ json: boolean }> = {
  parse: (a: Args) => ({ json: has(a, '--json') }),
  async run(opts, ctx) {
    const { io } = ctx;
    const hosts = readHosts(ctx.env);
    if (opts.json) {
      io.out(JSON.stringify(hosts.map(({ alias, host }) => ({ alias, host }))));
      return 0;
    }
    if (hosts.length === 0) {
      ctx.info('no hosts registered — add one with: cs -remote add <alias> <user@host[:port]>');
      return 0;
    }
    const lines = table(['ALIAS', 'HOST'], hosts.map((h) => [h.alias, h.host]));
    io.out(io.color.dim(lines[0]!));
    for (const l of lines.slice(1)) io.out(l);
    return 0;
  },
};
