// cs <name> -tag add|rm <tag>... [--json]: change the session's tags (one
// module for both: they differ only in the direction of the change).
import { changeTags, normalizeTag } from '../../session/marks.js';
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
    const dir = sessionOf(ctx).paths.dir;
    printTags(changeTags(dir, opts.action === 'add' ? opts.tags : [], opts.action === 'rm' ? opts.tags : []), opts.json, ctx);
    return 0;
  },
};
