// cs -notify test: send a test notification now.
import { UserError } from '../../lib/errors.js';
import { notify, notifyLogFile, readNotifyConfig } from '../../notify/notify.js';
import type { Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    const config = readNotifyConfig(ctx.env);
    if (!config) throw new UserError('notifications are off', 'turn them on with: cs -notify set <url>');
    if (!(await notify({ name: 'cs' }, { kind: 'test', summary: 'If you can read this, cs can reach you.' }, ctx.env))) {
      throw new UserError(`the test notification was not delivered to ${config.url}`, `see why in ${notifyLogFile(ctx.env)}`);
    }
    ctx.info(`sent a test notification to ${config.url}`);
    return 0;
  },
};
