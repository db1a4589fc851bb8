// cs <name> -secrets age remove <recipient>: stop encrypting the session's
// secrets to a machine (older copies in git history stay readable by it).
import * as fs from 'node:fs';
import { UserError } from '../../../lib/errors.js';
import type { Args } from '../../argv.js';
import type { Command } from '../../types.js';
import { owner, select } from '../shared.js';

export const command: Command<{ name: string }> = {
  parse: (a: Args) => ({ name: a.operands[0]! }),
  async run(opts, ctx) {
    const { io, env } = ctx;
    const o = owner(ctx);
    const s = o.name;
    const age = await import('../../../secrets/age.js');
    // Check first that secrets.age can be re-encrypted, so a removal never
    // leaves a file the removed key can still read without saying so.
    if (!age.listRecipients(o.dir).some((r) => r.name === opts.name)) {
      throw new UserError(`no recipient named '${opts.name}' in session '${s}'`, `see the names with: cs ${s} -secrets age list`);
    }
    const file = age.secretsFilePath(o.dir);
    if (fs.existsSync(file)) await age.decryptSecretsFile(file, await age.requireIdentity(env), '.cs/secrets.age');
    age.removeRecipient(o.dir, opts.name);
    io.err(`removed recipient '${opts.name}' of session '${s}'`);
    if (fs.existsSync(file)) {
      if (age.listRecipients(o.dir).length === 0) {
        fs.rmSync(file);
        io.err('no recipients left: removed .cs/secrets.age');
      } else {
        const { backend } = await select(o, ctx);
        const r = await age.exportSecretsFile({ session: s, sessionDir: o.dir, env, backend });
        io.err(`re-encrypted .cs/secrets.age for ${r.recipients.join(', ')}`);
      }
      io.err('note: older copies in git history stay readable by the removed key; rotate secrets it should no longer know');
    }
    return 0;
  },
};
