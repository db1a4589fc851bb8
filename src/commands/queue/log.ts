// cs <name> -queue log [--json]: what the queue did (.cs/queue/journal.jsonl).
import { readJournal } from '../../queue/queue.js';
import { has, type Args } from '../argv.js';
import { sessionOf, type Command } from '../types.js';
import { journalLine } from './lines.js';

export const command: Command<{ json: boolean }> = {
  parse: (a: Args) => ({ json: has(a, '--json') }),
  async run(opts, ctx) {
    const s = sessionOf(ctx);
    const { knownSessionSecrets, scrubJson } = await import('../../secrets/scrub.js');
    const entries = scrubJson(readJournal(s.paths.dir), await knownSessionSecrets(s.name, ctx.env));
    if (opts.json) ctx.io.out(JSON.stringify(entries));
    else if (entries.length === 0) ctx.info(`'${s.name}' has no queue journal yet`);
    else ctx.io.out(entries.map(journalLine).join('\n'));
    return 0;
  },
};
