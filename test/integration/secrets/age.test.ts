// age sync with the real `age` CLI and real git: interop both ways, two
// machines (two HOMEs) through a bare remote, recipient removal, bad input.
import { randomBytes, scryptSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptedFileBackend } from '../../../src/secrets/encrypted.js';
import { exportIfChanged, importIfNewer } from '../../../src/secrets/age.js';
import { repoRoot, secrets, spawnProgram, spawnedArgv, tempHome, type Home } from '../../support/secrets.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

async function ok(session: string | undefined, args: string[], env: NodeJS.ProcessEnv, input = '') {
  const r = await secrets(session, args, env, input);
  if (r.code !== 0) throw new Error(`-secrets ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

async function git(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = await spawnProgram('git', args, {
    cwd,
    env: { ...env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1' },
  });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** None of `values` in any file under `dirs`, in the git history of `repo`, or in any argv this test run spawned. */
async function expectNowhere(values: string[], dirs: string[], repo: string, env: NodeJS.ProcessEnv): Promise<void> {
  for (const d of dirs) {
    const grep = await spawnProgram('grep', ['-rlF', '-f', '-', d], { input: values.join('\n') + '\n' });
    expect(grep.code, grep.stdout).toBe(1);
  }
  const log = await git(['log', '-p', '--all'], repo, env);
  for (const v of values) expect(log).not.toContain(v);
  for (const argv of spawnedArgv) for (const v of values) expect(argv.join(' ')).not.toContain(v);
}

/**
 * Machine A's session 'proj' with `secrets`, its age key and secrets.age, pushed to bare `remote`;
 * machine B's clone of it. Returns both workspaces.
 */
async function publishAndClone(a: Home, b: Home, remote: string, secrets: Record<string, string>): Promise<{ aDir: string; bDir: string }> {
  const aDir = a.session('proj');
  await git(['init', '-q', '--bare', '-b', 'main', remote], a.dir, a.env);
  await git(['init', '-q', '-b', 'main'], aDir, a.env);
  fs.writeFileSync(path.join(aDir, '.gitignore'), '.cs/local/\n');
  for (const [k, v] of Object.entries(secrets)) await ok('proj', ['set', k], a.env, v);
  await ok('proj', ['age', 'init'], a.env);
  await ok('proj', ['export-file'], a.env);
  await git(['add', '-A'], aDir, a.env);
  await git(['commit', '-q', '-m', 'a'], aDir, a.env);
  await git(['remote', 'add', 'origin', remote], aDir, a.env);
  await git(['push', '-q', 'origin', 'main'], aDir, a.env);
  fs.mkdirSync(b.root, { recursive: true });
  await git(['clone', '-q', remote, 'proj'], b.root, b.env);
  return { aDir, bDir: path.join(b.root, 'proj') };
}

describe('age identity and interop with the age CLI', () => {
  let h: Home;
  let dir: string;
  beforeEach(() => {
    h = tempHome({ CS_SECRETS_BACKEND: 'encrypted', USER: 'alice' });
    dir = h.session('proj');
  });
  afterEach(() => h.cleanup());

  it('age init writes a standard identity the CLI reads, and adds this machine', async () => {
    const init = await ok('proj', ['age', 'init'], h.env);
    const pub = init.stdout.trim();
    expect(pub).toMatch(/^age1[0-9a-z]{58}$/);
    const keyFile = path.join(h.home, '.cs-secrets', 'age.key');
    expect(mode(keyFile)).toBe(0o600);
    expect(mode(path.dirname(keyFile))).toBe(0o700);
    const lines = fs.readFileSync(keyFile, 'utf8').split('\n');
    expect(lines[0]).toBe('# created: 2025-01-02T03:04:05Z');
    expect(lines[1]).toBe(`# public key: ${pub}`);
    expect(lines[2]).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    const cli = await spawnProgram('age-keygen', ['-y', keyFile]);
    expect(cli.stdout.trim()).toBe(pub);
    expect((await ok('proj', ['age', 'pubkey'], h.env)).stdout.trim()).toBe(pub);
    const list = JSON.parse((await ok('proj', ['age', 'list', '--json'], h.env)).stdout);
    expect(list).toEqual([{ name: expect.stringMatching(/^alice@/), recipient: pub, self: true }]);
    // A second init keeps the key and adds nothing.
    const again = await ok('proj', ['age', 'init'], h.env);
    expect(again.stdout.trim()).toBe(pub);
    expect(again.stderr).toMatch(/using the existing/);
    expect(fs.readdirSync(path.join(dir, '.cs', 'age-recipients'))).toHaveLength(1);
    // Under another user name, and added by hand under another name: still one entry for the key.
    const renamed = await ok('proj', ['age', 'init'], { ...h.env, USER: 'bob' });
    expect(renamed.stderr).toMatch(/this machine is recipient 'alice@/);
    const added = await ok('proj', ['age', 'add', 'laptop', pub], h.env);
    expect(added.stderr).toMatch(/that key is already recipient 'alice@[^']+' of session 'proj'; nothing added/);
    expect(fs.readdirSync(path.join(dir, '.cs', 'age-recipients'))).toHaveLength(1);
  });

  it('a file we export decrypts with `age -d -i ~/.cs-secrets/age.key`', async () => {
    await ok('proj', ['age', 'init'], h.env);
    await ok('proj', ['set', 'API_KEY'], h.env, 'v1 with spaces');
    const exp = await ok('proj', ['export-file'], h.env);
    expect(exp.stderr).toMatch(/1 secrets for 1 recipients/);
    const file = path.join(dir, '.cs', 'secrets.age');
    expect(fs.readFileSync(file).includes('v1 with spaces')).toBe(false);
    const dec = await spawnProgram('age', ['-d', '-i', path.join(h.home, '.cs-secrets', 'age.key'), file]);
    expect(dec.code).toBe(0);
    expect(JSON.parse(dec.stdout)).toMatchObject({ format: 'cs-secrets', secrets: { API_KEY: 'v1 with spaces' } });
    // An explicit FILE is taken relative to the current directory (the test context's cwd is HOME).
    await ok('proj', ['export-file', 'copy.age'], h.env);
    expect(fs.existsSync(path.join(h.home, 'copy.age'))).toBe(true);
    // Removed here only (rm alone would list it as removed in secrets.age, and a backup does not bring that back).
    await ok('proj', ['rm', '--here', 'API_KEY'], h.env);
    await ok('proj', ['import-file', 'copy.age'], h.env);
    expect((await ok('proj', ['get', 'API_KEY'], h.env)).stdout).toBe('v1 with spaces\n');
  });

  it.each([
    ['JSON, binary', ['-r'], JSON.stringify({ FROM_CLI: 'yes', OTHER: 'two' })],
    ['KEY=value lines, armored', ['-a', '-r'], 'FROM_CLI=yes\nexport OTHER="two"\n'],
  ])('a file the CLI encrypts to our key imports (%s)', async (_n, flags, plaintext) => {
    const pub = (await ok('proj', ['age', 'init'], h.env)).stdout.trim();
    const file = path.join(dir, '.cs', 'secrets.age');
    const enc = await spawnProgram('age', [...flags, pub, '-o', file], { input: plaintext });
    expect(enc.code).toBe(0);
    const imp = await ok('proj', ['import-file'], h.env);
    expect(imp.stderr).toMatch(/imported 2 secrets/);
    expect((await ok('proj', ['get', 'FROM_CLI'], h.env)).stdout).toBe('yes\n');
    expect((await ok('proj', ['get', 'OTHER'], h.env)).stdout).toBe('two\n');
  });

  it('a key generated by age-keygen works as our identity', async () => {
    fs.mkdirSync(path.join(h.home, '.cs-secrets'), { recursive: true, mode: 0o700 });
    const keyFile = path.join(h.home, '.cs-secrets', 'age.key');
    const gen = await spawnProgram('age-keygen', ['-o', keyFile]);
    expect(gen.code).toBe(0);
    const pub = (await spawnProgram('age-keygen', ['-y', keyFile])).stdout.trim();
    expect((await ok('proj', ['age', 'init'], h.env)).stdout.trim()).toBe(pub);
  });

  it('bad input: clear messages, secrets untouched', async () => {
    await ok('proj', ['set', 'KEEP'], h.env, 'me');
    const file = path.join(dir, '.cs', 'secrets.age');

    // No identity yet.
    fs.writeFileSync(file, 'whatever');
    let r = await secrets('proj', ['import-file'], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no age identity on this machine/);

    // Corrupt file.
    await ok('proj', ['age', 'init'], h.env);
    for (const junk of ['not age at all', 'age-encryption.org/v1\n-> X25519 abc\n--- zzz\n', '-----BEGIN AGE ENCRYPTED FILE-----\n!!!\n-----END AGE ENCRYPTED FILE-----\n']) {
      fs.writeFileSync(file, junk);
      r = await secrets('proj', ['import-file'], h.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\.cs\/secrets\.age (is damaged|is not an age file)/);
      expect(fs.readFileSync(file, 'utf8')).toBe(junk);
      // Export will not overwrite what it cannot read.
      r = await secrets('proj', ['export-file'], h.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--force/);
      expect(fs.readFileSync(file, 'utf8')).toBe(junk);
    }
    // A truncated real file.
    await ok('proj', ['export-file', '--force'], h.env);
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length - 10));
    r = await secrets('proj', ['import-file'], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/damaged/);
    // Invalid recipients.
    r = await secrets('proj', ['age', 'add', 'bob', 'age1notakey'], h.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not an age public key/);
    r = await secrets('proj', ['age', 'add', '../evil', 'age1x'], h.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid recipient name/);
    r = await secrets('proj', ['age', 'remove', 'nobody'], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no recipient named 'nobody'/);
    // A damaged identity file.
    fs.writeFileSync(path.join(h.home, '.cs-secrets', 'age.key'), '# nothing here\n');
    r = await secrets('proj', ['age', 'pubkey'], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds no age identity/);

    expect((await ok('proj', ['get', 'KEEP'], h.env)).stdout).toBe('me\n');
  });

  it('a secret removed here stays removed; one new from elsewhere is kept', async () => {
    const pub = (await ok('proj', ['age', 'init'], h.env)).stdout.trim();
    await ok('proj', ['set', 'OLD'], h.env, 'o');
    await ok('proj', ['set', 'STAY'], h.env, 's');
    await ok('proj', ['export-file'], h.env);
    const file = path.join(dir, '.cs', 'secrets.age');
    // Another machine adds NEW (the CLI stands in for it), and this one removes OLD.
    const other = JSON.stringify({ OLD: 'o', STAY: 's', NEW: 'n' });
    expect((await spawnProgram('age', ['-r', pub, '-o', file], { input: other })).code).toBe(0);
    // rm exports at once: the removal is listed, and NEW, only the file's, is adopted.
    expect((await ok('proj', ['rm', 'OLD'], h.env)).stderr).toMatch(/\.cs\/secrets\.age lists it as removed/);
    const t = { session: 'proj', sessionDir: dir, env: h.env };
    expect(await importIfNewer(t)).toEqual({ status: 'unchanged', changed: [], removed: [] });
    expect((await ok('proj', ['list'], h.env)).stdout).toBe('NEW\nSTAY\n');
    const exp = await ok('proj', ['export-file'], h.env);
    expect(exp.stderr).toMatch(/2 secrets/);
    const dec = await spawnProgram('age', ['-d', '-i', path.join(h.home, '.cs-secrets', 'age.key'), file]);
    expect(JSON.parse(dec.stdout).secrets).toEqual({ STAY: 's', NEW: 'n' });
    // An explicit import-file takes everything the file has.
    expect((await spawnProgram('age', ['-r', pub, '-o', file], { input: other })).code).toBe(0);
    await ok('proj', ['import-file'], h.env);
    expect((await ok('proj', ['list'], h.env)).stdout).toBe('NEW\nOLD\nSTAY\n');
  });

  it('importIfNewer and exportIfChanged only act on change', async () => {
    const backend = new EncryptedFileBackend(h.env);
    const t = { session: 'proj', sessionDir: dir, env: h.env, backend };
    expect(await importIfNewer(t)).toEqual({ status: 'absent', changed: [], removed: [] });
    // Without a backend given, nothing is selected (or probed) when there is nothing to do.
    const lazy = { session: 'proj', sessionDir: dir, env: h.env } as Parameters<typeof importIfNewer>[0];
    expect(await importIfNewer(lazy)).toEqual({ status: 'absent', changed: [], removed: [] });
    expect(lazy.backend).toBeUndefined();
    expect(await exportIfChanged(t)).toEqual({ status: 'no-recipients', count: 0 });
    const pub = (await ok('proj', ['age', 'init'], h.env)).stdout.trim();
    await ok('proj', ['set', 'A'], h.env, '1');
    expect(await exportIfChanged(t)).toEqual({ status: 'exported', count: 1 });
    const file = path.join(dir, '.cs', 'secrets.age');
    const first = fs.readFileSync(file);
    expect(await exportIfChanged(t)).toEqual({ status: 'unchanged', count: 1 });
    expect(fs.readFileSync(file).equals(first)).toBe(true);
    expect(await importIfNewer(t)).toEqual({ status: 'unchanged', changed: [], removed: [] });
    // Another machine (here: the age CLI) writes a newer file.
    await spawnProgram('age', ['-r', pub, '-o', file], { input: JSON.stringify({ A: '1', B: '2' }) });
    expect(await importIfNewer(t)).toEqual({ status: 'imported', changed: ['B'], removed: [] });
    expect(await importIfNewer(t)).toEqual({ status: 'unchanged', changed: [], removed: [] });
    await ok('proj', ['set', 'C'], h.env, '3');
    expect(await exportIfChanged(t)).toEqual({ status: 'exported', count: 3 });
    // A file encrypted to someone else only: importIfNewer reports it, no throw.
    const other = (await spawnProgram('age-keygen', [])).stdout.match(/age1[0-9a-z]+/)![0];
    await spawnProgram('age', ['-r', other, '-o', file], { input: '{}' });
    expect(await importIfNewer(t)).toEqual({ status: 'not-recipient', changed: [], removed: [] });
    expect(await backend.getAll('proj')).toEqual({ A: '1', B: '2', C: '3' });
  });
});

describe('two machines through a bare git remote', () => {
  let a: Home;
  let b: Home;
  let remote: string;
  beforeEach(() => {
    a = tempHome({ CS_SECRETS_BACKEND: 'encrypted', USER: 'me' });
    b = tempHome({ CS_SECRETS_BACKEND: 'encrypted', USER: 'me' }); // same user@host name on purpose
    remote = path.join(a.dir, 'remote.git');
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('exchange secrets, then removing a recipient locks it out of new exports', async () => {
    // Machine B clones, makes its key, publishes its recipient file.
    const { aDir, bDir } = await publishAndClone(a, b, remote, { SHARED_TOKEN: 'from-a' });
    const bInit = await ok('proj', ['age', 'init'], b.env);
    const bPub = bInit.stdout.trim();
    expect(bInit.stderr).toMatch(/recipient 'me@[^']+-2'/); // did not replace A's same-named key
    let r = await secrets('proj', ['import-file'], b.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not encrypted to this machine's key/);
    await git(['add', '-A'], bDir, b.env);
    await git(['commit', '-q', '-m', 'b key'], bDir, b.env);
    await git(['push', '-q', 'origin', 'HEAD:main'], bDir, b.env);

    // A pulls the new recipient and re-exports for both.
    await git(['pull', '-q', '--no-rebase', 'origin', 'main'], aDir, a.env);
    expect((await ok('proj', ['export-file'], a.env)).stderr).toMatch(/for 2 recipients/);
    await git(['commit', '-q', '-am', 'a export'], aDir, a.env);
    await git(['push', '-q', 'origin', 'main'], aDir, a.env);

    // B imports on session start, adds its own secret and exports.
    await git(['pull', '-q', '--no-rebase', 'origin', 'main'], bDir, b.env);
    const bBackend = new EncryptedFileBackend(b.env);
    expect(await importIfNewer({ session: 'proj', sessionDir: bDir, env: b.env, backend: bBackend })).toEqual({ status: 'imported', changed: ['SHARED_TOKEN'], removed: [] });
    expect((await ok('proj', ['get', 'SHARED_TOKEN'], b.env)).stdout).toBe('from-a\n');
    await ok('proj', ['set', 'B_ONLY'], b.env, 'from-b');
    await ok('proj', ['export-file'], b.env);
    await git(['commit', '-q', '-am', 'b export'], bDir, b.env);
    await git(['push', '-q', 'origin', 'HEAD:main'], bDir, b.env);

    await git(['pull', '-q', '--no-rebase', 'origin', 'main'], aDir, a.env);
    await ok('proj', ['import-file'], a.env);
    expect((await ok('proj', ['get', 'B_ONLY'], a.env)).stdout).toBe('from-b\n');

    // A removes B: the new export is re-encrypted without B.
    const bName = JSON.parse((await ok('proj', ['age', 'list', '--json'], a.env)).stdout).find((x: { recipient: string }) => x.recipient === bPub).name;
    const rm = await ok('proj', ['age', 'remove', bName], a.env);
    expect(rm.stderr).toMatch(/re-encrypted \.cs\/secrets\.age for me@/);
    await ok('proj', ['set', 'AFTER_REMOVAL'], a.env, 'b must not see this');
    await ok('proj', ['export-file'], a.env);
    await git(['commit', '-q', '-am', 'remove b'], aDir, a.env);
    await git(['push', '-q', 'origin', 'main'], aDir, a.env);

    await git(['pull', '-q', '--no-rebase', 'origin', 'main'], bDir, b.env);
    r = await secrets('proj', ['import-file'], b.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not encrypted to this machine's key/);
    const cli = await spawnProgram('age', ['-d', '-i', path.join(b.home, '.cs-secrets', 'age.key'), path.join(bDir, '.cs', 'secrets.age')]);
    expect(cli.code).not.toBe(0);
    expect(cli.stdout).toBe('');
    // B keeps what it had; nothing of the new export leaked to it.
    expect(await bBackend.getAll('proj')).toEqual({ SHARED_TOKEN: 'from-a', B_ONLY: 'from-b' });

    // Leak check: no secret value in either workspace, git history, or any argv we spawned.
    await expectNowhere(['from-a', 'from-b', 'b must not see this'], [aDir, bDir, remote], aDir, a.env);
  }, 60_000);
});

describe('removals and changes between machines', () => {
  let a: Home;
  let b: Home;
  let remote: string;
  beforeEach(() => {
    a = tempHome({ CS_SECRETS_BACKEND: 'encrypted', USER: 'me' });
    b = tempHome({ CS_SECRETS_BACKEND: 'encrypted', USER: 'me' });
    remote = path.join(a.dir, 'remote.git');
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  /** Commits what changed in `dir` and pushes it; then `to` pulls. */
  async function carry(from: Home, dir: string, to: Home, toDir: string, msg: string) {
    await git(['add', '-A'], dir, from.env);
    await git(['commit', '-q', '--allow-empty', '-m', msg], dir, from.env);
    await git(['push', '-q', 'origin', 'HEAD:main'], dir, from.env);
    await git(['pull', '-q', '--no-rebase', 'origin', 'main'], toDir, to.env);
  }
  const plain = async (h: Home, dir: string) =>
    JSON.parse((await spawnProgram('age', ['-d', '-i', path.join(h.home, '.cs-secrets', 'age.key'), path.join(dir, '.cs', 'secrets.age')])).stdout) as { secrets: Record<string, string>; removed?: Record<string, string> };

  /** A and B, each with an age key, both holding `secrets` through secrets.age on a bare remote. */
  async function twoMachines(secrets: Record<string, string>) {
    const { aDir, bDir } = await publishAndClone(a, b, remote, secrets);
    await ok('proj', ['age', 'init'], b.env);
    await carry(b, bDir, a, aDir, 'b key');
    await ok('proj', ['export-file'], a.env);
    await carry(a, aDir, b, bDir, 'for both');
    const ta = { session: 'proj', sessionDir: aDir, env: a.env, backend: new EncryptedFileBackend(a.env) };
    const tb = { session: 'proj', sessionDir: bDir, env: b.env, backend: new EncryptedFileBackend(b.env) };
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: Object.keys(secrets).sort(), removed: [] });
    return { aDir, bDir, ta, tb };
  }

  it('-secrets rm reaches the other machine at its next sync; a value changed there meanwhile is kept, and comes back', async () => {
    const { aDir, bDir, ta, tb } = await twoMachines({ SHARED: 'shared-value-1', KEEP: 'keep-value-1', LATER: 'later-value-1' });
    // A removes SHARED: secrets.age is exported at once, listing it.
    expect((await ok('proj', ['rm', 'SHARED'], a.env)).stderr).toMatch(/removed SHARED from session 'proj'; \.cs\/secrets\.age lists it as removed: the other machines remove it at their next sync/);
    expect(await exportIfChanged(ta)).toEqual({ status: 'unchanged', count: 2 });
    const file = await plain(a, aDir);
    expect(file.secrets).toEqual({ KEEP: 'keep-value-1', LATER: 'later-value-1' });
    // A salted scrypt hash of the value, inside the encrypted file only.
    expect(Object.keys(file.removed ?? {})).toEqual(['SHARED']);
    expect(file.removed!.SHARED).toMatch(/^scrypt:[0-9a-f]{32}:[0-9a-f]{64}$/);
    // Meanwhile B changes LATER, before it sees anything of A's.
    await ok('proj', ['set', '--force', 'LATER'], b.env, 'later-value-2');
    await carry(a, aDir, b, bDir, 'a removes SHARED');

    // B's session start: SHARED goes (B held the very value A removed); B's newer LATER stays.
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: [], removed: ['SHARED'], keptLocal: ['LATER'] });
    expect(await tb.backend.getAll('proj')).toEqual({ KEEP: 'keep-value-1', LATER: 'later-value-2' });
    // B's export brings its LATER to A, and still lists SHARED as removed.
    await ok('proj', ['set', 'NEW_ON_B'], b.env, 'new-on-b-1');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 3 });
    expect(Object.keys((await plain(b, bDir)).removed ?? {})).toEqual(['SHARED']);
    await carry(b, bDir, a, aDir, 'b export');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['LATER', 'NEW_ON_B'], removed: [] });
    expect(await ta.backend.getAll('proj')).toEqual({ KEEP: 'keep-value-1', LATER: 'later-value-2', NEW_ON_B: 'new-on-b-1' });

    // Set again after its removal: the value travels, and the removal is dropped from the file.
    await ok('proj', ['set', 'SHARED'], a.env, 'shared-value-2');
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 4 });
    expect((await plain(a, aDir)).removed).toBeUndefined();
    await carry(a, aDir, b, bDir, 'SHARED again');
    const imp = await ok('proj', ['import-file'], b.env);
    expect(imp.stderr).not.toMatch(/removed/);
    expect((await ok('proj', ['get', 'SHARED'], b.env)).stdout).toBe('shared-value-2\n');
  }, 90_000);

  it('a value set again after its removal, even the same one, is not taken away by the removal still listed', async () => {
    const { aDir, bDir, ta, tb } = await twoMachines({ API_KEY: 'api-value-1', OTHER: 'other-value-1' });
    await ok('proj', ['rm', 'API_KEY'], a.env);
    await carry(a, aDir, b, bDir, 'a removes API_KEY');
    // An explicit import-file says what it removed.
    expect((await ok('proj', ['import-file'], b.env)).stderr).toMatch(/removed API_KEY: removed on another machine/);
    // A mistaken removal undone on A, with the same value; B exports meanwhile, still listing the removal.
    await ok('proj', ['set', 'API_KEY'], a.env, 'api-value-1');
    await ok('proj', ['set', '--force', 'OTHER'], b.env, 'other-value-2');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 1 });
    await carry(b, bDir, a, aDir, 'b changes OTHER');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['OTHER'], removed: [] });
    expect(await ta.backend.getAll('proj')).toEqual({ API_KEY: 'api-value-1', OTHER: 'other-value-2' });
    // And again, before A exports (a -sync pull mid-session): still kept.
    await ok('proj', ['set', 'MORE'], b.env, 'more-value-1');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 2 });
    expect(Object.keys((await plain(b, bDir)).removed ?? {})).toEqual(['API_KEY']);
    await carry(b, bDir, a, aDir, 'b adds MORE');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['MORE'], removed: [] });
    expect(await ta.backend.getAll('proj')).toEqual({ API_KEY: 'api-value-1', MORE: 'more-value-1', OTHER: 'other-value-2' });
    // A's export brings it back to B.
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 3 });
    expect((await plain(a, aDir)).removed).toBeUndefined();
    await carry(a, aDir, b, bDir, 'API_KEY again');
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: ['API_KEY'], removed: [] });
  }, 90_000);

  it('a secret missing here but not removed (purge, or a keychain that did not answer) is never removed elsewhere; -secrets rm then removes it everywhere', async () => {
    const { aDir, bDir, ta, tb } = await twoMachines({ API_KEY: 'api-value-1', DB_PASS: 'db-value-1' });
    // What an empty backend looks like to sync: the keychain down and the fallback file standing in, or a purge.
    expect((await ok('proj', ['purge', '--yes'], a.env)).stderr).toMatch(/removed 2 secrets from session 'proj' on this machine; \.cs\/secrets\.age keeps them for the other machines/);
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 0 });
    const file = await plain(a, aDir);
    expect(file.secrets).toEqual({ API_KEY: 'api-value-1', DB_PASS: 'db-value-1' });
    expect(file.removed).toBeUndefined();
    expect((await ok('proj', ['export-file'], a.env)).stderr).toMatch(/0 secrets for 2 recipients .*, and 2 missing here kept for the other machines/);
    await carry(a, aDir, b, bDir, 'a exports with nothing');
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: [], removed: [] });
    expect(await tb.backend.getAll('proj')).toEqual({ API_KEY: 'api-value-1', DB_PASS: 'db-value-1' });
    // B exports a change; A's import leaves the purged keys missing here, and takes the change to one of them.
    await ok('proj', ['set', '--force', 'DB_PASS'], b.env, 'db-value-2');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 2 });
    await carry(b, bDir, a, aDir, 'b changes DB_PASS');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['DB_PASS'], removed: [] });
    expect(await ta.backend.getAll('proj')).toEqual({ DB_PASS: 'db-value-2' });
    // A key missing here is removed everywhere with -secrets rm, from the value the file has.
    expect((await ok('proj', ['rm', 'API_KEY'], a.env)).stderr).toMatch(/API_KEY was not set here; \.cs\/secrets\.age lists it as removed/);
    expect((await plain(a, aDir)).secrets).toEqual({ DB_PASS: 'db-value-2' });
    await carry(a, aDir, b, bDir, 'a removes API_KEY everywhere');
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: [], removed: ['API_KEY'] });
    expect((await secrets('proj', ['rm', 'NOWHERE'], a.env)).stderr).toMatch(/secret NOWHERE is not set in session 'proj'/);

    await expectNowhere(['api-value-1', 'db-value-1', 'db-value-2'], [aDir, bDir, remote], aDir, a.env);
  }, 90_000);

  it('a removal that arrives while the keychain is empty here applies when the value comes back', async () => {
    const { aDir, bDir, tb } = await twoMachines({ K: 'k-value-1', OTHER: 'other-value-1' });
    await ok('proj', ['rm', 'K'], a.env);
    await carry(a, aDir, b, bDir, 'a removes K');
    // B's store is away (the keychain down: the fallback file standing in is empty) when the removal arrives.
    const store = path.join(b.home, '.cs-secrets', 'proj.enc');
    fs.renameSync(store, `${store}.away`);
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: [], removed: [] });
    fs.renameSync(`${store}.away`, store);
    // Back: B's next export takes the removal in, and does not publish K again.
    await ok('proj', ['set', 'NEW'], b.env, 'new-value-1');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 2, removed: ['K'] });
    expect(await tb.backend.getAll('proj')).toEqual({ NEW: 'new-value-1', OTHER: 'other-value-1' });
    const file = await plain(b, bDir);
    expect(file.secrets).toEqual({ NEW: 'new-value-1', OTHER: 'other-value-1' });
    expect(Object.keys(file.removed ?? {})).toEqual(['K']);
  }, 90_000);

  it('a removal applied here does not take a value set again afterwards, here or from elsewhere', async () => {
    const { aDir, bDir, ta, tb } = await twoMachines({ K: 'k-value-1', J: 'j-value-1' });
    await ok('proj', ['rm', 'K'], a.env);
    await carry(a, aDir, b, bDir, 'a removes K');
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: [], removed: ['K'] });
    // B's user sets K again (the same value): B's next exports keep it and publish it.
    await ok('proj', ['set', 'K'], b.env, 'k-value-1');
    await ok('proj', ['set', 'Y'], b.env, 'y-value-1');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 3 });
    expect((await plain(b, bDir)).secrets).toEqual({ J: 'j-value-1', K: 'k-value-1', Y: 'y-value-1' });
    await carry(b, bDir, a, aDir, 'b sets K again');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['K', 'Y'], removed: [] });
    // And the other way: A removes J, B applies it, A sets J again; B takes it.
    await ok('proj', ['rm', 'J'], a.env);
    await carry(a, aDir, b, bDir, 'a removes J');
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: [], removed: ['J'] });
    await ok('proj', ['set', 'J'], a.env, 'j-value-1');
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 3 });
    await carry(a, aDir, b, bDir, 'a sets J again');
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: ['J'], removed: [] });
    expect(await tb.backend.getAll('proj')).toEqual({ J: 'j-value-1', K: 'k-value-1', Y: 'y-value-1' });
  }, 90_000);

  it('a keychain that did not answer: a removal is remembered through an export while it is away, and rm removes what it cannot see', async () => {
    const { aDir, bDir, ta, tb } = await twoMachines({ K: 'k-value-1', X: 'x-value-1', Z: 'z-value-1' });
    const away = (h: Home) => {
      const store = path.join(h.home, '.cs-secrets', 'proj.enc');
      fs.renameSync(store, `${store}.away`);
      return () => fs.renameSync(`${store}.away`, store);
    };
    // B: the removal arrives, and a session ends, while its store is away.
    await ok('proj', ['rm', 'K'], a.env);
    await carry(a, aDir, b, bDir, 'a removes K');
    let back = away(b);
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: [], removed: [] });
    await exportIfChanged(tb);
    back();
    await ok('proj', ['set', 'NEW'], b.env, 'new-value-1');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 3, removed: ['K'] });
    expect((await plain(b, bDir)).secrets).toEqual({ NEW: 'new-value-1', X: 'x-value-1', Z: 'z-value-1' });
    await carry(b, bDir, a, aDir, 'b back');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['NEW'], removed: [] });
    // A: rm of a key its store cannot show now; when the store is back, that value goes here too.
    back = away(a);
    expect((await ok('proj', ['rm', 'X'], a.env)).stderr).toMatch(/X was not set here; \.cs\/secrets\.age lists it as removed/);
    back();
    await ok('proj', ['set', 'W'], a.env, 'w-value-1');
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 3, removed: ['X'] });
    expect(await ta.backend.getAll('proj')).toEqual({ NEW: 'new-value-1', W: 'w-value-1', Z: 'z-value-1' });
    expect((await plain(a, aDir)).secrets).toEqual({ NEW: 'new-value-1', W: 'w-value-1', Z: 'z-value-1' });
  }, 90_000);

  it('an export before any import takes a value changed elsewhere; a backup FILE is written, never taken in; rm --here stays here', async () => {
    const { aDir, bDir } = await twoMachines({ J: 'j-value-1', K: 'k-value-1' });
    await ok('proj', ['set', '--force', 'J'], b.env, 'j-value-2');
    await ok('proj', ['export-file'], b.env);
    await carry(b, bDir, a, aDir, 'b changes J');
    // A pulled, has not imported, and exports (export-file, -sync push, rm, a recipient change): J is B's.
    expect((await ok('proj', ['export-file'], a.env)).stderr).toMatch(/took the newer value from the file for J/);
    expect((await ok('proj', ['get', 'J'], a.env)).stdout).toBe('j-value-2\n');
    expect((await plain(a, aDir)).secrets).toEqual({ J: 'j-value-2', K: 'k-value-1' });
    // A backup holding a key this machine does not have: written to, the key left in it, not stored here.
    const backup = path.join(a.dir, 'backup.age');
    await ok('proj', ['set', 'OLD'], a.env, 'old-value-1');
    await ok('proj', ['export-file', backup], a.env);
    await ok('proj', ['rm', '--here', 'OLD'], a.env);
    const exp = await ok('proj', ['export-file', backup], a.env);
    expect(exp.stderr).toMatch(/and 1 that only the file had kept in it/);
    expect((await ok('proj', ['list'], a.env)).stdout).toBe('J\nK\n');
    // rm --here: this machine's store only; the file keeps K, listed nowhere as removed.
    expect((await ok('proj', ['rm', '--here', 'K'], a.env)).stderr).toBe("removed K from session 'proj'\n");
    expect((await plain(a, aDir)).secrets).toEqual({ J: 'j-value-2', K: 'k-value-1' });
    // rm of a key the file never held: nothing to list.
    await ok('proj', ['set', 'LOCAL'], a.env, 'local-value-1');
    expect((await ok('proj', ['rm', 'LOCAL'], a.env)).stderr).toBe("removed LOCAL from session 'proj'\n");
  }, 90_000);

  it('a value set back here after an import is exported; a change on both sides is named; a backup does not bring back what was removed since', async () => {
    const { aDir, bDir, ta, tb } = await twoMachines({ J: 'j-value-1', K: 'k-value-1', X: 'x-value-1' });
    const backup = path.join(a.dir, 'backup.age');
    await ok('proj', ['export-file', backup], a.env);
    // B changes J; A imports it, then sets it back: A's session end exports that.
    await ok('proj', ['set', '--force', 'J'], b.env, 'j-value-2');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 3 });
    await carry(b, bDir, a, aDir, 'b changes J');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['J'], removed: [] });
    await ok('proj', ['set', '--force', 'J'], a.env, 'j-value-1');
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 3 });
    expect((await plain(a, aDir)).secrets.J).toBe('j-value-1');
    await carry(a, aDir, b, bDir, 'a sets J back');
    // Both change X before seeing the other's: B's import takes A's, and says so.
    await ok('proj', ['set', '--force', 'X'], a.env, 'x-from-a');
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 3 });
    await ok('proj', ['set', '--force', 'X'], b.env, 'x-from-b');
    await git(['add', '-A'], aDir, a.env);
    await git(['commit', '-q', '-m', 'a changes X'], aDir, a.env);
    await git(['push', '-q', 'origin', 'HEAD:main'], aDir, a.env);
    await git(['pull', '-q', '--no-rebase', 'origin', 'main'], bDir, b.env);
    expect(await importIfNewer(tb)).toEqual({ status: 'imported', changed: ['J', 'X'], removed: [], conflicts: ['X'] });
    // B removes K; A, restoring from its backup, does not get K back.
    await ok('proj', ['rm', 'K'], b.env);
    await carry(b, bDir, a, aDir, 'b removes K');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: [], removed: ['K'] });
    const restored = await ok('proj', ['import-file', backup], a.env);
    expect(restored.stderr).toMatch(/left out K: \.cs\/secrets\.age lists that value as removed since/);
    expect((await ok('proj', ['list'], a.env)).stdout).toBe('J\nX\n');
  }, 90_000);

  it('an import does not vouch for a recipient added since this machine last exported: the session end encrypts for it', async () => {
    const { aDir, bDir, ta, tb } = await twoMachines({ J: 'j-value-1' });
    await ok('proj', ['set', '--force', 'J'], b.env, 'j-value-2');
    expect(await exportIfChanged(tb)).toEqual({ status: 'exported', count: 1 });
    await carry(b, bDir, a, aDir, 'b changes J');
    // Carol's machine published her key, and could not re-encrypt: A pulls it with B's file.
    const keygen = (await spawnProgram('age-keygen', [])).stdout;
    const carolKey = path.join(a.dir, 'carol.key');
    fs.writeFileSync(carolKey, keygen, { mode: 0o600 });
    fs.writeFileSync(path.join(aDir, '.cs', 'age-recipients', 'carol.pub'), keygen.match(/age1[0-9a-z]+/)![0] + '\n');
    expect(await importIfNewer(ta)).toEqual({ status: 'imported', changed: ['J'], removed: [] });
    expect(await exportIfChanged(ta)).toEqual({ status: 'exported', count: 1 });
    const carol = await spawnProgram('age', ['-d', '-i', carolKey, path.join(aDir, '.cs', 'secrets.age')]);
    expect(JSON.parse(carol.stdout).secrets).toEqual({ J: 'j-value-2' });
    // Vouched for once exported: the next session end has nothing to do.
    expect(await exportIfChanged(ta)).toEqual({ status: 'unchanged', count: 1 });
  }, 90_000);

  it('a FILE that is not an age file is refused without showing any of it', async () => {
    a.session('proj');
    await ok('proj', ['age', 'init'], a.env);
    const plainEnv = path.join(a.dir, 'plain.env');
    fs.writeFileSync(plainEnv, 'API_TOKEN=sk-live-SUPERSECRET-abc\n');
    for (const args of [['import-file', plainEnv], ['export-file', plainEnv]]) {
      const r = await secrets('proj', args, a.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is not an age file/);
      expect(r.stderr).not.toContain('SUPERSECRET');
      expect(r.stderr).not.toMatch(/git log/);
    }
  });

  it('an import removes a key only where the value here is the one the removal names', async () => {
    const dir = a.session('proj');
    const pub = (await ok('proj', ['age', 'init'], a.env)).stdout.trim();
    await ok('proj', ['set', 'K'], a.env, 'value-z');
    await ok('proj', ['export-file'], a.env);
    const file = path.join(dir, '.cs', 'secrets.age');
    // The mark's format, made here as another machine would.
    const mark = (v: string) => {
      const salt = randomBytes(16);
      return `scrypt:${salt.toString('hex')}:${scryptSync(v, salt, 32).toString('hex')}`;
    };
    for (const [removedValue, left] of [['value-x', 'K\n'], ['value-z', '']] as const) {
      await ok('proj', ['export-file'], a.env); // the file holds K = value-z, as this machine saw it
      const text = JSON.stringify({ format: 'cs-secrets', version: 1, session: 'proj', secrets: {}, removed: { K: mark(removedValue) } });
      expect((await spawnProgram('age', ['-r', pub, '-o', file], { input: text })).code).toBe(0);
      await ok('proj', ['import-file'], a.env);
      expect((await ok('proj', ['list'], a.env)).stdout).toBe(left);
    }
  });

  it('a bad removed list is refused with a one-line error and nothing changes; a mark of an unknown format is passed on, never applied', async () => {
    const dir = a.session('proj');
    const pub = (await ok('proj', ['age', 'init'], a.env)).stdout.trim();
    await ok('proj', ['set', 'KEEP'], a.env, 'keep-value-1');
    const file = path.join(dir, '.cs', 'secrets.age');
    const encrypt = async (removed: unknown) =>
      expect((await spawnProgram('age', ['-r', pub, '-o', file], { input: JSON.stringify({ format: 'cs-secrets', version: 1, session: 'proj', secrets: { OTHER: 'other-value-1' }, removed }) })).code).toBe(0);
    for (const removed of [['KEEP'], { KEEP: 5 }, { 'bad\n\u001b[31mkey': 'x' }, { KEEP: 'x'.repeat(2000) }]) {
      await encrypt(removed);
      const r = await secrets('proj', ['import-file'], a.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/removed (list is not an object|entries)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain('\u001b');
      expect((await ok('proj', ['list'], a.env)).stdout).toBe('KEEP\n');
    }
    await encrypt({ KEEP: 'argon2id:from-a-later-version', GONE: 'argon2id:another' });
    expect((await ok('proj', ['import-file'], a.env)).stderr).not.toMatch(/removed/);
    expect((await ok('proj', ['list'], a.env)).stdout).toBe('KEEP\nOTHER\n');
    await ok('proj', ['export-file'], a.env);
    const dec = await spawnProgram('age', ['-d', '-i', path.join(a.home, '.cs-secrets', 'age.key'), file]);
    expect(JSON.parse(dec.stdout).removed).toEqual({ GONE: 'argon2id:another' });
  });
});

describe('the age identity is per machine', () => {
  let h: Home;
  beforeEach(() => {
    h = tempHome({ CS_SECRETS_BACKEND: 'encrypted', USER: 'bob' });
  });
  afterEach(() => h.cleanup());

  it('cs -secrets age init and age pubkey work in a HOME with no session at all', async () => {
    const sessionsRoot = h.env.CS_SESSIONS_ROOT!;
    expect(fs.existsSync(sessionsRoot) ? fs.readdirSync(sessionsRoot) : []).toEqual([]);
    const run = (args: string[]) => spawnProgram(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'bin.ts'), ...args], { env: { ...h.env, CLAUDE_SESSION_NAME: undefined }, cwd: repoRoot });
    const init = await run(['-secrets', 'age', 'init']);
    expect(init.code, init.stderr).toBe(0);
    const pub = init.stdout.trim();
    expect(pub).toMatch(/^age1[0-9a-z]{58}$/);
    expect(init.stderr).toMatch(/created ~\/\.cs-secrets\/age\.key/);
    const keyFile = path.join(h.home, '.cs-secrets', 'age.key');
    expect(mode(keyFile)).toBe(0o600);
    expect((await spawnProgram('age-keygen', ['-y', keyFile])).stdout.trim()).toBe(pub);
    const pubkey = await run(['-secrets', 'age', 'pubkey']);
    expect(pubkey.code, pubkey.stderr).toBe(0);
    expect(pubkey.stdout.trim()).toBe(pub);
    // Nothing else needs a session less: other subcommands still ask for one.
    const list = await run(['-secrets', 'age', 'list']);
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(/-secrets needs a session/);
  }, 30_000);
});
