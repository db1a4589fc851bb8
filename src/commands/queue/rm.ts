// cs <name> -queue rm <n>: remove a task that is not running.
import { UsageError, UserError } from '../../lib/errors.js';
import { changeQueue } from '../../queue/queue.js';
import type { Args } from '../argv.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<{ id: number; n: string }> = {
  parse(a: Args) {
    const n = a.operands[0]!;
    if (!/^\d+$/.test(n)) throw new UsageError(`-queue rm takes a task number, not '${n.slice(0, 40)}'`, `see the numbers with: cs ${a.session ?? '<name>'} -queue`);
    // A number past 2^53 names no task (and is not to be shown as 1e+23): -1 matches none.
    return { id: Number.isSafeInteger(Number(n)) ? Number(n) : -1, n };
  },
  async run(opts, ctx) {
    const s = sessionOf(ctx);
    const id = opts.id;
    const removed = changeQueue(
      s.paths.dir,
      (q) => {
        const t = q.tasks.find((x) => x.id === id);
        if (!t) throw new UserError(`'${s.name}' has no task ${opts.n.slice(0, 40)}`, `see the tasks with: cs ${s.name} -queue`);
        if (t.state === 'running') throw new UserError(`task ${t.id} is running`, `stop the queue after it with: cs ${s.name} -queue stop`);
        q.tasks = q.tasks.filter((x) => x !== t);
        return t;
      },
      ctx.now(),
    );
    ctx.info(`removed task ${removed.id}`);
    return 0;
  },
};
