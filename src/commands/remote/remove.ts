// cs -remote remove <alias>: forget a host (its sessions stay there).
import { removeHost } from '../../remote/hosts.js';
import { readRemoteConf } from '../../remote/stub.js';
import { sessionEntries } from '../../session/find.js';
import { sessionsRoot } from '../../session/paths.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';

export const command: Command<{ alias: string }> = {
  parse: (a: Args) => ({ alias: a.operands[0]! }),
  async run(opts, ctx) {
    const gone = removeHost(ctx.env, opts.alias);
    // Stubs here that name the alias keep working through the address they recorded (stubTarget): said, so nobody takes them for orphaned.
    const stubs = entriesOr(sessionsRoot(ctx.env)).filter((name) => readRemoteConf(ctx.env, name)?.host === gone.alias);
    const kept = stubs.length ? `; ${stubs.join(', ')} here still connect${stubs.length === 1 ? 's' : ''} to ${gone.host} by the address recorded` : '';
    ctx.info(`forgot host '${gone.alias}' (${gone.host}); sessions there are untouched${kept}`);
    return 0;
  },
};

/** sessionEntries, or none when the root cannot be read: the host is forgotten either way, the note about stubs is extra. */
function entriesOr(root: string): string[] {
  try {
    return sessionEntries(root);
  } catch {
    return [];
  }
}
