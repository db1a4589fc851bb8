// Bad input and broken states: one clear UserError (or UsageError), a
// non-zero exit code, and nothing lost.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError, UserError, exitCodeOf } from '../../../src/lib/errors.js';
import { validateRemoteUrl } from '../../../src/git/remote.js';
import { bareRemote, cleanup, ctxFor, runSync, git, laptop, makeSession, read, tempDir, write, type Laptop } from '../../support/git.js';

afterEach(cleanup);

async function csFails(l: Laptop, session: string | undefined, ...args: string[]): Promise<Error> {
  try {
    await runSync(args, session, ctxFor(l));
  } catch (e) {
    expect(exitCodeOf(e)).not.toBe(0);
    return e as Error;
  }
  throw new Error(`cs ${session} -sync ${args.join(' ')} succeeded`);
}

async function cs(l: Laptop, session: string | undefined, ...args: string[]) {
  const ctx = ctxFor(l);
  const code = await runSync(args, session, ctx);
  return { code: code ?? 0, out: ctx.io.stdoutText(), err: ctx.io.stderrText() };
}

function snapshotOf(dir: string, l: Laptop) {
  return {
    head: git(dir, l.env, 'rev-parse', 'HEAD'),
    status: git(dir, l.env, 'status', '--porcelain'),
    notes: fs.existsSync(path.join(dir, 'notes.md')) ? read(dir, 'notes.md') : null,
  };
}

describe('remote URLs', () => {
  it.each([
    ['-uupload-pack=touch /tmp/pwned', /starts with "-"/],
    ['git@host:repo name.git', /whitespace or control/],
    ['https://host/a\nb', /whitespace or control/],
    ['ext::sh -c touch% /tmp/pwned', /whitespace|remote helpers/],
    ['ext::sh', /remote helpers/],
    ['', /empty/],
    // A host or user git would hand to ssh as an option: refused before it is saved.
    ['ssh://-oProxyCommand=touch%20/tmp/x/y', /user or host starts with "-"/],
    ['ssh://%2DoProxyCommand=id/x.git', /user or host starts with "-"/],
    ['ssh://-oProxyCommand=id@host/x.git', /user or host starts with "-"/],
    ['git@-oProxyCommand=id:x.git', /user or host starts with "-"/],
  ])('refuses %j', (url, why) => {
    expect(() => validateRemoteUrl(url, '/tmp')).toThrow(UsageError);
    expect(() => validateRemoteUrl(url, '/tmp')).toThrow(why);
  });

  it.each([
    ['git@github.com:me/x.git', 'git@github.com:me/x.git'],
    ['https://host/me/x.git', 'https://host/me/x.git'],
    ['ssh://git@host:22/x.git', 'ssh://git@host:22/x.git'],
    ['../remotes/x.git', '/work/remotes/x.git'],
    ['/srv/x.git', '/srv/x.git'],
    ['ssh://git@my-host/x-y.git', 'ssh://git@my-host/x-y.git'],
    ['me@host:-odd-repo-name.git', 'me@host:-odd-repo-name.git'],
  ])('accepts %j', (url, want) => {
    expect(validateRemoteUrl(url, '/work/here')).toBe(want);
  });

  it('an invalid URL leaves the session without a remote', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    for (const bad of ['--upload-pack=x', 'ssh://-oProxyCommand=touch%20/tmp/x/y']) {
      const err = await csFails(l, 's', 'remote', bad);
      expect(err, bad).toBeInstanceOf(UsageError);
      expect(git(dir, l.env, 'remote')).toBe('');
      expect(fs.existsSync(path.join(dir, '.cs/sync.conf'))).toBe(false);
    }
  });
});

describe('broken states', () => {
  it('a local path with no repository: says so (not the opposite), offers --create, and keeps the work', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    const nowhere = path.join(tempDir(), 'missing.git');
    const set = await cs(l, 's', 'remote', nowhere);
    expect(set.err).toMatch(/note: no repository at .*missing\.git yet; cs s -sync push offers to create it/);
    write(dir, 'notes.md', 'precious\n');
    const err = await csFails(l, 's', 'push');
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^no repository at .*missing\.git \(the path does not exist\)$/);
    expect((err as UserError).hint).toBe('create it with: cs s -sync push --create');
    expect(read(dir, 'notes.md')).toBe('precious\n');
    const pull = await csFails(l, 's', 'pull');
    expect(pull.message).toMatch(/^cannot reach remote .*missing\.git: no repository at .* \(the path does not exist\)$/);
    expect(pull.message).not.toMatch(/and the repository exists/);
    expect(JSON.parse((await cs(l, 's', 'status', '--json')).out).reachable).toBe(false);
    // --create makes the bare repository and pushes to it.
    const created = await cs(l, 's', 'push', '--create');
    expect(created.err).toMatch(/created a bare repository at .*missing\.git/);
    expect(git(nowhere, l.env, 'log', '--format=%s', '-1', 'main')).toMatch(/^Session update/);
  });

  it.each([
    ['an unresolvable ssh host', 'git@nohost.invalid:me/s.git', /^cannot reach remote git@nohost\.invalid:me\/s\.git: host 'nohost\.invalid' not found/, /check the host name/],
    ['a directory that is not a repository', 'DIR', /^cannot reach remote .*: repository not found$/, /check the path in the URL/],
  ])('%s: the meaningful part of git\'s message in one line, with a fix', async (_what, url, message, hint) => {
    const l = laptop();
    await makeSession(l, 's');
    const remote = url === 'DIR' ? tempDir() : url;
    await cs(l, 's', 'remote', remote);
    const err = await csFails(l, 's', 'push');
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect((err as UserError).hint).toMatch(hint);
  });

  it('no remote configured', async () => {
    const l = laptop();
    await makeSession(l, 's');
    const err = await csFails(l, 's', 'push');
    expect(err.message).toBe("session 's' has no sync remote");
    expect((err as UserError).hint).toBe('set one: cs s -sync remote <url>');
    expect((await csFails(l, 's', 'remote')).message).toMatch(/CS_SYNC_PREFIX is not set/);
  });

  it('a detached HEAD', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    await cs(l, 's', 'remote', bareRemote(tempDir(), 's'));
    git(dir, l.env, 'checkout', '-q', '--detach');
    write(dir, 'notes.md', 'detached work\n');
    const before = snapshotOf(dir, l);
    for (const sub of ['push', 'pull']) {
      const err = await csFails(l, 's', sub);
      expect(err.message).toMatch(/HEAD is detached/);
      expect((err as UserError).hint).toMatch(/git -C .* switch/);
    }
    expect(snapshotOf(dir, l)).toEqual(before);
  });

  it('a repository in the middle of a rebase', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    await cs(l, 's', 'remote', bareRemote(tempDir(), 's'));
    write(dir, 'notes.md', 'base\n');
    git(dir, l.env, 'add', '-A');
    git(dir, l.env, 'commit', '-q', '-m', 'base');
    git(dir, l.env, 'checkout', '-q', '-b', 'other');
    write(dir, 'notes.md', 'other\n');
    git(dir, l.env, 'commit', '-q', '-am', 'other');
    git(dir, l.env, 'checkout', '-q', 'main');
    write(dir, 'notes.md', 'main\n');
    git(dir, l.env, 'commit', '-q', '-am', 'main');
    expect(() => git(dir, l.env, 'rebase', 'other')).toThrow();
    const before = snapshotOf(dir, l);
    for (const sub of ['push', 'pull']) {
      const err = await csFails(l, 's', sub);
      expect(err.message).toMatch(/is in the middle of a rebase$/);
      expect((err as UserError).hint).toMatch(/rebase --continue.*rebase --abort/);
    }
    expect(snapshotOf(dir, l)).toEqual(before);
    expect(fs.existsSync(path.join(dir, '.git/rebase-merge'))).toBe(true);
  });

  it('a workspace that is not a git repository (adopted directory)', async () => {
    const l = laptop();
    const dir = path.join(l.root, 'plain');
    fs.mkdirSync(dir);
    write(dir, 'notes.md', 'mine\n');
    for (const sub of ['push', 'pull', 'status', 'snapshot']) {
      const err = await csFails(l, 'plain', sub);
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toBe(`${dir} is not a git repository`);
    }
    expect(fs.readdirSync(dir)).toEqual(['notes.md']);
  });

  it('a session that does not exist', async () => {
    const l = laptop();
    expect((await csFails(l, 'ghost', 'status')).message).toBe("no session named 'ghost'");
  });

  it('a read-only .git', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    await cs(l, 's', 'remote', bareRemote(tempDir(), 's'));
    write(dir, 'notes.md', 'cannot be saved yet\n');
    const before = snapshotOf(dir, l);
    const gitDir = path.join(dir, '.git');
    const restore = makeReadOnly(gitDir);
    try {
      for (const sub of ['snapshot', 'push']) {
        const err = await csFails(l, 's', sub);
        expect(err).toBeInstanceOf(UserError);
        expect(err.message).toMatch(new RegExp(`^cannot write to ${gitDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      }
    } finally {
      restore();
    }
    expect(snapshotOf(dir, l)).toEqual(before);
  });
});

describe('snapshot, auto, status', () => {
  it('snapshot autosaves now; auto on|off writes sync.conf; status prints a table', async () => {
    const l = laptop();
    const dir = await makeSession(l, 's');
    expect((await cs(l, 's', 'snapshot')).err).toContain('nothing changed');
    write(dir, '.cs/discoveries.md', '- x\n');
    expect((await cs(l, 's', 'snapshot')).err).toMatch(/autosaved s to refs\/cs\/auto \([0-9a-f]{7}\)/);
    await cs(l, 's', 'auto', 'on');
    expect(read(dir, '.cs/sync.conf')).toBe('auto=on\n');
    await cs(l, 's', 'auto', 'off');
    expect(read(dir, '.cs/sync.conf')).toBe('auto=off\n');
    const st = await cs(l, 's', 'status');
    expect(st.out).toMatch(/^session {3}s$/m);
    expect(st.out).toMatch(/^remote {4}\(none\)$/m);
    expect(st.out).toMatch(/^dirty {5}2 files$/m);
    expect(st.out).toMatch(/^autosave  [0-9a-f]{7}$/m);
  });

  it('clone refuses an existing session and a URL it cannot name', async () => {
    const remotes = tempDir();
    const l = laptop({ CS_SYNC_PREFIX: remotes + '/' });
    await makeSession(l, 'taken');
    bareRemote(remotes, 'taken');
    expect((await csFails(l, undefined, 'clone', 'taken')).message).toMatch(/already exists/);
    expect((await csFails(l, undefined, 'clone', 'nowhere')).message).toMatch(/^cannot reach remote/);
    expect(fs.readdirSync(l.root)).toEqual(['taken']);
    expect((await csFails(l, undefined, 'clone', 'git@host:')).message).toMatch(/cannot name a session/);
  });
});

/** Makes a directory unwritable even for root (chattr +i), else by mode. */
function makeReadOnly(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['-R', '+i', dir]);
    return () => execFileSync('chattr', ['-R', '-i', dir]);
  }
  execFileSync('chmod', ['-R', 'a-w', dir]);
  return () => execFileSync('chmod', ['-R', 'u+w', dir]);
}

describe('progress output', () => {
  it('uses a spinner on a terminal and still fails cleanly', async () => {
    const { testIO } = await import('../../support/io.js');
    const l = laptop();
    await makeSession(l, 's');
    await cs(l, 's', 'remote', path.join(tempDir(), 'gone.git'));
    const io = testIO('', { isTTY: true });
    const ctx = ctxFor(l, io);
    const err = await runSync(['push'], 's', ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(io.stdoutText()).toBe('');
  });
});
