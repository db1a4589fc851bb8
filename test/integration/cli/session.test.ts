// End to end: the built cs against real git and real processes in temp homes.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeStarts, runCs, sandbox, startCs, waitFor, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const lockFile = (name: string) => path.join(sb.root, name, '.cs', 'local', 'lock');

describe('cs <name>: create and resume', () => {
  it('creates the workspace from templates with a first commit and launches claude with the session env', async () => {
    const r = await runCs(['work', '--', '--model', 'opus'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("created session 'work'");
    const dir = path.join(sb.root, 'work');
    for (const f of ['CLAUDE.md', '.cs/README.md', '.cs/discoveries.md', '.cs/changes.md', '.cs/artifacts/MANIFEST.json', '.cs/logs/session.log', '.gitignore']) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(fs.statSync(path.join(dir, '.cs/local')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'CLAUDE.md'), 'utf8')).toContain('# Session: work');
    expect(git(dir, 'log', '--format=%s').split('\n').at(-1)).toBe('Create session work');
    expect(git(dir, 'check-ignore', '.cs/local/lock')).toBe('.cs/local/lock');
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);

    const [start] = claudeStarts(sb);
    // Our hook endpoint's settings come first, then the user's arguments.
    // Then the pinned conversation (a new uuid made by cs), then the user's arguments.
    expect(start!.argv).toEqual(['--settings', path.join(dir, '.cs/local/hook-settings.json'), '--session-id', expect.stringMatching(/^[0-9a-f-]{36}$/), '--model', 'opus']);
    expect(fs.statSync(path.join(dir, '.cs/local/hook-settings.json')).mode & 0o777).toBe(0o600);
    expect(start!.cwd).toBe(dir);
    expect(start!.env).toEqual({
      CLAUDE_SESSION_NAME: 'work',
      CLAUDE_SESSION_DIR: dir,
      CLAUDE_SESSION_META_DIR: path.join(dir, '.cs'),
      CLAUDE_ARTIFACT_DIR: path.join(dir, '.cs', 'artifacts'),
      CLAUDE_CODE_TASK_LIST_ID: 'work',
      CS_HOOK_SERVER: '1',
    });
    const log = fs.readFileSync(path.join(dir, '.cs/logs/session.log'), 'utf8');
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] session created: work$/m);
    expect(log).toMatch(/session start/);
    expect(log).toMatch(/session end \(exit 0\)/);
    expect(fs.existsSync(lockFile('work'))).toBe(false);
  });

  it('pins conversations: --session-id for a new one, --resume <uuid> for the latest, --continue only for older sessions', async () => {
    // The stand-in writes the transcript, under <config>/projects/<slug of the path>/, as Claude Code does with the first message.
    await runCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_TRANSCRIPT: '1' } });
    const userArgs = () => claudeStarts(sb).map((s) => s.argv.slice(2));
    const [, u1] = userArgs()[0]!;
    expect(userArgs()[0]).toEqual(['--session-id', u1]);
    const { claudeProjectDir } = await import('../../../src/session/claude-project.js');
    expect(fs.existsSync(path.join(claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, path.join(sb.root, 'work')), `${u1}.jsonl`))).toBe(true);
    await runCs(['work'], { env: sb.env });
    await runCs(['work', '--new'], { env: sb.env });
    await runCs(['work', '--', '--resume', 'abc'], { env: sb.env });
    expect(userArgs()[1]).toEqual(['--resume', u1]);
    expect(userArgs()[2]![0]).toBe('--session-id');
    expect(userArgs()[3]).toEqual(['--resume', 'abc']);
    // A session from before pinned conversations: Claude's own --continue.
    fs.rmSync(path.join(sb.root, 'work/.cs/conversations.json'));
    await runCs(['work'], { env: sb.env });
    expect(userArgs()[4]).toEqual(['--continue']);
  });

  it("steps aside for Claude's own conversation flags in the --flag=value spelling too", async () => {
    await runCs(['work'], { env: sb.env });
    const userArgs = () => claudeStarts(sb).map((s) => s.argv.slice(2));
    const [, u1] = userArgs()[0]!;
    const given = '0b4d1e6c-2f0a-4a8e-9c1d-7e5f3a2b1c00';
    for (const flagArg of [`--session-id=${given}`, `--resume=${u1}`]) {
      await runCs(['work', '--', '-p', 'hello', flagArg], { env: sb.env });
      expect(userArgs().at(-1)).toEqual(['-p', 'hello', flagArg]);
    }
  });

  it("leaves the hooks to the command scripts when the user passes their own --settings", async () => {
    const r = await runCs(['work', '--', '--settings', '/tmp/mine.json'], { env: sb.env });
    expect(r.code).toBe(0);
    const [start] = claudeStarts(sb);
    expect(start!.argv.filter((a) => a === '--settings')).toHaveLength(1);
    expect(start!.argv.at(-1)).toBe('/tmp/mine.json');
    expect(start!.env.CS_HOOK_SERVER).toBe('');
  });

  it("returns claude's exit code", async () => {
    const r = await runCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_EXIT: '7' } });
    expect(r.code).toBe(7);
  });

  it("says the last run's postmortem until an open succeeds: a failed open does not use it up", async () => {
    expect((await runCs(['work'], { env: sb.env })).code).toBe(0);
    const { writePostmortem } = await import('../../../src/host/postmortem.js');
    const { sessionPaths } = await import('../../../src/session/paths.js');
    writePostmortem(sessionPaths(path.join(sb.root, 'work'), 'work'), { what: 'Claude Code exited with signal KILL', status: 137, now: new Date() });
    const failed = await runCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_EXIT: '3' } });
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/last run: Claude Code exited with signal KILL/);
    const opened = await runCs(['work'], { env: sb.env });
    expect(opened.code).toBe(0);
    expect(opened.stderr).toMatch(/last run: Claude Code exited with signal KILL/);
    expect((await runCs(['work'], { env: sb.env })).stderr).not.toMatch(/last run:/);
  });

  it('takes back a new conversation in which nothing was said (no transcript), however Claude ended', async () => {
    // Opened and left at once (/exit): Claude Code wrote no transcript, so -doctor would call the conversation lost.
    expect((await runCs(['work'], { env: sb.env })).code).toBe(0);
    expect(JSON.parse((await runCs(['work', '-conversations', '--json'], { env: sb.env })).stdout)).toEqual([]);
    expect((await runCs(['work', '-doctor'], { env: sb.env })).stdout).not.toMatch(/no transcript here/);
    // One with a transcript stays.
    expect((await runCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_TRANSCRIPT: '1' } })).code).toBe(0);
    const kept = JSON.parse((await runCs(['work', '-conversations', '--json'], { env: sb.env })).stdout);
    expect(kept).toHaveLength(1);
    expect(claudeStarts(sb).at(-1)!.argv).toContain(kept[0].uuid);
  });

  it('says when Claude exits with an error, and leaves no conversation listed that Claude never started', async () => {
    const r = await runCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_EXIT: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Claude Code exited with status 1/);
    const listed = await runCs(['work', '-conversations', '--json'], { env: sb.env });
    expect(JSON.parse(listed.stdout)).toEqual([]);
    // The next start makes a fresh conversation without a "no transcript" warning.
    const again = await runCs(['work'], { env: sb.env });
    expect(again.stderr).not.toMatch(/has no transcript/);
    expect(claudeStarts(sb).at(-1)!.argv).toContain('--session-id');
  });

  it('says CLAUDE_CODE_BIN names a directory, pointing at the program inside', async () => {
    const dir = path.join(sb.dir, 'claude-dir');
    fs.mkdirSync(dir);
    fs.copyFileSync(sb.env.CLAUDE_CODE_BIN!, path.join(dir, 'claude'));
    fs.chmodSync(path.join(dir, 'claude'), 0o755);
    const r = await runCs(['work'], { env: { ...sb.env, CLAUDE_CODE_BIN: dir } });
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/CLAUDE_CODE_BIN names a directory, not a program: .*claude-dir — set it to the claude program itself: CLAUDE_CODE_BIN=.*claude-dir\/claude/);
    expect(r.stderr).not.toMatch(/was not found/);
    expect(fs.existsSync(path.join(sb.root, 'work'))).toBe(false);
  });

  it('restores missing template files of an existing session and says so', async () => {
    await runCs(['work'], { env: sb.env });
    fs.rmSync(path.join(sb.root, 'work/.cs/discoveries.md'));
    const r = await runCs(['work'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('.cs/discoveries.md was missing');
    expect(fs.existsSync(path.join(sb.root, 'work/.cs/discoveries.md'))).toBe(true);
  });
});

describe('the session lock', () => {
  it('refuses a second cs while the first runs, says who holds it, and frees it when claude exits', async () => {
    const first = startCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '30' } });
    await waitFor(() => claudeStarts(sb).length === 1, 10_000, 'first claude');
    const second = await runCs(['work'], { env: sb.env });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`session 'work' is open in pid ${first.pid} on ${os.hostname()}`));
    expect(second.stderr).toContain('--force');
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(claudeStarts(sb)).toHaveLength(1);
    first.kill('SIGTERM');
    const r = await first.done;
    expect(r.code).toBe(143);
    expect(fs.existsSync(lockFile('work'))).toBe(false);
    expect(fs.readFileSync(path.join(sb.root, 'work/.cs/logs/session.log'), 'utf8')).toMatch(/session end \(exit SIGTERM\)/);
  });

  it('releases the lock on SIGINT when there is no terminal', async () => {
    const first = startCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '30' } });
    await waitFor(() => fs.existsSync(lockFile('work')) && claudeStarts(sb).length === 1);
    first.kill('SIGINT');
    await first.done;
    expect(fs.existsSync(lockFile('work'))).toBe(false);
  });

  it('-stop on a session open in a terminal says where it runs and stops nothing', async () => {
    const first = startCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '30' } });
    try {
      await waitFor(() => fs.existsSync(lockFile('work')) && claudeStarts(sb).length === 1);
      const r = await runCs(['work', '-stop', '--timeout', '1'], { env: sb.env });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^cs: 'work' runs in the foreground in a terminal \\(pid ${first.pid} on .*\\), not in cs's tmux server — end it there with /exit`));
      expect(first.exitCode).toBeNull();
      // -live shows cs's hosted sessions only, but does not claim none is running.
      const live = await runCs(['-live'], { env: sb.env });
      expect(live.code).toBe(0);
      expect(live.stderr).toContain("no session is running in cs's tmux server (open in a terminal: work)");
    } finally {
      first.kill('SIGTERM');
      await first.done;
    }
  });

  it('--force takes a live lock over', async () => {
    const first = startCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '30' } });
    await waitFor(() => claudeStarts(sb).length === 1);
    const forced = await runCs(['work', '--force'], { env: sb.env });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(`took over the lock from pid ${first.pid}`);
    expect(claudeStarts(sb)).toHaveLength(2);
    first.kill('SIGTERM');
    await first.done;
  });

  it('takes a stale lock (dead pid) over silently', async () => {
    await runCs(['work'], { env: sb.env });
    const dead = execFileSync('sh', ['-c', 'sh -c "echo \\$\\$" '], { encoding: 'utf8' }).trim();
    fs.writeFileSync(lockFile('work'), JSON.stringify({ pid: Number(dead), host: os.hostname(), started: '2026-01-01T00:00:00Z' }));
    const r = await runCs(['work'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/lock/);
    expect(claudeStarts(sb)).toHaveLength(2);
    expect(fs.existsSync(lockFile('work'))).toBe(false);
  });

  it('reports a garbage lock in one line and leaves it for --force', async () => {
    await runCs(['work'], { env: sb.env });
    fs.writeFileSync(lockFile('work'), 'not a lock \x00\x01');
    const r = await runCs(['work'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lock file .* is unreadable — .*cs work --force/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.readFileSync(lockFile('work'), 'utf8')).toBe('not a lock \x00\x01');
    expect((await runCs(['work', '--force'], { env: sb.env })).code).toBe(0);
  });
});

describe('cs -adopt', () => {
  it('keeps an existing repo and CLAUDE.md byte-identical, puts the protocol in CLAUDE.local.md once, and links the session', async () => {
    const project = path.join(sb.dir, 'project');
    fs.mkdirSync(project);
    git(project, 'init', '-q');
    fs.writeFileSync(path.join(project, 'CLAUDE.md'), '# Project rules\n\nBe terse.\n');
    fs.writeFileSync(path.join(project, 'main.py'), 'print(1)\n');
    git(project, 'add', '.');
    git(project, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'initial');
    const head = git(project, 'rev-parse', 'HEAD');

    const r = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, 'CLAUDE.md'), 'utf8')).toBe('# Project rules\n\nBe terse.\n');
    const claudeMd = fs.readFileSync(path.join(project, 'CLAUDE.local.md'), 'utf8');
    expect(claudeMd.match(/cs:protocol:start/g)).toHaveLength(1);
    expect(git(project, 'rev-parse', 'HEAD')).toBe(head);
    expect(fs.realpathSync(path.join(sb.root, 'proj'))).toBe(project);

    const again = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already session');
    expect(fs.readFileSync(path.join(project, 'CLAUDE.local.md'), 'utf8')).toBe(claudeMd);

    await runCs(['proj'], { env: sb.env });
    expect(claudeStarts(sb)[0]!.cwd).toBe(project);
    const list = JSON.parse((await runCs(['-ls', '--json'], { env: sb.env })).stdout);
    expect(list).toMatchObject([{ name: 'proj', dir: project, adopted: true }]);
  });

  it('initialises a repo in a plain directory, with no commit', async () => {
    const project = path.join(sb.dir, 'plain');
    fs.mkdirSync(project);
    const r = await runCs(['-adopt', 'plain'], { env: sb.env, cwd: project });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('(new git repo, no commit)');
    expect(fs.existsSync(path.join(project, '.git/HEAD'))).toBe(true);
    expect(() => git(project, 'rev-parse', '--verify', '-q', 'HEAD')).toThrow();
  });

  it('refuses a name already used by another session', async () => {
    await runCs(['taken'], { env: sb.env });
    const project = path.join(sb.dir, 'p2');
    fs.mkdirSync(project);
    const r = await runCs(['-adopt', 'taken'], { env: sb.env, cwd: project });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists/);
    expect(fs.existsSync(path.join(project, '.cs'))).toBe(false);
    expect(fs.lstatSync(path.join(sb.root, 'taken')).isSymbolicLink()).toBe(false);
  });
});

describe('cs -ls and cs -rm', () => {
  it('lists sessions as a table and as JSON', async () => {
    await runCs(['alpha'], { env: sb.env });
    await runCs(['beta'], { env: sb.env });
    fs.appendFileSync(path.join(sb.root, 'alpha/.cs/discoveries.md'), '\n## 2026-11-23 first\nfound it\n## 2026-11-23 second\nx\n');
    fs.writeFileSync(path.join(sb.root, 'alpha/.cs/artifacts/run.sh'), 'echo\n');
    const table = await runCs(['-ls'], { env: sb.env });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+LAST USED\s+DISCOVERIES\s+ARTIFACTS\s+SYNC$/);
    // A closed session says so, as --json does.
    expect(lines.find((l) => l.startsWith('alpha'))).toMatch(/^alpha\s+closed\s+just now\s+2\s+1\s+-$/);
    // The objective, where the terminal is wide enough for it.
    const readme = path.join(sb.root, 'beta/.cs/README.md');
    fs.writeFileSync(readme, fs.readFileSync(readme, 'utf8').replace(/## Objective\n/, '## Objective\nShip the parser rewrite before Friday\n'));
    const wide = (await runCs(['-ls'], { env: { ...sb.env, COLUMNS: '160' } })).stdout.split('\n');
    expect(wide[0]).toMatch(/SYNC\s+OBJECTIVE$/);
    expect(wide.find((l) => l.startsWith('beta'))).toMatch(/-\s+Ship the parser rewrite before Friday$/);
    const narrow = (await runCs(['-ls'], { env: { ...sb.env, COLUMNS: '70' } })).stdout;
    expect(narrow).not.toMatch(/OBJECTIVE|Ship the parser/);
    // Piped with no COLUMNS: no width to keep to, the objective whole.
    const piped = (await runCs(['-ls'], { env: { ...sb.env, COLUMNS: undefined } })).stdout.split('\n');
    expect(piped.find((l) => l.startsWith('beta'))).toMatch(/-\s+Ship the parser rewrite before Friday$/);
    // An objective with terminal escapes (a README from another machine) is shown, never obeyed.
    fs.writeFileSync(readme, '# beta\n\n## Objective\n\u001b]0;PWNED\u0007\u001b[2Jevil \u202eRTL\n');
    const hostile = await runCs(['-ls'], { env: { ...sb.env, COLUMNS: '200' } });
    expect(hostile.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(hostile.stdout).toContain('\\u001b]0;PWNED\\u0007\\u001b[2Jevil \\u202eRTL');
    const json = JSON.parse((await runCs(['-list', '--json'], { env: sb.env })).stdout);
    expect(json.map((s: { name: string }) => s.name).sort()).toEqual(['alpha', 'beta']);
    expect(json.find((s: { name: string }) => s.name === 'alpha')).toMatchObject({ discoveries: 2, artifacts: 1, sync: 'none', location: 'local', open: false });
  });

  it('lists nothing helpfully when there are no sessions', async () => {
    const r = await runCs(['-ls'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no sessions yet');
    expect(JSON.parse((await runCs(['-ls', '--json'], { env: sb.env })).stdout)).toEqual([]);
  });

  it('removes with --yes, refuses without it when it cannot ask, and refuses a locked session', async () => {
    await runCs(['gone'], { env: sb.env });
    const noYes = await runCs(['-rm', 'gone'], { env: sb.env });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    expect(fs.existsSync(path.join(sb.root, 'gone'))).toBe(true);

    const open = startCs(['gone'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '30' } });
    await waitFor(() => claudeStarts(sb).length === 2);
    const locked = await runCs(['-rm', 'gone', '--yes'], { env: sb.env });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/is open in pid/);
    open.kill('SIGTERM');
    await open.done;

    const ok = await runCs(['-rm', 'gone', '--yes'], { env: sb.env });
    expect(ok.code).toBe(0);
    expect(fs.existsSync(path.join(sb.root, 'gone'))).toBe(false);
    expect(fs.readdirSync(sb.root)).toEqual([]);
  });

  it('takes the session\'s secrets with it', async () => {
    const env = { ...sb.env, CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw-test' };
    await runCs(['gone'], { env });
    expect((await runCs(['gone', '-secrets', 'set', 'API_TOKEN'], { env, input: 'tok-123\n' })).code).toBe(0);
    expect((await runCs(['gone', '-secrets', 'list'], { env })).stdout).toContain('API_TOKEN');
    // A store it cannot open (the encrypted file without its password): refused, nothing removed.
    const refused = await runCs(['-rm', 'gone', '--yes'], { env: { ...env, CS_SECRETS_PASSWORD: undefined } });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^cs: cannot remove the secrets of 'gone' \(.*protected by a password\); nothing was removed — make the store readable/);
    expect(fs.readdirSync(sb.root)).toEqual(['gone']);
    expect((await runCs(['gone', '-secrets', 'list'], { env })).stdout).toContain('API_TOKEN');
    // A store that cannot even be chosen (an unknown backend): refused the same way.
    const unchosen = await runCs(['-rm', 'gone', '--yes'], { env: { ...env, CS_SECRETS_BACKEND: 'bogus' } });
    expect(unchosen.code).toBe(1);
    expect(unchosen.stderr.trim()).toMatch(/^cs: cannot open the secrets of 'gone' \(unknown secrets backend 'bogus'.*\); nothing was removed — make the store readable/);
    expect(fs.readdirSync(sb.root)).toEqual(['gone']);
    const r = await runCs(['-rm', 'gone', '--yes'], { env });
    expect(r.stderr).toContain("removed session 'gone' and its 1 secret");
    await runCs(['gone'], { env });
    expect((await runCs(['gone', '-secrets', 'list'], { env })).stdout).not.toContain('API_TOKEN');
  });

  it('only unlinks an adopted session', async () => {
    const project = path.join(sb.dir, 'keepme');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'precious.txt'), 'x');
    await runCs(['-adopt', 'keep'], { env: sb.env, cwd: project });
    const r = await runCs(['-rm', 'keep', '--yes'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(sb.root, 'keep'))).toBe(false);
    expect(fs.readFileSync(path.join(project, 'precious.txt'), 'utf8')).toBe('x');
  });
});

describe('help and version', () => {
  it('prints the version fast path', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8'));
    for (const flag of ['-v', '-version', '--version']) {
      const r = await runCs([flag], { env: sb.env });
      expect(r).toEqual({ code: 0, stdout: `cs ${pkg.version}\n`, stderr: '' });
    }
  });
  it('prints help for everything and for one command', async () => {
    const all = await runCs(['-help'], { env: sb.env });
    expect(all.code).toBe(0);
    for (const c of ['-adopt', '-list', '-remove', '-version']) expect(all.stdout).toContain(c);
    const ls = await runCs(['-ls', '-help'], { env: sb.env });
    expect(ls.stdout).toContain('Usage:');
    expect(ls.stdout).toContain('cs -list [--json]');
    expect(ls.stdout).toContain('Examples:');
    const open = await runCs(['work', '-help'], { env: sb.env });
    expect(open.stdout).toContain('cs <name> [--force]');
    expect(fs.existsSync(path.join(sb.root, 'work'))).toBe(false);
  });
});

describe('bad input: one clear line, non-zero exit, nothing created', () => {
  const badNames = ['..', 'a/b', '-rf', '.hidden', 'x'.repeat(65), 'bad\u0007name', '../escape'];
  it.each(badNames)('refuses session name %j', async (name) => {
    const r = await runCs([name], { env: sb.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(fs.existsSync(sb.root) ? fs.readdirSync(sb.root) : []).toEqual([]);
    expect(claudeStarts(sb)).toEqual([]);
  });

  it('refuses an empty name', async () => {
    const r = await runCs(['-adopt', ''], { env: sb.env, cwd: sb.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/session name is empty/);
  });

  it('says how to get claude when it is missing, and creates nothing', async () => {
    const r = await runCs(['work'], { env: { ...sb.env, CLAUDE_CODE_BIN: 'no-such-claude-binary' } });
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/'no-such-claude-binary' was not found — install Claude Code/);
    expect(fs.existsSync(path.join(sb.root, 'work'))).toBe(false);
  });

  it('reports an unwritable root', async () => {
    const ro = path.join(sb.dir, 'ro');
    fs.writeFileSync(ro, 'a file, not a directory');
    const r = await runCs(['work'], { env: { ...sb.env, CS_SESSIONS_ROOT: path.join(ro, 'sessions') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot use sessions root .*CS_SESSIONS_ROOT/);
  });

  it('-ls on a root that is a file, and a root the OS will not create (/proc): one line, no hang', async () => {
    const file = path.join(sb.dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const ls = await runCs(['-ls'], { env: { ...sb.env, CS_SESSIONS_ROOT: file } });
    expect(ls.code).toBe(1);
    expect(ls.stderr.trim()).toBe(`cs: sessions root ${file} is not a directory — point CS_SESSIONS_ROOT at a directory`);
    // Node's recursive mkdir spun forever here; a plain one below /proc says ENOENT.
    if (fs.existsSync('/proc/self')) {
      const proc = await runCs(['work'], { env: { ...sb.env, CS_SESSIONS_ROOT: '/proc/cs-no-such-dir' } });
      expect(proc.code).toBe(1);
      expect(proc.stderr).toMatch(/cannot use sessions root \/proc\/cs-no-such-dir \(ENOENT\)/);
    }
  });

  it('refuses a directory without .cs/ and points at -adopt', async () => {
    fs.mkdirSync(path.join(sb.root, 'stray'), { recursive: true });
    const r = await runCs(['stray'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a cs session — .*cs -adopt stray/);
  });

  it('rejects unknown commands and options', async () => {
    expect((await runCs(['-frobnicate'], { env: sb.env })).code).toBe(2);
    expect((await runCs(['work', '--frobnicate'], { env: sb.env })).code).toBe(2);
    expect((await runCs(['work', 'extra'], { env: sb.env })).stderr).toContain('after --');
    expect((await runCs(['-rm'], { env: sb.env })).stderr).toMatch(/missing argument/);
  });

  it('leaves no staging directory behind when git fails', async () => {
    const onlyNode = path.join(sb.dir, 'only-node');
    fs.mkdirSync(onlyNode);
    fs.symlinkSync(process.execPath, path.join(onlyNode, 'node'));
    const r = await runCs(['work'], { env: { ...sb.env, PATH: onlyNode } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/'git' was not found/);
    expect(fs.readdirSync(sb.root)).toEqual([]);
  });
});
