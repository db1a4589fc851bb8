// cs <name> -secrets exec -- <command> [args]: run a command with the
// secrets in its environment (never in its argv).
import type { Args } from '../argv.js';
import type { Command } from '../types.js';
import { owner, select } from './shared.js';

export const command: Command<{ command: string[] }> = {
  parse: (a: Args) => ({ command: a.operands }),
  async run(opts, ctx) {
    const o = owner(ctx);
    const { backend } = await select(o, ctx);
    const secrets = await backend.getAll(o.name);
    const { runAttached } = await import('../../lib/proc.js');
    const [command, ...args] = opts.command;
    const r = await runAttached(command!, args, { cwd: ctx.cwd, env: { ...ctx.env, ...secrets } });
    return r.code;
  },
};
