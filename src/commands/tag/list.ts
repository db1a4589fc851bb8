// cs <name> -tag [--json]: the session's tags (.cs/tags, synced).
import { readTags } from '../../session/marks.js';
import { has, type Args } from '../argv.js';
import { sessionOf, type Command, type Context } from '../types.js';
import { printTags } from './print.js';

export interface TagListOptions {
  json: boolean;
}

export const command: Command<TagListOptions> = {
  parse: (a: Args) => ({ json: has(a, '--json') }),
  async run(opts, ctx: Context) {
    const s = sessionOf(ctx);
    const tags = readTags(s.paths.dir);
    if (tags.length === 0 && !opts.json) ctx.info(`'${s.name}' has no tags — add one with: cs ${s.name} -tag add <tag>`);
    else printTags(tags, opts.json, ctx);
    return 0;
  },
};
