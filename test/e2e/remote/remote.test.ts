// Remote sessions against a real sshd on loopback, real tmux on both sides,
// real rsync. The "remote" is this machine with another HOME and sessions
// root: CS_REMOTE_CS points at a wrapper that sets them and runs the built cs.
// The local cs runs inside a private tmux server (-L) so it has a terminal,
// and the remote tmux server lives in its own TMUX_TMPDIR (sshd SetEnv).
import { lacks } from '../../support/tools.js';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csBin, fakeClaude, repoRoot, runCs, sandbox, waitFor, type Sandbox } from '../../support/cs.js';
import { CLAUDE_BIN, offlineClaudeEnv } from '../../support/claude.js';
import { startFakeAnthropic } from '../../support/fake-anthropic.js';
import { shellQuote } from '../../../src/lib/shell.js';
import { pidAlive } from '../../../src/lib/lockfile.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';
import { freePort, sshdAvailable, startSshd, type Sshd } from '../../support/sshd.js';
import { startServer } from '../../../src/serve/server.js';
import { askHost } from '../../../src/remote/list.js';
import { resolveTarget } from '../../../src/remote/hosts.js';
import { until } from '../../support/host.js';

const haveTools = sshdAvailable() && spawnSync('tmux', ['-V']).status === 0 && spawnSync('rsync', ['--version']).status === 0;
const d = lacks(haveTools) ? describe.skip : describe;

let sb: Sandbox;
let sshd: Sshd;
let host: string;
let closedPort: number;
let remoteHome: string;
let remoteRoot: string;
let remoteClaudeLog: string;
let wrapper: string;
const L = `cs-test-${process.pid}`;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

function tmuxLocal(...args: string[]): string {
  return execFileSync('tmux', ['-L', L, '-f', path.join(sb.dir, 'tmux.conf'), ...args], { encoding: 'utf8', env: { ...sb.env, TERM: 'xterm-256color' } });
}

/** tmux against the server cs hosts sessions in on the "remote" (its XDG_RUNTIME_DIR is in the sandbox). */
function remoteTmux(...args: string[]): { code: number; out: string } {
  const r = spawnSync('tmux', ['-S', path.join(sb.dir, 'remote-run', 'cs', 'tmux.sock'), ...args], { encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/**
 * Runs the built cs in a fresh window of the private local tmux server, under
 * a sh that prints its exit status and stays: the pane keeps the output, and
 * the status does not depend on tmux reaping the process.
 */
function startLocal(window: string, args: string[], env: Record<string, string> = {}): void {
  const script = '"$@"; echo "[cs exited $?]"; exec sleep 600';
  const set = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  tmuxLocal('new-session', '-d', '-s', window, '-x', '150', '-y', '40', 'sh', '-c', script, 'sh', 'env', ...set, process.execPath, csBin, ...args);
}

/** The environment cs has on the "remote" side, for running it there directly. */
function remoteEnv(): NodeJS.ProcessEnv {
  return { ...sb.env, HOME: remoteHome, CS_SESSIONS_ROOT: remoteRoot, CLAUDE_CONFIG_DIR: path.join(remoteHome, '.claude') };
}

function pane(window: string): string {
  return tmuxLocal('capture-pane', '-p', '-t', window);
}

/** The exit status of the cs started by startLocal, or null while it runs. */
function exitStatus(window: string): number | null {
  const m = /\[cs exited (\d+)\]/.exec(pane(window));
  return m ? Number(m[1]) : null;
}

function paneDead(window: string): boolean {
  return exitStatus(window) !== null;
}

function remoteStarts(): Array<{ env: Record<string, string>; pid: number }> {
  if (!fs.existsSync(remoteClaudeLog)) return [];
  return fs.readFileSync(remoteClaudeLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function clients(session: string): number {
  const r = remoteTmux('list-clients', '-t', session);
  return r.code === 0 ? r.out.split('\n').filter(Boolean).length : -1;
}

function sshChildOf(window: string): number {
  const shPid = tmuxLocal('display-message', '-p', '-t', window, '#{pane_pid}').trim();
  const csPid = execFileSync('pgrep', ['-P', shPid], { encoding: 'utf8' }).trim().split('\n')[0]!;
  const out = execFileSync('pgrep', ['-P', csPid, '-x', 'ssh'], { encoding: 'utf8' }).trim();
  return Number(out.split('\n')[0]);
}

/** Every byte of a workspace, as a map of relative path -> content (for "untouched" checks). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dir, r)).toString('base64');
    }
  };
  walk('');
  return out;
}

d('remote sessions over a real sshd', () => {
  beforeAll(async () => {
    sb = sandbox();
    sshd = await startSshd(path.join(sb.dir, 'sshd'));
    host = `root@127.0.0.1:${sshd.port}`;
    closedPort = await freePort();
    remoteHome = path.join(sb.dir, 'remote-home');
    remoteRoot = path.join(remoteHome, '.claude-sessions');
    remoteClaudeLog = path.join(sb.dir, 'remote-claude.log');
    fs.mkdirSync(remoteHome);
    wrapper = path.join(sb.dir, 'remote-cs');
    fs.writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `export HOME='${remoteHome}' CS_SESSIONS_ROOT='${remoteRoot}' CLAUDE_CONFIG_DIR='${remoteHome}/.claude'`,
        `export CLAUDE_CODE_BIN='${fakeClaude}' FAKE_CLAUDE_LOG='${remoteClaudeLog}' FAKE_CLAUDE_SLEEP=120`,
        'export NO_COLOR=1 CS_NO_UPDATE_CHECK=1 LANG=C.UTF-8',
        // On a terminal the remote cs hosts the session in its own tmux server: keep that inside the sandbox.
        `export XDG_RUNTIME_DIR='${sb.dir}/remote-run'`,
        // exec keeps the pid: teardown waits for every remote cs by it.
        `echo $$ >> '${sb.dir}/remote-pids'`,
        `exec '${process.execPath}' '${csBin}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    // The same remote, without Claude Code.
    fs.writeFileSync(path.join(sb.dir, 'remote-cs-noclaude'), fs.readFileSync(wrapper, 'utf8').replace(`CLAUDE_CODE_BIN='${fakeClaude}'`, "CLAUDE_CODE_BIN='/nonexistent/claude'"), { mode: 0o755 });
    fs.writeFileSync(path.join(sb.dir, 'tmux.conf'), 'set -g exit-empty off\n');
    // CS_REMOTE_TIMEOUT bounds each host's answer to a listing: the live host is ssh plus a node cs
    // there, which can take more than a few seconds on a busy machine; the dead one refuses at once.
    Object.assign(sb.env, { CS_SSH_OPTS: sshd.sshOpts, CS_REMOTE_CS: wrapper, CS_TRANSPORT: 'ssh', CS_REMOTE_TIMEOUT: '30' });
  });

  afterAll(async () => {
    spawnSync('tmux', ['-L', L, 'kill-server']);
    if (sshd) {
      remoteTmux('kill-server');
      sshd.stop();
    }
    // cs's own tmux server on the "remote" (hosted sessions, src/host/).
    spawnSync('tmux', ['-S', path.join(sb.dir, 'remote-run', 'cs', 'tmux.sock'), 'kill-server']);
    // The remote cs processes finish their session end (a commit) after the
    // hang-up: wait for them before removing their files.
    const pidFile = path.join(sb.dir, 'remote-pids');
    const pids = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    await waitFor(() => !pids.some(pidAlive), 10_000, 'remote cs processes to end').catch(() => pids.filter(pidAlive).forEach((p) => process.kill(p, 'SIGKILL')));
    sb?.cleanup();
  });

  it('-remote add/list/remove keeps a 0600 registry and refuses bad host strings', async () => {
    expect((await runCs(['-remote', 'add', 'box', host], { env: sb.env })).code).toBe(0);
    const list = await runCs(['-remote', 'list', '--json'], { env: sb.env });
    expect(JSON.parse(list.stdout)).toEqual([{ alias: 'box', host }]);
    expect(fs.statSync(path.join(sb.home, '.config/cs/hosts.json')).mode & 0o777).toBe(0o600);
    for (const bad of ['root@127.0.0.1;id', '-oProxyCommand=id', 'root@h $(id)']) {
      const r = await runCs(['-remote', 'add', 'evil', bad], { env: sb.env });
      expect(r.code, bad).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await runCs(['-remote', 'remove', 'box'], { env: sb.env })).code).toBe(0);
    expect(JSON.parse((await runCs(['-remote', 'list', '--json'], { env: sb.env })).stdout)).toEqual([]);
  });

  it('bad input fails with one clear line, non-zero, and leaves nothing local', { timeout: 60_000 }, async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, number, RegExp]> = [
      [['b1', '--on', 'nope'], {}, 1, /unknown host alias 'nope'/],
      [['b1', '--on', `root@127.0.0.1:${closedPort}`], {}, 1, /cannot reach root@127\.0\.0\.1:\d+: .*Connection refused/],
      [['b1', '--on', 'root@127.0.0.1;touch /tmp/pwned'], {}, 2, /metacharacter ";"/],
      [['b1', '--on', '-oProxyCommand=touch /tmp/pwned'], {}, 2, /starts with "-"/],
      [[`root@127.0.0.1|id:b1`], {}, 2, /metacharacter "\|"/],
      [['b1', '--on', host], { CS_REMOTE_CS: '/nonexistent/cs' }, 1, /cs is not installed on root@127\.0\.0\.1:\d+ \(looked for \/nonexistent\/cs\)/],
      [['b1', '--on', host], { CS_REMOTE_CS: path.join(sb.dir, 'remote-cs-noclaude') }, 1, /Claude Code is not installed on root@127\.0\.0\.1:\d+ \(cs there looks for \/nonexistent\/claude\)/],
    ];
    for (const [args, env, code, message] of cases) {
      const r = await runCs(args, { env: { ...sb.env, ...env } });
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(fs.existsSync(path.join(sb.root, 'b1')), args.join(' ')).toBe(false);
    }
    expect(fs.existsSync('/tmp/pwned')).toBe(false);
    expect(fs.existsSync(path.join(remoteRoot, 'b1'))).toBe(false);
  });

  it('--on starts cs there, hosted in its own tmux server; a dropped connection leaves it running; cs <name> re-attaches', { timeout: 180_000 }, async () => {
    startLocal('on1', ['s1', '--on', host]);
    await waitFor(() => remoteStarts().some((s) => s.env.CLAUDE_SESSION_NAME === 's1'), 45_000, 'remote claude for s1');
    expect(remoteTmux('has-session', '-t', '=s1').code).toBe(0);
    expect(fs.existsSync(path.join(remoteRoot, 's1', '.cs', 'discoveries.md'))).toBe(true);
    expect(remoteStarts()[0]!.env.CLAUDE_SESSION_DIR).toBe(path.join(remoteRoot, 's1'));
    // One tmux between the user and Claude: cs's server there, and no tmux session of the user's around it.
    await waitFor(() => clients('=s1') === 1, 20_000, 'the terminal attached to the hosted session there');
    expect(spawnSync('tmux', ['-S', path.join(sshd.tmuxDir, 'tmux-0', 'default'), 'ls']).status).not.toBe(0);
    // Remembered in a local stub.
    expect(fs.readFileSync(path.join(sb.root, 's1', '.cs', 'remote.conf'), 'utf8')).toContain(`host=${host}`);

    // Drop the connection: kill the local ssh client.
    process.kill(sshChildOf('on1'), 'SIGKILL');
    await waitFor(() => paneDead('on1'), 20_000, 'local cs to exit');
    expect(pane('on1')).toMatch(/connection to root@127\.0\.0\.1:\d+ ended .* keeps running there — reconnect with: cs s1/);
    await waitFor(() => clients('=s1') === 0, 20_000, 'remote client to go');
    expect(remoteTmux('has-session', '-t', '=s1').code).toBe(0);
    const [start] = remoteStarts();
    expect(() => process.kill(start!.pid, 0)).not.toThrow(); // claude still running there

    // Plain `cs s1` reconnects through the stub and re-attaches (no second start).
    startLocal('on2', ['s1']);
    await waitFor(() => clients('=s1') === 1, 45_000, 're-attach');
    expect(remoteStarts().filter((s) => s.env.CLAUDE_SESSION_NAME === 's1')).toHaveLength(1);
    // Detaching ends the local cs cleanly.
    remoteTmux('detach-client', '-s', '=s1');
    await waitFor(() => paneDead('on2'), 20_000, 'local cs to exit after detach');
    expect(exitStatus('on2')).toBe(0);

    // The host:session form and a stub for another host.
    const other = await runCs(['s1', '--on', `root@127.0.0.2:${sshd.port}`], { env: sb.env });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/session 's1' runs on root@127\.0\.0\.1:\d+, not on root@127\.0\.0\.2/);
    const local = await runCs(['s1', '-sync', 'status'], { env: sb.env });
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/session 's1' runs on .*: -sync works on the machine that holds it — run it there: ssh -p \d+ root@127\.0\.0\.1 \S+ s1 -sync \.\.\./);
    expect((await runCs(['s1', '-secrets', 'list'], { env: sb.env })).stderr).toMatch(/-secrets works on the machine that holds it/);
    // -stop of a session on another host runs there, over ssh (attaching to stop it landed in Claude).
    const stop = await runCs(['s1', '-stop', '--timeout', '1'], { env: sb.env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(/^cs: stopping 's1' on /m);
    expect(stop.stderr).toMatch(/^cs: \S+: 's1' stopped$/m);
    await waitFor(() => remoteTmux('has-session', '-t', '=s1').code !== 0, 20_000, 'the session there to end');
  });

  it('cs user@host:<name> is --on, remembered', { timeout: 90_000 }, async () => {
    startLocal('hs', [`${host}:s2`]);
    await waitFor(() => remoteTmux('has-session', '-t', '=s2').code === 0 && clients('=s2') === 1, 45_000, 's2 there');
    expect(fs.readFileSync(path.join(sb.root, 's2', '.cs', 'remote.conf'), 'utf8')).toContain(`host=${host}`);
    remoteTmux('kill-session', '-t', '=s2');
    await waitFor(() => paneDead('hs'), 20_000, 'local cs to exit');
  });

  it('the host has no UTF-8 locale: the tmux of cs there runs in UTF-8 mode, so symbols and box lines arrive intact', { timeout: 60_000 }, async () => {
    // The ssh login there says LANG=C, as many do.
    const login = spawnSync('ssh', [...sshd.sshOpts.split(' '), '-p', String(sshd.port), 'root@127.0.0.1', 'echo "LANG=$LANG LC_ALL=$LC_ALL LC_CTYPE=$LC_CTYPE"'], { encoding: 'utf8' });
    expect(login.stdout.trim()).toBe('LANG=C LC_ALL= LC_CTYPE=');
    // "Claude" there draws what Claude Code's screen is made of.
    const screen = '⏺ Done ✓ ╭───╮ │ > │ ╰───╯ ●';
    const says = path.join(sb.dir, 'remote-cs-says');
    fs.writeFileSync(says, fs.readFileSync(wrapper, 'utf8').replace('FAKE_CLAUDE_SLEEP=120', `FAKE_CLAUDE_SLEEP=120 FAKE_CLAUDE_SAY='${screen}'`), { mode: 0o755 });
    startLocal('u8', ['u1', '--on', host], { CS_REMOTE_CS: says });
    await waitFor(() => pane('u8').includes('Done'), 20_000, "the remote screen on the local terminal");
    const shown = pane('u8');
    expect(shown).toContain(screen);
    expect(shown).not.toMatch(/qqq|_ Done/);
    remoteTmux('kill-session', '-t', '=u1');
    await waitFor(() => paneDead('u8'), 20_000, 'local cs to exit');
  });

  it('--move-to refuses while locked and on an unreachable host, leaving the workspace untouched', async () => {
    expect((await runCs(['m0'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'm0');
    fs.writeFileSync(path.join(dir, '.cs', 'local', 'lock'), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: new Date().toISOString() }));
    const before = snapshot(dir);
    const locked = await runCs(['m0', '--move-to', host], { env: sb.env });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/session 'm0' is open in pid \d+ .* — close it before moving it; nothing was changed/);
    fs.rmSync(path.join(dir, '.cs', 'local', 'lock'));
    const gone = await runCs(['m0', '--move-to', `root@127.0.0.1:${closedPort}`], { env: sb.env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/cannot reach/);
    const noCs = await runCs(['m0', '--move-to', host], { env: { ...sb.env, CS_REMOTE_CS: 'cs-not-installed' } });
    expect(noCs.code).toBe(1);
    expect(noCs.stderr).toMatch(/cs is not installed on/);
    const { ['.cs/local/lock']: _lock, ...rest } = before;
    expect(snapshot(dir)).toEqual(rest);
    expect(fs.existsSync(path.join(dir, '.cs', 'remote.conf'))).toBe(false);
    expect(fs.existsSync(path.join(remoteRoot, 'm0'))).toBe(false);
  });

  it('--move-to onto a host that holds a stub of the session (it moved away from there before) replaces the stub, keeping it aside; a session there is never replaced', { timeout: 90_000 }, async () => {
    expect((await runCs(['back1'], { env: sb.env })).code).toBe(0);
    fs.writeFileSync(path.join(sb.root, 'back1', 'notes.txt'), 'the work\n');
    // As the first move left the host: a stub pointing here, naming the copy it kept.
    fs.mkdirSync(path.join(remoteRoot, 'back1', '.cs'), { recursive: true });
    // It names a folder there that cs did not make (not .moved-back1-<stamp>): that stays, and so does the stub.
    const notOurs = path.join(remoteRoot, '.moved-back1-x');
    fs.mkdirSync(path.join(notOurs, '.cs'), { recursive: true });
    fs.writeFileSync(path.join(remoteRoot, 'back1', '.cs', 'remote.conf'), `host=laptop\naddress=me@laptop.local\nbackup=${notOurs}\n`);
    const r = await runCs(['back1', '--move-to', host], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the stub of 'back1' there was replaced \(kept at \S+\/\.replaced-stub-back1-\w+\)/);
    expect(fs.readFileSync(path.join(remoteRoot, 'back1', 'notes.txt'), 'utf8')).toBe('the work\n');
    expect(fs.existsSync(path.join(remoteRoot, 'back1', '.cs', 'remote.conf'))).toBe(false);
    const aside = fs.readdirSync(remoteRoot).filter((n) => n.startsWith('.replaced-stub-back1-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(remoteRoot, aside[0]!, '.cs', 'remote.conf'), 'utf8')).toContain(`backup=${notOurs}`);
    expect(fs.existsSync(path.join(notOurs, '.cs'))).toBe(true);
    // A real session there: refused, as before.
    expect((await runCs(['back2'], { env: sb.env })).code).toBe(0);
    fs.mkdirSync(path.join(remoteRoot, 'back2', '.cs'), { recursive: true });
    const refused = await runCs(['back2', '--move-to', host], { env: sb.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a session named 'back2' already exists on/);
  });

  it('moved there and back: the copy the first move kept here is removed with the stub the move back replaces; the copy the host keeps waits for its next connect', { timeout: 90_000 }, async () => {
    expect((await runCs(['rt1'], { env: sb.env })).code).toBe(0);
    fs.writeFileSync(path.join(sb.root, 'rt1', 'notes.txt'), 'here first\n');
    const there = await runCs(['rt1', '--move-to', host], { env: sb.env });
    expect(there.code, there.stderr).toBe(0);
    const kept = /^backup=(.*)$/m.exec(fs.readFileSync(path.join(sb.root, 'rt1', '.cs', 'remote.conf'), 'utf8'))![1]!;
    expect(fs.existsSync(path.join(kept, 'notes.txt'))).toBe(true);
    fs.writeFileSync(path.join(remoteRoot, 'rt1', 'notes.txt'), 'here first\nthen there\n');
    // A session not cs's own, named like a kept copy, is never touched.
    const lookalike = path.join(sb.root, '.moved-rt1-mine');
    fs.mkdirSync(path.join(lookalike, '.cs'), { recursive: true });

    // The move back runs on the host, for which this machine is the host: the same sshd, with this side's cs.
    const localCs = path.join(sb.dir, 'local-cs');
    const exports = Object.entries(sb.env).filter(([k]) => !k.startsWith('CS_SSH') && k !== 'CS_REMOTE_CS' && k !== 'CS_TRANSPORT').map(([k, v]) => `${k}=${shellQuote(v!)}`);
    fs.writeFileSync(localCs, `#!/bin/sh\nexport ${exports.join(' ')}\nexec '${process.execPath}' '${csBin}' "$@"\n`, { mode: 0o755 });
    const back = await runCs(['rt1', '--move-to', host], { env: { ...remoteEnv(), CS_REMOTE_CS: localCs } });
    expect(back.code, back.stderr).toBe(0);
    expect(fs.readFileSync(path.join(sb.root, 'rt1', 'notes.txt'), 'utf8')).toBe('here first\nthen there\n');
    expect(back.stderr).toContain(`the stub of 'rt1' there was replaced, and the copy it kept (${kept}) removed: the session it was a copy of is back there`);
    expect(fs.existsSync(kept)).toBe(false);
    expect(fs.readdirSync(sb.root).filter((n) => /^\.(moved|replaced-stub)-rt1-/.test(n))).toEqual(['.moved-rt1-mine']);
    // The host keeps its own copy until its next connect, as after any move.
    expect(fs.readdirSync(remoteRoot).filter((n) => n.startsWith('.moved-rt1-'))).toHaveLength(1);
    expect(fs.readFileSync(path.join(remoteRoot, 'rt1', '.cs', 'remote.conf'), 'utf8')).toMatch(/^backup=/m);
  });

  it('--move-to pushes first, copies with artifacts, modes and history, verifies, leaves a working stub', { timeout: 90_000 }, async () => {
    expect((await runCs(['-remote', 'add', 'r1', host], { env: sb.env })).code).toBe(0);
    expect((await runCs(['m1'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'm1');
    fs.writeFileSync(path.join(dir, '.cs', 'artifacts', 'deploy.sh'), '#!/bin/sh\necho deploy\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'work in progress\n');
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'add deploy script');
    fs.writeFileSync(path.join(dir, 'uncommitted.txt'), 'not yet committed\n');
    const bare = path.join(sb.dir, 'm1.git');
    git(sb.dir, 'init', '-q', '--bare', bare);
    expect((await runCs(['m1', '-sync', 'remote', bare], { env: sb.env })).code).toBe(0);

    const r = await runCs(['m1', '--move-to', 'r1'], { env: sb.env });
    expect(r.stderr).toMatch(/moved 'm1' to r1 \(root@127\.0\.0\.1:\d+\) at /);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\d+ files copied; \.cs\/ verified \(\d+ files, SHA-256\); pushed to /);

    const there = path.join(remoteRoot, 'm1');
    expect(fs.readFileSync(path.join(there, '.cs', 'artifacts', 'deploy.sh'), 'utf8')).toContain('echo deploy');
    expect(fs.statSync(path.join(there, '.cs', 'artifacts', 'deploy.sh')).mode & 0o777).toBe(0o755);
    expect(fs.existsSync(path.join(there, '.cs', 'local', 'lock'))).toBe(false);
    expect(git(there, 'log', '--format=%s')).toContain('add deploy script');
    expect(git(there, 'status', '--porcelain')).toBe('');
    // Pushed first: the remote repository has what the copy has.
    const branch = git(there, 'branch', '--show-current');
    expect(git(bare, 'rev-parse', `refs/heads/${branch}`)).toBe(git(there, 'rev-parse', 'HEAD'));
    expect(fs.readdirSync(remoteRoot).filter((f) => f.startsWith('.cs-incoming'))).toEqual([]);

    // Locally: a stub, and the backup until the next good connect.
    const conf = fs.readFileSync(path.join(dir, '.cs', 'remote.conf'), 'utf8');
    expect(conf).toMatch(/^host=r1$/m);
    const backup = /^backup=(.*)$/m.exec(conf)![1]!;
    expect(path.dirname(backup)).toBe(sb.root);
    expect(fs.readFileSync(path.join(backup, 'notes.txt'), 'utf8')).toBe('work in progress\n');
    expect(fs.readdirSync(dir)).toEqual(['.cs']);
    const ls = await runCs(['-ls'], { env: sb.env });
    expect(ls.stdout).toMatch(/LOCATION/);
    expect(ls.stdout).toMatch(/^m1\s.*\sr1\s*$/m);

    // A second move is refused: it already lives there.
    expect((await runCs(['m1', '--move-to', 'r1'], { env: sb.env })).stderr).toMatch(/already runs on r1/);

    // The stub connects; a clean end drops the backup.
    startLocal('mv', ['m1']);
    await waitFor(() => clients('=m1') === 1 && remoteStarts().some((s) => s.env.CLAUDE_SESSION_NAME === 'm1'), 30_000, 'm1 attached, claude started');
    expect(remoteStarts().find((s) => s.env.CLAUDE_SESSION_NAME === 'm1')!.env.CLAUDE_SESSION_DIR).toBe(there);
    remoteTmux('detach-client', '-s', '=m1');
    await waitFor(() => paneDead('mv'), 20_000, 'local cs to exit');
    expect(pane('mv')).toContain('removed the local copy kept at');
    expect(fs.existsSync(backup)).toBe(false);
    expect(fs.readFileSync(path.join(dir, '.cs', 'remote.conf'), 'utf8')).not.toMatch(/backup=/);
  });

  it('--move-to on a terminal runs behind a spinner and ends with the summary', { timeout: 60_000 }, async () => {
    expect((await runCs(['m3'], { env: sb.env })).code).toBe(0);
    startLocal('mv3', ['m3', '--move-to', host]);
    await waitFor(() => paneDead('mv3'), 20_000, 'move on a terminal');
    const screen = pane('mv3');
    expect(screen).toMatch(/verifying the copy/);
    expect(screen).toMatch(/moved 'm3' to root@127\.0\.0\.1:\d+ at /);
    expect(exitStatus('mv3')).toBe(0);
    expect(fs.existsSync(path.join(remoteRoot, 'm3', '.cs', 'README.md'))).toBe(true);
  });

  it('Ctrl-C on the terminal during --move-to exits 130, removes the copy it made on the host, and leaves no ssh or rsync behind', { timeout: 90_000 }, async () => {
    expect((await runCs(['m4'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'm4');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep me\n');
    const local = () => Object.fromEntries(Object.entries(snapshot(dir)).filter(([f]) => !f.startsWith('.cs/local/')));
    const before = local();
    // An ssh that stalls at the check of the copy: by then the whole copy is on the host.
    const stalled = path.join(sb.dir, 'm4-stalled');
    const slow = path.join(sb.dir, 'ssh-stalls-at-digest');
    fs.writeFileSync(slow, `#!/bin/sh\ncase "$*" in *' -remote digest '*) : > '${stalled}'; sleep 60;; esac\nexec ssh "$@"\n`, { mode: 0o755 });
    const incoming = () => fs.readdirSync(remoteRoot).filter((f) => f.startsWith('.cs-incoming-m4-'));
    // The sh around cs catches INT as an interactive shell does, so the pane reports cs's own status.
    const script = 'trap : INT; "$@"; echo "[cs exited $?]"; exec sleep 600';
    tmuxLocal('new-session', '-d', '-s', 'mv4', '-x', '150', '-y', '40', 'sh', '-c', script, 'sh', 'env', `CS_SSH=${slow}`, process.execPath, csBin, 'm4', '--move-to', host);
    await waitFor(() => fs.existsSync(stalled), 30_000, 'the move to reach the check of the copy');
    expect(incoming()).toHaveLength(1);
    await waitFor(() => /verifying the copy/.test(pane('mv4')), 10_000, 'the step on the screen');
    tmuxLocal('send-keys', '-t', 'mv4', 'C-c');
    await waitFor(() => paneDead('mv4'), 20_000, 'cs to exit');
    expect(exitStatus('mv4'), pane('mv4')).toBe(130);
    expect(pane('mv4')).toMatch(/cs: interrupted: the move to root@127\.0\.0\.1:\d+ was stopped, its partial copy there removed; nothing was changed here/);
    expect(incoming()).toEqual([]);
    expect(fs.existsSync(path.join(remoteRoot, 'm4'))).toBe(false);
    expect(spawnSync('pgrep', ['-f', slow]).status, 'the stalled ssh is gone').toBe(1);
    expect(spawnSync('pgrep', ['-f', `rsync .*${dir}/`]).status, 'no rsync left').toBe(1);
    expect(local()).toEqual(before);
    expect(fs.existsSync(path.join(dir, '.cs', 'remote.conf'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.cs', 'local', 'lock'))).toBe(false);
  });

  it('cs -rm of a moved session forgets only the stub: the secrets that stayed here and the kept copy survive', { timeout: 60_000 }, async () => {
    expect((await runCs(['m5'], { env: sb.env })).code).toBe(0);
    const set = await runCs(['m5', '-secrets', 'set', 'DB_PASS'], { env: sb.env, input: 'm5-only-copy-7a6b5c' });
    expect(set.code, set.stderr).toBe(0);
    const moved = await runCs(['m5', '--move-to', host], { env: sb.env });
    expect(moved.code, moved.stderr).toBe(0);
    const backup = /^backup=(.*)$/m.exec(fs.readFileSync(path.join(sb.root, 'm5', '.cs', 'remote.conf'), 'utf8'))![1]!;
    // The secret did not go along: the host's session has none, and the move says so.
    expect(execFileSync(wrapper, ['m5', '-secrets', 'list'], { encoding: 'utf8', env: { PATH: process.env.PATH } })).not.toContain('DB_PASS');
    expect(moved.stderr).toMatch(/1 secret stayed in this machine's store: the host gets it from \.cs\/secrets\.age only if its age key is a recipient/);
    expect(moved.stderr).not.toContain('m5-only-copy');

    const rm = await runCs(['-rm', 'm5', '--yes'], { env: sb.env });
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stderr).toMatch(/forgot 'm5' here; the session stays on root@127\.0\.0\.1:\d+ .*the copy kept by --move-to stays at .*; secrets stored on this machine under 'm5' were kept/);
    expect(rm.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(sb.root, 'm5'))).toBe(false);
    expect(fs.existsSync(path.join(backup, '.cs'))).toBe(true);
    expect(fs.existsSync(path.join(remoteRoot, 'm5', '.cs'))).toBe(true);
    // The value is still stored here: the same name, back from the kept copy, holds it.
    fs.renameSync(backup, path.join(sb.root, 'm5'));
    const get = await runCs(['m5', '-secrets', 'get', 'DB_PASS'], { env: sb.env });
    expect(get.stdout.trim(), get.stderr).toBe('m5-only-copy-7a6b5c');
  });

  it('a stub whose alias was forgotten still goes to its host: -remote remove says so, -ls --remote asks it, -rm names the address', { timeout: 60_000 }, async () => {
    expect((await runCs(['-remote', 'add', 'soon-gone', host], { env: sb.env })).code).toBe(0);
    expect((await runCs(['g1'], { env: sb.env })).code).toBe(0);
    const moved = await runCs(['g1', '--move-to', 'soon-gone'], { env: sb.env });
    expect(moved.code, moved.stderr).toBe(0);
    const removed = await runCs(['-remote', 'remove', 'soon-gone'], { env: sb.env });
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain(`forgot host 'soon-gone' (${host}); sessions there are untouched; g1 here still connects to ${host} by the address recorded`);
    const j = await runCs(['-ls', '--remote', '--json'], { env: sb.env });
    expect(j.code, j.stderr).toBe(0);
    const data = JSON.parse(j.stdout) as { sessions: Array<{ name: string; location: string }>; hosts: Array<{ host: string; reachable: boolean }> };
    // Asked, though no alias names it any more (the stub's recorded address).
    expect(data.hosts.find((h) => h.host === host)?.reachable).toBe(true);
    const rm = await runCs(['-rm', 'g1', '--yes'], { env: sb.env });
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stderr).toContain(`(cs g1 --on ${host} connects again)`);
  });

  it('-ls --remote lists both sides with the status there, and survives an unreachable host', { timeout: 90_000 }, async () => {
    expect((await runCs(['-remote', 'add', 'r1', host], { env: sb.env })).code).toBe(0);
    expect((await runCs(['-remote', 'add', 'dead', `root@127.0.0.1:${closedPort}`], { env: sb.env })).code).toBe(0);
    expect((await runCs(['here1'], { env: sb.env })).code).toBe(0);
    // Sessions on the host that ran once (cs marks them closed when Claude
    // exits); three then get the live status the real hooks write there.
    for (const name of ['w1', 'n1', 'i1', 'c1']) expect((await runCs([name], { env: remoteEnv() })).code).toBe(0);
    const hook = (script: string, session: string) =>
      execFileSync('sh', [path.join(repoRoot, 'hooks', script)], { env: { PATH: process.env.PATH, CLAUDE_SESSION_DIR: path.join(remoteRoot, session) }, input: '{}' });
    hook('status-prompt', 'w1');
    hook('status-permission', 'n1');
    hook('status-stop', 'i1');
    const started = Date.now();
    const r = await runCs(['-ls', '--remote'], { env: sb.env });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+LAST USED\s+DISCOVERIES\s+ARTIFACTS\s+SYNC\s+LOCATION$/m);
    expect(r.stdout).toMatch(/^here1\s+closed\s.*\slocal\s*$/m);
    expect(r.stdout).toMatch(/^w1\s+working\s.*\sr1\s*$/m);
    expect(r.stdout).toMatch(/^n1\s+needs-you\s.*\sr1\s*$/m);
    expect(r.stdout).toMatch(/^i1\s+idle\s.*\sr1\s*$/m);
    expect(r.stdout).toMatch(/^c1\s+closed\s.*\sr1\s*$/m);
    expect(r.stdout).toMatch(/^s1\b.*\sr1\s*$/m);
    expect(r.stdout).toMatch(/^m1\b.*\sr1\s*$/m);
    // Said once: the error names the host and that it could not be reached.
    expect(r.stderr).toMatch(/^cs: cannot reach dead \(\S+\): .*Connection refused$/m);
    expect(r.stderr).not.toMatch(/unreachable: cannot reach/);

    const j = await runCs(['-ls', '--remote', '--json'], { env: sb.env });
    expect(j.code).toBe(0);
    const data = JSON.parse(j.stdout) as { sessions: Array<{ name: string; location: string; status: string }>; hosts: Array<{ alias: string; reachable: boolean }> };
    const statusOf = (name: string) => data.sessions.find((s) => s.name === name && s.location === 'r1')?.status;
    expect(['w1', 'n1', 'i1', 'c1'].map(statusOf)).toEqual(['working', 'needs-you', 'idle', 'closed']);
    expect(data.sessions.find((s) => s.name === 'here1')!.location).toBe('local');
    expect(data.sessions.filter((s) => s.name === 'm1').map((s) => s.location)).toEqual(['r1']);
    expect(data.hosts.find((h) => h.alias === 'dead')!.reachable).toBe(false);
    expect(data.hosts.find((h) => h.alias === 'r1')!.reachable).toBe(true);
  });

  it("a changed host key, with UserKnownHostsFile set in the user's ssh config: the hint's ssh-keygen -R works on that file", { timeout: 60_000 }, async () => {
    expect((await runCs(['-remote', 'add', 'kh1', host], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.dir, 'known-hosts');
    fs.mkdirSync(dir);
    const known = path.join(dir, 'work hosts');
    // The key recorded for the host is another one: as after a reinstall.
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'old')]);
    fs.writeFileSync(known, `[127.0.0.1]:${sshd.port} ${fs.readFileSync(path.join(dir, 'old.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, `UserKnownHostsFile "${known}"\nStrictHostKeyChecking yes\n`);
    const env = { ...sb.env, CS_SSH_OPTS: `-i ${sshd.key} -F ${config} -o BatchMode=yes -o LogLevel=ERROR` };
    try {
      const asked = async () => {
        const r = await runCs(['-ls', '--remote', '--json'], { env });
        expect(r.code, r.stderr).toBe(0);
        return (JSON.parse(r.stdout) as { hosts: Array<{ host: string; error?: string }> }).hosts.find((h) => h.host === host)!.error ?? '';
      };
      const changed = await asked();
      expect(changed).toMatch(/its host key changed since this machine last saw it/);
      const keygen = /\((ssh-keygen -R .*?)\) and accept/.exec(changed)?.[1];
      expect(keygen, changed).toBe(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${shellQuote(known)}`);
      // Run as the hint says, it forgets the old key where ssh keeps it: the host is then only not known yet.
      execFileSync('sh', ['-c', keygen!], { stdio: 'ignore' });
      expect(fs.readFileSync(known, 'utf8')).not.toContain('127.0.0.1');
      expect(await asked()).toMatch(/its host key is not known here yet/);
    } finally {
      await runCs(['-remote', 'remove', 'kh1'], { env: sb.env });
    }
  });

  it('-ls --remote against a host whose cs answers slowly gives up at the timeout, and so does the cs it started there', { timeout: 60_000 }, async () => {
    expect((await runCs(['-remote', 'add', 'slow1', host], { env: sb.env })).code).toBe(0);
    const pidFile = path.join(sb.dir, 'slow-cs-pid');
    const slow = path.join(sb.dir, 'remote-cs-slow');
    // A cs there that would take a minute to answer: it says where it runs, then waits.
    fs.writeFileSync(slow, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 60\n`, { mode: 0o755 });
    let pid = 0;
    try {
      const r = await runCs(['-ls', '--remote', '--json'], { env: { ...sb.env, CS_REMOTE_CS: slow, CS_REMOTE_TIMEOUT: '3' } });
      expect(r.code, r.stderr).toBe(0);
      // Under whichever alias of this address was registered first.
      const asked = (JSON.parse(r.stdout) as { hosts: Array<{ host: string; reachable: boolean; error?: string }> }).hosts.find((h) => h.host === host);
      expect(asked, r.stdout).toEqual(expect.objectContaining({ reachable: false, error: expect.stringMatching(/: no answer within 3 s$/) }));
      pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      expect(pid).toBeGreaterThan(0);
      // The host gives up too: nothing cs started there goes on after the listing has stopped waiting.
      await waitFor(() => !pidAlive(pid), 10_000, 'the slow cs on the host to be ended');
    } finally {
      if (pid && pidAlive(pid)) process.kill(pid, 'SIGKILL');
      await runCs(['-remote', 'remove', 'slow1'], { env: sb.env });
    }
  });

  it("-ls --remote leaves out the host's stubs: a session moved there and back is listed once, here", { timeout: 60_000 }, async () => {
    expect((await runCs(['-remote', 'add', 'r1', host], { env: sb.env })).code).toBe(0);
    expect((await runCs(['back3'], { env: sb.env })).code).toBe(0);
    // As a move there and back leaves the host: a stub pointing at this machine.
    fs.mkdirSync(path.join(remoteRoot, 'back3', '.cs'), { recursive: true });
    fs.writeFileSync(path.join(remoteRoot, 'back3', '.cs', 'remote.conf'), 'host=laptop\naddress=me@laptop.local\n');
    const r = await runCs(['-ls', '--remote'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^back3\b/.test(l)), r.stdout).toHaveLength(1);
    expect(r.stdout).toMatch(/^back3\s.*\slocal\s*$/m);
    const j = await runCs(['-ls', '--remote', '--json'], { env: sb.env });
    const data = JSON.parse(j.stdout) as { sessions: Array<{ name: string; location: string }> };
    expect(data.sessions.filter((s) => s.name === 'back3').map((s) => s.location)).toEqual(['local']);
    // A session there is still listed.
    expect(data.sessions.filter((s) => s.name === 'c1').map((s) => s.location)).toEqual(['r1']);
  });

  it('a host whose login prints first (a chatty .bashrc, nvm): -ls --remote lists its sessions and --move-to verifies and carries the conversations', { timeout: 90_000 }, async () => {
    expect((await runCs(['-remote', 'add', 'r1', host], { env: sb.env })).code).toBe(0);
    const noisy = path.join(sb.dir, 'remote-cs-noisy');
    fs.writeFileSync(noisy, fs.readFileSync(wrapper, 'utf8').replace(/^exec /m, 'echo "Now using node v20.20.2 (npm v11.6.2)"\nexec '), { mode: 0o755 });
    const env = { ...sb.env, CS_REMOTE_CS: noisy };
    const ls = await runCs(['-ls', '--remote', '--json'], { env });
    expect(ls.code).toBe(0);
    const data = JSON.parse(ls.stdout) as { sessions: Array<{ name: string; location: string }>; hosts: Array<{ alias: string; reachable: boolean; error?: string }> };
    expect(data.hosts.find((h) => h.alias === 'r1'), ls.stderr).toEqual(expect.not.objectContaining({ error: expect.anything() }));
    expect(data.sessions.filter((s) => s.name === 'c1').map((s) => s.location)).toEqual(['r1']);

    expect((await runCs(['noisy1'], { env: { ...env, FAKE_CLAUDE_TRANSCRIPT: '1' } })).code).toBe(0);
    const moved = await runCs(['noisy1', '--move-to', 'r1'], { env });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toMatch(/1 conversation transcript carried/);
    expect(fs.existsSync(path.join(remoteRoot, 'noisy1', '.cs', 'README.md'))).toBe(true);
    expect(fs.existsSync(path.join(sb.root, 'noisy1', '.cs', 'remote.conf'))).toBe(true);
  });

  it("the -serve page's list shows the registered host's sessions with their status there, asked in the background", { timeout: 90_000 }, async () => {
    await runCs(['-remote', 'add', 'r1', host], { env: sb.env }); // registered already when the -ls test ran first
    await runCs(['-remote', 'add', 'dead', `root@127.0.0.1:${closedPort}`], { env: sb.env });
    expect((await runCs(['pg1'], { env: remoteEnv() })).code).toBe(0);
    execFileSync('sh', [path.join(repoRoot, 'hooks', 'status-permission')], { env: { PATH: process.env.PATH, CLAUDE_SESSION_DIR: path.join(remoteRoot, 'pg1') }, input: '{}' });
    // A value stored on the host, quoted in the session's objective there: only the host knows it.
    const value = 'pg-remote-9f8e7d6c5b';
    fs.writeFileSync(path.join(remoteRoot, 'pg1', '.cs', 'README.md'), `# pg1\n\n## Objective\nmigrate with ${value} tonight\n`);
    execFileSync(wrapper, ['pg1', '-secrets', 'set', 'PG_PASS'], { input: value, env: { PATH: process.env.PATH } });
    expect((await runCs(['herepg'], { env: sb.env })).code).toBe(0);
    const server = await startServer({ env: sb.env, port: 0, bind: '127.0.0.1', token: 'a-test-token-of-enough-length' });
    try {
      const list = async () => (await (await fetch(`${server.url}/api/sessions`, { headers: { authorization: 'Bearer a-test-token-of-enough-length' } })).json()) as Array<Record<string, unknown>>;
      // The first answer does not wait for ssh: the local sessions at once.
      expect((await list()).find((r) => r.name === 'herepg')).toMatchObject({ host: 'local', state: 'closed' });
      const rows = await until(async () => {
        const rows = await list();
        return rows.some((r) => r.name === 'pg1') ? rows : undefined;
      }, "the host's sessions in the list", 30_000);
      expect(rows.find((r) => r.name === 'pg1')).toMatchObject({ host: 'r1', state: 'needs-you', running: false, attached: false, remote: true });
      expect(rows.find((r) => r.name === 'herepg')).toMatchObject({ host: 'local' });
      expect(JSON.stringify(rows)).not.toContain(remoteRoot);
      // Scrubbed by the host (cs -ls --scrub there), as local rows are here.
      expect(rows.find((r) => r.name === 'pg1')!.objective).toBe('migrate with [secret: PG_PASS] tonight');
      expect(JSON.stringify(rows)).not.toContain(value);
      // A host whose cs predates --scrub is asked again without it, and its objectives are left out.
      const old = path.join(sb.dir, 'remote-cs-old');
      fs.writeFileSync(old, `#!/bin/sh\nfor a in "$@"; do [ "$a" = --scrub ] && { echo "cs: unknown option '--scrub' for -list — see cs -list -help" >&2; exit 2; }; done\nexec '${wrapper}' "$@"\n`, { mode: 0o755 });
      const oldEnv = { ...sb.env, CS_REMOTE_CS: old };
      const listing = await askHost(resolveTarget(oldEnv, 'r1'), { env: oldEnv }, 30_000, { scrub: true });
      expect(listing.error).toBeUndefined();
      expect(listing.sessions.find((x) => x.name === 'pg1')).toMatchObject({ status: 'needs-you', objective: '' });
      expect(JSON.stringify(listing)).not.toContain(value);
      // cs -ls --remote --scrub asks the hosts the same way.
      const ls = await runCs(['-ls', '--remote', '--scrub', '--json'], { env: sb.env });
      expect(ls.code, ls.stderr).toBe(0);
      const pg1 = (JSON.parse(ls.stdout) as { sessions: Array<{ name: string; location: string; objective: string }> }).sessions.find((x) => x.name === 'pg1' && x.location === 'r1');
      expect(pg1?.objective).toBe('migrate with [secret: PG_PASS] tonight');
    } finally {
      await server.close();
    }
  });

  it('the connection lost as the copy is put in place: asked again, a copy in place finishes the move, a copy still staged is removed, no answer removes nothing and says how to look', { timeout: 120_000 }, async () => {
    // An ssh that loses the connection on the step that puts the copy in place: after the rename
    // there ('after'), or before it ('before'); with 'all', every call after that one fails too.
    const flaky = (mode: 'after' | 'before' | 'all') => {
      const file = path.join(sb.dir, `ssh-lost-${mode}`);
      const gone = path.join(sb.dir, `ssh-gone-${mode}`);
      fs.writeFileSync(
        file,
        [
          '#!/bin/sh',
          `[ -e '${gone}' ] && { echo 'Connection closed by remote host' >&2; exit 255; }`,
          'case "$*" in',
          `  *'appeared meanwhile'*) ${mode === 'before' ? '' : 'ssh "$@" >/dev/null 2>&1; '}${mode === 'all' ? `: > '${gone}'; ` : ''}echo 'client_loop: send disconnect: Broken pipe' >&2; exit 255;;`,
          'esac',
          'exec ssh "$@"',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      return file;
    };
    for (const [name, mode] of [['lost1', 'after'], ['lost2', 'before'], ['lost3', 'all']] as const) {
      expect((await runCs([name], { env: sb.env })).code).toBe(0);
      fs.writeFileSync(path.join(sb.root, name, 'notes.txt'), `${name} work\n`);
      const r = await runCs([name, '--move-to', host], { env: { ...sb.env, CS_SSH: flaky(mode) } });
      const incoming = fs.readdirSync(remoteRoot).filter((f) => f.startsWith(`.cs-incoming-${name}-`));
      if (mode === 'after') {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr.replace(/\n/g, ' ')).toMatch(/asked again, the host has it in place: the move was finished/);
        expect(fs.readFileSync(path.join(remoteRoot, name, 'notes.txt'), 'utf8')).toBe(`${name} work\n`);
        expect(fs.readFileSync(path.join(sb.root, name, '.cs', 'remote.conf'), 'utf8')).toMatch(/^address=/m);
        expect(incoming).toEqual([]);
      } else if (mode === 'before') {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/cannot reach .*Broken pipe/);
        expect(fs.existsSync(path.join(remoteRoot, name))).toBe(false);
        expect(incoming).toEqual([]); // the staged copy was removed
        expect(fs.readFileSync(path.join(sb.root, name, 'notes.txt'), 'utf8')).toBe(`${name} work\n`);
      } else {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`lost \\S+ while putting the copy in place .*: whether the session is at \\S+/${name} there now is not known; nothing was removed, and this copy is unchanged`));
        expect(r.stderr).toContain('look on the host (ssh -p ');
        // Moved there, and nothing removed: the session on the host, and here as it was.
        expect(fs.readFileSync(path.join(remoteRoot, name, 'notes.txt'), 'utf8')).toBe(`${name} work\n`);
        expect(fs.readFileSync(path.join(sb.root, name, 'notes.txt'), 'utf8')).toBe(`${name} work\n`);
        expect(fs.existsSync(path.join(sb.root, name, '.cs', 'remote.conf'))).toBe(false);
      }
    }
  });

  it('Ctrl-C while the copy is put in place on the host finishes the move instead of leaving the session on both machines', { timeout: 90_000 }, async () => {
    expect((await runCs(['m6'], { env: sb.env })).code).toBe(0);
    fs.writeFileSync(path.join(sb.root, 'm6', 'notes.txt'), 'the work\n');
    // An ssh that has put the copy in place (the rename there is done) and is slow to hang up.
    const placed = path.join(sb.dir, 'm6-placed');
    const slow = path.join(sb.dir, 'ssh-slow-after-place');
    fs.writeFileSync(slow, `#!/bin/sh\ncase "$*" in *'appeared meanwhile'*) ssh "$@"; rc=$?; : > '${placed}'; sleep 5; exit $rc;; esac\nexec ssh "$@"\n`, { mode: 0o755 });
    const script = 'trap : INT; "$@"; echo "[cs exited $?]"; exec sleep 600';
    tmuxLocal('new-session', '-d', '-s', 'mv6', '-x', '150', '-y', '40', 'sh', '-c', script, 'sh', 'env', `CS_SSH=${slow}`, process.execPath, csBin, 'm6', '--move-to', host);
    await waitFor(() => fs.existsSync(placed), 30_000, 'the move to put the copy in place');
    tmuxLocal('send-keys', '-t', 'mv6', 'C-c');
    await waitFor(() => paneDead('mv6'), 20_000, 'cs to exit');
    // The host holds the session: here is its stub, not a second live copy.
    expect(fs.readFileSync(path.join(remoteRoot, 'm6', 'notes.txt'), 'utf8')).toBe('the work\n');
    expect(fs.readFileSync(path.join(sb.root, 'm6', '.cs', 'remote.conf'), 'utf8')).toMatch(/^address=root@127\.0\.0\.1:\d+$/m);
    expect(fs.existsSync(path.join(sb.root, 'm6', 'notes.txt'))).toBe(false);
    expect(exitStatus('mv6'), pane('mv6')).toBe(0);
    expect(pane('mv6').replace(/\n/g, ' ')).toMatch(/too late to stop: the move was finished/);
    expect(pane('mv6')).not.toMatch(/nothing was changed here/);
    expect(fs.readdirSync(remoteRoot).filter((f) => f.startsWith('.cs-incoming-m6-'))).toEqual([]);
  });

  it('--move-to carries the conversations: the first cs <name> on the host resumes the latest one with its earlier turns', { timeout: 180_000 }, async () => {
    const api = await startFakeAnthropic([]);
    try {
      expect((await runCs(['-remote', 'add', 'r1', host], { env: sb.env })).code).toBe(0);
      // Here, the real Claude Code holds two conversations; the second is the latest.
      const here = { ...offlineClaudeEnv({ home: sb.home, configDir: sb.env.CLAUDE_CONFIG_DIR, baseUrl: api.url }), ...sb.env, CLAUDE_CODE_BIN: CLAUDE_BIN };
      let r = await runCs(['talk', '--', '-p', 'Remember the marker word OTTER-5.'], { env: here });
      expect(r.code, r.stderr).toBe(0);
      r = await runCs(['talk', '--new', '--', '-p', 'Remember the marker word KESTREL-9.'], { env: here });
      expect(r.code, r.stderr).toBe(0);
      const dir = path.join(sb.root, 'talk');
      const localProject = claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, dir);
      const transcripts = fs.readdirSync(localProject).filter((f) => f.endsWith('.jsonl'));
      expect(transcripts).toHaveLength(2);

      r = await runCs(['talk', '--move-to', 'r1'], { env: sb.env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/2 conversation transcripts carried: cs talk there resumes the latest/);
      // Placed where Claude Code on the host looks, with the host's path in them.
      const there = path.join(remoteRoot, 'talk');
      const hostProject = claudeProjectDir(path.join(remoteHome, '.claude'), fs.realpathSync(there));
      expect(fs.readdirSync(hostProject).filter((f) => f.endsWith('.jsonl')).sort()).toEqual(transcripts.sort());
      for (const f of transcripts) {
        const text = fs.readFileSync(path.join(hostProject, f), 'utf8');
        expect(text).not.toContain(dir);
        expect(text).toContain(`"cwd":"${there}"`);
        expect(fs.statSync(path.join(hostProject, f)).mode & 0o777).toBe(0o600);
      }

      // The host runs the real Claude Code too (offline, same fake API).
      const offline = Object.entries(offlineClaudeEnv({ home: remoteHome, baseUrl: api.url })).filter(([k]) => k !== 'TERM');
      const withClaude = path.join(sb.dir, 'remote-cs-claude');
      fs.writeFileSync(
        withClaude,
        fs
          .readFileSync(wrapper, 'utf8')
          .replace(`CLAUDE_CODE_BIN='${fakeClaude}'`, `CLAUDE_CODE_BIN=${shellQuote(CLAUDE_BIN)}`)
          .replace('export NO_COLOR=1', `export ${offline.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}\nexport NO_COLOR=1`),
        { mode: 0o755 },
      );
      const mark = api.requests.length;
      startLocal('talk', ['talk', '--', '-p', 'What was the marker word?'], { CS_REMOTE_CS: withClaude });
      await waitFor(() => paneDead('talk'), 120_000, 'cs talk on the host to finish');
      expect(exitStatus('talk'), pane('talk')).toBe(0);
      const first = api.requests.slice(mark).find((q) => q.kind === 'agent')?.body;
      const sent = JSON.stringify(first?.messages ?? []);
      expect(sent).toContain('What was the marker word?');
      expect(sent).toContain('KESTREL-9');
      expect(sent).not.toContain('OTTER-5');
      expect(sent).not.toContain(dir);
    } finally {
      await api.close();
    }
  });
});
