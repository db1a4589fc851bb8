// cs <name> -secrets export-file [--force] [FILE]: encrypt the secrets to
// .cs/secrets.age (or FILE) for every recipient.
import * as path from 'node:path';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<{ file?: string; force: boolean }> = {
  parse: (a: Args) => ({ ...(a.operands[0] !== undefined ? { file: a.operands[0] } : {}), force: has(a, '--force') }),
  async run(opts, ctx) {
    const o = owner(ctx);
    const age = await import('../../secrets/age.js');
    const { backend } = await select(o, ctx);
    const r = await age.exportSecretsFile({ session: o.name, sessionDir: o.dir, env: ctx.env, backend }, { force: opts.force, file: opts.file && path.resolve(ctx.cwd, opts.file) });
    if (r.adopted.length > 0) ctx.io.err(`kept ${r.adopted.length} secrets that only the previous file had: ${r.adopted.join(', ')}`);
    if (r.updated.length > 0) ctx.io.err(`took the newer value from the file for ${r.updated.join(', ')} (changed on another machine since this one's last sync)`);
    if (r.conflicts.length > 0) ctx.io.err(`${r.conflicts.join(', ')} changed here and on another machine: wrote this machine's value`);
    if (r.removedHere.length > 0) ctx.io.err(`removed ${r.removedHere.join(', ')} here: removed on another machine, with the value this one had`);
    ctx.io.err(
      `wrote ${r.file}: ${r.count} secrets for ${r.recipients.length} recipients (${r.recipients.join(', ')})` +
        (r.kept ? (opts.file ? `, and ${r.kept} that only the file had kept in it` : `, and ${r.kept} missing here kept for the other machines (cs ${o.name} -secrets rm KEY removes one everywhere)`) : '') +
        (r.removed.length ? `; listed as removed for the other machines: ${r.removed.join(', ')}` : ''),
    );
    return 0;
  },
};
