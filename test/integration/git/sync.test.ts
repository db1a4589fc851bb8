import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { exitCodeOf, UserError } from '../../../src/lib/errors.js';
import { tryLock } from '../../../src/lib/lockfile.js';
import { autosave } from '../../../src/git/autosave.js';
import { SyncConflictError } from '../../../src/git/sync.js';
import { bareRemote, cleanup, ctxFor, runSync, git, laptop, makeSession, read, tempDir, write, type Laptop } from '../../support/git.js';

afterEach(cleanup);

async function cs(l: Laptop, session: string | undefined, ...args: string[]) {
  const ctx = ctxFor(l);
  const code = await runSync(args, session, ctx);
  return { code: code ?? 0, out: ctx.io.stdoutText(), err: ctx.io.stderrText() };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

/** Laptop A creates the session and pushes; laptop B clones it. */
async function twoLaptops() {
  const remotes = tempDir('cs-remotes-');
  const prefix = remotes + '/';
  const a = laptop({ CS_SYNC_PREFIX: prefix });
  const b = laptop({ CS_SYNC_PREFIX: prefix });
  const bare = bareRemote(remotes, 'work');
  const dirA = await makeSession(a, 'work');
  await cs(a, 'work', 'remote');
  await cs(a, 'work', 'push');
  await cs(b, undefined, 'clone', 'work');
  return { a, b, bare, dirA, dirB: path.join(b.root, 'work') };
}

describe('-sync parse', () => {
  const table: [string | undefined, string[], [string, object] | RegExp][] = [
    ['s', ['push'], ['push', { create: false }]],
    ['s', ['push', '--create'], ['push', { create: true }]],
    ['s', ['pull'], ['pull', { force: false }]],
    ['s', ['pull', '--force'], ['pull', { force: true }]],
    ['s', ['snapshot'], ['snapshot', {}]],
    ['s', ['remote'], ['remote', { url: null }]],
    ['s', ['remote', 'git@h:x.git'], ['remote', { url: 'git@h:x.git' }]],
    ['s', ['status'], ['status', { json: false, fetch: true }]],
    ['s', ['status', '--json', '--no-fetch'], ['status', { json: true, fetch: false }]],
    ['s', ['auto', 'on'], ['auto', { on: true }]],
    ['s', ['auto', 'off'], ['auto', { on: false }]],
    [undefined, ['clone', 'work'], ['clone', { source: 'work', name: null }]],
    [undefined, ['clone', 'git@h:x.git', 'y'], ['clone', { source: 'git@h:x.git', name: 'y' }]],
    ['s', [], /needs a subcommand/],
    ['s', ['frob'], /unknown -sync subcommand/],
    ['s', ['auto', 'maybe'], /on or off/],
    ['s', ['push', '--json'], /--json does not apply to -sync push/],
    ['s', ['status', '--create'], /--create does not apply to -sync status/],
    ['s', ['clone', 'x'], /-sync clone does not take a session name/],
    [undefined, ['clone', 'u', '../evil'], /starts with|contains/],
  ];
  it.each(table)('cs %s -sync %j', async (session, args, want) => {
    const parsed = parseCommand('-sync', args, session === undefined ? {} : { session });
    if (want instanceof RegExp) await expect(parsed).rejects.toThrow(want);
    else expect(await parsed).toEqual({ sub: [want[0]], opts: want[1] });
  });
  it('needs a session, and checks its name, before running', async () => {
    const l = laptop();
    await expect(runSync(['push'], undefined, ctxFor(l))).rejects.toThrow(/-sync needs a session/);
    await expect(runSync(['push'], '../x', ctxFor(l))).rejects.toThrow(/contains characters|starts with/);
  });
  it('takes the session from CLAUDE_SESSION_NAME inside a session', async () => {
    const l = laptop();
    await makeSession(l, 'inside');
    const ctx = ctxFor(l);
    expect(await runSync(['status', '--no-fetch', '--json'], undefined, { ...ctx, env: { ...l.env, CLAUDE_SESSION_NAME: 'inside' } })).toBe(0);
    expect(JSON.parse(ctx.io.stdoutText()).session).toBe('inside');
  });
});

describe('two laptops sharing one bare remote', () => {
  it('pull is refused while the session is open (it would change files under Claude), and --force pulls', async () => {
    const { a, b, dirA, dirB } = await twoLaptops();
    write(dirA, 'from-a.txt', 'new on A\n');
    await cs(a, 'work', 'push');
    write(dirB, 'half-done.txt', 'Claude is writing this\n');
    // Held as cs holds it for a running Claude: this live process, this host.
    const held = tryLock(path.join(dirB, '.cs/local/lock'), { pid: process.pid });
    expect(held.ok).toBe(true);
    const refused = await failure(cs(b, 'work', 'pull'));
    expect(exitCodeOf(refused)).toBe(1);
    expect(refused.message).toMatch(new RegExp(`^'work' is open in .*pid ${process.pid}.*: a pull would change its files under Claude$`));
    expect((refused as UserError).hint).toContain('cs work -sync pull --force');
    expect(fs.existsSync(path.join(dirB, 'from-a.txt'))).toBe(false);
    expect(git(dirB, b.env, 'status', '--porcelain')).toContain('half-done.txt');
    expect((await cs(b, 'work', 'pull', '--force')).err).toContain('updated');
    expect(read(dirB, 'from-a.txt')).toBe('new on A\n');
    if (held.ok) held.handle.release();
  });

  it('union-merges append-only logs from both sides and keeps every line', async () => {
    const { a, b, bare, dirA, dirB } = await twoLaptops();
    expect(read(dirB, 'CLAUDE.md')).toBe('# Session protocol\n');
    expect(fs.existsSync(path.join(dirB, '.cs/local'))).toBe(true);
    expect(git(dirB, b.env, 'config', '--get', 'transfer.hideRefs')).toBe('refs/cs');
    expect(read(dirB, '.cs/sync.conf')).toContain(`remote=${bare}`);

    const base = read(dirA, '.cs/changes.md');
    write(dirA, '.cs/changes.md', base + '- [2025-01-02 10:00:00] Write: a.py\n');
    write(dirA, 'a.py', 'print("a")\n');
    write(dirB, '.cs/changes.md', base + '- [2025-01-02 10:00:01] Write: b.py\n');
    write(dirB, 'b.py', 'print("b")\n');
    write(dirA, '.cs/logs/session.log', 'A started\n');
    write(dirB, '.cs/logs/session.log', 'B started\n');
    // The queue's journal is append-only too: both machines' steps stay (issue #23).
    write(dirA, '.cs/queue/journal.jsonl', '{"ts":"2025-01-02T10:00:00.000Z","type":"add","id":1,"text":"task from A"}\n');
    write(dirB, '.cs/queue/journal.jsonl', '{"ts":"2025-01-02T10:00:01.000Z","type":"add","id":1,"text":"task from B"}\n');

    await cs(a, 'work', 'push');
    const pulled = await cs(b, 'work', 'pull');
    expect(pulled.err).toContain('replayed on top of the remote');
    await cs(b, 'work', 'push');
    expect((await cs(a, 'work', 'pull')).err).toContain('updated from the remote');

    for (const dir of [dirA, dirB]) {
      const changes = read(dir, '.cs/changes.md');
      expect(changes).toContain('Write: a.py');
      expect(changes).toContain('Write: b.py');
      expect(read(dir, '.cs/logs/session.log')).toMatch(/A started[\s\S]*B started|B started[\s\S]*A started/);
      expect(read(dir, '.cs/queue/journal.jsonl')).toMatch(/task from A[\s\S]*task from B|task from B[\s\S]*task from A/);
      expect(read(dir, 'a.py')).toContain('a');
      expect(read(dir, 'b.py')).toContain('b');
      expect(git(dir, a.env, 'status', '--porcelain')).toBe('');
    }
    expect(git(dirA, a.env, 'rev-parse', 'HEAD')).toBe(git(dirB, b.env, 'rev-parse', 'HEAD'));

    const st = JSON.parse((await cs(a, 'work', 'status', '--json')).out);
    expect(st).toMatchObject({ session: 'work', branch: 'main', remote: bare, ahead: 0, behind: 0, dirty: 0, reachable: true, auto: false });
  }, 60_000);

  it('discoveries both machines added at the end are both kept, shared text first; an edit on both sides still stops', async () => {
    const { a, b, dirA, dirB } = await twoLaptops();
    const base = read(dirA, '.cs/discoveries.md');
    write(dirA, '.cs/discoveries.md', `${base}\n## 2025-01-02 10:00 found on A\nthe cache key ignores the locale\n`);
    write(dirB, '.cs/discoveries.md', `${base}\n## 2025-01-02 10:05 found on B\nretries double the load\n`);
    await cs(a, 'work', 'push');
    expect((await cs(b, 'work', 'pull')).err).toContain('replayed on top of the remote');
    const merged = read(dirB, '.cs/discoveries.md');
    expect(merged.startsWith(base)).toBe(true);
    expect(merged).toContain('found on A');
    expect(merged).toContain('found on B');
    expect(merged.indexOf('found on A')).toBeLessThan(merged.indexOf('found on B'));
    expect(git(dirB, b.env, 'status', '--porcelain')).toBe('');
    await cs(b, 'work', 'push');
    await cs(a, 'work', 'pull');
    expect(read(dirA, '.cs/discoveries.md')).toBe(merged);

    // An edited line on both sides: a conflict, as before (the pull stops, nothing lost).
    write(dirA, '.cs/discoveries.md', merged.replace('retries double the load', 'retries triple the load'));
    await cs(a, 'work', 'push');
    write(dirB, '.cs/discoveries.md', merged.replace('retries double the load', 'retries halve the load'));
    const err = await failure(runSync(['pull'], 'work', ctxFor(b)));
    expect(err).toBeInstanceOf(SyncConflictError);
    expect((err as SyncConflictError).message).toMatch(/\.cs\/discoveries\.md changed differently on both machines/);
    expect(read(dirB, '.cs/discoveries.md')).toContain('retries halve the load');
  }, 60_000);

  it('stops a real conflict with instructions and loses nothing', async () => {
    const { a, b, dirA, dirB } = await twoLaptops();
    write(dirA, 'plan.md', 'step 1: use postgres\n');
    await cs(a, 'work', 'push');
    await cs(b, 'work', 'pull');
    write(dirA, 'plan.md', 'step 1: use sqlite\n');
    await cs(a, 'work', 'push');
    write(dirB, 'plan.md', 'step 1: use mysql\n');
    write(dirB, 'other.md', 'unrelated B work\n');
    const headA = git(dirA, a.env, 'rev-parse', 'HEAD');

    const ctx = ctxFor(b);
    const err = await failure(runSync(['pull'], 'work', ctx));
    expect(err).toBeInstanceOf(SyncConflictError);
    expect(exitCodeOf(err)).toBe(1);
    const conflict = err as SyncConflictError;
    expect(conflict.message).toMatch(/plan\.md changed differently on both machines; nothing was lost/);
    expect(conflict.hint).toContain(`cd ${dirB}`);
    // These laptops have no git identity: the commands carry the one cs commits with, so they work as printed.
    expect(conflict.hint).toContain('git -c user.name=cs -c user.email=cs@localhost merge origin/main');
    expect(conflict.hint).toContain('cs work -sync push');

    // B: no rebase left behind, B's version checked out and on the conflict branch.
    expect(fs.existsSync(path.join(dirB, '.git/rebase-merge'))).toBe(false);
    expect(read(dirB, 'plan.md')).toBe('step 1: use mysql\n');
    expect(read(dirB, 'other.md')).toBe('unrelated B work\n');
    expect(git(dirB, b.env, 'status', '--porcelain')).toBe('');
    expect(git(dirB, b.env, 'show', `${conflict.localBranch}:plan.md`)).toBe('step 1: use mysql');
    expect(conflict.localBranch).toBe('cs/conflict-20250102-030405');
    // A's version reachable from B too.
    expect(conflict.remoteCommit).toBe(headA);
    expect(git(dirB, b.env, 'show', `${headA}:plan.md`)).toBe('step 1: use sqlite');

    // Following the instructions as printed works (sh, this laptop's environment): merge, resolve, commit, push.
    const lines = conflict.hint!.split('\n').map((l) => l.replace(/#.*$/, '').trim());
    const printed = (start: string) => lines.find((l) => l.startsWith(start))!;
    const sh = (line: string) => spawnSync('sh', ['-c', line], { cwd: dirB, env: b.env, encoding: 'utf8' });
    expect(sh(printed('git -c user.name=cs -c user.email=cs@localhost merge')).status).not.toBe(0); // the conflict, to fix by hand
    expect(read(dirB, 'plan.md')).toMatch(/<<<<<<<[\s\S]*mysql[\s\S]*sqlite[\s\S]*>>>>>>>/);
    write(dirB, 'plan.md', 'step 1: use sqlite, mysql later\n');
    const commit = sh(printed('git add -A'));
    expect(commit.status, commit.stderr).toBe(0);
    await cs(b, 'work', 'push');
    await cs(a, 'work', 'pull');
    expect(read(dirA, 'plan.md')).toBe('step 1: use sqlite, mysql later\n');
    expect(read(dirA, 'other.md')).toBe('unrelated B work\n');
  }, 60_000);

  it('never sends refs/cs to the remote, nor shows it to anyone fetching from a workspace', async () => {
    const { a, bare, dirA } = await twoLaptops();
    write(dirA, 'x.md', 'x\n');
    expect((await autosave(dirA, { env: a.env })).saved).toBe(true);
    await cs(a, 'work', 'push');
    await cs(a, 'work', 'pull');
    expect(git(dirA, a.env, 'for-each-ref', '--format=%(refname)', 'refs/cs')).toBe('refs/cs/auto');
    expect(git(dirA, a.env, 'ls-remote', bare)).not.toMatch(/refs\/cs/);
    expect(git(dirA, a.env, 'ls-remote', dirA)).not.toMatch(/refs\/cs/);
    expect(git(dirA, a.env, 'ls-remote', dirA)).toMatch(/refs\/heads\/main/);
  }, 60_000);
});

describe('auto-sync at session start', () => {
  it('pulls when auto is on, and reports (not throws) when the remote is gone', async () => {
    const { a, b, bare, dirA, dirB } = await twoLaptops();
    const { sessionStartPull } = await import('../../../src/git/sync.js');
    expect(await sessionStartPull(dirB, 'work', { env: b.env })).toEqual({ pulled: false });
    await cs(b, 'work', 'auto', 'on');
    write(dirA, 'from-a.md', 'hello B\n');
    await cs(a, 'work', 'push');
    expect(await sessionStartPull(dirB, 'work', { env: b.env })).toMatchObject({ pulled: true });
    expect(read(dirB, 'from-a.md')).toBe('hello B\n');
    fs.renameSync(bare, bare + '.moved');
    const r = await sessionStartPull(dirB, 'work', { env: b.env });
    expect(r.pulled).toBe(false);
    expect(r.error).toMatch(/^cannot reach remote/);
  }, 60_000);
});
