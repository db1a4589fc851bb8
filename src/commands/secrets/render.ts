// cs <name> -secrets render FILE: a captured file with its secrets' values filled in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../lib/errors.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<{ file: string }> = {
  parse: (a: Args) => ({ file: a.operands[0]! }),
  async run(opts, ctx) {
    const o = owner(ctx);
    const { backend } = await select(o, ctx);
    const file = path.resolve(ctx.cwd, opts.file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'name a file Claude wrote in the session');
    }
    const { render } = await import('../../secrets/references.js');
    ctx.io.out(render(file, text, await backend.getAll(o.name)).replace(/\n$/, ''));
    return 0;
  },
};
