// cs -statusline enable [--replace]: register cs's status line
// (hooks/statusline) in Claude Code's settings.json (src/install/statusline.ts).
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';

export interface EnableOptions {
  replace: boolean;
}

export const command: Command<EnableOptions> = {
  parse: (a: Args) => ({ replace: has(a, '--replace') }),
  async run(opts, ctx) {
    const m = await import('../../install/statusline.js');
    const r = m.enableStatusLine(ctx.env, opts.replace);
    m.assertNoConflict(r);
    if (r.outcome === 'already') ctx.info(`the cs status line is already on in ${r.file}`);
    else if (r.outcome === 'replaced') ctx.info(`status line on in ${r.file}; yours (${m.describeEntry(r.theirs)}) is saved and comes back with cs -statusline disable`);
    else ctx.info(`status line on in ${r.file} (Claude Code shows it from the next refresh)`);
    return 0;
  },
};
