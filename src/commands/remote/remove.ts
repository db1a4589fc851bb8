// cs -remote remove <alias>: forget a host (its sessions stay there).
import * as fs from 'node:fs';
import { removeHost } from '../../remote/hosts.js';
import { readRemoteConf } from '../../remote/stub.js';
import { nameProblem } from '../../session/names.js';
import { sessionsRoot } from '../../session/paths.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ alias: string }> = {
  parse: (a: Args) => ({ alias: a.operands[0]! }),
  async run(opts, ctx) {
    const gone = removeHost(ctx.env, opts.alias);
    // Stubs here that name the alias keep working through the address they recorded (stubTarget): said, so nobody takes them for orphaned.
    const stubs = sessionNames(sessionsRoot(ctx.env)).filter((name) => readRemoteConf(ctx.env, name)?.host === gone.alias);
    const kept = stubs.length ? `; ${stubs.join(', ')} here still connect${stubs.length === 1 ? 's' : ''} to ${gone.host} by the address recorded` : '';
    ctx.info(`forgot host '${gone.alias}' (${gone.host}); sessions there are untouched${kept}`);
    return 0;
  },
};

/** The session names in `root` (none when it is missing). */
function sessionNames(root: string): string[] {
  try {
    return fs.readdirSync(root).filter((n) => nameProblem(n) === null).sort();
  } catch {
    return [];
  }
}
