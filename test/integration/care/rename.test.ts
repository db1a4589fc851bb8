// cs -mv: the built cs against a real keyring (gnome-keyring on the test
// bus), the encrypted file, real git, and the fake claude.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeychainBackend, probeKeychain } from '../../../src/secrets/keychain.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';
import { rewritePaths } from '../../../src/session/rename.js';
import { runCs, sandbox, startCs, waitFor, type Sandbox } from '../../support/cs.js';
import { sessionsSharingAFolder } from '../../support/shared-folder.js';

// A generous probe: on a busy machine the keychain's first answer can take more than the default
// 1.5 s, and a probe that gives up sends cs to the encrypted file, which is not what is tested here.
const PROBE = { CS_KEYCHAIN_PROBE_MS: '10000' };
const probe = await probeKeychain({ ...process.env, ...PROBE });

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, CS_SECRETS_PASSWORD: 'pw-test', ...PROBE });
});
afterEach(() => sb.cleanup());

// Unique per run: the keyring is shared by every test on the bus.
const uniq = () => randomBytes(3).toString('hex');
const setSecret = (s: string, key: string, value: string, extra: NodeJS.ProcessEnv = {}) => runCs([s, '-secrets', 'set', key], { env: { ...sb.env, ...extra }, input: value });

describe('rewritePaths', () => {
  it.each([
    ['"cwd":"/r/api"', '"cwd":"/r/web"'],
    ['"cwd":"/r/api/src/x.ts"', '"cwd":"/r/web/src/x.ts"'],
    ['/r/api-2 and /r/apix stay', '/r/api-2 and /r/apix stay'],
    ['cd /r/api; ls /r/api/', 'cd /r/web; ls /r/web/'],
  ])('%j → %j', (text, want) => expect(rewritePaths(text, ['/r/api'], '/r/web')).toBe(want));
});

describe('cs -mv', () => {
  it.runIf(probe.ok)('moves the workspace, keychain secrets, transcripts, tags, archive marker and settings', { timeout: 120_000 }, async () => {
    const from = `old-${uniq()}`;
    const to = `new-${uniq()}`;
    expect((await runCs([from], { env: sb.env })).code).toBe(0);
    const oldDir = path.join(sb.root, from);
    expect((await setSecret(from, 'API_TOKEN', 'tok-in-keychain')).code).toBe(0);
    expect((await runCs([from, '-tag', 'add', 'client-x'], { env: sb.env })).code).toBe(0);
    expect((await runCs([from, '-sync', 'auto', 'on'], { env: sb.env })).code).toBe(0);
    fs.writeFileSync(path.join(oldDir, '.cs/local/status.json'), '{"state":"idle","at":"2026-01-01T00:00:00.000Z"}\n');
    // A transcript Claude Code would have written for the old path.
    const oldProject = claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, oldDir);
    fs.mkdirSync(path.join(oldProject, 'sub'), { recursive: true });
    const uuid = '11111111-2222-4333-8444-555555555555';
    fs.writeFileSync(path.join(oldProject, `${uuid}.jsonl`), `{"type":"user","cwd":"${oldDir}","sessionId":"${uuid}"}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(oldProject, 'sub', 'tool.txt'), 'x');

    const r = await runCs(['-mv', from, to, '--json'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ from, to, adopted: false, transcripts: 1, secrets: [{ backend: 'keychain', keys: ['API_TOKEN'] }] });

    const newDir = path.join(sb.root, to);
    expect(fs.existsSync(oldDir)).toBe(false);
    expect(fs.readFileSync(path.join(newDir, '.cs/tags'), 'utf8')).toBe('client-x\n');
    expect(fs.readFileSync(path.join(newDir, '.cs/local/status.json'), 'utf8')).toContain('idle');
    expect(fs.readFileSync(path.join(newDir, '.cs/sync.conf'), 'utf8')).toMatch(/auto/);
    expect(fs.readFileSync(path.join(newDir, 'CLAUDE.md'), 'utf8')).toContain(`# Session: ${to}\n`);
    expect(fs.readFileSync(path.join(newDir, '.cs/logs/session.log'), 'utf8')).toContain(`session renamed: ${from} → ${to}`);
    expect(fs.existsSync(path.join(newDir, '.cs/local/lock'))).toBe(false);
    // Keychain: the item is under the new name only.
    if (!probe.ok) throw new Error('runIf(probe.ok) let this run without a keychain');
    const kc = new KeychainBackend(probe.api, sb.env);
    expect(await kc.getAll(to)).toEqual({ API_TOKEN: 'tok-in-keychain' });
    expect(await kc.list(from)).toEqual([]);
    expect((await runCs([to, '-secrets', 'get', 'API_TOKEN'], { env: sb.env })).stdout).toBe('tok-in-keychain\n');
    // Transcripts: in the new path's project folder, the path inside rewritten; the old folder gone.
    const newProject = claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, newDir);
    expect(fs.readFileSync(path.join(newProject, `${uuid}.jsonl`), 'utf8')).toBe(`{"type":"user","cwd":"${newDir}","sessionId":"${uuid}"}\n`);
    expect(fs.statSync(path.join(newProject, `${uuid}.jsonl`)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(newProject, 'sub', 'tool.txt'), 'utf8')).toBe('x');
    expect(fs.existsSync(oldProject)).toBe(false);
    // The archive marker and -ls follow the new name.
    expect((await runCs(['-archive', to], { env: sb.env })).code).toBe(0);
    expect(JSON.parse((await runCs(['-ls', '--archived', '--json'], { env: sb.env })).stdout).map((s: { name: string }) => s.name)).toEqual([to]);
    await kc.purge(to);
  });

  it('moves the encrypted-file store, and refuses while the session is open', { timeout: 120_000 }, async () => {
    const env = { ...sb.env, CS_SECRETS_BACKEND: 'encrypted' };
    expect((await runCs(['api'], { env })).code).toBe(0);
    expect((await setSecret('api', 'DB_PASSWORD', 'hunter2', { CS_SECRETS_BACKEND: 'encrypted' })).code).toBe(0);
    const open = startCs(['api'], { env: { ...env, FAKE_CLAUDE_SLEEP: '30' } });
    try {
      await waitFor(() => fs.existsSync(path.join(sb.root, 'api/.cs/local/lock')), 10_000, 'the lock');
      const r = await runCs(['-mv', 'api', 'web'], { env });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim()).toMatch(/^cs: session 'api' is open in pid \d+.*; it cannot be renamed while Claude runs in it — end Claude there first \(\/exit\), then try again$/);
      expect(fs.existsSync(path.join(sb.root, 'web'))).toBe(false);
    } finally {
      open.kill('SIGTERM');
      await open.done;
    }
    const r = await runCs(['-mv', 'api', 'web'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("renamed 'api' to 'web'");
    expect(r.stderr).toContain('1 secret moved (encrypted)');
    expect(fs.existsSync(path.join(sb.home, '.cs-secrets', 'web.enc'))).toBe(true);
    expect(fs.existsSync(path.join(sb.home, '.cs-secrets', 'api.enc'))).toBe(false);
    expect((await runCs(['web', '-secrets', 'get', 'DB_PASSWORD'], { env })).stdout).toBe('hunter2\n');
  });

  it.skipIf(fs.existsSync(`/run/user/${process.getuid!()}/bus`))('warns of a silent keychain only where secrets could be in it', { timeout: 120_000 }, async () => {
    // No session bus here (a server): the keychain cannot have been used, so its silence is no news.
    const env = { ...sb.env, DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: sb.dir };
    expect((await runCs(['api'], { env })).code).toBe(0);
    expect((await setSecret('api', 'DB_PASSWORD', 'hunter2', { DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: sb.dir })).code).toBe(0);
    const quiet = await runCs(['-mv', 'api', 'web'], { env });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toContain('1 secret moved (encrypted)');
    expect(quiet.stderr).not.toMatch(/keychain/);
    // Chosen by CS_SECRETS_BACKEND: the keychain is never looked at, whatever the bus.
    const forced = await runCs(['-mv', 'web', 'www'], { env: { ...sb.env, CS_SECRETS_BACKEND: 'encrypted' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).not.toMatch(/keychain/);
    // Recorded for this session by migrate-backend: its secrets may be there, so the user hears it.
    fs.writeFileSync(path.join(sb.root, 'www/.cs/local/secrets-backend'), 'keychain\n');
    const told = await runCs(['-mv', 'www', 'app'], { env });
    expect(told.stderr).toMatch(/the OS keychain did not answer \(no D-Bus session bus.*\): secrets kept there under 'www', if any, were not moved/);
  });

  it('refuses a base that has feature sessions, and a new name that is a command; adopting under a command name too', { timeout: 120_000 }, async () => {
    expect((await runCs(['base'], { env: sb.env })).code).toBe(0);
    expect((await runCs(['base@f1'], { env: sb.env })).code).toBe(0);
    const withFeature = await runCs(['-mv', 'base', 'base2'], { env: sb.env });
    expect(withFeature.code).toBe(1);
    expect(withFeature.stderr).toMatch(/session 'base' has feature sessions: base@f1; nothing was renamed/);
    expect(fs.existsSync(path.join(sb.root, 'base'))).toBe(true);
    expect(fs.existsSync(path.join(sb.root, 'base2'))).toBe(false);
    // Named like a command, a session would open when the command is typed: refused without a terminal to ask on.
    expect((await runCs(['plain'], { env: sb.env })).code).toBe(0);
    const commandName = await runCs(['-mv', 'plain', 'doctor'], { env: sb.env });
    expect(commandName.code).toBe(2);
    expect(commandName.stderr).toMatch(/'doctor' is the name of a command \(cs \[<name>\] -doctor\), so nothing was renamed/);
    expect(fs.existsSync(path.join(sb.root, 'plain'))).toBe(true);
    const project = path.join(sb.dir, 'listed');
    fs.mkdirSync(project);
    const adopted = await runCs(['-adopt', 'list'], { env: sb.env, cwd: project });
    expect(adopted.code).toBe(2);
    expect(adopted.stderr).toMatch(/'list' is the name of a command \(cs -list\), so no session named 'list' was adopted/);
    expect(fs.existsSync(path.join(project, '.cs'))).toBe(false);
    expect(fs.existsSync(path.join(sb.root, 'list'))).toBe(false);
  });

  it('renames an adopted session without moving the project', { timeout: 120_000 }, async () => {
    const project = path.join(sb.dir, 'proj');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'CLAUDE.md'), '# My project\n');
    expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);
    const before = fs.readFileSync(path.join(project, 'CLAUDE.md'), 'utf8');
    const r = await runCs(['-rename', 'proj', 'project-x'], { env: { ...sb.env, CS_SECRETS_BACKEND: 'encrypted' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the project stays where it is');
    expect(fs.realpathSync(path.join(sb.root, 'project-x'))).toBe(project);
    expect(fs.existsSync(path.join(sb.root, 'proj'))).toBe(false);
    expect(fs.readFileSync(path.join(project, 'CLAUDE.md'), 'utf8')).toBe(before);
  });

  it('moves only its own conversations out of a project folder another session shares (x.y and x-y)', { timeout: 120_000 }, async () => {
    const env = { ...sb.env, CS_SECRETS_BACKEND: 'encrypted' };
    const { dot: mine, dash: theirs, shared } = await sessionsSharingAFolder(env);
    const line = (s: string, uuid: string, text: string) => `${JSON.stringify({ type: 'user', cwd: path.join(sb.root, s), sessionId: uuid, message: { role: 'user', content: text } })}\n`;
    fs.mkdirSync(path.join(shared, theirs!, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(shared, `${mine}.jsonl`), line('x.y', mine!, 'dot session'), { mode: 0o600 });
    fs.writeFileSync(path.join(shared, `${theirs}.jsonl`), line('x-y', theirs!, 'dash session'), { mode: 0o600 });
    fs.writeFileSync(path.join(shared, theirs!, 'subagents', 'agent-1.jsonl'), line('x-y', theirs!, 'dash subagent'));

    const r = await runCs(['-mv', 'x.y', 'z', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: 'x.y', to: 'z', transcripts: 1 });
    // x.y's conversation went with it, its path rewritten; x-y's stayed, untouched.
    const moved = claudeProjectDir(sb.env.CLAUDE_CONFIG_DIR!, path.join(sb.root, 'z'));
    expect(fs.readdirSync(moved)).toEqual([`${mine}.jsonl`]);
    expect(fs.readFileSync(path.join(moved, `${mine}.jsonl`), 'utf8')).toBe(line('z', mine!, 'dot session'));
    expect(fs.readdirSync(shared).sort()).toEqual([theirs!, `${theirs}.jsonl`].sort());
    expect(fs.readFileSync(path.join(shared, `${theirs}.jsonl`), 'utf8')).toBe(line('x-y', theirs!, 'dash session'));
    expect(fs.readFileSync(path.join(shared, theirs!, 'subagents', 'agent-1.jsonl'), 'utf8')).toBe(line('x-y', theirs!, 'dash subagent'));
    // Both sessions still list and resume their own conversation.
    const rows = async (s: string) => JSON.parse((await runCs([s, '-conversations', '--json'], { env })).stdout) as Array<{ uuid: string; local: boolean }>;
    expect(await rows('x-y')).toMatchObject([{ uuid: theirs, local: true }]);
    expect(await rows('z')).toMatchObject([{ uuid: mine, local: true }]);
    fs.rmSync(sb.claudeLog, { force: true });
    for (const s of ['x-y', 'z']) expect((await runCs([s], { env })).code).toBe(0);
    const argv = fs.readFileSync(sb.claudeLog, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { argv: string[] }).argv);
    expect(argv).toEqual([expect.arrayContaining(['--resume', theirs]), expect.arrayContaining(['--resume', mine])]);
  });

  it('refuses bad input with one line and changes nothing', { timeout: 120_000 }, async () => {
    const env = { ...sb.env, CS_SECRETS_BACKEND: 'encrypted' };
    for (const s of ['a', 'b']) expect((await runCs([s], { env })).code).toBe(0);
    const cases: Array<[string[], RegExp]> = [
      [['-mv', 'a'], /missing argument/],
      [['-mv', 'a', 'b'], /a session named 'b' already exists/],
      [['-mv', 'nope', 'c'], /no session named 'nope'/],
      [['-mv', 'a', '../x'], /session name/],
      [['-mv', 'a', 'a'], /already has that name/],
    ];
    for (const [args, re] of cases) {
      const r = await runCs(args, { env });
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.readdirSync(sb.root).sort()).toEqual(['a', 'b']);
  });
});
