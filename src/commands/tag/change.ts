// cs <name> -tag add|rm <tag>... [--json]: change the session's tags (one
// module for both: they differ only in the direction of the change).
import { changeTags, normalizeTag, readTags } from '../../session/marks.js';
import { has, type Args } from '../argv.js';
import { sessionOf, type Command } from '../types.js';
import { printTags } from './print.js';

export interface TagChangeOptions {
  action: 'add' | 'rm';
  tags: string[];
  json: boolean;
}

export const command: Command<TagChangeOptions> = {
  parse: (a: Args) => ({ action: a.sub[0] as 'add' | 'rm', tags: a.operands.map(normalizeTag), json: has(a, '--json') }),
  async run(opts, ctx) {
    const { paths } = sessionOf(ctx);
    // A tag to remove that is not there (a typo) would otherwise look removed.
    const had = new Set(readTags(paths.dir));
    const absent = opts.action === 'rm' ? [...new Set(opts.tags)].filter((t) => !had.has(t)) : [];
    if (absent.length) ctx.info(`'${paths.name}' had no tag ${absent.map((t) => `#${t}`).join(', ')}`);
    printTags(changeTags(paths.dir, opts.action === 'add' ? opts.tags : [], opts.action === 'rm' ? opts.tags : []), opts.json, ctx);
    return 0;
  },
};
