// cs <name> -queue rm <n>: remove a task that is not running.
import { UsageError, UserError } from '../../lib/errors.js';
import { changeQueue } from '../../queue/queue.js';
import type { Args } from '../argv.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<{ id: number }> = {
  parse(a: Args) {
    const n = a.operands[0]!;
    if (!/^\d+$/.test(n)) throw new UsageError(`-queue rm takes a task number, not '${n.slice(0, 40)}'`, 'see the numbers with: cs <name> -queue');
    return { id: Number(n) };
  },
  async run(opts, ctx) {
    const s = sessionOf(ctx);
    const removed = changeQueue(
      s.paths.dir,
      (q) => {
        const t = q.tasks.find((x) => x.id === opts.id);
        if (!t) throw new UserError(`'${s.name}' has no task ${opts.id}`, `see the tasks with: cs ${s.name} -queue`);
        if (t.state === 'running') throw new UserError(`task ${opts.id} is running`, `stop the queue after it with: cs ${s.name} -queue stop`);
        q.tasks = q.tasks.filter((x) => x !== t);
        return t;
      },
      ctx.now(),
    );
    ctx.info(`removed task ${removed.id}`);
    return 0;
  },
};
