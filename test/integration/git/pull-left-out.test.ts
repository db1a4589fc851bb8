// A file cs keeps out of its commits (it holds a secret value: README, "Git")
// stays changed in the tree. A pull must neither fail on it as an internal
// error nor touch it: where the remote changed the same file it stops with
// what to do; elsewhere it pulls around it. The built cs, real git, a bare
// remote, two HOMEs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

let a: Sandbox;
let b: Sandbox;
beforeEach(() => {
  a = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw-a' });
  b = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw-b' });
});
afterEach(() => {
  a.cleanup();
  b.cleanup();
});

const MINE = 'host: db\npassword: Zq8rT2vLw9xKp4mN7sYc\n';

async function ok(sb: Sandbox, args: string[]) {
  const r = await runCs(args, { env: sb.env });
  expect(r.code, `cs ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const write = (dir: string, rel: string, text: string) => fs.writeFileSync(path.join(dir, rel), text);
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

/** A and B share session 'trip' with settings.yml committed; A then puts a password in it (left out of commits). */
async function withLeftOutFile() {
  const remote = path.join(a.dir, 'trip.git');
  execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', remote]);
  await ok(a, ['trip']);
  const dirA = path.join(a.root, 'trip');
  write(dirA, 'settings.yml', 'host: db\n');
  await ok(a, ['trip', '-sync', 'remote', remote]);
  await ok(a, ['trip', '-sync', 'push']);
  await ok(b, ['-sync', 'clone', remote]);
  const dirB = path.join(b.root, 'trip');
  write(dirA, 'settings.yml', MINE);
  return { remote, dirA, dirB };
}

describe('-sync pull with a file cs left out of its commit', () => {
  it('stops, changing nothing, when the remote changed that file too', async () => {
    const { dirA, dirB } = await withLeftOutFile();
    write(dirB, 'settings.yml', 'host: db2\n');
    await ok(b, ['trip', '-sync', 'push']);
    const head = git(dirA, 'rev-parse', 'HEAD');

    const r = await runCs(['trip', '-sync', 'pull'], { env: a.env });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|please report/);
    expect(r.stderr).toMatch(/pull stopped: settings\.yml changed on the remote, and this machine's copy has changes cs did not commit/);
    expect(r.stderr).toContain(`and run git -C ${dirA} checkout -- settings.yml; then run: cs trip -sync pull`);
    expect(r.stderr).not.toContain('Zq8rT2vLw9xKp4mN7sYc');
    // Nothing moved: the file as it was, HEAD where it was, no stash or rebase left.
    expect(read(dirA, 'settings.yml')).toBe(MINE);
    expect(git(dirA, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dirA, 'stash', 'list')).toBe('');
    expect(fs.existsSync(path.join(dirA, '.git/rebase-merge'))).toBe(false);
  }, 60_000);

  it('pulls around it when the remote changed other files, fast-forward and rebase alike', async () => {
    const { remote, dirA, dirB } = await withLeftOutFile();
    write(dirB, 'plan.md', 'from B\n');
    await ok(b, ['trip', '-sync', 'push']);
    await ok(a, ['trip', '-sync', 'pull']); // a fast-forward
    expect(read(dirA, 'plan.md')).toBe('from B\n');
    expect(read(dirA, 'settings.yml')).toBe(MINE);

    write(dirB, 'plan.md', 'from B, again\n');
    await ok(b, ['trip', '-sync', 'push']);
    write(dirA, 'mine.md', 'from A\n');
    await ok(a, ['trip', '-sync', 'pull']); // A's commit replayed on B's
    expect(read(dirA, 'plan.md')).toBe('from B, again\n');
    expect(read(dirA, 'settings.yml')).toBe(MINE);
    expect(git(dirA, 'stash', 'list')).toBe('');
    await ok(a, ['trip', '-sync', 'push']);
    expect(git(remote, 'show', 'main:mine.md')).toBe('from A');
    expect(git(remote, 'show', 'main:settings.yml')).toBe('host: db');
    expect(execFileSync('git', ['log', '-p', '--all'], { cwd: remote, encoding: 'utf8' })).not.toContain('Zq8rT2vLw9xKp4mN7sYc');
  }, 60_000);
});
