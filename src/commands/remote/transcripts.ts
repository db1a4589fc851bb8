// cs -remote transcripts <dir>: installs the transcripts --move-to sends on
// stdin (src/conversations/carry.ts) and prints the files written, one JSON line.
import * as path from 'node:path';
import { UsageError } from '../../lib/errors.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ dir: string }> = {
  parse(a: Args) {
    const dir = a.operands[0]!;
    if (!path.isAbsolute(dir)) throw new UsageError(`-remote transcripts needs an absolute path, not ${dir}`);
    return { dir };
  },
  async run(opts, ctx) {
    const { text } = await import('node:stream/consumers');
    const { installBundle, parseBundle } = await import('../../conversations/carry.js');
    ctx.io.out(JSON.stringify({ installed: installBundle(ctx.env, opts.dir, parseBundle(await text(ctx.io.stdin))) }));
    return 0;
  },
};
