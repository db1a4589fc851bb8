// Unit tables for the remote module: quoting, host strings, ssh argv, digests.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, UserError } from '../../../src/lib/errors.js';
import { addHost, hostProblem, parseHostSpec, readHosts, removeHost, resolveTarget, splitHostSession, hostsFile } from '../../../src/remote/hosts.js';
import { commandLine, shellQuote } from '../../../src/lib/shell.js';
import { boundedWords, interactiveArgv, remoteJson, rsyncShell, sshArgs, transportConfig, unreachable } from '../../../src/remote/ssh.js';
import { remoteWords } from '../../../src/remote/connect.js';
import { askHost } from '../../../src/remote/list.js';
import { compareDigests, digestWorkspace } from '../../../src/remote/digest.js';
import { parseCommand } from '../../../src/commands/dispatch.js';

describe('shellQuote', () => {
  const cases: Array<[string, string]> = [
    ['cs', 'cs'],
    ['/usr/local/bin/cs', '/usr/local/bin/cs'],
    ['my-session_1.2', 'my-session_1.2'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
    ['`id`', "'`id`'"],
    ['a;b', "'a;b'"],
    ['*', "'*'"],
    ['~', "'~'"],
    ['a\nb', "'a\nb'"],
    ['-rf', '-rf'],
  ];
  it.each(cases)('%j -> %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });

  it('round-trips through a real sh for nasty words', () => {
    const words = ['plain', 'with space', "qu'ote", 'd"q', '$HOME', '`id`', '$(id)', 'a;b|c&d', '\\back', '*?[x]', '', '\ttab\nnl', "''", '!bang', '#hash', '~'];
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${commandLine(words)}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });

  it('refuses NUL bytes', () => {
    expect(() => shellQuote('a\0b')).toThrow();
  });
});

describe('host strings', () => {
  const good: Array<[string, object]> = [
    ['me@box', { user: 'me', host: 'box' }],
    ['me@box.local:2222', { user: 'me', host: 'box.local', port: 2222 }],
    ['root@127.0.0.1:22', { user: 'root', host: '127.0.0.1', port: 22 }],
    ['deploy_1@build-01.example.com', { user: 'deploy_1', host: 'build-01.example.com' }],
    ['me@[::1]:2200', { user: 'me', host: '::1', port: 2200 }],
  ];
  it.each(good)('%s parses', (text, want) => {
    expect(parseHostSpec(text)).toEqual(want);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['-oProxyCommand=id', /starts with "-"/],
    ['me@box;id', /metacharacter ";"/],
    ['me@box|id', /metacharacter "\|"/],
    ['me@$(id)', /metacharacter "\$"/],
    ['me@`id`', /metacharacter "`"/],
    ['me@box id', /whitespace/],
    ['me@box\n', /whitespace/],
    ['box', /no user/],
    ['a@b@c', /more than one/],
    ['-me@box', /starts with "-"/],
    ['me@-box', /not valid/],
    ['me@box:0', /out of range/],
    ['me@box:70000', /out of range/],
    ['me@box:22:33', /malformed port/],
    ['me@box:', /malformed port/],
    ['m e@box', /whitespace/],
  ];
  it.each(bad)('%j is refused (%s)', (text, why) => {
    expect(hostProblem(text)).toMatch(why);
    expect(() => parseHostSpec(text)).toThrow(UsageError);
  });

  it('splits host:session on the last colon', () => {
    expect(splitHostSession('me@box:api')).toEqual({ host: 'me@box', session: 'api' });
    expect(splitHostSession('me@box:2222:api')).toEqual({ host: 'me@box:2222', session: 'api' });
    expect(splitHostSession('mini:api')).toEqual({ host: 'mini', session: 'api' });
    expect(splitHostSession('api')).toBeNull();
    expect(splitHostSession(':api')).toBeNull();
    expect(splitHostSession('me@box:')).toBeNull();
  });
});

describe('host registry', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-hosts-'));
    env = { HOME: home };
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('adds, lists, resolves and removes, in a 0600 file', () => {
    expect(readHosts(env)).toEqual([]);
    expect(addHost(env, 'mini', 'me@mini.local:2222', new Date('2025-01-02T03:04:05Z'))).toBeNull();
    expect(addHost(env, 'box', 'root@10.0.0.2', new Date())).toBeNull();
    expect(fs.statSync(hostsFile(env)).mode & 0o777).toBe(0o600);
    expect(readHosts(env).map((h) => [h.alias, h.host])).toEqual([
      ['box', 'root@10.0.0.2'],
      ['mini', 'me@mini.local:2222'],
    ]);
    expect(resolveTarget(env, 'mini')).toMatchObject({ alias: 'mini', user: 'me', host: 'mini.local', port: 2222, spec: 'me@mini.local:2222', label: 'mini' });
    expect(resolveTarget(env, 'x@y')).toMatchObject({ user: 'x', host: 'y', spec: 'x@y', label: 'x@y' });
    expect(addHost(env, 'mini', 'me@other', new Date())).toBe('me@mini.local:2222');
    expect(removeHost(env, 'mini').host).toBe('me@other');
    expect(readHosts(env).map((h) => h.alias)).toEqual(['box']);
  });

  it('refuses unknown aliases, bad aliases and bad hosts', () => {
    expect(() => resolveTarget(env, 'nope')).toThrow(/unknown host alias 'nope'/);
    expect(() => resolveTarget(env, 'a;b')).toThrow(/metacharacter/);
    expect(() => resolveTarget(env, '-oProxyCommand=id')).toThrow(/starts with "-"/);
    expect(() => addHost(env, '-x', 'a@b', new Date())).toThrow(UsageError);
    expect(() => addHost(env, 'ok', 'a@b;c', new Date())).toThrow(UsageError);
    expect(() => removeHost(env, 'nope')).toThrow(UserError);
    expect(fs.existsSync(hostsFile(env))).toBe(false);
  });

  it('reports a corrupt registry instead of guessing', () => {
    fs.mkdirSync(path.dirname(hostsFile(env)), { recursive: true });
    fs.writeFileSync(hostsFile(env), 'not json');
    expect(() => readHosts(env)).toThrow(/not a valid host registry/);
  });
});

describe('-remote parse', () => {
  const ok: Array<[string[], object]> = [
    [['add', 'mini', 'me@box'], { sub: 'add', alias: 'mini', host: 'me@box' }],
    [['list'], { sub: 'list', json: false }],
    [['ls', '--json'], { sub: 'list', json: true }],
    [['remove', 'mini'], { sub: 'remove', alias: 'mini' }],
    [['rm', 'mini'], { sub: 'remove', alias: 'mini' }],
    [['probe', 'api', '--mkroot'], { sub: 'probe', name: 'api', mkroot: true }],
    [['digest', '/x/y'], { sub: 'digest', dir: '/x/y' }],
    [['transcripts', '/r/api'], { sub: 'transcripts', dir: '/r/api' }],
  ];
  it.each(ok)('%j', async (args, want) => {
    const { sub, ...opts } = want as { sub: string };
    expect(await parseCommand('-remote', args)).toEqual({ sub: [sub], opts });
  });
  it.each([[[]], [['nope']], [['add', 'x']], [['list', '--mkroot']], [['probe', '../x']], [['remove']], [['transcripts', 'relative/api']], [['transcripts']]])('%j is a usage error', async (args) => {
    await expect(parseCommand('-remote', args)).rejects.toThrow(UsageError);
  });
});

describe('ssh argv', () => {
  const t = { user: 'me', host: 'box', port: 2222, spec: 'me@box:2222', label: 'box' };
  it('puts user options first, then ours, then -- and the destination, then one command string', () => {
    const cfg = transportConfig({ CS_SSH_OPTS: ' -i /k  -o StrictHostKeyChecking=no ' });
    expect(cfg.sshOpts).toEqual(['-i', '/k', '-o', 'StrictHostKeyChecking=no']);
    expect(sshArgs(cfg, t, { tty: true }, 'tmux ls')).toEqual(['-i', '/k', '-o', 'StrictHostKeyChecking=no', '-t', '-o', 'ConnectTimeout=10', '-p', '2222', '--', 'me@box', 'tmux ls']);
    expect(sshArgs(cfg, { ...t, port: undefined }, { tty: false, batch: true, connectTimeoutS: 3 }, 'x')).toEqual([
      '-i', '/k', '-o', 'StrictHostKeyChecking=no', '-T', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', '--', 'me@box', 'x',
    ]);
  });

  it('builds the remote cs command with every word quoted', () => {
    const words = remoteWords('/opt/my cs', { name: 'api', force: true, claudeArgs: ['--model', "it's"] });
    expect(words).toEqual(['/opt/my cs', 'api', '--force', '--', '--model', "it's"]);
    expect(remoteWords('cs', { name: 'api', force: false, claudeArgs: [] })).toEqual(['cs', 'api']);
    // What the login shell there parses: the words come out intact.
    const unquote = (line: string) => execFileSync('sh', ['-c', 'eval "set -- $1"; printf "%s\\0" "$@"', 'sh', line], { encoding: 'utf8' }).split('\0').slice(0, -1);
    expect(unquote(commandLine(words))).toEqual(words);
  });

  it('uses et only when installed and nothing ssh-specific was asked for', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-et-'));
    fs.writeFileSync(path.join(bin, 'et'), '#!/bin/sh\n', { mode: 0o755 });
    const env = { PATH: bin };
    const plain = { user: 'me', host: 'box', spec: 'me@box', label: 'me@box' };
    expect(interactiveArgv(transportConfig(env), plain, 'cmd', env)).toEqual({ bin: 'et', args: ['-c', 'cmd', 'me@box'], via: 'et' });
    expect(interactiveArgv(transportConfig(env), t, 'cmd', env).via).toBe('ssh');
    expect(interactiveArgv(transportConfig({ ...env, CS_TRANSPORT: 'ssh' }), plain, 'cmd', env).via).toBe('ssh');
    expect(interactiveArgv(transportConfig({ PATH: '/nonexistent' }), plain, 'cmd', { PATH: '/nonexistent' }).via).toBe('ssh');
    fs.rmSync(bin, { recursive: true });
  });

  it("quotes rsync's -e words and refuses a single quote there", () => {
    expect(rsyncShell(transportConfig({ CS_SSH_OPTS: '-i /tmp/a b' }), t)).toBe('ssh -i /tmp/a b -T -o ConnectTimeout=10 -p 2222');
    expect(rsyncShell(transportConfig({ CS_SSH: '/opt/my ssh' }), t)).toBe(`'/opt/my ssh' -T -o ConnectTimeout=10 -p 2222`);
    expect(() => rsyncShell(transportConfig({ CS_SSH_OPTS: "-i it's" }), t)).toThrow(UserError);
  });
});

describe('a host ssh cannot reach', () => {
  const t = resolveTarget({}, 'me@box.local:2222');
  const changed = '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\nHost key for [box.local]:2222 has changed and you have requested strict checking.\nHost key verification failed.\n';
  it.each([
    ['a changed host key', changed, /its host key changed since this machine last saw it/, "forget the old one (ssh-keygen -R '[box.local]:2222') and accept the new one (ssh -p 2222 me@box.local); nothing was changed"],
    ['an unknown host key (batch mode)', 'Host key verification failed.\n', /its host key is not known here yet$/, 'check and accept it once with: ssh -p 2222 me@box.local, then try again; nothing was changed'],
    ['anything else', 'ssh: connect to host box.local port 2222: Connection refused\n', /: ssh: connect to host box.local port 2222: Connection refused$/, 'check the host, your network and ssh keys (CS_SSH_OPTS adds ssh options); nothing was changed'],
  ])('%s', (_what, stderr, message, hint) => {
    const e = unreachable(t, stderr);
    expect(e.message).toMatch(/^cannot reach me@box\.local:2222: /);
    expect(e.message).toMatch(message);
    expect(e.hint).toContain(hint);
  });
  it('names the host as known_hosts does: port 22 under the plain name', () => {
    expect(unreachable(resolveTarget({}, 'me@box.local:22'), changed).hint).toContain("ssh-keygen -R 'box.local'");
  });

  it('-ls --remote (askHost) says what to run for a host key, and only the reason for other failures', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-askhost-'));
    try {
      const ask = async (stderr: string) => {
        const ssh = path.join(dir, 'ssh');
        fs.writeFileSync(ssh, `#!/bin/sh\nprintf '%s' ${shellQuote(stderr)} >&2\nexit 255\n`, { mode: 0o755 });
        return askHost(t, { env: { PATH: process.env.PATH, CS_SSH: ssh } }, 5000);
      };
      const key = await ask(changed);
      expect(key.reachable).toBe(false);
      expect(key.error).toMatch(/its host key changed since this machine last saw it .* — make sure the new key is right, then forget the old one \(ssh-keygen -R '\[box\.local\]:2222'\)/);
      const refused = await ask('ssh: connect to host box.local port 2222: Connection refused\n');
      expect(refused.error).toBe('cannot reach me@box.local:2222: ssh: connect to host box.local port 2222: Connection refused');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a changed key: the hint names the known_hosts file and the host's name there as ssh itself has them (ssh -G), not the defaults", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-askhost-'));
    try {
      const ssh = path.join(dir, 'ssh');
      const args = path.join(dir, 'args');
      // What ssh -G says for a user config with UserKnownHostsFile and HostName set; any other call meets the changed key.
      const config = 'user me\nhostname box.internal\nport 2222\nuserknownhostsfile /home/me/.ssh/work hosts2\nglobalknownhostsfile /etc/ssh/ssh_known_hosts\n';
      fs.writeFileSync(ssh, `#!/bin/sh\ncase " $* " in *' -G '*) echo "$@" > ${shellQuote(args)}; printf '%s' ${shellQuote(config)}; exit 0;; esac\nprintf '%s' ${shellQuote(changed)} >&2\nexit 255\n`, { mode: 0o755 });
      const r = await askHost(t, { env: { PATH: process.env.PATH, CS_SSH: ssh, CS_SSH_OPTS: '-F /home/me/other_config' } }, 5000);
      expect(r.error).toContain("forget the old one (ssh-keygen -R '[box.internal]:2222' -f /home/me/.ssh/work) and accept the new one (ssh -p 2222 me@box.local)");
      // Asked with the user's options, for the host as cs reaches it.
      expect(fs.readFileSync(args, 'utf8').trim()).toBe('-F /home/me/other_config -G -p 2222 -- me@box.local');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the JSON a remote cs printed', () => {
  const list = JSON.stringify([{ name: 'a', tags: [] }], null, 2);
  it.each<[string, string, unknown]>([
    ['alone', `${list}\n`, [{ name: 'a', tags: [] }]],
    ['after a login script and a wrapper', `Welcome to box\nNow using node v20.20.2 (npm v11)\n${list}\n`, [{ name: 'a', tags: [] }]],
    ['after noise that looks like JSON', `[nvm] using default\n{broken\n{"files":3,"meta":{}}\n`, { files: 3, meta: {} }],
    ['one line', '{"installed":["/x"]}', { installed: ['/x'] }],
    ['none', 'Now using node v20\n', undefined],
    ['nothing', '', undefined],
  ])('%s', (_what, stdout, value) => {
    expect(remoteJson(stdout)).toEqual(value);
  });
});

describe('workspace digest', () => {
  it('counts files (not .cs/local) and hashes .cs/ files; compare names the difference', () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-dg-'));
    fs.mkdirSync(path.join(a, '.cs/local'), { recursive: true });
    fs.mkdirSync(path.join(a, '.cs/artifacts'), { recursive: true });
    fs.writeFileSync(path.join(a, '.cs/README.md'), 'x');
    fs.writeFileSync(path.join(a, '.cs/artifacts/run.sh'), 'echo');
    fs.writeFileSync(path.join(a, '.cs/local/lock'), '{}');
    fs.writeFileSync(path.join(a, 'main.py'), 'print()');
    const d = digestWorkspace(a);
    expect(d.files).toBe(3);
    expect(Object.keys(d.meta).sort()).toEqual(['.cs/README.md', '.cs/artifacts/run.sh']);
    expect(compareDigests(d, d)).toEqual([]);
    const changed = { files: 4, meta: { ...d.meta, '.cs/README.md': '0'.repeat(64), '.cs/extra': 'x' } };
    expect(compareDigests(d, changed)).toEqual(['3 files here, 4 there', '.cs/README.md differs', '.cs/extra only there']);
    fs.rmSync(a, { recursive: true });
  });
});

describe('open: argv to remote options', () => {
  const ok: Array<[string, string[], object]> = [
    ['api', ['--on', 'mini'], { name: 'api', on: 'mini' }],
    ['api', ['--on', 'me@box:2222', '--', '--model', 'opus'], { name: 'api', on: 'me@box:2222', claudeArgs: ['--model', 'opus'] }],
    ['me@box:api', [], { name: 'api', on: 'me@box' }],
    ['me@box:2222:api', ['--force'], { name: 'api', on: 'me@box:2222', force: true }],
    ['mini:api', [], { name: 'api', on: 'mini' }],
    ['api', ['--move-to', 'mini'], { name: 'api', moveTo: 'mini' }],
    ['api', ['--move-to=me@box'], { name: 'api', moveTo: 'me@box' }],
  ];
  it.each(ok)('cs %s %j', async (session, args, want) => {
    expect((await parseCommand('', args, { session })).opts).toMatchObject(want);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['api', ['--on'], /needs a value/],
    ['api', ['--on', 'me@box;id'], /metacharacter/],
    ['api', ['--on', '-oProxyCommand=id'], /starts with "-"/],
    ['api', ['--on', 'me@box', '--move-to', 'mini'], /--move-to takes no other options/],
    ['api', ['--move-to', 'mini', '--force'], /--move-to takes no other options/],
    ['me@box:api', ['--on', 'mini'], /the host is given twice/],
    ['me@box:../x', [], /session name/],
    ['a;b:api', [], /metacharacter/],
  ];
  it.each(bad)('cs %s %j is a usage error', async (session, args, why) => {
    await expect(parseCommand('', args, { session })).rejects.toThrow(why);
  });
});

describe('a command bounded on the host (boundedWords)', () => {
  const sh = (words: string[], input = '') => spawnSync('sh', ['-c', commandLine(words)], { input, encoding: 'utf8' });
  const running = (cmd: string) => spawnSync('pgrep', ['-f', `^${cmd}$`]).status === 0;
  it('passes stdin, stdout and the exit code through, ends when the command does, and its watchdog goes too', async () => {
    const started = Date.now();
    const r = sh(boundedWords(['sh', '-c', 'cat; echo err >&2; exit 7'], 37), 'from the connection\n');
    expect(r.stdout).toBe('from the connection\n');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toBe(7);
    expect(Date.now() - started).toBeLessThan(5000);
    // The watchdog's own sleep (37 s) is ended with it.
    for (let i = 0; i < 100 && running('sleep 37'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(running('sleep 37')).toBe(false);
  });
  it('ends a command that outlives the bound', () => {
    const started = Date.now();
    const r = sh(boundedWords(['sleep', '31'], 1));
    expect(r.status).toBe(143);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(running('sleep 31')).toBe(false);
  });
});
