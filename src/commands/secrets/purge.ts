// cs <name> -secrets purge [--yes]: remove every secret of the session on this machine.
import * as fs from 'node:fs';
import { UsageError } from '../../lib/errors.js';
import { secretsFilePath } from '../../secrets/keys.js';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';
import { confirmPurge, owner, refreshEnvFile, select } from './shared.js';

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
    // A running session's Bash gets its secrets from its env file: the next command no longer does.
    await refreshEnvFile(s, backend, ctx.env);
    // A purge is this machine's: the secrets.age the other machines read keeps them (src/secrets/age.ts).
    const synced = fs.existsSync(secretsFilePath(o.dir));
    io.err(`removed ${n} secrets from session '${s}'${synced ? ` on this machine; .cs/secrets.age keeps them for the other machines (cs ${s} -secrets rm KEY removes one everywhere)` : ''}`);
    return 0;
  },
};
