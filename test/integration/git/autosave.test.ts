import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTO_REF, autosave, autosaveIfDue, prepareRepo } from '../../../src/git/autosave.js';
import { commitAll, openRepo } from '../../../src/git/repo.js';
import { UserError } from '../../../src/lib/errors.js';
import { cleanup, git, laptop, makeSession, read, tempDir, write } from '../../support/git.js';

afterEach(cleanup);

describe('commitAll and prepareRepo', () => {
  it('commits with the cs@localhost identity when the user has none', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'ident');
    expect(git(dir, l.env, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%s')).toBe('cs <cs@localhost>|cs <cs@localhost>|Create session');
    expect(await commitAll(dir, 'again', { env: l.env })).toBeNull();
  });

  it("uses the user's own identity when configured", async () => {
    const l = laptop();
    fs.writeFileSync(path.join(l.home, '.gitconfig'), '[user]\n\tname = Ada\n\temail = ada@example.com\n');
    const dir = await makeSession(l, 'ada');
    expect(git(dir, l.env, 'log', '-1', '--format=%an <%ae>')).toBe('Ada <ada@example.com>');
  });

  it('is idempotent: hidden refs once, union attributes once, the append driver once', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'prep');
    expect(await prepareRepo(dir, { env: l.env })).toEqual({ changed: false });
    expect(git(dir, l.env, 'config', '--get-all', 'transfer.hideRefs')).toBe('refs/cs');
    expect(git(dir, l.env, 'config', '--get-all', 'uploadpack.hideRefs')).toBe('refs/cs');
    expect(read(dir, '.gitattributes')).toBe('.cs/changes.md merge=union\n.cs/logs/* merge=union\n.cs/timeline.jsonl merge=union\n.cs/conversations.json merge=union\n.cs/queue/journal.jsonl merge=union\n.cs/discoveries.md merge=cs-append\n');
    expect(git(dir, l.env, 'check-attr', 'merge', '.cs/discoveries.md')).toBe('.cs/discoveries.md: merge: cs-append');
    expect(git(dir, l.env, 'config', '--get-all', 'merge.cs-append.driver').split('\n')).toHaveLength(1);
    expect(git(dir, l.env, 'check-attr', 'merge', '.cs/queue/journal.jsonl')).toBe('.cs/queue/journal.jsonl: merge: union');
    expect(git(dir, l.env, 'check-attr', 'merge', '.cs/logs/session.log')).toBe('.cs/logs/session.log: merge: union');
  });

  it('refuses a directory that is not a git repository', async () => {
    const l = laptop();
    const dir = tempDir();
    write(dir, 'notes.md', 'x');
    await expect(openRepo(dir, { env: l.env })).rejects.toThrow(UserError);
    await expect(autosave(dir, { env: l.env })).rejects.toThrow(/is not a git repository/);
    expect(read(dir, 'notes.md')).toBe('x');
  });
});

describe('autosave', () => {
  it("snapshots the work tree without moving the user's index, HEAD, branch or stash", async () => {
    const l = laptop();
    const dir = await makeSession(l, 'snap');
    // The user's own state: a stash entry, a staged change, an unstaged one.
    write(dir, 'CLAUDE.md', '# stashed edit\n');
    git(dir, l.env, 'stash', 'push', '-q');
    write(dir, 'staged.txt', 'staged\n');
    git(dir, l.env, 'add', 'staged.txt');
    write(dir, '.cs/discoveries.md', '# Discoveries\n- found the bug\n');
    write(dir, 'new/untracked.md', 'untracked\n');
    write(dir, 'scratch.tmp', 'ignored\n');
    write(dir, '.cs/local/lock', '123 host\n');
    const before = {
      head: git(dir, l.env, 'rev-parse', 'HEAD'),
      branch: git(dir, l.env, 'symbolic-ref', 'HEAD'),
      cached: git(dir, l.env, 'diff', '--cached'),
      stash: git(dir, l.env, 'stash', 'list', '--format=%H'),
      index: fs.readFileSync(path.join(dir, '.git/index')),
      status: git(dir, l.env, 'status', '--porcelain'),
    };

    const r = await autosave(dir, { env: l.env });
    expect(r.saved).toBe(true);

    expect(git(dir, l.env, 'rev-parse', 'HEAD')).toBe(before.head);
    expect(git(dir, l.env, 'symbolic-ref', 'HEAD')).toBe(before.branch);
    expect(git(dir, l.env, 'diff', '--cached')).toBe(before.cached);
    expect(git(dir, l.env, 'stash', 'list', '--format=%H')).toBe(before.stash);
    expect(fs.readFileSync(path.join(dir, '.git/index')).equals(before.index)).toBe(true);
    expect(git(dir, l.env, 'status', '--porcelain')).toBe(before.status);

    const files = git(dir, l.env, 'ls-tree', '-r', '--name-only', AUTO_REF).split('\n');
    expect(files).toEqual(expect.arrayContaining(['staged.txt', 'new/untracked.md', '.cs/discoveries.md', '.gitattributes']));
    expect(files).not.toContain('scratch.tmp');
    expect(files.some((f) => f.startsWith('.cs/local'))).toBe(false);
    expect(git(dir, l.env, 'show', `${AUTO_REF}:.cs/discoveries.md`)).toContain('found the bug');
    expect(git(dir, l.env, 'rev-parse', `${AUTO_REF}^`)).toBe(before.head);
    expect(fs.existsSync(path.join(dir, '.cs/local/autosave.index'))).toBe(true);
  });

  it('skips an unchanged tree and chains the next snapshot on the previous one', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'chain');
    expect(await autosave(dir, { env: l.env })).toEqual({ saved: false, reason: 'unchanged' });
    write(dir, '.cs/discoveries.md', '# D\n- one\n');
    const first = await autosave(dir, { env: l.env });
    expect(await autosave(dir, { env: l.env })).toEqual({ saved: false, reason: 'unchanged' });
    write(dir, '.cs/discoveries.md', '# D\n- one\n- two\n');
    const second = await autosave(dir, { env: l.env });
    if (!first.saved || !second.saved) throw new Error('expected two snapshots');
    expect(second.parent).toBe(first.commit);
    expect(git(dir, l.env, 'rev-parse', `${AUTO_REF}^1`)).toBe(first.commit);

    // The user commits; the next snapshot keeps the chain and adds HEAD as a parent.
    git(dir, l.env, 'add', '-A');
    git(dir, l.env, 'commit', '-q', '-m', 'user commit');
    write(dir, 'later.md', 'later\n');
    const third = await autosave(dir, { env: l.env });
    if (!third.saved) throw new Error('expected a snapshot');
    expect(git(dir, l.env, 'rev-list', '--parents', '-n1', AUTO_REF).split(' ').slice(1)).toEqual([
      second.commit,
      git(dir, l.env, 'rev-parse', 'HEAD'),
    ]);
  });

  it('notices deletions and edits with the incremental index', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'incr');
    write(dir, 'a.txt', 'a\n');
    await autosave(dir, { env: l.env });
    fs.rmSync(path.join(dir, 'a.txt'));
    write(dir, 'CLAUDE.md', 'changed\n');
    const r = await autosave(dir, { env: l.env });
    expect(r.saved).toBe(true);
    const files = git(dir, l.env, 'ls-tree', '-r', '--name-only', AUTO_REF).split('\n');
    expect(files).not.toContain('a.txt');
    expect(git(dir, l.env, 'show', `${AUTO_REF}:CLAUDE.md`)).toBe('changed');
  });

  it('rebuilds a damaged autosave index instead of failing', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'damaged');
    write(dir, 'a.txt', 'a\n');
    await autosave(dir, { env: l.env });
    fs.writeFileSync(path.join(dir, '.cs/local/autosave.index'), 'garbage');
    write(dir, 'b.txt', 'b\n');
    const r = await autosave(dir, { env: l.env });
    expect(r.saved).toBe(true);
    expect(git(dir, l.env, 'ls-tree', '-r', '--name-only', AUTO_REF).split('\n')).toEqual(expect.arrayContaining(['a.txt', 'b.txt']));
  });

  it('reports busy while another autosave holds the index lock', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'busy');
    write(dir, 'a.txt', 'a\n');
    await autosave(dir, { env: l.env });
    write(dir, '.cs/local/autosave.index.lock', '');
    write(dir, 'b.txt', 'b\n');
    expect(await autosave(dir, { env: l.env })).toEqual({ saved: false, reason: 'busy' });
    // A lock left by a git killed long ago is taken over.
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(dir, '.cs/local/autosave.index.lock'), old, old);
    expect((await autosave(dir, { env: l.env })).saved).toBe(true);
  });

  it('throttles autosaveIfDue with its stamp in .cs/local/', async () => {
    const l = laptop();
    const dir = await makeSession(l, 'throttle');
    let t = 1_000_000;
    const now = () => t;
    write(dir, 'a.txt', '1\n');
    expect((await autosaveIfDue(dir, 60_000, { env: l.env, now })).saved).toBe(true);
    write(dir, 'a.txt', '2\n');
    t += 30_000;
    expect(await autosaveIfDue(dir, 60_000, { env: l.env, now })).toEqual({ saved: false, reason: 'throttled' });
    t += 31_000;
    expect((await autosaveIfDue(dir, 60_000, { env: l.env, now })).saved).toBe(true);
    expect(git(dir, l.env, 'show', `${AUTO_REF}:a.txt`)).toBe('2');
  });
});
