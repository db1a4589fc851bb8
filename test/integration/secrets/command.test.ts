import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { route } from '../../../src/cli.js';
import { UsageError, UserError } from '../../../src/lib/errors.js';
import { secrets, secretsOnTty, secretsProcess, spawnProgram, tempHome, type Home } from '../../support/secrets.js';

describe('parse', () => {
  const ok: [string[], string[], object][] = [
    [['set', 'API_KEY'], ['set'], { key: 'API_KEY', force: false }],
    [['set', 'API_KEY', 'v'], ['set'], { key: 'API_KEY', value: 'v', force: false }],
    [['set', '--force', 'API_KEY'], ['set'], { key: 'API_KEY', force: true }],
    [['set', 'API_KEY', '--', '-starts-with-dash'], ['set'], { key: 'API_KEY', value: '-starts-with-dash', force: false }],
    [['render', 'deploy.sh'], ['render'], { file: 'deploy.sh' }],
    [['exec', '--', 'sh', '-c', 'echo $X'], ['exec'], { command: ['sh', '-c', 'echo $X'] }],
    [['get', 'K'], ['get'], { key: 'K' }],
    [['rm', 'K'], ['rm'], { key: 'K', here: false }],
    [['rm', '--here', 'K'], ['rm'], { key: 'K', here: true }],
    [['list'], ['list'], { json: false }],
    [['list', '--json'], ['list'], { json: true }],
    [['purge'], ['purge'], { yes: false }],
    [['purge', '--yes'], ['purge'], { yes: true }],
    [['purge', '-y'], ['purge'], { yes: true }],
    [['export'], ['export'], {}],
    [['export-file'], ['export-file'], { force: false }],
    [['export-file', '--force', 'x.age'], ['export-file'], { file: 'x.age', force: true }],
    [['import-file'], ['import-file'], {}],
    [['backend'], ['backend'], {}],
    [['migrate-backend', 'encrypted'], ['migrate-backend'], { to: 'encrypted' }],
    [['age', 'init'], ['age', 'init'], {}],
    [['age', 'pubkey'], ['age', 'pubkey'], {}],
    [['age', 'list', '--json'], ['age', 'list'], { json: true }],
    [['age', 'add', 'bob@box', 'age1xyz'], ['age', 'add'], { name: 'bob@box', pubkey: 'age1xyz' }],
    [['age', 'remove', 'bob@box'], ['age', 'remove'], { name: 'bob@box' }],
    [['age', 'rm', 'bob@box'], ['age', 'remove'], { name: 'bob@box' }],
  ];
  it.each(ok)('%j', async (args, sub, opts) => expect(await parseCommand('-secrets', args, { session: 's' })).toEqual({ sub, opts }));

  it('shows its help when given no subcommand, or -help', async () => {
    expect(route(['s', '-secrets', '-help'])).toMatchObject({ kind: 'help', topic: { name: '-secrets' } });
    const r = await secrets('s', [], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cs <name> -secrets set [--force] KEY [VALUE]');
  });

  const bad: [string[], string | undefined, RegExp][] = [
    [['set', '1BAD'], 's', /invalid secret name/],
    [['set', 'A-B', 'v'], 's', /invalid secret name/],
    [['get'], 's', /missing argument/],
    [['get', 'A', 'B'], 's', /unexpected argument/],
    [['list', '--yes'], 's', /does not apply/],
    [['get', 'K', '--json'], 's', /does not apply/],
    [['frobnicate'], 's', /unknown -secrets subcommand/],
    [['migrate-backend', 'vault'], 's', /unknown backend 'vault'/],
    [['age'], 's', /-secrets age needs a subcommand/],
    [['age', 'add', 'x'], 's', /missing argument/],
    [['list', '--bogus'], 's', /unknown option/],
  ];
  it.each(bad)('%j in %s -> usage error', async (args, session, msg) => {
    const parsed = parseCommand('-secrets', args, { session });
    await expect(parsed).rejects.toThrow(UsageError);
    await expect(parseCommand('-secrets', args, { session })).rejects.toThrow(msg);
  });

  it('needs a session, and checks its name, before running', async () => {
    const h = tempHome({ CS_SECRETS_BACKEND: 'encrypted' });
    try {
      expect((await secrets(undefined, ['list'], h.env)).stderr).toMatch(/-secrets needs a session/);
      expect((await secrets('../etc', ['get', 'K'], h.env)).stderr).toMatch(/session name/);
      h.session('inside');
      expect((await secrets(undefined, ['list'], { ...h.env, CLAUDE_SESSION_NAME: 'inside' })).stderr).toMatch(/no secrets in session 'inside'/);
    } finally {
      h.cleanup();
    }
  });
});

describe('run (encrypted backend)', () => {
  let h: Home;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    h = tempHome({ CS_SECRETS_BACKEND: 'encrypted' });
    h.session('demo');
    env = h.env;
  });
  afterEach(() => h.cleanup());

  it('set from stdin, get, list, rm', async () => {
    expect((await secrets('demo', ['set', 'API_KEY'], env, 'line one\n')).code).toBe(0);
    expect((await secrets('demo', ['set', 'B_TOKEN', 'from-arg'], env)).code).toBe(0);
    expect((await secrets('demo', ['get', 'API_KEY'], env)).stdout).toBe('line one\n');
    expect((await secrets('demo', ['list'], env)).stdout).toBe('API_KEY\nB_TOKEN\n');
    expect(JSON.parse((await secrets('demo', ['list', '--json'], env)).stdout)).toEqual({ session: 'demo', backend: 'encrypted', keys: ['API_KEY', 'B_TOKEN'], files: { API_KEY: [], B_TOKEN: [] } });
    const rm = await secrets('demo', ['rm', 'API_KEY'], env);
    expect(rm.code).toBe(0);
    const again = await secrets('demo', ['rm', 'API_KEY'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/API_KEY is not set in session 'demo'/);
    const get = await secrets('demo', ['get', 'API_KEY'], env);
    expect(get.code).toBe(1);
    expect(get.stdout).toBe('');
  });

  it("rm takes the value out of a running session's env file for Bash, and leaves the others", async () => {
    const { writeSessionEnvFile } = await import('../../../src/secrets/store.js');
    const { runningSessionSecrets } = await import('../../../src/secrets/scrub.js');
    expect((await secrets('demo', ['set', 'API_KEY'], env, 'value-one-1234')).code).toBe(0);
    expect((await secrets('demo', ['set', 'B_TOKEN'], env, 'value-two-5678')).code).toBe(0);
    writeSessionEnvFile('demo', { API_KEY: 'value-one-1234', B_TOKEN: 'value-two-5678' }, env, { create: true });
    expect((await secrets('demo', ['rm', 'API_KEY'], env)).code).toBe(0);
    expect(runningSessionSecrets('demo', env)).toEqual({ B_TOKEN: 'value-two-5678' });
  });

  it("purge empties a running session's env file for Bash", async () => {
    const { writeSessionEnvFile } = await import('../../../src/secrets/store.js');
    const { runningSessionSecrets } = await import('../../../src/secrets/scrub.js');
    expect((await secrets('demo', ['set', 'API_KEY'], env, 'value-one-1234')).code).toBe(0);
    writeSessionEnvFile('demo', { API_KEY: 'value-one-1234' }, env, { create: true });
    expect((await secrets('demo', ['purge', '--yes'], env)).code).toBe(0);
    expect(runningSessionSecrets('demo', env)).toEqual({});
  });

  it('set over a different value refuses without --force and says so; the same value is a no-op', async () => {
    await secrets('demo', ['set', 'TOKEN'], env, 'first');
    const r = await secrets('demo', ['set', 'TOKEN'], env, 'second');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TOKEN already holds a different value in session 'demo'; nothing was stored\n.*--force/);
    expect((await secrets('demo', ['get', 'TOKEN'], env)).stdout).toBe('first\n');
    const same = await secrets('demo', ['set', 'TOKEN'], env, 'first');
    expect(same).toMatchObject({ code: 0, stderr: expect.stringMatching(/already holds this value/) });
    const forced = await secrets('demo', ['set', '--force', 'TOKEN'], env, 'second');
    expect(forced).toMatchObject({ code: 0, stderr: expect.stringMatching(/replaced TOKEN/) });
    expect((await secrets('demo', ['get', 'TOKEN'], env)).stdout).toBe('second\n');
  });

  it('list names the captured files that use each key', async () => {
    await secrets('demo', ['set', 'TOKEN'], env, 'a');
    await secrets('demo', ['set', 'TOKEN_2'], env, 'b');
    await secrets('demo', ['set', 'OTHER'], env, 'c');
    const ws = path.join(h.root, 'demo');
    fs.mkdirSync(path.join(ws, '.cs', 'artifacts'), { recursive: true });
    const entry = (name: string, secrets: string[]) => ({ name, original_path: path.join(ws, name), captured_at: '', sha256: '', secrets });
    fs.writeFileSync(path.join(ws, '.cs', 'artifacts', 'MANIFEST.json'), JSON.stringify([entry('a.sh', ['TOKEN']), entry('b.sh', ['TOKEN_2']), entry('d.sh', ['TOKEN'])]));
    expect((await secrets('demo', ['list'], env)).stdout).toBe('OTHER\nTOKEN\ta.sh, d.sh\nTOKEN_2\tb.sh\n');
    expect(JSON.parse((await secrets('demo', ['list', '--json'], env)).stdout).files).toEqual({ OTHER: [], TOKEN: ['a.sh', 'd.sh'], TOKEN_2: ['b.sh'] });
  });

  it('render fills the references in; exec runs a command with the values in its environment only', async () => {
    await secrets('demo', ['set', 'API_TOKEN'], env, "it's $x");
    const ws = path.join(h.root, 'demo');
    fs.writeFileSync(path.join(ws, 'deploy.sh'), '#!/bin/sh\nAPI_TOKEN="${API_TOKEN}"\necho "token=$API_TOKEN ${HOME:+home}"\n');
    fs.writeFileSync(path.join(ws, 'app.py'), 'import os\ntoken = os.environ["API_TOKEN"]\n');
    const r = await secrets('demo', ['render', path.join(ws, 'deploy.sh')], env);
    expect(r.stdout).toBe('#!/bin/sh\nAPI_TOKEN="it\'s $x"\necho "token=$API_TOKEN ${HOME:+home}"\n');
    expect((await secrets('demo', ['render', path.join(ws, 'app.py')], env)).stdout).toBe('import os\ntoken = "it\'s $x"\n');
    const missing = await secrets('demo', ['render', path.join(ws, 'nope.sh')], env);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot read .*nope\.sh: ENOENT/) });
    const ex = await secretsProcess('demo', ['exec', '--', 'sh', path.join(ws, 'deploy.sh')], env);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toBe("token=it's $x home\n");
    expect(ex.argv.join(' ')).not.toContain("it's");
    const fails = await secretsProcess('demo', ['exec', '--', 'sh', '-c', 'exit 7'], env);
    expect(fails.code).toBe(7);
  });

  it('a multi-line value from stdin keeps its inner newlines', async () => {
    await secrets('demo', ['set', 'PEM'], env, 'a\nb\nc\n');
    expect((await secrets('demo', ['get', 'PEM'], env)).stdout).toBe('a\nb\nc\n');
  });

  it('an empty value stores nothing', async () => {
    const r = await secrets('demo', ['set', 'EMPTY'], env, '');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no value given/);
    expect((await secrets('demo', ['list', '--json'], env)).stdout).toContain('"keys":[]');
  });

  it('purge needs --yes without a terminal, and names it', async () => {
    await secrets('demo', ['set', 'A'], env, '1');
    const r = await secrets('demo', ['purge'], env);
    expect(r.code).toBe(2);
    expect(r.error).toBeInstanceOf(UsageError);
    expect(r.stderr).toMatch(/--yes/);
    expect((await secrets('demo', ['get', 'A'], env)).stdout).toBe('1\n');
    expect((await secrets('demo', ['purge', '--yes'], env)).stderr).toMatch(/removed 1 secrets/);
    expect((await secrets('demo', ['list'], env)).stdout).toBe('');
  });

  it('export prints lines that a shell can eval, whatever the value holds', async () => {
    const nasty = `it's "quoted" $HOME \`x\` \\ and\nnewline`;
    await secrets('demo', ['set', 'NASTY'], env, nasty);
    await secrets('demo', ['set', 'PLAIN', 'p'], env);
    const out = (await secrets('demo', ['export'], env)).stdout;
    expect(out.startsWith("export NASTY='it'\\''s")).toBe(true);
    const sh = await spawnProgram('sh', ['-c', 'eval "$(cat)"; printf %s "$NASTY"; printf "|%s" "$PLAIN"'], { input: out, env: { PATH: process.env.PATH } });
    expect(sh.stdout).toBe(nasty + '|p');
  });

  it('backend says which and why', async () => {
    const r = await secrets('demo', ['backend'], env);
    expect(r.stdout).toBe('encrypted\n');
    expect(r.stderr).toMatch(/~\/\.cs-secrets\/demo\.enc: chosen by CS_SECRETS_BACKEND/);
  });

  it('an unknown backend name is a clear error, and existing secrets stay', async () => {
    await secrets('demo', ['set', 'A'], env, '1');
    const r = await secrets('demo', ['list'], { ...env, CS_SECRETS_BACKEND: 'vault' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown secrets backend 'vault' in CS_SECRETS_BACKEND/);
    expect((await secrets('demo', ['get', 'A'], env)).stdout).toBe('1\n');
  });

  it('a wrong password is a clear error through the command, and the file is untouched', async () => {
    const pw = { ...env, CS_SECRETS_PASSWORD: 'right' };
    await secrets('demo', ['set', 'A'], pw, '1');
    const file = path.join(h.home, '.cs-secrets', 'demo.enc');
    const before = fs.readFileSync(file);
    const r = await secrets('demo', ['set', 'B'], { ...env, CS_SECRETS_PASSWORD: 'wrong' }, '2');
    expect(r.code).toBe(1);
    expect(r.error).toBeInstanceOf(UserError);
    expect(r.stderr).toMatch(/wrong CS_SECRETS_PASSWORD/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect((await secrets('demo', ['get', 'A'], pw)).stdout).toBe('1\n');
  });

  it('a missing session is a clear error', async () => {
    const r = await secrets('nope', ['list'], env);
    expect(r.code).toBe(1);
    // The same line as every other command gives (src/session/resolve.ts).
    expect(r.stderr).toMatch(/no session named 'nope'/);
  });

  it('works inside a session without naming it', async () => {
    await secrets(undefined, ['set', 'IN'], { ...env, CLAUDE_SESSION_NAME: 'demo' }, 'x');
    expect((await secrets('demo', ['get', 'IN'], env)).stdout).toBe('x\n');
  });

  it('help has usage lines and examples', async () => {
    const r = await secrets(undefined, ['-help'], env);
    expect(r.stdout).toMatch(/cs <name> -secrets set \[--force\] KEY \[VALUE\]/);
    expect(r.stdout).toContain('cs <name> -secrets {render FILE|exec -- <command> [args]}');
    expect(r.stdout).toMatch(/Examples:\n {2}\$ cs /);
  });

  it('as a process: values pass through stdin only, never argv', async () => {
    const value = 'argv-leak-check-' + Math.random().toString(36).slice(2);
    const set = await secretsProcess('demo', ['set', 'LEAK'], env, value);
    expect(set.code).toBe(0);
    const get = await secretsProcess('demo', ['get', 'LEAK'], env);
    expect(get.stdout).toBe(value + '\n');
    for (const argv of [set.argv, get.argv]) expect(argv.join(' ')).not.toContain(value);
    const store = fs.readFileSync(path.join(h.home, '.cs-secrets', 'demo.enc'), 'utf8');
    expect(store).not.toContain(value);
    const grep = await spawnProgram('grep', ['-rlF', '-f', '-', h.dir], { input: value + '\n' });
    expect(grep.stdout).toBe('');
    expect(grep.code).toBe(1); // 1: searched and found nothing (2 would be an error)
  }, 30_000);

  it('migrate-backend to the same backend says so', async () => {
    const r = await secrets('demo', ['migrate-backend', 'encrypted'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already uses the encrypted backend/);
  });

  it('on a terminal: set asks with a hidden prompt, purge asks for confirmation', async () => {
    const value = 'typed-on-a-tty-' + Math.random().toString(36).slice(2);
    const set = await secretsOnTty('demo', ['set', 'TTY_KEY'], env, [{ waitFor: /Value for TTY_KEY/, send: value + '\r' }]);
    expect(set.code, set.stdout).toBe(0);
    expect(set.stdout).toMatch(/stored TTY_KEY/);
    expect(set.stdout).not.toContain(value); // masked, never echoed
    expect(set.argv.join(' ')).not.toContain(value);
    expect((await secrets('demo', ['get', 'TTY_KEY'], env)).stdout).toBe(value + '\n');

    const keep = await secretsOnTty('demo', ['set', 'TTY_KEY'], env, [
      { waitFor: /Value for TTY_KEY/, send: 'another-value\r' },
      { waitFor: /TTY_KEY already holds a different value/, send: 'n' },
    ]);
    expect(keep.code).toBe(130);
    expect((await secrets('demo', ['get', 'TTY_KEY'], env)).stdout).toBe(value + '\n');

    const no = await secretsOnTty('demo', ['purge'], env, [{ waitFor: /Remove all 1 secrets/, send: 'n' }]);
    expect(no.code).toBe(130);
    expect((await secrets('demo', ['list'], env)).stdout).toBe('TTY_KEY\n');
    const yes = await secretsOnTty('demo', ['purge'], env, [{ waitFor: /Remove all 1 secrets/, send: 'y' }]);
    expect(yes.code, yes.stdout).toBe(0);
    expect((await secrets('demo', ['list'], env)).stdout).toBe('');
  }, 60_000);
});
