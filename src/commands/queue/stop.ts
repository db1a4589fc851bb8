// cs <name> -queue stop: disarm the queue after the running task.
import { changeQueue, runningTask } from '../../queue/queue.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const q = changeQueue(
      sessionOf(ctx).paths.dir,
      (q, journal) => {
        if (!q.armed) return q;
        if (runningTask(q)) q.stopping = true;
        else {
          q.armed = false;
          journal({ type: 'stop' });
        }
        return q;
      },
      ctx.now(),
    );
    ctx.info(q.stopping ? 'the queue stops after the running task' : 'queue disarmed');
    return 0;
  },
};
