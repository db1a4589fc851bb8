// cs -remote digest <dir>: a workspace's digest, for another machine's cs
// to verify a copy (src/remote/digest.ts); one JSON line.
import * as fs from 'node:fs';
import { UserError } from '../../lib/errors.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ dir: string }> = {
  parse: (a: Args) => ({ dir: a.operands[0]! }),
  async run(opts, ctx) {
    if (!fs.existsSync(opts.dir)) throw new UserError(`${opts.dir} does not exist`);
    const { digestWorkspace } = await import('../../remote/digest.js');
    ctx.io.out(JSON.stringify(digestWorkspace(opts.dir)));
    return 0;
  },
};
