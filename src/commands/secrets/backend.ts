// cs <name> -secrets backend: where the secrets are kept, and why.
import { tildify } from '../../secrets/keys.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const o = owner(ctx);
    const { backend, reason } = await select(o, ctx);
    ctx.io.out(backend.name);
    ctx.io.err(`${tildify(backend.location(o.name), ctx.env)}: ${reason}`);
    return 0;
  },
};
