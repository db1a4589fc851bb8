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
});
