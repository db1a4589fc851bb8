// cs <name> -queue [list] [--json]: the tasks and their state.
import { escapeControls } from '../../lib/format.js';
import { queueSummary, readQueue } from '../../queue/queue.js';
import { has, type Args } from '../argv.js';
import { sessionOf, type Command } from '../types.js';
import { taskLine } from './lines.js';

export const command: Command<{ json: boolean }> = {
  parse: (a: Args) => ({ json: has(a, '--json') }),
  async run(opts, ctx) {
    const s = sessionOf(ctx);
    // A value stored after a task was queued shows as [secret: KEY] too.
    const { knownSessionSecrets, scrubJson } = await import('../../secrets/scrub.js');
    const q = scrubJson(readQueue(s.paths.dir), await knownSessionSecrets(s.name, ctx.env));
    if (opts.json) {
      ctx.io.out(JSON.stringify(q));
      return 0;
    }
    if (q.tasks.length === 0) ctx.info(`'${s.name}' has no queued tasks — add one with: cs ${s.name} -queue add "<task>"`);
    else ctx.io.out(q.tasks.map(taskLine).join('\n'));
    ctx.info(`queue ${queueSummary(q)}${q.parked ? ` — ${escapeControls(q.parked.debrief)}` : ''}`);
    return 0;
  },
};
