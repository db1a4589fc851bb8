// Repo.readRef reads HEAD and refs from .git's files (no process); wherever
// it answers, the answer must be git's own. Real git, every layout a ref can
// be in: loose, packed, symbolic, unborn, detached, missing, and the cases
// where the files cannot tell (a linked worktree, a .git file).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../../src/git/repo.js';
import { recordStartCommit, startCommitFile } from '../../../src/features/diff.js';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-readref-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: tmp, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
function gitSays(dir: string, rev: string): string | null {
  try {
    return git(dir, 'rev-parse', '--verify', '-q', '--end-of-options', rev) || null;
  } catch {
    return null;
  }
}

async function check(dir: string, revs: string[]): Promise<Record<string, string | null | undefined>> {
  const repo = await openRepo(dir, { env });
  const out: Record<string, string | null | undefined> = {};
  for (const rev of revs) {
    const read = repo.readRef(rev);
    out[rev] = read;
    // Where the files answer, git agrees; resolve() agrees with git everywhere.
    if (read !== undefined) expect(read, rev).toBe(gitSays(dir, rev));
    expect(await repo.resolve(rev), rev).toBe(gitSays(dir, rev));
  }
  return out;
}

describe('Repo.readRef', () => {
  it('answers as git does for loose, packed, symbolic, unborn, detached and missing refs', async () => {
    const dir = path.join(tmp, 'r');
    fs.mkdirSync(dir);
    git(dir, 'init', '-q', '-b', 'main');
    // Unborn: HEAD names a branch that does not exist yet.
    expect((await check(dir, ['HEAD', 'refs/heads/main']))).toEqual({ HEAD: null, 'refs/heads/main': null });
    fs.writeFileSync(path.join(dir, 'a'), 'a');
    git(dir, 'add', 'a');
    git(dir, 'commit', '-qm', 'one');
    git(dir, 'update-ref', 'refs/cs/auto', 'HEAD');
    const loose = await check(dir, ['HEAD', 'refs/heads/main', 'refs/cs/auto', 'refs/cs/none']);
    expect(loose.HEAD).toMatch(/^[0-9a-f]{40}$/);
    expect(loose['refs/cs/none']).toBeNull();
    // Packed: the loose files are gone, packed-refs holds them (with a peeled tag line).
    git(dir, 'tag', '-a', '-m', 't', 'v1');
    git(dir, 'pack-refs', '--all');
    expect(fs.existsSync(path.join(dir, '.git/refs/cs/auto'))).toBe(false);
    const packed = await check(dir, ['HEAD', 'refs/heads/main', 'refs/cs/auto', 'refs/tags/v1', 'refs/cs/none']);
    expect(packed['refs/cs/auto']).toBe(loose['refs/cs/auto']);
    // A loose ref newer than its packed copy wins.
    fs.writeFileSync(path.join(dir, 'b'), 'b');
    git(dir, 'add', 'b');
    git(dir, 'commit', '-qm', 'two');
    git(dir, 'update-ref', 'refs/cs/auto', 'HEAD');
    expect((await check(dir, ['refs/cs/auto']))['refs/cs/auto']).not.toBe(loose['refs/cs/auto']);
    // Symbolic and detached.
    git(dir, 'symbolic-ref', 'refs/cs/link', 'refs/heads/main');
    await check(dir, ['refs/cs/link']);
    git(dir, 'checkout', '-q', '--detach');
    expect((await check(dir, ['HEAD'])).HEAD).toMatch(/^[0-9a-f]{40}$/);
    // Not a name it reads: git is asked.
    expect((await check(dir, ['HEAD~1', 'main', 'refs/heads/../x'])).main).toBeUndefined();
  });

  it('leaves a linked worktree to git', async () => {
    const main = path.join(tmp, 'm');
    fs.mkdirSync(main);
    git(main, 'init', '-q', '-b', 'main');
    git(main, 'commit', '-q', '--allow-empty', '-m', 'x');
    git(main, 'worktree', 'add', '-q', '-b', 'side', path.join(tmp, 'wt'));
    const r = await check(path.join(tmp, 'wt'), ['HEAD', 'refs/heads/side']);
    expect(r).toEqual({ HEAD: undefined, 'refs/heads/side': undefined });
  });

  it("gives the start commit of a session below its repository's root (an old adoption) from git", async () => {
    const repo = path.join(tmp, 'outer');
    const sub = path.join(repo, 'project');
    fs.mkdirSync(sub, { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'x');
    await recordStartCommit(sub, env);
    expect(fs.readFileSync(startCommitFile(sub), 'utf8').trim()).toBe(git(repo, 'rev-parse', 'HEAD'));
  });
});
