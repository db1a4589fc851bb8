// cs <name> -secrets age add <recipient> <age1…>: another machine gets the
// session's secrets and transcripts with the next push.
import type { Args } from '../../argv.js';
import type { Command } from '../../types.js';
import { owner, reexport } from '../shared.js';

export const command: Command<{ name: string; pubkey: string }> = {
  parse: (a: Args) => ({ name: a.operands[0]!, pubkey: a.operands[1]! }),
  async run(opts, ctx) {
    const { io } = ctx;
    const o = owner(ctx);
    const s = o.name;
    const age = await import('../../../secrets/age.js');
    const { replaced, existing } = age.addRecipient(o.dir, opts.name, opts.pubkey);
    if (existing) {
      io.err(`that key is already recipient '${existing}' of session '${s}'; nothing added (to rename it: cs ${s} -secrets age remove ${existing}, then add it again)`);
      return 0;
    }
    io.err(`${replaced ? 'replaced' : 'added'} recipient '${opts.name}' of session '${s}'`);
    await reexport(o, ctx, age);
    io.err(`'${opts.name}' receives the secrets and the transcripts with the next push: cs ${s} -sync push (with auto-sync on, at the end of the session)`);
    return 0;
  },
};
