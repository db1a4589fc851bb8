// cs <name> -secrets import-file [FILE]: decrypt .cs/secrets.age (or FILE)
// with this machine's key and store its secrets.
import * as path from 'node:path';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<{ file?: string }> = {
  parse: (a: Args) => (a.operands[0] !== undefined ? { file: a.operands[0] } : {}),
  async run(opts, ctx) {
    const o = owner(ctx);
    const age = await import('../../secrets/age.js');
    const { backend } = await select(o, ctx);
    const r = await age.importSecretsFile({ session: o.name, sessionDir: o.dir, env: ctx.env, backend }, { file: opts.file && path.resolve(ctx.cwd, opts.file) });
    ctx.io.err(`imported ${r.count} secrets into '${o.name}' (${backend.name}); ${r.changed.length} new or changed${r.changed.length ? ': ' + r.changed.join(', ') : ''}`);
    if (r.removed.length) ctx.io.err(`removed ${r.removed.join(', ')}: removed on another machine, with the value this one had`);
    if (r.leftOut.length) ctx.io.err(`left out ${r.leftOut.join(', ')}: .cs/secrets.age lists that value as removed since (cs ${o.name} -secrets set KEY brings one back)`);
    return 0;
  },
};
