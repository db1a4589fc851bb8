// cs <name> -sync auto on|off: pull at session start, push at session end.
import { UsageError } from '../../lib/errors.js';
import { readSyncConf, updateSyncConf } from '../../git/syncconf.js';
import type { Args } from '../argv.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<{ on: boolean }> = {
  parse(a: Args) {
    const v = a.operands[0]!;
    if (v !== 'on' && v !== 'off') throw new UsageError(`-sync auto takes on or off, not '${v}'`, 'cs <name> -sync auto on|off');
    return { on: v === 'on' };
  },
  async run(opts, ctx) {
    const s = sessionOf(ctx);
    updateSyncConf(s.paths.dir, { auto: opts.on });
    ctx.io.err(`auto-sync ${opts.on ? 'on: pull at session start, push at session end' : 'off'} for ${s.name}`);
    if (opts.on && !readSyncConf(s.paths.dir).remote) ctx.io.err(`note: no remote yet; set one with cs ${s.name} -sync remote <url>`);
    return 0;
  },
};
