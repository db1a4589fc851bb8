// cs <name> -queue clear: remove every task that is not running.
import { changeQueue } from '../../queue/queue.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const n = changeQueue(
      sessionOf(ctx).paths.dir,
      (q) => {
        const before = q.tasks.length;
        q.tasks = q.tasks.filter((t) => t.state === 'running');
        delete q.parked;
        return before - q.tasks.length;
      },
      ctx.now(),
    );
    ctx.info(`cleared ${n} task${n === 1 ? '' : 's'}`);
    return 0;
  },
};
