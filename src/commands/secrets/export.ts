// cs <name> -secrets export: `export KEY='value'` lines for eval.
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const o = owner(ctx);
    const { backend } = await select(o, ctx);
    const { exportLines } = await import('../../secrets/store.js');
    for (const line of exportLines(await backend.getAll(o.name))) ctx.io.out(line);
    return 0;
  },
};
