// cs <name> -queue start: arm the queue; at each Stop Claude gets the next pending task.
import { UserError } from '../../lib/errors.js';
import { changeQueue, pendingCount, runningTask } from '../../queue/queue.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const s = sessionOf(ctx);
    const q = changeQueue(
      s.paths.dir,
      (q, journal) => {
        if (pendingCount(q) === 0 && !runningTask(q)) throw new UserError(`'${s.name}' has no pending tasks`, `add one with: cs ${s.name} -queue add "<task>"`);
        if (!q.armed || q.stopping) journal({ type: 'start' });
        q.armed = true;
        delete q.stopping;
        delete q.parked;
        // A task a safety stop interrupted goes first again.
        for (const t of q.tasks) if (t.state === 'parked') t.state = 'pending';
        q.tasks.sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running'));
        return q;
      },
      ctx.now(),
    );
    ctx.info(`queue armed (${pendingCount(q)} pending): Claude gets the next task each time it stops`);
    return 0;
  },
};
