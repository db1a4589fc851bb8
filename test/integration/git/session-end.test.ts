// Workspaces cs created: one commit per session on the workspace's branch,
// a clean tree after exit, no gitlinks for nested repositories, a clear
// message when no commit can be made, and a stale index.lock (left by a
// killed git) removed instead of blocking every later commit. Real git,
// and the built `cs` with the stand-in Claude where the exit path matters.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkIndexLock, checkGitIdentity, checkRemote } from '../../../src/doctor/checks.js';
import { identityNoticeOnce } from '../../../src/git/identity.js';
import { clearStaleIndexLock } from '../../../src/git/index-lock.js';
import { openRepo } from '../../../src/git/repo.js';
import { commitSessionUpdate } from '../../../src/git/session-end.js';
import { sessionPaths } from '../../../src/session/paths.js';
import { claudeStarts, runCs, sandbox, startCs, waitFor, type Sandbox } from '../../support/cs.js';
import { updateSyncConf } from '../../../src/git/syncconf.js';
import { bareRemote, cleanup, git, laptop, makeSession, read, tempDir, write } from '../../support/git.js';

const boxes: Sandbox[] = [];
afterEach(() => {
  cleanup();
  for (const b of boxes.splice(0)) b.cleanup();
});

function box(): Sandbox {
  const sb = sandbox({ GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: '' });
  boxes.push(sb);
  return sb;
}

const g = (dir: string, env: NodeJS.ProcessEnv, ...args: string[]) => git(dir, env, ...args);

describe('the session commit of a cs workspace', () => {
  it('leaves a clean tree after exit, and -sync push / pull add no log-only commit', { timeout: 120_000 }, async () => {
    const sb = box();
    expect((await runCs(['w'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'w');
    write(dir, 'notes.md', 'work\n');
    const r = await runCs(['w'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/committed Session update: \d+ files? \(notes\.md/);
    expect(g(dir, sb.env, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    // The log has the session's own lines, and nothing after the commit.
    expect(read(dir, '.cs/logs/session.log')).toMatch(/session end \(exit 0\)\n$/);

    const remote = bareRemote(tempDir(), 'w');
    expect((await runCs(['w', '-sync', 'remote', remote], { env: sb.env })).code).toBe(0);
    const pushed = await runCs(['w', '-sync', 'push'], { env: sb.env });
    expect(pushed.code, pushed.stderr).toBe(0);
    // sync.conf gained the remote: that is the only thing committed, once.
    const commits = g(dir, sb.env, 'rev-list', '--count', 'HEAD');
    for (const sub of ['push', 'pull', 'push']) {
      const again = await runCs(['w', '-sync', sub], { env: sb.env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/committed/);
    }
    expect(g(dir, sb.env, 'rev-list', '--count', 'HEAD')).toBe(commits);
    expect(g(dir, sb.env, 'log', '--format=%s')).not.toMatch(/^Session update: 1 file \(session\.log\)$/m);
    expect(g(dir, sb.env, 'status', '--porcelain')).toBe('');
  });

  it('a push the remote refuses (it moved on meanwhile) says to pull first, not to push again', { timeout: 120_000 }, async () => {
    const sb = box();
    const env = { ...sb.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };
    expect((await runCs(['w'], { env })).code).toBe(0);
    const dir = path.join(sb.root, 'w');
    const remote = bareRemote(sb.dir, 'w');
    expect((await runCs(['w', '-sync', 'remote', remote], { env })).code).toBe(0);
    expect((await runCs(['w', '-sync', 'push'], { env })).code).toBe(0);
    updateSyncConf(dir, { remote, auto: true });
    // While Claude works, another machine pushes.
    const run = startCs(['w'], { env: { ...env, FAKE_CLAUDE_SLEEP: '3' } });
    await waitFor(() => claudeStarts(sb).length === 2, 20_000, 'Claude to start');
    const other = path.join(sb.dir, 'other');
    execFileSync('git', ['clone', '-q', remote, other], { env });
    write(other, 'elsewhere.md', 'x\n');
    g(other, env, 'add', '-A');
    g(other, env, 'commit', '-qm', 'elsewhere');
    g(other, env, 'push', '-q', 'origin', 'HEAD');
    write(dir, 'notes.md', 'work\n');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('push failed (the remote has commits this machine does not have; nothing was pushed); your commit is kept — run cs w -sync pull, then cs w -sync push');
  });

  it('never records a nested repository or worktree as a gitlink', { timeout: 120_000 }, async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    // Claude Code's --worktree makes .claude/worktrees/<x> (a git worktree: a .git file); a cloned dependency is a .git directory.
    g(dir, l.env, 'worktree', 'add', '-q', '-b', 'wt-x', path.join(dir, '.claude/worktrees/x'));
    fs.mkdirSync(path.join(dir, 'vendor/lib'), { recursive: true });
    g(path.join(dir, 'vendor/lib'), l.env, 'init', '-q');
    write(dir, 'vendor/lib/a.txt', 'a\n');
    g(path.join(dir, 'vendor/lib'), l.env, 'add', '-A');
    g(path.join(dir, 'vendor/lib'), l.env, 'commit', '-qm', 'lib');
    write(dir, 'notes.md', 'mine\n');
    const repo = await openRepo(dir, { env: l.env });
    const r = await commitSessionUpdate(repo, 's');
    expect(r.commit).not.toBeNull();
    expect(r.files).toEqual(['notes.md']);
    const tree = g(dir, l.env, 'ls-tree', '-r', 'HEAD');
    expect(tree).not.toMatch(/^160000/m);
    expect(r.notices).toEqual(expect.arrayContaining([expect.stringMatching(/left \.claude\/worktrees\/x out/), expect.stringMatching(/left vendor\/lib out/)]));
    // The user's index does not keep them staged either.
    expect(g(dir, l.env, 'ls-files', '-s')).not.toMatch(/^160000/m);
  });

  it('says why there is no commit on a detached HEAD, on the terminal and in the log, with the command to run', { timeout: 120_000 }, async () => {
    const sb = box();
    expect((await runCs(['d'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'd');
    g(dir, sb.env, 'checkout', '-q', '--detach');
    write(dir, 'notes.md', 'detached work\n');
    const head = g(dir, sb.env, 'rev-parse', 'HEAD');
    const r = await runCs(['d'], { env: sb.env });
    expect(r.code).toBe(0);
    const line = 'no session commit — HEAD is detached; check out a branch, then run: cs d -sync push';
    expect(r.stderr).toContain(`cs: ${line}`);
    expect(read(dir, '.cs/logs/session.log')).toContain(line);
    expect(g(dir, sb.env, 'rev-parse', 'HEAD')).toBe(head);
    expect(read(dir, 'notes.md')).toBe('detached work\n');
  });

  it('says what to finish when a rebase is in progress', { timeout: 120_000 }, async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    write(dir, 'n.md', 'base\n');
    g(dir, l.env, 'add', '-A');
    g(dir, l.env, 'commit', '-qm', 'base');
    g(dir, l.env, 'checkout', '-qb', 'other');
    write(dir, 'n.md', 'other\n');
    g(dir, l.env, 'commit', '-qam', 'other');
    g(dir, l.env, 'checkout', '-q', 'main');
    write(dir, 'n.md', 'main\n');
    g(dir, l.env, 'commit', '-qam', 'main');
    expect(() => g(dir, l.env, 'rebase', 'other')).toThrow();
    const r = await commitSessionUpdate(await openRepo(dir, { env: l.env }), 's');
    expect(r).toMatchObject({ commit: null, reason: 'a rebase is in progress' });
    expect(r.hint).toBe(`finish it (git -C ${dir} rebase --continue) or abort it (git -C ${dir} rebase --abort), then run: cs s -sync push`);
  });
});

describe('a .git/index.lock left by a killed git', () => {
  /** Leaves the lock the way a killed `git add` does: git itself creates it, then dies. */
  async function killedGitLeavesLock(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
    const lock = path.join(dir, '.git/index.lock');
    // A big file keeps `git add` busy long enough to kill it while it holds the lock.
    fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(64 * 1024 * 1024, 7));
    const child = spawn('git', ['add', 'big.bin'], { cwd: dir, env, stdio: 'ignore' });
    const t0 = Date.now();
    while (!fs.existsSync(lock) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    fs.rmSync(path.join(dir, 'big.bin'));
    if (!fs.existsSync(lock)) fs.writeFileSync(lock, ''); // git finished first: leave the same state by hand
    return lock;
  }

  it('is removed with a notice when it is old and no git holds it; the commit goes ahead', { timeout: 120_000 }, async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    const lock = await killedGitLeavesLock(dir, l.env);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    write(dir, 'notes.md', 'after the crash\n');
    const repo = await openRepo(dir, { env: l.env });
    const r = await commitSessionUpdate(repo, 's');
    expect(r.commit).not.toBeNull();
    expect(r.files).toContain('notes.md');
    expect(r.notices).toEqual([expect.stringMatching(new RegExp(`^removed a stale ${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} left by a git that stopped \\d+ s ago$`))]);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('is left alone when it is brand new, and the reason names the file to remove', { timeout: 120_000 }, async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    const lock = await killedGitLeavesLock(dir, l.env);
    write(dir, 'notes.md', 'x\n');
    const r = await commitSessionUpdate(await openRepo(dir, { env: l.env }), 's');
    expect(r).toMatchObject({ commit: null, reason: `another git process holds ${lock}` });
    expect(r.hint).toBe(`if no git is running, remove ${lock}, then run: cs s -sync push`);
    expect(fs.existsSync(lock)).toBe(true);
  });

  it('is left alone while a live git runs in the repository', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    const lock = path.join(dir, '.git/index.lock');
    fs.writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    // A git that is still running here (waiting on its stdin) might be the holder.
    const live = spawn('git', ['hash-object', '--stdin'], { cwd: dir, env: l.env, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await clearStaleIndexLock(path.join(dir, '.git'), dir)).toMatchObject({ state: 'busy', held: true });
      const doc = await checkIndexLock(l.env, sessionPaths(dir, 's'));
      expect(doc).toMatchObject({ level: 'warn', detail: expect.stringMatching(/held by a running git/) });
    } finally {
      live.stdin!.end();
      await new Promise((r) => live.on('close', r));
    }
    expect(fs.existsSync(lock)).toBe(true);
    const doc = await checkIndexLock(l.env, sessionPaths(dir, 's'));
    expect(doc).toMatchObject({ level: 'fail', fix: `remove it: rm ${lock} (cs removes it itself at the next session end)` });
  });

  it("an adopted project's stale lock: -doctor says git in the project fails, and never that cs removes it (its index is the user's)", async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    fs.writeFileSync(path.join(dir, '.cs', 'adopted'), '');
    const lock = path.join(dir, '.git', 'index.lock');
    fs.writeFileSync(lock, '');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lock, old, old);
    const doc = await checkIndexLock(l.env, sessionPaths(dir, 's'));
    expect(doc).toMatchObject({ level: 'fail', detail: expect.stringMatching(/git in the project fails until it is gone$/), fix: `if no git of yours is running there, remove it: rm ${lock}` });
  });

  it("-doctor's remote check asks the remote an adopted project's records go to, not the project's origin", async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    const records = bareRemote(tempDir(), 'records');
    g(dir, l.env, 'remote', 'add', 'origin', path.join(tempDir(), 'gone.git'));
    // A workspace of cs's: origin, which does not answer.
    expect(await checkRemote(l.env, sessionPaths(dir, 's'))).toMatchObject({ level: 'fail', detail: expect.stringMatching(/gone\.git is not reachable/) });
    // Adopted, its records going to another remote: that one is asked.
    fs.writeFileSync(path.join(dir, '.cs', 'adopted'), '');
    updateSyncConf(dir, { remote: records });
    expect(await checkRemote(l.env, sessionPaths(dir, 's'))).toMatchObject({ level: 'ok', detail: `${records} answers (the session's records)` });
  });

  it('no lock: -doctor says so', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    expect(await checkIndexLock(l.env, sessionPaths(dir, 's'))).toMatchObject({ level: 'ok', detail: 'no .git/index.lock' });
  });
});

describe('git identity', () => {
  it('without user.name/user.email: a notice once, a doctor warning, and commits as the fallback', async () => {
    const l = laptop({ XDG_CONFIG_HOME: '' });
    l.env.XDG_CONFIG_HOME = path.join(l.home, '.config');
    const dir = await makeSession(l, 's');
    const first = await identityNoticeOnce(dir, l.env);
    expect(first).toBe(
      'git has no user.name or user.email configured: commits in cs-created workspaces will be authored as cs <cs@localhost>; set your own with: git config --global user.name "Your Name" && git config --global user.email you@example.com',
    );
    expect(await identityNoticeOnce(dir, l.env)).toBeNull();
    expect(await checkGitIdentity(l.env)).toMatchObject({ check: 'git identity', level: 'warn', fix: expect.stringContaining('git config --global user.name') });
    expect(execFileSync('git', ['log', '-1', '--format=%an <%ae>'], { cwd: dir, env: l.env, encoding: 'utf8' }).trim()).toBe('cs <cs@localhost>');
    // A git that speaks German refuses in German: still recognised (cs reads git's refusal in the C locale).
    write(dir, 'de.txt', 'x');
    const de = await commitSessionUpdate(await openRepo(dir, { env: { ...l.env, LANGUAGE: 'de', LANG: 'C.UTF-8' } }));
    expect(de.files).toEqual(['de.txt']);
    expect(execFileSync('git', ['log', '-1', '--format=%an <%ae>'], { cwd: dir, env: l.env, encoding: 'utf8' }).trim()).toBe('cs <cs@localhost>');

    // Half an identity: git is not left to guess the other half (user.useConfigOnly), cs's stands in for it.
    execFileSync('git', ['config', '--global', 'user.name', 'Ada'], { env: l.env });
    const author = async (file: string) => {
      write(dir, file, 'x');
      const r = await commitSessionUpdate(await openRepo(dir, { env: l.env }));
      expect(r.files).toEqual([file]);
      return execFileSync('git', ['log', '-1', '--format=%an <%ae>'], { cwd: dir, env: l.env, encoding: 'utf8' }).trim();
    };
    expect(await author('half.txt')).toBe('Ada <cs@localhost>');
    execFileSync('git', ['config', '--global', 'user.email', 'ada@example.com'], { env: l.env });
    expect(await checkGitIdentity(l.env)).toMatchObject({ level: 'ok', detail: expect.stringContaining('Ada') });
    expect(await author('whole.txt')).toBe('Ada <ada@example.com>');
  });
});
