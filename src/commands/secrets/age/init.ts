// cs [<name>] -secrets age init: make this machine's age identity (once) and,
// in a session, add it as a recipient of the session's secrets.
import { tildify } from '../../../secrets/keys.js';
import type { Command } from '../../types.js';
import { owner } from '../shared.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const { io, env } = ctx;
    const age = await import('../../../secrets/age.js');
    const { created, id } = await age.initIdentity(env, ctx.now());
    io.err(created ? `created ${tildify(id.file, env)}` : `using the existing ${tildify(id.file, env)}`);
    // Outside any session: the machine's identity only (laptop B makes its key before it has a session).
    if (!ctx.session) {
      io.err('add it to a session from a machine that can read it: cs <name> -secrets age add <name> <this pubkey>');
      io.out(id.recipient);
      return 0;
    }
    const o = owner(ctx);
    const recipients = age.listRecipients(o.dir);
    const known = recipients.find((r) => r.recipient === id.recipient);
    if (known) io.err(`this machine is recipient '${known.name}' of session '${o.name}'`);
    else {
      // Another machine may have the same user@host name: never replace its key.
      const base = age.localRecipientName(env);
      const taken = new Set(recipients.map((r) => r.name));
      let name = base;
      for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
      age.addRecipient(o.dir, name, id.recipient);
      io.err(`added this machine as recipient '${name}' of session '${o.name}'`);
    }
    io.out(id.recipient);
    return 0;
  },
};
