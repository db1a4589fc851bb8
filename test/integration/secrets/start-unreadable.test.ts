// `cs <name>` on a machine whose age key cannot open the session's
// .cs/secrets.age: the line it prints must give commands that work as
// printed (the session's name and this machine's key filled in), and
// following them must bring the secrets here. The built cs, real git, a bare
// remote, two HOMEs with the encrypted-file backend.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../support/cs.js';
import { csOk, encryptedLaptops } from '../../support/age-laptops.js';

let a: Sandbox;
let b: Sandbox;
let cleanup: () => void;
beforeEach(() => {
  ({ a, b, cleanup } = encryptedLaptops());
});
afterEach(() => cleanup());

const VALUE = 'tok-8d1e4c7a0b9f2635';

const ok = csOk;

/** The line of `cs trip`'s output about secrets.age, with the command it tells the other machine to run. */
function advice(stderr: string): { line: string; command: string } {
  const line = stderr.split('\n').find((l) => l.includes('.cs/secrets.age') && l.includes('on a machine that can read it run: '));
  expect(line, stderr).toBeDefined();
  expect(line).not.toMatch(/<s>|<name>|\$\(/);
  return { line: line!, command: line!.split('on a machine that can read it run: ')[1]!.trim() };
}

/** Runs a printed `cs ... && cs ...` line on `sb`, one cs at a time (no shell: the words are plain). */
async function follow(sb: Sandbox, command: string) {
  for (const part of command.split(' && ')) {
    const words = part.trim().split(/\s+/);
    expect(words[0]).toBe('cs');
    await ok(sb, words.slice(1));
  }
}

async function published() {
  const remote = path.join(a.dir, 'trip.git');
  execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', remote]);
  await ok(a, ['trip']);
  await ok(a, ['trip', '-secrets', 'set', 'API_TOKEN'], VALUE);
  await ok(a, ['trip', '-secrets', 'age', 'init']);
  await ok(a, ['trip', '-sync', 'remote', remote]);
  await ok(a, ['trip', '-sync', 'push']);
  await ok(b, ['-sync', 'clone', remote]);
}

describe('cs <name> where .cs/secrets.age is not encrypted to this machine', () => {
  it('a machine with a key but not a recipient: the line names the session and this key; done on the other machine, the secrets arrive', async () => {
    await published();
    const key = (await ok(b, ['-secrets', 'age', 'init'])).stdout.trim(); // the machine's key, outside the session
    const { line, command } = advice((await ok(b, ['trip'])).stderr);
    expect(line).toContain(key);
    expect(command).toMatch(/^cs trip -secrets age add bob@\S+ age1\S+ && cs trip -sync push$/);
    await follow(a, command);
    await ok(b, ['trip', '-sync', 'pull']);
    await ok(b, ['trip']);
    expect((await ok(b, ['trip', '-secrets', 'get', 'API_TOKEN'])).stdout.trim()).toBe(VALUE);
  }, 90_000);

  it('a machine that added itself with age init in the session: it is told to push, the other machine to pull and push', async () => {
    await published();
    await ok(b, ['trip', '-secrets', 'age', 'init']);
    const { line, command } = advice((await ok(b, ['trip'])).stderr);
    expect(line).toMatch(/this machine is recipient 'bob@\S+': push that \(cs trip -sync push\)/);
    expect(command).toBe('cs trip -sync pull && cs trip -sync push');
    await ok(b, ['trip', '-sync', 'push']);
    await follow(a, command);
    await ok(b, ['trip', '-sync', 'pull']);
    await ok(b, ['trip']);
    expect((await ok(b, ['trip', '-secrets', 'get', 'API_TOKEN'])).stdout.trim()).toBe(VALUE);
  }, 90_000);

  it('a machine with no age key at all is told so, with the command that makes one', async () => {
    await published();
    const { line, command } = advice((await ok(b, ['trip'])).stderr);
    expect(line).toMatch(/\.cs\/secrets\.age holds secrets this machine cannot read: it has no age key — run: cs trip -secrets age init && cs trip -sync push;/);
    await follow(b, line.split(' — run: ')[1]!.split(';')[0]!);
    await follow(a, command);
    await ok(b, ['trip', '-sync', 'pull']);
    await ok(b, ['trip']);
    expect((await ok(b, ['trip', '-secrets', 'get', 'API_TOKEN'])).stdout.trim()).toBe(VALUE);
  }, 90_000);
});
