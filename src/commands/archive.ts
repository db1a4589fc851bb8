// cs -archive <name>... and cs -unarchive <name>...: the synced marker
// `.cs/archived` (src/session/marks.ts) that hides a session from listings.
import { expectPositionals, parseArgs } from '../lib/args.js';
import { UserError } from '../lib/errors.js';
import { setArchived } from '../session/marks.js';
import { validateName } from '../session/names.js';
import { findSession } from '../session/workspace.js';
import type { Command, Context } from './types.js';

export interface ArchiveOptions {
  names: string[];
  archive: boolean;
}

function parser(archive: boolean) {
  const name = archive ? '-archive' : '-unarchive';
  return (args: string[]): ArchiveOptions => {
    const p = parseArgs(args, {}, name);
    const names = expectPositionals(p, 1, Infinity, name, `cs ${name} <name>...`).map(validateName);
    return { names: [...new Set(names)], archive };
  };
}

export async function run(opts: ArchiveOptions, ctx: Context): Promise<number> {
  // Every name is checked before any marker changes: a typo changes nothing.
  const found = opts.names.map((n) => {
    const f = findSession(ctx.env, n);
    if (!f) throw new UserError(`no session named '${n}'`, `see cs -ls${opts.archive ? '' : ' --archived'}; nothing was changed`);
    return f;
  });
  for (const f of found) {
    const changed = setArchived(f.paths.dir, opts.archive, ctx.now());
    const what = opts.archive ? 'archived' : 'unarchived';
    ctx.io.err(changed ? `cs: ${what} '${f.paths.name}'` : `cs: '${f.paths.name}' was already ${opts.archive ? 'archived' : 'not archived'}`);
  }
  return 0;
}

export const command: Command<ArchiveOptions> = { parse: parser(true), run };
export const unarchive: Command<ArchiveOptions> = { parse: parser(false), run };
