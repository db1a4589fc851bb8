// Where `cs <name>` hands over when the session is (or is to be) remote.
import type { RunContext } from '../lib/context.js';

export interface RemoteOpenOptions {
  name: string;
  force: boolean;
  claudeArgs: string[];
  on?: string;
  moveTo?: string;
}

export async function openRemote(opts: RemoteOpenOptions, ctx: RunContext): Promise<number> {
  if (opts.moveTo !== undefined) return (await import('./move.js')).moveTo({ name: opts.name, host: opts.moveTo }, ctx);
  return (await import('./connect.js')).connect(opts, ctx);
}
