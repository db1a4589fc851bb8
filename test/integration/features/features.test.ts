// Feature sessions end to end: the built cs against real git in temp homes.
// A small stand-in for Claude does what a session does (writes a file and a
// discovery); cs's own session end commits it on the feature's branch.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csBin, runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
let worker: string;
beforeEach(() => {
  sb = sandbox();
  worker = path.join(sb.dir, 'worker.sh');
  // WORK_FILE: a file to write in the session; WORK_NOTE: a discovery to record.
  fs.writeFileSync(
    worker,
    [
      '#!/bin/sh',
      'if [ -n "${WORK_FILE:-}" ]; then printf "%s\\n" "${WORK_TEXT:-work}" > "$CLAUDE_SESSION_DIR/$WORK_FILE"; fi',
      'if [ -n "${WORK_NOTE:-}" ]; then printf "\\n## %s\\nfound while working\\n" "$WORK_NOTE" >> "$CLAUDE_SESSION_META_DIR/discoveries.md"; fi',
      'exit 0',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  sb.env.CLAUDE_CODE_BIN = worker;
});
afterEach(() => sb.cleanup());

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const cs = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCs(args, { env: { ...sb.env, ...extra } });
const featureDir = (name: string) => path.join(sb.root, '.features', name);

async function ok(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const r = await cs(args, extra);
  expect(r.code, `cs ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

/** Session app and its feature app@f, each with a commit of its own to shared.txt: the merge conflicts. Returns the base's folder. */
async function conflictingSides(): Promise<string> {
  await ok(['app']);
  const base = path.join(sb.root, 'app');
  await ok(['app@f'], { WORK_FILE: 'shared.txt', WORK_TEXT: 'feature side' });
  fs.writeFileSync(path.join(base, 'shared.txt'), 'base side\n');
  git(base, 'add', 'shared.txt');
  git(base, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'base edit');
  return base;
}

describe('feature sessions', () => {
  it('two features commit different files; -features counts them; one merges (records folded), the other is removed with --force', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    const mainBranch = git(base, 'symbolic-ref', '--short', 'HEAD');

    const a = await ok(['app@alpha'], { WORK_FILE: 'alpha.txt', WORK_NOTE: 'Alpha finding' });
    expect(a.stderr).toContain("created feature session 'app@alpha' on branch cs/alpha");
    await ok(['app@beta'], { WORK_FILE: 'beta.txt' });
    expect(git(featureDir('app@alpha'), 'symbolic-ref', '--short', 'HEAD')).toBe('cs/alpha');
    expect(git(featureDir('app@alpha'), 'status', '--porcelain', '--', '.', ':!.cs')).toBe('');
    // The base is untouched by its features.
    expect(fs.existsSync(path.join(base, 'alpha.txt'))).toBe(false);

    const listed = JSON.parse((await ok(['app', '-features', '--json'])).stdout) as Array<{ name: string; branch: string; ahead: number; behind: number; dirty: boolean; running: boolean; merged: boolean }>;
    expect(listed.map((f) => [f.name, f.branch, f.ahead, f.behind, f.dirty, f.running, f.merged])).toEqual([
      ['app@alpha', 'cs/alpha', 1, 0, false, false, false],
      ['app@beta', 'cs/beta', 1, 0, false, false, false],
    ]);
    const table = (await ok(['app', '-features'])).stdout;
    expect(table).toMatch(/app@alpha\s+cs\/alpha\s+1\s+0/);

    const ls = JSON.parse((await ok(['-ls', '--json'])).stdout) as Array<{ name: string }>;
    expect(ls.map((s) => s.name).sort()).toEqual(['app', 'app@alpha', 'app@beta']);
    expect((await ok(['-ls'])).stdout).toMatch(/^app@alpha\s/m);
    expect((await ok(['-completions', '--list', 'sessions'])).stdout.split('\n')).toEqual(expect.arrayContaining(['app:session', 'app@alpha:session', 'app@beta:session']));

    // Session commands take base@feature like any name.
    expect(JSON.parse((await ok(['app@alpha', '-log', '--json'])).stdout)).toBeInstanceOf(Array);
    await ok(['app@alpha', '-conversations', '--json']);
    const stat = await ok(['app@alpha', '-diff', '--stat']);
    expect(stat.stdout).toContain('alpha.txt');
    expect(stat.stdout).not.toContain('beta.txt');
    expect(stat.stdout).not.toContain('.cs/');

    const m = await ok(['app', '--merge', 'alpha']);
    expect(m.stderr).toContain(`merged cs/alpha into ${mainBranch}`);
    expect(fs.readFileSync(path.join(base, 'alpha.txt'), 'utf8')).toBe('work\n');
    expect(fs.existsSync(featureDir('app@alpha'))).toBe(false);
    expect(git(base, 'branch', '--list', 'cs/alpha')).toBe('');
    expect(git(base, 'log', '-1', '--format=%s %p')).toMatch(/^Merge feature alpha \(cs\/alpha\) into \S+ [0-9a-f]+ [0-9a-f]+$/);
    const discoveries = fs.readFileSync(path.join(base, '.cs/discoveries.md'), 'utf8');
    expect(discoveries).toContain('## Alpha finding [feature alpha]');
    expect(discoveries.match(/Alpha finding/g)).toHaveLength(1);
    expect(fs.readFileSync(path.join(base, '.cs/changes.md'), 'utf8')).not.toContain('<<<<<<<');
    // Only cs's own log of the merge is left uncommitted.
    expect(git(base, 'status', '--porcelain')).toBe('M .cs/logs/session.log');

    const refused = await cs(['-rm', 'app@beta']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("feature 'app@beta' has 1 commit not merged into 'app'");
    expect(refused.stderr).toContain('--force');
    expect(fs.existsSync(featureDir('app@beta'))).toBe(true);
    const rm = await ok(['-rm', 'app@beta', '--force']);
    expect(rm.stderr).toContain("removed feature 'app@beta'");
    expect(fs.existsSync(featureDir('app@beta'))).toBe(false);
    expect(git(base, 'branch', '--list', 'cs/beta')).toBe('');
    expect(git(base, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(JSON.parse((await ok(['app', '-features', '--json'])).stdout)).toEqual([]);
  }, 120_000);

  it("a feature only opened and closed is removed without --force (cs's own session-log commit is no work); one with a discovery is not", async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    await ok(['app@idle']);
    await ok(['app@noted'], { WORK_NOTE: 'Worth keeping' });
    // Both are a commit ahead: the session end committed their logs (and the discovery).
    const listed = JSON.parse((await ok(['app', '-features', '--json'])).stdout) as Array<{ name: string; ahead: number }>;
    expect(listed.map((f) => [f.name, f.ahead])).toEqual([['app@idle', 1], ['app@noted', 1]]);
    const rm = await cs(['-rm', 'app@idle', '--yes']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stderr).toContain("removed feature 'app@idle'");
    expect(rm.stderr).not.toContain('dropped');
    expect(git(base, 'branch', '--list', 'cs/idle')).toBe('');
    const refused = await cs(['-rm', 'app@noted', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("feature 'app@noted' has 1 commit not merged into 'app'");
    expect(git(base, 'branch', '--list', 'cs/noted')).toContain('cs/noted');
  });

  it('a feature whose worktree was deleted by hand (pruned or not) is listed as missing with its commits; cs <base>@<feature> makes the worktree again on the same branch', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    const baseDiscoveries = fs.readFileSync(path.join(base, '.cs/discoveries.md'), 'utf8');
    await ok(['app@gone'], { WORK_FILE: 'gone.txt' });
    fs.rmSync(featureDir('app@gone'), { recursive: true, force: true });
    git(base, 'worktree', 'prune');
    await ok(['app@f'], { WORK_FILE: 'f.txt', WORK_NOTE: 'Feature note' });
    const tip = git(base, 'rev-parse', 'cs/f');
    // Deleted by hand, git not told (its worktree still registered, "prunable"); and no
    // mark on its branch, as an older cs made it: known by the worktree git still lists.
    fs.rmSync(featureDir('app@f'), { recursive: true, force: true });
    git(base, 'config', '--unset', 'branch.cs/f.csfeature');

    const listed = JSON.parse((await ok(['app', '-features', '--json'])).stdout) as Array<{ name: string; branch: string; ahead: number; missing: boolean; dirty: boolean; merged: boolean }>;
    expect(listed.map((f) => [f.name, f.branch, f.ahead, f.missing, f.dirty, f.merged])).toEqual([
      ['app@f', 'cs/f', 1, true, false, false],
      ['app@gone', 'cs/gone', 1, true, false, false],
    ]);
    expect((await ok(['app', '-features'])).stdout).toMatch(/^app@gone\s+cs\/gone\s+1\s+0\s+missing\s/m);

    const r = await ok(['app@f'], { WORK_FILE: 'more.txt' });
    expect(r.stderr).toContain(`re-created the worktree of feature 'app@f' on its existing branch cs/f (1 commit ahead of 'app', kept) at ${featureDir('app@f')}`);
    expect(r.stderr).not.toContain('created feature session');
    // The branch was never reset: its commit is still on it, and the session's work went on top.
    expect(git(base, 'merge-base', '--is-ancestor', tip, 'cs/f')).toBe('');
    expect(git(featureDir('app@f'), 'symbolic-ref', '--short', 'HEAD')).toBe('cs/f');
    expect(fs.readFileSync(path.join(featureDir('app@f'), 'f.txt'), 'utf8')).toBe('work\n');
    expect(git(base, 'show', 'cs/f:more.txt')).toBe('work');
    expect(git(base, 'worktree', 'list', '--porcelain')).not.toContain('prunable');
    const again = (await ok(['app', '-features', '--json'])).stdout;
    expect(JSON.parse(again).find((f: { name: string }) => f.name === 'app@f')).toMatchObject({ missing: false, ahead: 2 });

    await ok(['app@gone']);
    expect(fs.readFileSync(path.join(featureDir('app@gone'), 'gone.txt'), 'utf8')).toBe('work\n');

    // The merge folds only what the feature added to the records (the base's own lines are not appended twice).
    await ok(['app', '--merge', 'f']);
    expect(fs.readFileSync(path.join(base, 'f.txt'), 'utf8')).toBe('work\n');
    const discoveries = fs.readFileSync(path.join(base, '.cs/discoveries.md'), 'utf8');
    expect(discoveries.startsWith(baseDiscoveries)).toBe(true);
    expect(discoveries.match(/Feature note/g)).toHaveLength(1);
    expect(discoveries.match(/^# Discoveries/gm)).toHaveLength(1);
  }, 120_000);

  it('a feature whose worktree left its branch by hand (switched away, branch deleted; or detached) is named with the way back by -features, and --merge refuses it before writing anything', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    await ok(['app@f'], { WORK_FILE: 'f.txt' });
    await ok(['app@g'], { WORK_FILE: 'g.txt' });
    git(featureDir('app@f'), 'switch', '-q', '-c', 'mine');
    git(base, 'branch', '-D', 'cs/f');
    git(featureDir('app@g'), 'switch', '-q', '--detach');

    const listed = await ok(['app', '-features']);
    // Not "0 ahead, nothing to merge": the branch is not there to count.
    expect(listed.stdout).toMatch(/^app@f\s+cs\/f \(deleted\)\s+\?\s+\?\s+-\s+-\s+-$/m);
    expect(listed.stdout).toMatch(/^app@g\s+cs\/g \(not checked out\)\s+1\s+0\s/m);
    expect(listed.stderr).toContain(`feature 'app@f': its branch cs/f was deleted, and its worktree is on branch 'mine' — to make cs/f again from what the worktree has: git -C ${featureDir('app@f')} switch -c cs/f`);
    expect(listed.stderr).toContain(`feature 'app@g': its worktree is on a detached HEAD, not on its branch cs/g`);
    const json = JSON.parse((await ok(['app', '-features', '--json'])).stdout) as Array<{ name: string; off: unknown }>;
    expect(json.map((f) => [f.name, f.off])).toEqual([
      ['app@f', { gone: true, checkedOut: 'mine' }],
      ['app@g', { gone: false, checkedOut: null }],
    ]);

    const head = git(base, 'rev-parse', 'HEAD');
    for (const feature of ['f', 'g']) {
      const refused = await cs(['app', '--merge', feature]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/, then merge$/m);
    }
    // Nothing written: no records commit, no merge, both worktrees kept.
    expect(git(base, 'rev-parse', 'HEAD')).toBe(head);
    expect(fs.existsSync(featureDir('app@f')) && fs.existsSync(featureDir('app@g'))).toBe(true);

    // The way back printed works as printed, and then the merge does.
    git(featureDir('app@f'), 'switch', '-q', '-c', 'cs/f');
    await ok(['app', '--merge', 'f']);
    expect(fs.readFileSync(path.join(base, 'f.txt'), 'utf8')).toBe('work\n');
    expect(git(base, 'branch', '--list', 'mine')).toContain('mine');
  }, 120_000);

  it("a branch of the user's named cs (no room for cs/<feature>) is named with the fix, nothing made; -mv of a feature or to one says what to do instead", async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    git(base, 'branch', 'cs');
    const r = await cs(['app@y']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`cs: 'app' has a branch named cs, and git cannot have both it and the feature branch cs/y; nothing was made — rename it (git -C ${base} branch -m cs <other>), then try again`);
    expect(fs.existsSync(featureDir('app@y'))).toBe(false);
    git(base, 'branch', '-m', 'cs', 'mine');
    await ok(['app@docs']);
    const mv = await cs(['-mv', 'app@docs', 'x']);
    expect(mv.code).toBe(2);
    expect(mv.stderr).toContain("cs: 'app@docs' is a feature session: its name is its branch's (cs/docs), so it cannot be renamed — merge it (cs app --merge docs) or remove it (cs -rm app@docs), and make the one you want: cs app@<feature>");
    const into = await cs(['-mv', 'app', 'app@z']);
    expect(into.code).toBe(2);
    expect(into.stderr).toContain("cs: 'app@z' is a feature session's name (base@feature); a session is renamed to a plain name");
    expect(fs.existsSync(path.join(sb.root, 'app'))).toBe(true);
  });

  it('a cs/<name> branch cs did not make is not taken for a feature: not listed, and cs <base>@<name> still refuses it', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    git(base, 'branch', 'cs/mine');
    const tip = git(base, 'rev-parse', 'cs/mine');
    expect(JSON.parse((await ok(['app', '-features', '--json'])).stdout)).toEqual([]);
    const r = await cs(['app@mine']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("branch cs/mine already exists in 'app'");
    expect(fs.existsSync(featureDir('app@mine'))).toBe(false);
    expect(git(base, 'rev-parse', 'cs/mine')).toBe(tip);
    expect(git(base, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  it('a merge conflict stops with both sides intact and says how to go on', async () => {
    const base = await conflictingSides();
    const baseHead = git(base, 'rev-parse', 'HEAD');
    const r = await cs(['app', '--merge', 'f']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stopped on conflicts in: shared.txt');
    expect(r.stderr).toContain(`git -C ${base} merge --abort`);
    expect(r.stderr).toContain(`git -C ${base} add shared.txt && git -C ${base} commit --no-edit`);
    // Both sides: the base's branch holds its own commit (cs only committed its .cs/ logs on top), the feature's branch and worktree are there.
    expect(git(base, 'show', 'HEAD:shared.txt')).toBe('base side');
    expect(git(base, 'diff', '--name-only', baseHead, 'HEAD').split('\n').filter((f) => f !== '' && !f.startsWith('.cs/'))).toEqual([]);
    expect(fs.readFileSync(path.join(featureDir('app@f'), 'shared.txt'), 'utf8')).toBe('feature side\n');
    expect(git(base, 'show', 'cs/f:shared.txt')).toBe('feature side');
    expect(fs.readFileSync(path.join(base, 'shared.txt'), 'utf8')).toContain('<<<<<<<');
    // Following the printed way out restores the base exactly.
    git(base, 'merge', '--abort');
    expect(git(base, 'status', '--porcelain', '--', '.', ':!.cs')).toBe('');
    expect(fs.readFileSync(path.join(base, 'shared.txt'), 'utf8')).toBe('base side\n');
  });

  it('a conflicted merge can still be given up after the base session wrote its log (opened, or running) meanwhile; the log is folded like the records', async () => {
    const base = await conflictingSides();
    expect((await cs(['app', '--merge', 'f'])).code).toBe(1);
    // Opening the base while the merge waits: cs logs the session's start and end.
    const opened = await cs(['app']);
    expect(opened.stderr).toContain('a merge is in progress');
    expect(fs.readFileSync(path.join(base, '.cs/logs/session.log'), 'utf8')).toMatch(/session start/);
    // The way out cs printed works as printed.
    git(base, 'merge', '--abort');
    expect(git(base, 'status', '--porcelain', '--', '.', ':!.cs')).toBe('');
    expect(fs.readFileSync(path.join(base, 'shared.txt'), 'utf8')).toBe('base side\n');
    // Merged for real (the base now agrees), the feature's own log lines come over marked with its name.
    fs.writeFileSync(path.join(base, 'shared.txt'), 'feature side\n');
    git(base, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qam', 'take the feature side');
    await ok(['app', '--merge', 'f']);
    const log = fs.readFileSync(path.join(base, '.cs/logs/session.log'), 'utf8');
    expect(log).toMatch(/session start .* \(feature f\)\n/);
    expect(log.match(/session created: app\n/g)).toHaveLength(1);
  });

  it('finishing a conflicted merge by hand, then --merge again, folds the records and removes the feature', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    await ok(['app@f'], { WORK_FILE: 'shared.txt', WORK_TEXT: 'feature side', WORK_NOTE: 'Feature note' });
    fs.writeFileSync(path.join(base, 'shared.txt'), 'base side\n');
    git(base, 'add', 'shared.txt');
    git(base, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'base edit');
    expect((await cs(['app', '--merge', 'f'])).code).toBe(1);
    fs.writeFileSync(path.join(base, 'shared.txt'), 'both\n');
    git(base, 'add', 'shared.txt');
    git(base, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '--no-edit');
    await ok(['app', '--merge', 'f']);
    expect(fs.readFileSync(path.join(base, '.cs/discoveries.md'), 'utf8')).toContain('## Feature note [feature f]');
    expect(fs.existsSync(featureDir('app@f'))).toBe(false);
    expect(git(base, 'status', '--porcelain')).toBe('M .cs/logs/session.log');
  });

  it('refuses to merge a dirty feature or into a dirty base, saying what to do', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    await ok(['app@f'], { WORK_FILE: 'f.txt' });
    fs.writeFileSync(path.join(featureDir('app@f'), 'loose.txt'), 'x\n');
    let r = await cs(['app', '--merge', 'f']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("feature 'app@f' has uncommitted changes (loose.txt)");
    fs.rmSync(path.join(featureDir('app@f'), 'loose.txt'));
    fs.writeFileSync(path.join(base, 'base-loose.txt'), 'x\n');
    r = await cs(['app', '--merge', 'f']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("session 'app' has uncommitted changes (base-loose.txt)");
    expect(git(base, 'branch', '--list', 'cs/f')).toContain('cs/f');
  });

  it('-rm of a feature with uncommitted changes refuses in one line, and each way out it prints works as printed', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    // The printed lines run in sh as the user would paste them: `cs` on PATH, no git identity configured.
    const bin = path.join(sb.dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'cs'), `#!/bin/sh\nexec '${process.execPath}' '${csBin}' "$@"\n`, { mode: 0o755 });
    const shell = (line: string) => execFileSync('sh', ['-c', line], { cwd: sb.dir, env: { ...sb.env, PATH: `${bin}:${sb.env.PATH}` }, encoding: 'utf8', stdio: 'pipe' });
    const advice = async (name: string) => {
      const r = await cs(['-rm', name]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`feature '${name}' has 1 commit not merged into 'app' and 1 uncommitted change`);
      const m = r.stderr.trim().match(/to keep it: (.+); to drop it: (.+)$/);
      expect(m, r.stderr).not.toBeNull();
      return { keep: m![1]!, drop: m![2]! };
    };

    await ok(['app@keep'], { WORK_FILE: 'kept.txt' });
    fs.writeFileSync(path.join(featureDir('app@keep'), 'loose.txt'), 'not committed\n');
    shell((await advice('app@keep')).keep);
    expect(fs.readFileSync(path.join(base, 'kept.txt'), 'utf8')).toBe('work\n');
    expect(fs.readFileSync(path.join(base, 'loose.txt'), 'utf8')).toBe('not committed\n');
    expect(fs.existsSync(featureDir('app@keep'))).toBe(false);
    expect(git(base, 'branch', '--list', 'cs/keep')).toBe('');

    await ok(['app@drop'], { WORK_FILE: 'dropped.txt' });
    fs.writeFileSync(path.join(featureDir('app@drop'), 'loose-too.txt'), 'not committed\n');
    shell((await advice('app@drop')).drop);
    expect(fs.existsSync(featureDir('app@drop'))).toBe(false);
    expect(git(base, 'branch', '--list', 'cs/drop')).toBe('');
    expect(fs.existsSync(path.join(base, 'dropped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(base, 'loose-too.txt'))).toBe(false);
  }, 120_000);

  it('a dirty base: without a terminal, --from-head is needed; the feature starts from the last commit', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    fs.writeFileSync(path.join(base, 'wip.txt'), 'not committed\n');
    // A tracked file touched (same text, new mtime): a git status would refresh its stat data in the index.
    const index = path.join(base, '.git', 'index');
    const future = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(base, 'CLAUDE.md'), future, future);
    const indexBefore = { mtime: fs.statSync(index).mtimeMs, bytes: fs.readFileSync(index).toString('base64') };
    const r = await cs(['app@f']);
    expect(r.code).toBe(2);
    // Refused, and the index as it was: cs's reads take no optional lock (GIT_OPTIONAL_LOCKS=0).
    expect({ mtime: fs.statSync(index).mtimeMs, bytes: fs.readFileSync(index).toString('base64') }).toEqual(indexBefore);
    expect(r.stderr).toContain("'app' has 1 uncommitted change (wip.txt); the feature starts from the last commit");
    expect(r.stderr).toContain('--from-head');
    expect(fs.existsSync(featureDir('app@f'))).toBe(false);
    await ok(['app@f', '--from-head']);
    expect(fs.existsSync(path.join(featureDir('app@f'), 'wip.txt'))).toBe(false);
    expect(git(featureDir('app@f'), 'rev-parse', 'HEAD~1')).toBe(git(base, 'rev-parse', 'HEAD'));
    // A base with features is not removed from under them.
    const rm = await cs(['-rm', 'app', '--yes']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain("session 'app' has feature sessions: app@f");
    expect(fs.existsSync(base)).toBe(true);
  });

  it('.worktreeinclude copies an ignored .env; .cs/worktree-setup runs once in the new worktree', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    fs.appendFileSync(path.join(base, '.gitignore'), '.env\nbuild/\n');
    fs.writeFileSync(path.join(base, '.worktreeinclude'), '.env\n');
    fs.writeFileSync(path.join(base, '.cs/worktree-setup'), '#!/bin/sh\necho "setting up in $PWD"\ntouch setup-ran\n', { mode: 0o755 });
    git(base, 'add', '-A');
    git(base, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'include rules');
    fs.writeFileSync(path.join(base, '.env'), 'API_URL=http://localhost\n', { mode: 0o600 });
    fs.mkdirSync(path.join(base, 'build'));
    fs.writeFileSync(path.join(base, 'build/out.js'), 'ignored, not listed\n');
    const r = await ok(['app@f']);
    const dir = featureDir('app@f');
    expect(fs.readFileSync(path.join(dir, '.env'), 'utf8')).toBe('API_URL=http://localhost\n');
    expect(fs.statSync(path.join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dir, 'build/out.js'))).toBe(false);
    expect(r.stderr).toContain(`setting up in ${dir}`);
    expect(fs.existsSync(path.join(dir, 'setup-ran'))).toBe(true);
  });

  it('-rm of a feature counts a changed or new file .worktreeinclude lists (git ignores it, so git status does not show it) as a change to lose', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    fs.appendFileSync(path.join(base, '.gitignore'), '.env\n.env.local\n');
    fs.writeFileSync(path.join(base, '.worktreeinclude'), '.env\n.env.local\n');
    git(base, 'add', '-A');
    git(base, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'include rules');
    fs.writeFileSync(path.join(base, '.env'), 'API_URL=http://localhost\n');
    await ok(['app@same']);
    await ok(['app@edited']);
    // As copied: nothing of the feature's own to lose.
    const same = await cs(['-rm', 'app@same', '--yes']);
    expect(same.code, same.stderr).toBe(0);
    fs.writeFileSync(path.join(featureDir('app@edited'), '.env'), 'API_URL=http://staging\n');
    fs.writeFileSync(path.join(featureDir('app@edited'), '.env.local'), 'DEBUG=1\n');
    const refused = await cs(['-rm', 'app@edited', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("feature 'app@edited' has changes to .env, .env.local (ignored by git, listed in .worktreeinclude)");
    expect(fs.readFileSync(path.join(featureDir('app@edited'), '.env'), 'utf8')).toBe('API_URL=http://staging\n');
    const forced = await cs(['-rm', 'app@edited', '--force', '--yes']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.existsSync(featureDir('app@edited'))).toBe(false);
    // The base's own copy is its own.
    expect(fs.readFileSync(path.join(base, '.env'), 'utf8')).toBe('API_URL=http://localhost\n');

    // --merge brings the commits, not such a file: the worktree stays, and says why.
    await ok(['app@merged'], { WORK_FILE: 'merged.txt' });
    fs.writeFileSync(path.join(featureDir('app@merged'), '.env'), 'API_URL=http://merged\n');
    const m = await ok(['app', '--merge', 'merged']);
    expect(fs.readFileSync(path.join(base, 'merged.txt'), 'utf8')).toBe('work\n');
    expect(m.stderr).toContain(`kept ${featureDir('app@merged')} and branch cs/merged: .env changed there (ignored by git, listed in .worktreeinclude)`);
    expect(fs.readFileSync(path.join(featureDir('app@merged'), '.env'), 'utf8')).toBe('API_URL=http://merged\n');
  });

  it('a setup script of a session that syncs runs once this machine allowed its text (--allow-setup); a changed one asks again; it never gets cs\'s secrets', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    const remote = path.join(sb.dir, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    await ok(['app', '-sync', 'remote', remote]);
    const log = path.join(sb.dir, 'setup.log');
    const script = (tag: string) => `#!/bin/sh\necho "${tag} pw=\${CS_SECRETS_PASSWORD-none}" >> '${log}'\n`;
    fs.writeFileSync(path.join(base, '.cs/worktree-setup'), script('one'), { mode: 0o755 });
    const secret = { CS_SECRETS_PASSWORD: 'pw-not-for-the-script' };
    // As if it came with a pull: refused without a terminal, and nothing made.
    let r = await cs(['app@f'], secret);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`cs: .cs/worktree-setup of 'app' is new or changed since this machine last ran it, and the session syncs with ${remote}: not run, and no feature made — read it (${base}/.cs/worktree-setup), then: cs app@f --allow-setup`);
    expect(fs.existsSync(featureDir('app@f'))).toBe(false);
    expect(git(base, 'branch', '--list', 'cs/f')).toBe('');
    expect(fs.existsSync(log)).toBe(false);
    await ok(['app@f', '--allow-setup'], secret);
    expect(fs.readFileSync(log, 'utf8')).toBe('one pw=none\n');
    // The same text again: allowed on this machine.
    await ok(['app@g'], secret);
    expect(fs.readFileSync(log, 'utf8')).toBe('one pw=none\none pw=none\n');
    // Changed: asked again.
    fs.writeFileSync(path.join(base, '.cs/worktree-setup'), script('two'), { mode: 0o755 });
    r = await cs(['app@h'], secret);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is new or changed since this machine last ran it');
    expect(fs.readFileSync(path.join(base, '.cs/local/setup-allowed'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a failing setup script stops creation and leaves nothing behind', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    fs.writeFileSync(path.join(base, '.cs/worktree-setup'), '#!/bin/sh\necho "npm ci: network down" >&2\nexit 3\n', { mode: 0o755 });
    git(base, 'add', '-A');
    git(base, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'setup');
    const r = await cs(['app@f']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('npm ci: network down');
    expect(r.stderr).toContain('.cs/worktree-setup failed (exit 3)');
    expect(fs.existsSync(featureDir('app@f'))).toBe(false);
    expect(git(base, 'branch', '--list', 'cs/f')).toBe('');
    expect(git(base, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(fs.readdirSync(path.join(sb.root, '.features'))).toEqual([]);
  });

  it('-diff of a plain session counts from the commit recorded when it started', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    await ok(['app'], { WORK_FILE: 'during.txt' });
    const r = await ok(['app', '-diff', '--stat']);
    expect(r.stdout).toContain('during.txt');
    expect(r.stdout).toMatch(/1 file changed/);
    expect(fs.readFileSync(path.join(base, '.cs/local/start-commit'), 'utf8').trim()).toBe(git(base, 'rev-parse', 'HEAD~1'));
  });

  it('-diff of a project with no commit yet (adopted plain folder or fresh git init) counts from the empty tree, not a dead-end hint', async () => {
    for (const [name, init] of [['plainfolder', false], ['fresh', true]] as const) {
      const project = path.join(sb.dir, name);
      fs.mkdirSync(project);
      if (init) git(project, 'init', '-q');
      fs.writeFileSync(path.join(project, 'before.txt'), 'mine\n');
      expect((await runCs(['-adopt', name], { env: sb.env, cwd: project })).code).toBe(0);
      await ok([name], { WORK_FILE: 'during.txt' });
      const r = await cs([name, '-diff', '--stat']);
      expect(r.stderr).not.toContain('no start commit');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('during.txt');
      expect(r.stdout).toContain('before.txt');
      expect(r.stdout).not.toContain('.cs/');
      // Still no commit: the first one is the user's.
      expect(() => execFileSync('git', ['rev-parse', '-q', '--verify', 'HEAD'], { cwd: project, stdio: 'ignore' })).toThrow();
    }
  });

  it('-diff counts files not added yet (as Claude leaves them mid-session), the index untouched', async () => {
    await ok(['app']);
    const base = path.join(sb.root, 'app');
    await ok(['app@f']);
    for (const dir of [base, featureDir('app@f')]) {
      fs.writeFileSync(path.join(dir, 'brand new.txt'), 'one\ntwo\n');
      fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src', '[x].ts'), 'export {};\n');
      const index = git(dir, 'ls-files', '-s');
      const status = git(dir, 'status', '--porcelain');
      const r = await ok([dir === base ? 'app' : 'app@f', '-diff', '--stat']);
      expect(r.stdout).toContain('brand new.txt');
      expect(r.stdout).toContain('src/[x].ts');
      expect(r.stdout).toMatch(/2 files changed, 3 insertions/);
      const full = await ok([dir === base ? 'app' : 'app@f', '-diff']);
      expect(full.stdout).toContain('+two');
      // The session's own index and status are as they were; nothing left in .cs/local.
      expect(git(dir, 'ls-files', '-s')).toBe(index);
      expect(git(dir, 'status', '--porcelain')).toBe(status);
      expect(fs.existsSync(path.join(dir, '.cs/local/diff.index'))).toBe(false);
    }
  });

  it('rejects bad feature names and features of missing bases with one clear line', async () => {
    let r = await cs(['app@-x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`feature name '-x' starts with "-"`);
    r = await cs(['nope@f']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no session named 'nope' — create it first with: cs nope");
    expect(r.stderr).not.toContain('    at ');
  });
});
