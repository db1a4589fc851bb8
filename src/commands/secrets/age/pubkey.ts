// cs [<name>] -secrets age pubkey: this machine's age public key.
import type { Command } from '../../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const age = await import('../../../secrets/age.js');
    ctx.io.out((await age.requireIdentity(ctx.env)).recipient);
    return 0;
  },
};
