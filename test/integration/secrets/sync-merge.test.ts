// Two machines that both changed .cs/secrets.age before pulling: the pull
// merges the file per key instead of stopping on a conflict that keeping
// either side would settle by undoing the other's changes. Real git with a
// bare remote, two HOMEs with their own age keys, the encrypted-file
// backend, the `age` CLI to read what was written.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeOf, errorMessage } from '../../../src/lib/errors.js';
import { decryptSecrets, encryptSecrets, importIfNewer, initIdentity, readIdentity, type SecretsFile } from '../../../src/secrets/age.js';
import { prepareRepo } from '../../../src/git/autosave.js';
import { SyncConflictError } from '../../../src/git/sync.js';
import { RECORDS_REF, pullRecords, pushRecords, receiveRecords } from '../../../src/git/records.js';
import { initRepo, openRepo } from '../../../src/git/repo.js';
import { EXCLUDE_LINES } from '../../../src/session/adopted.js';
import { bareRemote, cleanup, ctxFor, git, laptop, makeSession, runSync, tempDir, write, type Laptop } from '../../support/git.js';
import { secrets } from '../../support/secrets.js';

afterEach(cleanup);

const NOW = new Date('2025-01-02T03:04:05Z');

async function ok(l: Laptop, args: string[], input = '') {
  const r = await secrets('work', args, l.env, input);
  if (r.code !== 0) throw new Error(`-secrets ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

async function sync(l: Laptop, session: string | undefined, ...args: string[]) {
  const ctx = ctxFor(l);
  try {
    const code = await runSync(args, session, ctx);
    return { code: code ?? 0, err: ctx.io.stderrText(), error: undefined as unknown };
  } catch (e) {
    return { code: exitCodeOf(e), err: `${ctx.io.stderrText()}${errorMessage(e)}`, error: e };
  }
}

/** What `age -d` with this laptop's key reads in `file` (the CLI, not our code). */
function ageRead(l: Laptop, file: string): { secrets: Record<string, string>; removed?: Record<string, string> } {
  return JSON.parse(execFileSync('age', ['-d', '-i', path.join(l.home, '.cs-secrets', 'age.key'), file], { encoding: 'utf8' }));
}

const machine = (user: string, prefix: string) => laptop({ CS_SYNC_PREFIX: prefix, CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: `pw-${user}`, USER: user, NO_COLOR: '1' });

/**
 * Laptop A's session 'work' with three secrets, encrypted for A and B, pushed; B's clone of it with
 * the secrets imported. Both then hold SHARED=s0, A_KEY=a1, GONE=g0 as synced.
 */
async function twoMachines() {
  const remotes = tempDir('cs-remotes-');
  const a = machine('alice', remotes + '/');
  const b = machine('bob', remotes + '/');
  bareRemote(remotes, 'work');
  const dirA = await makeSession(a, 'work');
  for (const [k, v] of [['SHARED', 's0'], ['A_KEY', 'a1'], ['GONE', 'g0']]) await ok(a, ['set', k!], v);
  await ok(a, ['age', 'init']);
  const { id: idB } = await initIdentity(b.env, NOW);
  await ok(a, ['age', 'add', 'bob', idB.recipient]);
  await ok(a, ['export-file']);
  expect((await sync(a, 'work', 'remote')).code).toBe(0);
  expect((await sync(a, 'work', 'push')).code).toBe(0);
  expect((await sync(b, undefined, 'clone', 'work')).code).toBe(0);
  const dirB = path.join(b.root, 'work');
  expect((await importIfNewer({ session: 'work', sessionDir: dirB, env: b.env })).status).toBe('imported');
  return { a, b, dirA, dirB };
}

/** A changes A_KEY and SHARED and removes GONE, then pushes; B adds B_NEW and changes SHARED, then exports (not pushed). */
async function bothChange(a: Laptop, b: Laptop) {
  await ok(a, ['set', '--force', 'A_KEY'], 'a2');
  await ok(a, ['set', '--force', 'SHARED'], 'sa');
  await ok(a, ['rm', 'GONE']); // lists the removal and exports at once
  await ok(a, ['export-file']);
  expect((await sync(a, 'work', 'push')).code).toBe(0);
  await ok(b, ['set', 'B_NEW'], 'b1');
  await ok(b, ['set', '--force', 'SHARED'], 'sb');
  await ok(b, ['export-file']);
}

describe('sync pull merges .cs/secrets.age per key', () => {
  it("keeps both machines' changes and the removal, and names the key set on both", async () => {
    const { a, b, dirA, dirB } = await twoMachines();
    await bothChange(a, b);
    const pulled = await sync(b, 'work', 'pull');
    expect(pulled.err).toMatch(/work: updated: local commits replayed on top of the remote/);
    expect(pulled.err).toContain("work: .cs/secrets.age had changed on both machines: merged per key; SHARED set differently on each: kept this machine's value (the other stays in git history)");
    expect(pulled.code).toBe(0);
    expect(git(dirB, b.env, 'status', '--porcelain')).toBe('');
    expect(git(dirB, b.env, 'rev-parse', 'HEAD~1')).toBe(git(dirA, a.env, 'rev-parse', 'HEAD'));
    expect(git(dirB, b.env, 'branch', '--list', 'cs/conflict-*')).toBe('');
    // Encrypted for both machines, read by the age CLI with each one's key.
    for (const l of [a, b]) {
      const read = ageRead(l, path.join(dirB, '.cs/secrets.age'));
      expect(read.secrets).toEqual({ SHARED: 'sb', A_KEY: 'a2', B_NEW: 'b1' });
      expect(Object.keys(read.removed ?? {})).toEqual(['GONE']);
    }
    // B's next session start takes A's change and A's removal in.
    const imported = await importIfNewer({ session: 'work', sessionDir: dirB, env: b.env });
    expect(imported).toMatchObject({ status: 'imported', changed: ['A_KEY'], removed: ['GONE'] });
    expect((await ok(b, ['get', 'A_KEY'])).stdout).toBe('a2\n');
    expect((await ok(b, ['get', 'SHARED'])).stdout).toBe('sb\n');
    expect((await secrets('work', ['get', 'GONE'], b.env)).code).not.toBe(0);
    // And A gets B's: a fast-forward, then its own import.
    expect((await sync(b, 'work', 'push')).code).toBe(0);
    expect((await sync(a, 'work', 'pull')).err).toMatch(/work: updated from the remote/);
    expect(await importIfNewer({ session: 'work', sessionDir: dirA, env: a.env })).toMatchObject({ status: 'imported', changed: ['B_NEW', 'SHARED'] });
    expect((await ok(a, ['get', 'SHARED'])).stdout).toBe('sb\n');
    expect((await ok(a, ['get', 'B_NEW'])).stdout).toBe('b1\n');
    // No value in either history.
    for (const [d, l] of [[dirA, a], [dirB, b]] as const) {
      const log = git(d, l.env, 'log', '-p', '--all', '--binary');
      for (const v of ['a2', 'sa', 'sb', 'b1', 'g0']) expect(log).not.toMatch(new RegExp(`"${v}"`));
    }
  });

  it('a machine that cannot read the versions stops as before, saying why, and merges once it can', async () => {
    const { a, b, dirB } = await twoMachines();
    await bothChange(a, b);
    const key = path.join(b.home, '.cs-secrets', 'age.key');
    fs.renameSync(key, `${key}.away`);
    const mine = git(dirB, b.env, 'rev-parse', 'HEAD');
    const stopped = await sync(b, 'work', 'pull');
    expect(stopped.code).not.toBe(0);
    expect(stopped.err).toMatch(/pull stopped: \.cs\/secrets\.age changed differently on both machines \(\.cs\/secrets\.age could not be merged per key here: no age identity on this machine \(~\/\.cs-secrets\/age\.key\)\); nothing was lost/);
    // The pull committed B's export first; that commit is where B stays, and on its conflict branch.
    expect(git(dirB, b.env, 'rev-parse', 'HEAD~1')).toBe(mine);
    expect(git(dirB, b.env, 'rev-parse', (stopped.error as SyncConflictError).localBranch)).toBe(git(dirB, b.env, 'rev-parse', 'HEAD'));
    expect(git(dirB, b.env, 'status', '--porcelain')).toBe('');
    fs.renameSync(`${key}.away`, key);
    const pulled = await sync(b, 'work', 'pull');
    expect(pulled.code).toBe(0);
    expect(ageRead(b, path.join(dirB, '.cs/secrets.age')).secrets).toEqual({ SHARED: 'sb', A_KEY: 'a2', B_NEW: 'b1' });
  });

  it('a recipient added on one side is encrypted for; a version this machine cannot read stops the pull, saying so', async () => {
    const { a, b, dirB } = await twoMachines();
    // B adds a third machine and exports; A changes a value and pushes.
    const c = machine('carol', 'x');
    const { id: idC } = await initIdentity(c.env, NOW);
    await ok(b, ['age', 'add', 'carol', idC.recipient]);
    await ok(b, ['set', 'B_NEW'], 'b1');
    await ok(b, ['export-file']);
    await ok(a, ['set', '--force', 'A_KEY'], 'a2');
    await ok(a, ['export-file']);
    expect((await sync(a, 'work', 'push')).code).toBe(0);
    const pulled = await sync(b, 'work', 'pull');
    expect(pulled.code, pulled.err).toBe(0);
    expect(pulled.err).toContain('merged per key');
    for (const l of [a, b, c]) expect(ageRead(l, path.join(dirB, '.cs/secrets.age')).secrets, l.home).toEqual({ SHARED: 's0', A_KEY: 'a2', GONE: 'g0', B_NEW: 'b1' });
    // A drops B as a recipient and changes a value: its version is not B's to read, so B's next pull stops.
    expect((await sync(b, 'work', 'push')).code).toBe(0);
    expect((await sync(a, 'work', 'pull')).code).toBe(0);
    await ok(a, ['age', 'remove', 'bob']);
    await ok(a, ['set', '--force', 'A_KEY'], 'a3');
    await ok(a, ['export-file']);
    expect((await sync(a, 'work', 'push')).code).toBe(0);
    await ok(b, ['set', '--force', 'B_NEW'], 'b2');
    await ok(b, ['export-file']);
    const stopped = await sync(b, 'work', 'pull');
    expect(stopped.code).not.toBe(0);
    expect(stopped.err).toMatch(/\(\.cs\/secrets\.age could not be merged per key here: \.cs\/secrets\.age \(the remote's\) is not encrypted to this machine's key/);
    expect(git(dirB, b.env, 'status', '--porcelain')).toBe('');
  });

  it('another file in conflict too: nothing is merged, both named, nothing lost', async () => {
    const { a, b, dirA, dirB } = await twoMachines();
    write(dirA, 'plan.md', 'from A\n');
    await bothChange(a, b);
    write(dirB, 'plan.md', 'from B\n');
    const mine = git(dirB, b.env, 'rev-parse', 'HEAD');
    const stopped = await sync(b, 'work', 'pull');
    expect(stopped.code).not.toBe(0);
    expect(stopped.err).toMatch(/pull stopped: (\.cs\/secrets\.age, plan\.md|plan\.md, \.cs\/secrets\.age) changed differently on both machines; nothing was lost/);
    expect(git(dirB, b.env, 'status', '--porcelain')).toBe('');
    expect(git(dirB, b.env, 'show', 'HEAD:plan.md')).toBe('from B');
    expect(git(dirB, b.env, 'rev-parse', 'HEAD~1')).toBe(mine);
    expect(ageRead(b, path.join(dirB, '.cs/secrets.age')).secrets).toEqual({ SHARED: 'sb', A_KEY: 'a1', GONE: 'g0', B_NEW: 'b1' });
  });
});

describe("an adopted project's records merge .cs/secrets.age per key", () => {
  it('both checkouts changed it: merged, encrypted for the recipients of the merged records', async () => {
    const base = tempDir('cs-records-');
    const remote = path.join(base, 'r.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const homes = { a: laptop(), b: laptop(), c: laptop() };
    const ids = { a: (await initIdentity(homes.a.env, NOW)).id, b: (await initIdentity(homes.b.env, NOW)).id, c: (await initIdentity(homes.c.env, NOW)).id };
    async function checkout(name: 'a' | 'b') {
      const dir = path.join(base, name);
      fs.mkdirSync(path.join(dir, '.cs/local'), { recursive: true });
      await initRepo(dir, { env: homes[name].env });
      await prepareRepo(dir, { env: homes[name].env, adopted: true, adoptedExcludes: EXCLUDE_LINES });
      return openRepo(dir, { env: homes[name].env });
    }
    const recipients = (dir: string, who: Array<'a' | 'b' | 'c'>) => {
      fs.rmSync(path.join(dir, '.cs/age-recipients'), { recursive: true, force: true });
      fs.mkdirSync(path.join(dir, '.cs/age-recipients'), { recursive: true });
      for (const w of who) fs.writeFileSync(path.join(dir, `.cs/age-recipients/${w}.pub`), `${ids[w].recipient}\n`);
      return who.map((w) => ({ name: w, recipient: ids[w].recipient }));
    };
    const put = async (dir: string, f: SecretsFile, to: ReturnType<typeof recipients>) => fs.writeFileSync(path.join(dir, '.cs/secrets.age'), await encryptSecrets('s', f, to));
    const a = await checkout('a');
    await put(a.dir, { secrets: { SHARED: 'v0', KEEP: 'k' }, removed: {} }, recipients(a.dir, ['a', 'b', 'c']));
    await pushRecords(a, remote, 's');
    const b = await checkout('b');
    fs.rmSync(path.join(b.dir, '.cs'), { recursive: true });
    expect(await receiveRecords(b, remote)).toBe(true);
    // B drops recipient c and changes SHARED; A adds a key. Both record.
    await put(b.dir, { secrets: { SHARED: 'v-b', KEEP: 'k' }, removed: {} }, recipients(b.dir, ['a', 'b']));
    await pushRecords(b, remote, 's');
    await put(a.dir, { secrets: { SHARED: 'v0', KEEP: 'k', NEW_A: 'n' }, removed: {} }, [{ name: 'a', recipient: ids.a.recipient }, { name: 'b', recipient: ids.b.recipient }, { name: 'c', recipient: ids.c.recipient }]);
    const before = await a.resolve(RECORDS_REF);
    const r = await pullRecords(a, remote, 's');
    expect(r).toEqual({ result: 'merged', secrets: { conflicts: [], keptOverRemoval: [] } });
    expect(await a.resolve(`${RECORDS_REF}^1`)).not.toBe(null);
    expect(await a.resolve(RECORDS_REF)).not.toBe(before);
    const bytes = fs.readFileSync(path.join(a.dir, '.cs/secrets.age'));
    // What is on disk is what the records hold.
    expect(execFileSync('git', ['cat-file', 'blob', `${RECORDS_REF}:.cs/secrets.age`], { cwd: a.dir }).equals(bytes)).toBe(true);
    for (const w of ['a', 'b'] as const) {
      const read = await decryptSecrets(bytes, (await readIdentity(homes[w].env))!, 'merged', '');
      expect(read).toEqual({ secrets: { SHARED: 'v-b', KEEP: 'k', NEW_A: 'n' }, removed: {} });
    }
    // c was removed on B's side: the merged file is not encrypted for it.
    await expect(decryptSecrets(bytes, ids.c, 'merged', '')).rejects.toThrow(/not encrypted to this machine's key/);
    expect(fs.readdirSync(path.join(a.dir, '.cs/age-recipients')).sort()).toEqual(['a.pub', 'b.pub']);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: a.dir, encoding: 'utf8' })).toBe('');
  });
});
