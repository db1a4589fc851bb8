import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTO_REF, autosave } from '../../../src/git/autosave.js';
import { recoverFromAutosave } from '../../../src/git/recover.js';
import { sessionEndCommit, sessionUpdateMessage } from '../../../src/git/session-end.js';
import { bareRemote, cleanup, git, laptop, makeSession, read, tempDir, write } from '../../support/git.js';

afterEach(cleanup);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('recoverFromAutosave', () => {
  it('restores lost work only where the work tree still matches HEAD, and reports the rest', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'crash');
    write(dir, 'notes.md', 'v1\n');
    write(dir, 'gone.md', 'to be deleted\n');
    git(dir, l.env, 'add', '-A');
    git(dir, l.env, 'commit', '-q', '-m', 'base');
    const head = git(dir, l.env, 'rev-parse', 'HEAD');

    // During the session: discoveries, an edit, a new file, a deletion; autosave.
    write(dir, '.cs/discoveries.md', '# Discoveries\n- the cache key ignores the locale\n');
    write(dir, 'notes.md', 'v2 from the session\n');
    write(dir, 'fresh/idea.md', 'new file\n');
    fs.rmSync(path.join(dir, 'gone.md'));
    expect((await autosave(dir, { env: l.env })).saved).toBe(true);

    // The crash loses the work tree changes (files back to HEAD) ...
    git(dir, l.env, 'checkout', '--', '.');
    fs.rmSync(path.join(dir, 'fresh'), { recursive: true });
    // ... except notes.md, which someone edited again after the autosave.
    write(dir, 'notes.md', 'v3 newer than the autosave\n');
    const indexBefore = fs.readFileSync(path.join(dir, '.git/index'));

    const report = await recoverFromAutosave(dir, { env: l.env, now: () => new Date('2025-01-02T03:04:05Z') });
    expect(report.restored.sort()).toEqual(['.cs/discoveries.md', 'fresh/idea.md', 'gone.md']);
    expect(report.skipped).toEqual(['notes.md']);
    expect(read(dir, '.cs/discoveries.md')).toContain('locale');
    expect(read(dir, 'fresh/idea.md')).toBe('new file\n');
    expect(fs.existsSync(path.join(dir, 'gone.md'))).toBe(false);
    expect(read(dir, 'notes.md')).toBe('v3 newer than the autosave\n');
    // HEAD and the user's index untouched; the replaced versions kept.
    expect(git(dir, l.env, 'rev-parse', 'HEAD')).toBe(head);
    expect(fs.readFileSync(path.join(dir, '.git/index')).equals(indexBefore)).toBe(true);
    expect(report.backupDir).toBe(path.join(dir, '.cs/local/recovered-2025-01-02T03-04-05-000Z'));
    expect(read(report.backupDir!, '.cs/discoveries.md')).toBe('# Discoveries\n');
    expect(read(report.backupDir!, 'gone.md')).toBe('to be deleted\n');

    // Running it again finds everything current.
    const again = await recoverFromAutosave(dir, { env: l.env });
    expect(again.restored).toEqual([]);
    expect(again.skipped).toEqual(['notes.md']);
  });

  it('does nothing without an autosave, or when HEAD has moved past it', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'none');
    expect(await recoverFromAutosave(dir, { env: l.env })).toMatchObject({ restored: [], skipped: [], autosave: null });
    write(dir, 'a.md', 'a\n');
    await autosave(dir, { env: l.env });
    git(dir, l.env, 'add', '-A');
    git(dir, l.env, 'commit', '-q', '-m', 'committed after the autosave');
    write(dir, 'a.md', 'reverted by hand\n');
    expect((await recoverFromAutosave(dir, { env: l.env })).restored).toEqual([]);
    expect(read(dir, 'a.md')).toBe('reverted by hand\n');
  });

  it('after kill -9 of a session process: the autosave is there, HEAD unchanged, files kept', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'killed');
    const head = git(dir, l.env, 'rev-parse', 'HEAD');
    // A stand-in for a session: writes discoveries, autosaves (as the hook
    // does), keeps editing, then hangs until killed.
    const script = `
      import { writeFileSync } from 'node:fs';
      import { autosave } from ${JSON.stringify(path.join(repoRoot, 'src/git/autosave.ts'))};
      const dir = ${JSON.stringify(dir)};
      writeFileSync(dir + '/.cs/discoveries.md', '# Discoveries\\n- saved before the crash\\n');
      await autosave(dir);
      writeFileSync(dir + '/after.md', 'written after the autosave\\n');
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env: { ...l.env, PATH: process.env.PATH } });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`session stand-in exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));

    expect(git(dir, l.env, 'show', `${AUTO_REF}:.cs/discoveries.md`)).toContain('saved before the crash');
    // The disk survived the crash: nothing to restore, nothing overwritten.
    const report = await recoverFromAutosave(dir, { env: l.env });
    expect(report.restored).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(read(dir, 'after.md')).toBe('written after the autosave\n');
    expect(git(dir, l.env, 'rev-parse', 'HEAD')).toBe(head);
    // Session end then takes everything into one commit and drops the shadow ref.
    const end = await sessionEndCommit(dir, { env: l.env });
    expect(end.message).toBe('Session update: 2 files (after.md, discoveries.md)');
    expect(git(dir, l.env, 'for-each-ref', 'refs/cs')).toBe('');
  }, 30_000);
});

describe('sessionEndCommit', () => {
  it('names up to three files, user files first', () => {
    expect(sessionUpdateMessage(['a.md'])).toBe('Session update: 1 file (a.md)');
    expect(sessionUpdateMessage(['.cs/changes.md', 'src/x.ts', 'lib/y.ts', 'z.sh', 'w.md'])).toBe(
      'Session update: 5 files (x.ts, y.ts, z.sh, +2 more)',
    );
    expect(sessionUpdateMessage(['a/index.ts', 'b/index.ts'])).toBe('Session update: 2 files (a/index.ts, b/index.ts)');
  });

  it('commits everything once, drops refs/cs/auto, and commits nothing when nothing changed', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'end');
    expect(await sessionEndCommit(dir, { env: l.env })).toMatchObject({ commit: null, pushed: false });
    write(dir, '.cs/changes.md', '# Changes\n- [2025-01-02 03:04:05] Write: app.py\n');
    write(dir, 'app.py', 'print(1)\n');
    await autosave(dir, { env: l.env });
    const r = await sessionEndCommit(dir, { env: l.env });
    expect(r.message).toBe('Session update: 2 files (app.py, changes.md)');
    expect(git(dir, l.env, 'log', '-1', '--format=%s')).toBe(r.message);
    expect(git(dir, l.env, 'status', '--porcelain')).toBe('');
    expect(git(dir, l.env, 'for-each-ref', 'refs/cs')).toBe('');
  });

  it('pushes when a remote is set and auto-sync is on', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'endpush');
    const remote = bareRemote(tempDir(), 'endpush');
    git(dir, l.env, 'remote', 'add', 'origin', remote);
    write(dir, '.cs/sync.conf', `remote=${remote}\nauto=on\n`);
    write(dir, 'x.md', 'x\n');
    await autosave(dir, { env: l.env });
    const r = await sessionEndCommit(dir, { env: l.env });
    expect(r.pushed).toBe(true);
    expect(git(remote, l.env, 'rev-parse', 'main')).toBe(git(dir, l.env, 'rev-parse', 'HEAD'));
    expect(git(remote, l.env, 'for-each-ref', 'refs/cs')).toBe('');
  });

  it('keeps the autosave and makes no commit on a detached HEAD', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'detached');
    git(dir, l.env, 'checkout', '-q', '--detach');
    write(dir, 'x.md', 'x\n');
    await autosave(dir, { env: l.env });
    const r = await sessionEndCommit(dir, { env: l.env });
    expect(r).toMatchObject({ commit: null, reason: 'HEAD is detached', pushed: false });
    expect(git(dir, l.env, 'for-each-ref', '--format=%(refname)', 'refs/cs')).toBe('refs/cs/auto');
  });
});
