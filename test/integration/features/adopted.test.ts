// A feature of an adopted project: nothing goes into the user's tree, cs's
// records stay off the feature branch, and the merge (an explicit user
// command) brings only the work into the user's branch.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
afterEach(() => sb.cleanup());
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/**
 * A sandbox (sb) with a project of one commit on branch trunk, adopted as
 * `proj`; its Claude writes "work" into $WORK_FILE of the session when set.
 */
async function adoptedProject(): Promise<{ env: NodeJS.ProcessEnv; project: string }> {
  sb = sandbox({ GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@e', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@e' });
  const worker = path.join(sb.dir, 'worker.sh');
  fs.writeFileSync(worker, '#!/bin/sh\n[ -n "${WORK_FILE:-}" ] && printf "work\\n" > "$CLAUDE_SESSION_DIR/$WORK_FILE"\nexit 0\n', { mode: 0o755 });
  const env = { ...sb.env, CLAUDE_CODE_BIN: worker };
  const project = path.join(sb.dir, 'project');
  fs.mkdirSync(project);
  git(project, 'init', '-q', '-b', 'trunk');
  fs.writeFileSync(path.join(project, 'main.py'), 'print(1)\n');
  git(project, 'add', '-A');
  git(project, 'commit', '-qm', 'user commit');
  expect((await runCs(['-adopt', 'proj'], { env, cwd: project })).code).toBe(0);
  return { env, project };
}

describe('feature of an adopted project', () => {
  it('lives outside the project, keeps .cs/ off its branch, and merges only the work', { timeout: 90_000 }, async () => {
    const { env, project } = await adoptedProject();
    expect(git(project, 'status', '--porcelain')).toBe('');
    const files = () => (fs.readdirSync(project, { recursive: true }) as string[]).filter((f) => f !== '.git' && !f.startsWith(`.git${path.sep}`)).sort();
    const before = files();
    const userHead = git(project, 'rev-parse', 'HEAD');
    const records = () => git(project, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/cs/');
    const recordsBefore = records();

    const r = await runCs(['proj@f'], { env: { ...env, WORK_FILE: 'feature.py' } });
    expect(r.code, r.stderr).toBe(0);
    const dir = path.join(sb.root, '.features', 'proj@f');
    expect(fs.existsSync(path.join(dir, 'feature.py'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.cs', 'adopted'))).toBe(true);
    // Nothing new in the user's tree, their branch did not move.
    expect(files()).toEqual(before);
    expect(git(project, 'status', '--porcelain')).toBe('');
    expect(git(project, 'rev-parse', 'trunk')).toBe(userHead);
    // The base's private records ref is not the feature's to write.
    expect(records()).toBe(recordsBefore);
    // The feature branch holds the work (committed by cs at the session end), not cs's records.
    expect(git(dir, 'log', '-1', '--format=%s')).toMatch(/^Session update: 1 file/);
    expect(git(project, 'ls-tree', '-r', '--name-only', 'cs/f').split('\n').filter((f) => f.startsWith('.cs/'))).toEqual([]);

    const m = await runCs(['proj', '--merge', 'f'], { env });
    expect(m.code, m.stderr).toBe(0);
    expect(git(project, 'log', '-1', '--format=%s')).toBe('Merge feature f (cs/f) into trunk');
    expect(git(project, 'show', '--name-only', '--format=', 'HEAD^1..HEAD^2')).toBe('feature.py');
    expect(git(project, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter((f) => f.startsWith('.cs/'))).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('a feature worktree deleted by hand is made again on its branch, and its merge still brings only the work', { timeout: 90_000 }, async () => {
    const { env, project } = await adoptedProject();
    expect((await runCs(['proj@f'], { env: { ...env, WORK_FILE: 'feature.py' } })).code).toBe(0);
    const dir = path.join(sb.root, '.features', 'proj@f');
    const tip = git(project, 'rev-parse', 'cs/f');
    fs.rmSync(dir, { recursive: true, force: true });
    git(project, 'worktree', 'prune');

    const listed = await runCs(['proj', '-features', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'proj@f', ahead: 1, missing: true }]);
    const r = await runCs(['proj@f'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("re-created the worktree of feature 'proj@f' on its existing branch cs/f (1 commit ahead of 'proj', kept)");
    expect(git(project, 'rev-parse', 'cs/f')).toBe(tip);
    expect(fs.existsSync(path.join(dir, '.cs', 'adopted'))).toBe(true);
    expect(git(project, 'status', '--porcelain')).toBe('');

    const m = await runCs(['proj', '--merge', 'f'], { env });
    expect(m.code, m.stderr).toBe(0);
    expect(git(project, 'show', '--name-only', '--format=', 'HEAD^1..HEAD^2')).toBe('feature.py');
    expect(git(project, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter((f) => f.startsWith('.cs/'))).toEqual([]);
  });
});
