// A sync remote URL with a password: .cs/sync.conf is tracked, so the
// password would be committed and pushed to every remote and clone. The
// built cs refuses such a URL at every entry point, writing nothing, and a
// sync.conf that already holds one (an older cs, or a pull) is shown with the
// password masked. Real git; the stand-in claude only creates the session.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

const PASSWORD = 'Sup3rS3cretPw99';
// Port 9 on loopback: refused at once, so no test waits on the network.
const WITH_PASSWORD = `https://bob:${PASSWORD}@127.0.0.1:9/x.git`;
const MASKED = 'https://bob:***@127.0.0.1:9/x.git';

let sb: Sandbox;
let dir: string;

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { env: sb.env, encoding: 'utf8' }).trim();
const conf = () => path.join(dir, '.cs/sync.conf');

beforeEach(async () => {
  sb = sandbox();
  expect((await runCs(['s'], { env: sb.env })).code).toBe(0);
  dir = path.join(sb.root, 's');
});
afterEach(() => sb.cleanup());

describe('a remote URL with a password is refused, and nothing is written', () => {
  it.each([
    ['user:password', WITH_PASSWORD, MASKED],
    ['password only', `https://:${PASSWORD}@127.0.0.1:9/x.git`, 'https://:***@127.0.0.1:9/x.git'],
    ['ssh:// with a password', `ssh://git:${PASSWORD}@127.0.0.1:9/x.git`, 'ssh://git:***@127.0.0.1:9/x.git'],
  ])('cs s -sync remote <%s>', async (_what, url, masked) => {
    // A remote set before, committed: it must survive the refusal byte for byte.
    const bare = path.join(sb.dir, 'remote.git');
    git(sb.dir, 'init', '-q', '--bare', bare);
    expect((await runCs(['s', '-sync', 'remote', bare], { env: sb.env })).code).toBe(0);
    expect((await runCs(['s', '-sync', 'push'], { env: sb.env })).code).toBe(0);
    const before = { conf: fs.readFileSync(conf(), 'utf8'), head: git(dir, 'rev-parse', 'HEAD'), status: git(dir, 'status', '--porcelain'), origin: git(dir, 'remote', 'get-url', 'origin') };

    const r = await runCs(['s', '-sync', 'remote', url], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^cs: refusing remote URL .*: it holds a password, .* — give it without the password .*credential\.helper/)]);
    expect(r.stderr).toContain(`refusing remote URL ${masked}:`);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect({ conf: fs.readFileSync(conf(), 'utf8'), head: git(dir, 'rev-parse', 'HEAD'), status: git(dir, 'status', '--porcelain'), origin: git(dir, 'remote', 'get-url', 'origin') }).toEqual(before);
    expect(git(dir, 'log', '-p', '--all')).not.toContain(PASSWORD);
  });

  it('on a session with no remote yet: no sync.conf, no origin, no commit', async () => {
    const head = git(dir, 'rev-parse', 'HEAD');
    const r = await runCs(['s', '-sync', 'remote', WITH_PASSWORD], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(fs.existsSync(conf())).toBe(false);
    expect(git(dir, 'remote')).toBe('');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('through CS_SYNC_PREFIX, -sync clone and -adopt --from too', async () => {
    const viaPrefix = await runCs(['s', '-sync', 'remote'], { env: { ...sb.env, CS_SYNC_PREFIX: `https://bob:${PASSWORD}@127.0.0.1:9/` } });
    expect(viaPrefix.code).toBe(1);
    expect(viaPrefix.stderr).toContain('refusing remote URL https://bob:***@127.0.0.1:9/s.git:');
    expect(fs.existsSync(conf())).toBe(false);

    const clone = await runCs(['-sync', 'clone', WITH_PASSWORD, 'copy'], { env: sb.env });
    expect(clone.code).toBe(1);
    expect(clone.stderr).toContain(`refusing remote URL ${MASKED}:`);
    expect(fs.existsSync(path.join(sb.root, 'copy'))).toBe(false);

    const project = path.join(sb.dir, 'project');
    fs.mkdirSync(project);
    git(project, 'init', '-q');
    const adopt = await runCs(['-adopt', 'p', '--from', WITH_PASSWORD], { env: sb.env, cwd: project });
    expect(adopt.code).toBe(1);
    expect(adopt.stderr).toContain(`refusing remote URL ${MASKED}:`);
    expect(fs.existsSync(path.join(project, '.cs'))).toBe(false);
    expect(fs.existsSync(path.join(sb.root, 'p'))).toBe(false);
    for (const r of [viaPrefix, clone, adopt]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('a user name without a password is still accepted', async () => {
    const r = await runCs(['s', '-sync', 'remote', 'https://bob@127.0.0.1:9/x.git'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(conf(), 'utf8')).toBe('remote=https://bob@127.0.0.1:9/x.git\n');
    expect(git(dir, 'remote', 'get-url', 'origin')).toBe('https://bob@127.0.0.1:9/x.git');
  });
});

describe('a sync.conf that already holds a password (an older cs, or a pull)', () => {
  beforeEach(() => {
    fs.writeFileSync(conf(), `remote=${WITH_PASSWORD}\nauto=off\n`);
    git(dir, 'add', '.cs/sync.conf');
    git(dir, '-c', 'user.name=Old', '-c', 'user.email=old@example.invalid', 'commit', '-q', '-m', 'sync.conf from an older cs');
  });

  it('-sync status --json shows it masked, with and without a fetch', async () => {
    for (const args of [['--json', '--no-fetch'], ['--json']]) {
      const r = await runCs(['s', '-sync', 'status', ...args], { env: sb.env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ session: 's', remote: MASKED });
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }
    const text = await runCs(['s', '-sync', 'status', '--no-fetch'], { env: sb.env });
    expect(text.stdout).toMatch(new RegExp(`^remote {4}${MASKED.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    expect(text.stdout + text.stderr).not.toContain(PASSWORD);
  });

  it('-sync remote, push and pull show it masked; the committed history is left as it is', async () => {
    const head = git(dir, 'rev-parse', 'HEAD');
    const show = await runCs(['s', '-sync', 'remote'], { env: sb.env });
    expect(show.stdout.trim()).toBe(MASKED);
    const push = await runCs(['s', '-sync', 'push'], { env: sb.env });
    const pull = await runCs(['s', '-sync', 'pull'], { env: sb.env });
    for (const r of [push, pull]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot reach remote ${MASKED}:`);
    }
    for (const r of [show, push, pull]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    // Setting a clean URL replaces the line and says what it was, masked.
    const set = await runCs(['s', '-sync', 'remote', 'https://bob@127.0.0.1:9/x.git'], { env: sb.env });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain(`(was ${MASKED})`);
    expect(set.stdout + set.stderr).not.toContain(PASSWORD);
    expect(fs.readFileSync(conf(), 'utf8')).toBe('remote=https://bob@127.0.0.1:9/x.git\nauto=off\n');
    expect(git(dir, 'show', `${head}:.cs/sync.conf`)).toContain(PASSWORD);
  });
});
