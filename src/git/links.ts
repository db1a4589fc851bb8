// A session travels through git, and so does its `.cs/`: a tree from
// someone else's remote could carry `.cs/changes.md -> ~/.bashrc`, and cs's
// own writes would then land outside the session. cs writes nothing through
// such links (src/lib/confine.ts), and `-sync clone/pull` refuse a tree that has
// any, before it reaches the working tree.
import { UserError } from '../lib/errors.js';
import { firstFew } from '../lib/format.js';
import type { Repo } from './repo.js';

const SYMLINK_MODE = '120000';

/** Paths of the symlinks under `.cs/` in the tree of `rev` (git ls-tree mode 120000). */
export async function linksUnderMeta(repo: Repo, rev: string): Promise<string[]> {
  const out = await repo.raw(['ls-tree', '-r', '-z', '--full-tree', rev, '--', '.cs']);
  const links: string[] = [];
  for (const entry of out.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab > 0 && entry.startsWith(SYMLINK_MODE + ' ')) links.push(entry.slice(tab + 1));
  }
  // `.cs` itself as a link shows as one entry named `.cs`.
  return links;
}

/**
 * Throws a UserError naming the links when the tree of `rev` has symlinks
 * under `.cs/`. `what` says where the tree came from, for the message.
 */
export async function refuseLinksUnderMeta(repo: Repo, rev: string, what: string): Promise<void> {
  const links = await linksUnderMeta(repo, rev);
  if (links.length === 0) return;
  throw new UserError(
    `${what} has symlinks under .cs/ (${firstFew(links)}); cs refuses it, because its own files there would be written wherever the links point`,
    'nothing was changed here; ask whoever pushed it to replace the links with regular files (git rm the link, add the file), then try again',
  );
}
