// A laptop that joins a session with secrets (clone, then `-secrets age
// init` there) cannot read .cs/secrets.age until a machine that can read it
// re-encrypts it for the new key, and that machine learns of the key only
// from the joining laptop's push. The built cs, real git, a bare remote, two
// HOMEs with their own age keys and the encrypted-file backend.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCs, type Sandbox } from '../../support/cs.js';
import { csOk, encryptedLaptops } from '../../support/age-laptops.js';

let a: Sandbox;
let b: Sandbox;
let cleanup: () => void;
beforeEach(() => {
  ({ a, b, cleanup } = encryptedLaptops());
});
afterEach(() => cleanup());

const VALUE = 'tok-3f9a61c2d8e54b07';

const ok = csOk;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('-sync push from a machine that cannot read .cs/secrets.age yet', () => {
  it('pushes its work and its recipient, leaves secrets.age as it was, and the other machine then encrypts for it', async () => {
    const remote = path.join(a.dir, 'trip.git');
    execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', remote]);
    await ok(a, ['trip']);
    await ok(a, ['trip', '-secrets', 'set', 'API_TOKEN'], VALUE);
    await ok(a, ['trip', '-secrets', 'age', 'init']);
    await ok(a, ['trip', '-sync', 'remote', remote]);
    await ok(a, ['trip', '-sync', 'push']);

    // B joins: clones, makes its key and adds itself, does some work, pushes.
    await ok(b, ['-sync', 'clone', remote]);
    const dirB = path.join(b.root, 'trip');
    await ok(b, ['trip', '-secrets', 'age', 'init']);
    fs.writeFileSync(path.join(dirB, 'notes.md'), 'from B\n');
    const before = fs.readFileSync(path.join(dirB, '.cs/secrets.age'));
    const push = await runCs(['trip', '-sync', 'push'], { env: b.env });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toMatch(/secrets not exported, pushing the rest \(\.cs\/secrets\.age as it was\): .*not encrypted to this machine's key/);
    expect(push.stderr).toContain('cs trip -sync pull && cs trip -sync push');
    expect(push.stderr).not.toContain('--force');
    expect(push.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(fs.readFileSync(path.join(dirB, '.cs/secrets.age')).equals(before)).toBe(true);
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'main')).toMatch(/\.cs\/age-recipients\/bob@[^\n]+\.pub/);
    expect(git(remote, 'show', 'main:notes.md')).toBe('from B');

    // A, which can read it, pulls B's recipient and pushes: secrets.age now opens for B.
    await ok(a, ['trip', '-sync', 'pull']);
    await ok(a, ['trip', '-sync', 'push']);
    await ok(b, ['trip', '-sync', 'pull']);
    await ok(b, ['trip']); // the session start imports it
    expect((await ok(b, ['trip', '-secrets', 'get', 'API_TOKEN'])).stdout.trim()).toBe(VALUE);
    expect(execFileSync('git', ['log', '-p', '--all'], { cwd: remote, encoding: 'utf8' })).not.toContain(VALUE);
  }, 90_000);
});
