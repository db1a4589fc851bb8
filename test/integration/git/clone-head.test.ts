// A bare remote whose HEAD names a branch that does not exist (git init
// --bare with an older default) must still give a working clone.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

let a: Sandbox;
let b: Sandbox;
beforeEach(() => {
  a = sandbox();
  b = sandbox();
});
afterEach(() => {
  a.cleanup();
  b.cleanup();
});

describe('-sync clone', () => {
  it('checks out main when the remote HEAD points at a missing master', async () => {
    const remote = path.join(a.dir, 'trip.git');
    execFileSync('git', ['init', '-q', '--bare', '--initial-branch=master', remote]);
    expect((await runCs(['trip'], { env: a.env })).code).toBe(0);
    expect((await runCs(['trip', '-sync', 'remote', remote], { env: a.env })).code).toBe(0);
    const push = await runCs(['trip', '-sync', 'push'], { env: a.env });
    expect(push.code, push.stderr).toBe(0);
    const clone = await runCs(['-sync', 'clone', remote], { env: b.env });
    expect(clone.code, clone.stderr).toBe(0);
    const dir = path.join(b.root, 'trip');
    expect(fs.readFileSync(path.join(dir, 'CLAUDE.md'), 'utf8')).toContain('# Session: trip');
    expect(execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('main');
  });

  it('an empty remote: says so and how to fill it, naming the session; nothing is left behind', async () => {
    const remote = path.join(a.dir, 'empty.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const clone = await runCs(['-sync', 'clone', remote], { env: b.env });
    expect(clone.code).toBe(1);
    // One line, after the progress lines: what is wrong — what to do.
    expect(clone.stderr.trim().split('\n').at(-1)).toBe(`cs: the remote is empty: no session was pushed to it yet; nothing was cloned — push the session to it from the machine that has it: cs empty -sync remote ${remote} && cs empty -sync push`);
    expect(fs.existsSync(b.root) ? fs.readdirSync(b.root) : []).toEqual([]);
  });

  it('a remote without main names its branches and what cs pushes', async () => {
    const remote = path.join(a.dir, 'other.git');
    execFileSync('git', ['init', '-q', '--bare', '--initial-branch=trunk', remote]);
    const work = path.join(a.dir, 'work');
    execFileSync('git', ['clone', '-q', remote, work], { stdio: 'ignore' });
    for (const branch of ['dev', 'trunk']) {
      execFileSync('git', ['-C', work, 'checkout', '-q', '-B', branch]);
      fs.writeFileSync(path.join(work, `${branch}.txt`), 'x\n');
      execFileSync('git', ['-C', work, 'add', '.']);
      execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '-qm', branch]);
      execFileSync('git', ['-C', work, 'push', '-q', 'origin', branch]);
    }
    execFileSync('git', ['--git-dir', remote, 'symbolic-ref', 'HEAD', 'refs/heads/master']);
    const clone = await runCs(['-sync', 'clone', remote, 'proj'], { env: b.env });
    expect(clone.code).toBe(1);
    expect(clone.stderr).toContain('the remote has no main branch to clone (its branches: dev, trunk); nothing was cloned');
    expect(clone.stderr).toContain('cs proj -sync push');
    expect(clone.stderr).not.toContain('<session>');
  });
});
