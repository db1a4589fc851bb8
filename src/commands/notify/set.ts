// cs -notify set <url> [--token-secret KEY]: send notifications to this URL (src/notify/notify.ts).
import { UsageError } from '../../lib/errors.js';
import { urlProblem, writeNotifyConfig } from '../../notify/notify.js';
import { value, type Args } from '../argv.js';
import type { Command } from '../types.js';

export interface NotifySetOptions {
  url: string;
  tokenSecret: string | null;
}

export const command: Command<NotifySetOptions> = {
  parse(a: Args) {
    const url = a.operands[0]!;
    const problem = urlProblem(url);
    if (problem) throw new UsageError(problem, a.usage);
    const tokenSecret = value(a, '--token-secret') ?? null;
    if (tokenSecret !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenSecret)) throw new UsageError(`--token-secret takes a variable name like NTFY_TOKEN, not '${tokenSecret}' (never the token itself)`, a.usage);
    return { url, tokenSecret };
  },
  async run(opts, ctx) {
    writeNotifyConfig(ctx.env, { url: opts.url, ...(opts.tokenSecret ? { tokenSecret: opts.tokenSecret } : {}) });
    ctx.info(`notifications go to ${opts.url}${opts.tokenSecret ? ` with the token in $${opts.tokenSecret}` : ''} — try it with: cs -notify test`);
    return 0;
  },
};
