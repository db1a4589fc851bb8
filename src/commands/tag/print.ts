// How -tag prints a session's tags: `#a #b`, or a JSON array.
import type { Context } from '../types.js';

export function printTags(tags: readonly string[], json: boolean, ctx: Pick<Context, 'io'>): void {
  if (json) ctx.io.out(JSON.stringify(tags));
  else if (tags.length) ctx.io.out(tags.map((t) => `#${t}`).join(' '));
}
