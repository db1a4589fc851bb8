// cs -remote probe <name> [--mkroot]: what another machine's cs asks over
// ssh before opening or moving a session here (src/remote/probe.ts); one JSON line.
import { validateName } from '../../session/names.js';
import { has, type Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ name: string; mkroot: boolean }> = {
  parse: (a: Args) => ({ name: validateName(a.operands[0]!), mkroot: has(a, '--mkroot') }),
  async run(opts, ctx) {
    const { answerProbe } = await import('../../remote/probe.js');
    ctx.io.out(JSON.stringify(answerProbe(ctx.env, opts.name, opts.mkroot)));
    return 0;
  },
};
