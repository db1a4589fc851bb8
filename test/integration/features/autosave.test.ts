// A feature's worktree shares its base's refs: its autosaves must have a
// shadow ref of their own, or a feature's session end would drop (and a
// crash recovery in the base restore) the other's work.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { autosave, dropAutosave, AUTO_REF, WORKTREE_AUTO_REF } from '../../../src/git/autosave.js';
import { openRepo } from '../../../src/git/repo.js';

let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});
const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const resolve = (cwd: string, ref: string) => execFileSync('git', ['rev-parse', '-q', '--verify', ref], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

describe('autosave in a feature worktree', () => {
  it('keeps its own shadow ref and never touches or drops the base one', async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-wt-auto-')));
    const base = path.join(tmp, 'base');
    fs.mkdirSync(base);
    git(base, 'init', '-q');
    fs.writeFileSync(path.join(base, 'a.txt'), 'a\n');
    git(base, 'add', '-A');
    git(base, 'commit', '-qm', 'first');
    const wt = path.join(tmp, 'wt');
    git(base, 'worktree', 'add', '-q', '-b', 'cs/f', wt);

    fs.writeFileSync(path.join(base, 'a.txt'), 'base work\n');
    const b = await autosave(base, { env });
    expect(b.saved).toBe(true);
    fs.writeFileSync(path.join(wt, 'a.txt'), 'feature work\n');
    const f = await autosave(wt, { env });
    expect(f.saved).toBe(true);

    const baseAuto = resolve(base, AUTO_REF);
    expect(git(base, 'show', `${AUTO_REF}:a.txt`)).toBe('base work');
    expect(git(wt, 'show', `${WORKTREE_AUTO_REF}:a.txt`)).toBe('feature work');
    // The feature's session end drops its own ref only.
    await dropAutosave(await openRepo(wt, { env }));
    expect(resolve(base, AUTO_REF)).toBe(baseAuto);
    expect(() => resolve(wt, WORKTREE_AUTO_REF)).toThrow();
  });
});
