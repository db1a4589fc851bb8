// cs <name> -secrets set [--force] KEY [VALUE]: store a secret (no VALUE: a
// hidden prompt on a terminal, else stdin); --force replaces a different value.
import { UserError } from '../../lib/errors.js';
import { validateKey } from '../../secrets/keys.js';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';
import { confirmReplace, owner, readValue, refreshEnvFile, select } from './shared.js';

export interface SetOptions {
  key: string;
  value?: string;
  force: boolean;
}

export const command: Command<SetOptions> = {
  parse: (a: Args) => ({ key: validateKey(a.operands[0]!), ...(a.operands[1] !== undefined ? { value: a.operands[1] } : {}), force: has(a, '--force') }),
  async run(opts, ctx) {
    const { io, env } = ctx;
    const o = owner(ctx);
    const s = o.name;
    const { backend } = await select(o, ctx);
    if (opts.value !== undefined && io.canPrompt) {
      io.err('note: a value typed as an argument stays in shell history and shows in ps; leave it out to be asked for it');
    }
    const value = opts.value ?? (await readValue(opts.key, io));
    if (value === '') throw new UserError(`no value given for ${opts.key}; nothing was stored`, `pass it on stdin: printf %s "$VALUE" | cs ${s} -secrets set ${opts.key}`);
    const old = await backend.get(s, opts.key);
    if (old === value) {
      io.err(`${opts.key} already holds this value in session '${s}'; nothing changed`);
      return 0;
    }
    if (old !== undefined && !opts.force) await confirmReplace(s, opts.key, io);
    await backend.set(s, opts.key, value);
    await refreshEnvFile(s, backend, env);
    io.err(`${old === undefined ? 'stored' : 'replaced'} ${opts.key} for session '${s}' (${backend.name})`);
    return 0;
  },
};
