// cs <name> -secrets age list [--json]: the session's age recipients.
import { has, type Args } from '../../argv.js';
import type { Command } from '../../types.js';
import { owner } from '../shared.js';

export const command: Command<{ json: boolean }> = {
  parse: (a: Args) => ({ json: has(a, '--json') }),
  async run(opts, ctx) {
    const { io } = ctx;
    const o = owner(ctx);
    const age = await import('../../../secrets/age.js');
    const id = await age.readIdentity(ctx.env);
    const list = age.listRecipients(o.dir).map((r) => ({ ...r, self: r.recipient === id?.recipient }));
    if (opts.json) io.out(JSON.stringify(list));
    else if (list.length === 0) io.err(`session '${o.name}' has no age recipients; add this machine with: cs ${o.name} -secrets age init`);
    else for (const r of list) io.out(`${r.name}\t${r.recipient}${r.self ? '\t(this machine)' : ''}`);
    return 0;
  },
};
