// cs <name> -tag [add|rm <tag>...] [--json]: the session's tags (.cs/tags, synced).
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { changeTags, normalizeTag, readTags } from '../session/marks.js';
import { validateName } from '../session/names.js';
import { findSession } from '../session/workspace.js';
import { usageLine } from './table.js';
import type { Context, Invocation } from './types.js';

export const usage = usageLine('-tag');

export interface TagOptions {
  session: string;
  action: 'list' | 'add' | 'rm';
  tags: string[];
  json: boolean;
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): TagOptions {
  const p = parseArgs(args, { booleans: ['--json'] }, '-tag');
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  if (!given) throw new UsageError('-tag needs a session', `${usage} (or run it inside a session)`);
  const [action, ...tags] = p.positionals;
  if (action === undefined) {
    expectPositionals(p, 0, 0, '-tag', usage);
    return { session: validateName(given), action: 'list', tags: [], json: flag(p, '--json') };
  }
  if (action !== 'add' && action !== 'rm') throw new UsageError(`unknown -tag action '${action}'`, `usage: ${usage}`);
  if (tags.length === 0) throw new UsageError(`-tag ${action} needs at least one tag`, `usage: ${usage}`);
  return { session: validateName(given), action, tags: tags.map(normalizeTag), json: flag(p, '--json') };
}

export async function run(opts: TagOptions, ctx: Context): Promise<number> {
  const found = findSession(ctx.env, opts.session);
  if (!found) throw new UserError(`no session named '${opts.session}'`, 'see cs -ls');
  const tags = opts.action === 'list' ? readTags(found.paths.dir) : changeTags(found.paths.dir, opts.action === 'add' ? opts.tags : [], opts.action === 'rm' ? opts.tags : []);
  if (opts.json) ctx.io.out(JSON.stringify(tags));
  else if (tags.length) ctx.io.out(tags.map((t) => `#${t}`).join(' '));
  else if (opts.action === 'list') ctx.io.err(`cs: '${opts.session}' has no tags — add one with: cs ${opts.session} -tag add <tag>`);
  return 0;
}
