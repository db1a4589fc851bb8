// cs -archive <name>... and cs -unarchive <name>...: the synced marker
// `.cs/archived` (src/session/marks.ts) that hides a session from listings.
import { UserError } from '../lib/errors.js';
import { setArchived } from '../session/marks.js';
import { resolveSession } from '../session/resolve.js';
import { refuseIfOpen } from '../session/lock.js';
import type { SessionPaths } from '../session/paths.js';
import type { Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface ArchiveOptions {
  names: string[];
  archive: boolean;
}

/** One module for both commands: the table entry says which. */
export function parse(a: Args): ArchiveOptions {
  return { names: [...new Set(a.operands)], archive: a.spec.name === '-archive' };
}

export async function run(opts: ArchiveOptions, ctx: Context): Promise<number> {
  // Every name is checked before any marker changes: a typo changes nothing.
  const command = opts.archive ? '-archive' : '-unarchive';
  const found = opts.names.map((n) => {
    try {
      const f = resolveSession(ctx.env, { name: n, command });
      if (opts.archive) refuseOpen(f.paths);
      return f;
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message, `${e.hint ?? 'see cs -ls --all'}; nothing was changed`);
      throw e;
    }
  });
  for (const f of found) {
    const changed = setArchived(f.paths.dir, opts.archive, ctx.now());
    const what = opts.archive ? 'archived' : 'unarchived';
    ctx.info(changed ? `${what} '${f.paths.name}'` : `'${f.paths.name}' was already ${opts.archive ? 'archived' : 'not archived'}`);
  }
  return 0;
}

/**
 * A session open now is not archived: it would vanish from -ls and the
 * picker while Claude works in it (and opening it again unarchives it
 * anyway). As -rm does, any live holder refuses, a stale lock does not.
 */
function refuseOpen(p: SessionPaths): void {
  refuseIfOpen(p.name, p.lock, 'it cannot be archived');
}

export const command: Command<ArchiveOptions> = { parse, run };
