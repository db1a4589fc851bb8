// cs -statusline disable: remove cs's status line from Claude Code's
// settings.json and put back the one it replaced (src/install/statusline.ts).
import type { Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const m = await import('../../install/statusline.js');
    const r = m.disableStatusLine(ctx.env);
    if (r.outcome === 'disabled') ctx.info(`status line off in ${r.file}${r.theirs ? `; yours is back (${m.describeEntry(r.theirs)})` : ''}`);
    else if (r.outcome === 'not-ours') ctx.info(`the status line in ${r.file} is not cs's (${m.describeEntry(r.theirs)}); left it alone`);
    else ctx.info('the cs status line was not on');
    return 0;
  },
};
