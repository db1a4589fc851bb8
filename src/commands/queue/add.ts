// cs <name> -queue add <task>|- [--json]: queue a task ('-' reads it from stdin).
import { UsageError } from '../../lib/errors.js';
import { readAll } from '../../lib/read-all.js';
import { addTask, changeQueue, readQueue } from '../../queue/queue.js';
import { has, type Args } from '../argv.js';
import { sessionOf, type Command } from '../types.js';

export interface QueueAddOptions {
  /** The task text, or '-' for stdin. */
  text: string;
  json: boolean;
}

export const command: Command<QueueAddOptions> = {
  parse(a: Args) {
    const text = a.operands.join(' ');
    if (text.trim() === '') throw new UsageError('-queue add needs the task', 'give it in quotes, or - to read it from stdin: cs <name> -queue add "fix the flaky test"');
    return { text, json: has(a, '--json') };
  },
  async run(opts, ctx) {
    const { io } = ctx;
    const s = sessionOf(ctx);
    const now = ctx.now();
    let text = opts.text;
    if (text === '-') {
      if (io.stdin.isTTY) throw new UsageError('-queue add - reads the task from stdin, which is a terminal', 'pipe it in: echo "fix the test" | cs <name> -queue add -');
      text = (await readAll(io.stdin)).trim();
      if (!text) throw new UsageError('stdin was empty: no task to add', 'pipe the task text in, or give it in quotes');
    }
    // A stored value in the task, or one found there (then stored), is kept as [secret: KEY]: queue.json, its journal and the timeline are committed.
    const scrub = await import('../../secrets/scrub.js');
    const { text: kept, stored } = await scrub.scrubForSession(s.name, ctx.env, text);
    if (stored.length) ctx.info(scrub.storedNotice(stored));
    const t = changeQueue(
      s.paths.dir,
      (q, journal) => {
        const t = addTask(q, kept, now);
        journal({ type: 'add', id: t.id, text: t.text });
        return t;
      },
      now,
    );
    if (opts.json) io.out(JSON.stringify(t));
    else ctx.info(`queued task ${t.id} in '${s.name}'${readQueue(s.paths.dir).armed ? '' : ` — start draining with: cs ${s.name} -queue start`}`);
    return 0;
  },
};
