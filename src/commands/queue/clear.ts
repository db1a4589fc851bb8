// cs <name> -queue clear: remove every task that is not running. A damaged
// queue file is moved aside (kept, never deleted) and an empty queue started.
import { changeQueue, DamagedQueueError, setAsideDamagedQueue } from '../../queue/queue.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const dir = sessionOf(ctx).paths.dir;
    const clear = () =>
      changeQueue(
        dir,
        (q) => {
          const before = q.tasks.length;
          q.tasks = q.tasks.filter((t) => t.state === 'running');
          delete q.parked;
          return before - q.tasks.length;
        },
        ctx.now(),
      );
    let n: number;
    try {
      n = clear();
    } catch (e) {
      if (!(e instanceof DamagedQueueError)) throw e;
      const aside = setAsideDamagedQueue(dir, ctx.now());
      if (aside !== null) {
        ctx.info(`the damaged queue file was moved aside to ${aside}; the queue is empty now`);
        return 0;
      }
      n = clear();
    }
    ctx.info(`cleared ${n} task${n === 1 ? '' : 's'}`);
    return 0;
  },
};
