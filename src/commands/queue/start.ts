// cs <name> -queue start: arm the queue; at each Stop Claude gets the next pending task.
import { UserError } from '../../lib/errors.js';
import { changeQueue, pendingCount } from '../../queue/queue.js';
import { arm } from '../../queue/drain.js';
import { sessionOf, type Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const s = sessionOf(ctx);
    const q = changeQueue(
      s.paths.dir,
      (q, journal) => {
        if (!arm(q, journal)) throw new UserError(`'${s.name}' has no pending tasks`, `add one with: cs ${s.name} -queue add "<task>"`);
        return q;
      },
      ctx.now(),
    );
    ctx.info(`queue armed (${pendingCount(q)} pending): Claude gets the next task each time it stops`);
    // An idle hosted Claude never stops again by itself: the first task is typed in now, as the page's Start does.
    const handed = await (await import('../../queue/resume.js')).handOverIfIdle(ctx.env, s.name, s.paths.dir, () => ctx.now());
    if (handed) ctx.info(`handed task ${handed.id} to the idle Claude of '${s.name}'`);
    // Nobody runs it: no Stop will come until Claude is started, and a spawn starts it on the first task.
    else if (!(await import('../../session/lock.js')).liveHolder(s.paths.lock)) ctx.info(`'${s.name}' is not running: start Claude on the first task with: cs -spawn ${s.name}`);
    return 0;
  },
};
