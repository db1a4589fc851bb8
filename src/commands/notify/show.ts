// cs -notify [show] [--json]: where notifications go.
import { readNotifyConfig } from '../../notify/notify.js';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ json: boolean }> = {
  parse: (a: Args) => ({ json: has(a, '--json') }),
  async run(opts, ctx) {
    const config = readNotifyConfig(ctx.env);
    if (opts.json) ctx.io.out(JSON.stringify(config));
    else if (config) ctx.io.out(`${config.url}${config.tokenSecret ? `  (token from $${config.tokenSecret})` : ''}`);
    else ctx.info('notifications are off — turn them on with: cs -notify set <url>');
    return 0;
  },
};
