// cs <name> -secrets list [--json]: secret names and the captured files that use each.
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';
import { filesByKey, owner, select } from './shared.js';

export const command: Command<{ json: boolean }> = {
  parse: (a: Args) => ({ json: has(a, '--json') }),
  async run(opts, ctx) {
    const { io } = ctx;
    const o = owner(ctx);
    const { backend } = await select(o, ctx);
    const keys = await backend.list(o.name);
    const files = filesByKey(o.dir);
    if (opts.json) io.out(JSON.stringify({ session: o.name, backend: backend.name, keys, files: Object.fromEntries(keys.map((k) => [k, files.get(k) ?? []])) }));
    else if (keys.length === 0) io.err(`no secrets in session '${o.name}'`);
    else for (const k of keys) io.out(files.has(k) ? `${k}\t${files.get(k)!.join(', ')}` : k);
    return 0;
  },
};
