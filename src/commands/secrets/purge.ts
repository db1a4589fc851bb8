// cs <name> -secrets purge [--yes]: remove every secret of the session.
import { UsageError } from '../../lib/errors.js';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';
import { confirmPurge, owner, select } from './shared.js';

export const command: Command<{ yes: boolean }> = {
  parse: (a: Args) => ({ yes: has(a, '--yes') }),
  async run(opts, ctx) {
    const { io } = ctx;
    const o = owner(ctx);
    const s = o.name;
    const { backend } = await select(o, ctx);
    const keys = await backend.list(s);
    if (keys.length === 0) {
      io.err(`no secrets in session '${s}'`);
      return 0;
    }
    if (!opts.yes) {
      if (!io.canPrompt) throw new UsageError(`purge removes all ${keys.length} secrets of '${s}' and needs confirmation`, `pass --yes: cs ${s} -secrets purge --yes`);
      await confirmPurge(s, keys.length, io);
    }
    const n = await backend.purge(s);
    io.err(`removed ${n} secrets from session '${s}'`);
    return 0;
  },
};
