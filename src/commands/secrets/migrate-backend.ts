// cs <name> -secrets migrate-backend {keychain|encrypted}: move every secret
// of the session to the other backend.
import { UsageError } from '../../lib/errors.js';
import { BACKEND_NAMES, type BackendName } from '../../secrets/backend-types.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<{ to: BackendName }> = {
  parse(a: Args) {
    const to = a.operands[0]!;
    if (!BACKEND_NAMES.includes(to as BackendName)) throw new UsageError(`unknown backend '${to}'`, 'use keychain or encrypted');
    return { to: to as BackendName };
  },
  async run(opts, ctx) {
    const { env } = ctx;
    const o = owner(ctx);
    const { migrateBackend } = await import('../../secrets/store.js');
    const { backend } = await select(o, ctx);
    const r = await migrateBackend(o.name, backend, opts.to, env);
    ctx.io.err(`moved ${r.moved.length} secrets of '${o.name}' from ${r.from} to ${r.to}`);
    if (env.CS_SECRETS_BACKEND && env.CS_SECRETS_BACKEND.trim() !== opts.to) {
      ctx.io.err(`note: CS_SECRETS_BACKEND=${env.CS_SECRETS_BACKEND} still overrides the session's backend; unset it`);
    }
    return 0;
  },
};
