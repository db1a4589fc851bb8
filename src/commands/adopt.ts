// `cs -adopt <name> [--from <url>]`: make the current directory a session in
// place, writing nothing into the project's own files, index or branches.
import { value, type Args } from './argv.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateName } from '../session/names.js';
import { sessionsRoot } from '../session/paths.js';
import { adoptSession } from '../session/workspace.js';
import type { Command, Context } from './types.js';
import { UserError } from '../lib/errors.js';

export interface AdoptOptions {
  name: string;
  /** A remote holding the session's records (pushed from another checkout). */
  from?: string;
}

export function parse(a: Args): AdoptOptions {
  const from = value(a, '--from');
  return { name: validateName(a.operands[0]!), ...(from !== undefined ? { from } : {}) };
}

export async function run(opts: AdoptOptions, ctx: Context): Promise<number> {
  const from = opts.from === undefined ? undefined : (await import('../git/remote.js')).validateRemoteUrl(opts.from, ctx.cwd);
  // A path that is not there holds no records: said before anything is done, with what --from wants
  // (the remote's general hint would offer to create it, which gives an adopted project nothing to take).
  if (from !== undefined && path.isAbsolute(from) && !fs.existsSync(from)) {
    throw new UserError(`cannot reach remote ${from}: no repository at ${from} (the path does not exist); nothing was changed`, `--from takes the remote another checkout pushed this session's records to (cs ${opts.name} -sync push there): check the path`);
  }
  // A new session named like a command (cs list) would be opened by typing the command: asked, as for cs <name>.
  if (!fs.existsSync(path.join(sessionsRoot(ctx.env), opts.name))) await (await import('./suggest.js')).confirmCommandLikeName(opts.name, ctx.io, 'adopt');
  const r = await adoptSession(ctx.env, opts.name, ctx.cwd, ctx.now(), from);
  if (r.migration) ctx.warn(r.migration.notice);
  if (r.protocolProblem) ctx.warn(r.protocolProblem);
  if (r.alreadyAdopted) {
    ctx.info(`${r.paths.dir} is already session '${opts.name}'; brought .cs/ and CLAUDE.local.md up to date`);
  } else {
    ctx.info(`adopted ${r.paths.dir} as session '${opts.name}'${r.createdRepo ? ' (new git repo, no commit)' : ''}`);
    ctx.info(`cs writes only .cs/ and CLAUDE.local.md here (both in .git/info/exclude); your files, index and branches stay yours`);
  }
  if (r.received === true) ctx.info(`took the session's records from ${from}`);
  if (r.received === false) ctx.warn(`${from} has no records of this session yet; push them from the other checkout with: cs ${opts.name} -sync push`);
  if (!r.alreadyAdopted) ctx.info(`open it with: cs ${opts.name}`);
  return 0;
}

export const command: Command<AdoptOptions> = { parse, run };
