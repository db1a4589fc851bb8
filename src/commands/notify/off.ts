// cs -notify off: send no notifications.
import { writeNotifyConfig } from '../../notify/notify.js';
import type { Command } from '../types.js';

export const command: Command<Record<string, never>> = {
  parse: () => ({}),
  async run(_opts, ctx) {
    writeNotifyConfig(ctx.env, null);
    ctx.info('notifications are off');
    return 0;
  },
};
