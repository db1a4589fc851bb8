// The user's install path end to end: the project is packed as npm would
// publish it (prepack builds it), the tarball installed globally into a temp
// prefix with a fresh HOME, `cs -install` registers it, and a session runs
// with the real Claude Code offline against the fake API.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { CLAUDE_BIN, makeTempDir, offlineClaudeEnv } from '../../support/claude.js';
import { repoRoot } from '../../support/cs.js';

// What `npm pack` needs to build and pack; node_modules only for the build tools.
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'minisign.pub', 'scripts', 'src', 'hooks', 'templates', 'commands', 'completions'];

let tmp: string;
let tarball: string;
let prefix: string;
let api: FakeAnthropic | undefined;

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a program without blocking the event loop (the fake API answers from this process). */
function runAsync(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(() => {
  tmp = makeTempDir('cs-pack-');
  const src = path.join(tmp, 'src');
  fs.mkdirSync(src);
  for (const entry of SOURCES) fs.cpSync(path.join(repoRoot, entry), path.join(src, entry), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(src, 'node_modules'));
  // No dist/ in the copy: only prepack can have made the one in the tarball.
  const name = npm(['pack', '--silent', '--pack-destination', tmp], src).trim().split('\n').pop()!;
  tarball = path.join(tmp, name);
  prefix = path.join(tmp, 'prefix');
  // The real npm cache (not the fresh HOME's) so dependencies need not be downloaded again.
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  npm(['install', '-g', '--prefix', prefix, '--cache', cache, '--prefer-offline', '--no-audit', '--no-fund', tarball], tmp, { ...process.env, HOME: path.join(tmp, 'npm-home') });
}, 300_000);

afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm i -g claude-sessions, then cs -install', () => {
  it('the tarball holds the build, no TypeScript to run and no install scripts', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/dist/cs.js');
    expect(files).toContain('package/dist/hook.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    for (const s of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts?.[s]).toBeUndefined();
    expect(pkg.dependencies['@napi-rs/keyring']).toBeDefined();
    expect(JSON.stringify(pkg)).not.toContain('keytar');
  });

  it('runs a session with the real Claude Code: context, artifact hook, and uninstall leaves settings.json byte-identical', { timeout: 180_000 }, async () => {
    const home = path.join(tmp, 'home');
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    const settingsBefore = '{\n  "model": "opus",\n  "hooks": {\n    "PreToolUse": [ { "matcher": "Bash", "hooks": [ { "type": "command", "command": "true" } ] } ]\n  }\n}\n';
    fs.writeFileSync(path.join(home, '.claude/settings.json'), settingsBefore);
    const cs = path.join(prefix, 'bin', 'cs');
    const env: NodeJS.ProcessEnv = {
      PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}`,
      HOME: home,
      LANG: 'C.UTF-8',
      NO_COLOR: '1',
      CS_NO_UPDATE_CHECK: '1',
      ...(process.env.DBUS_SESSION_BUS_ADDRESS ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {}),
    };
    const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
    expect(execFileSync(cs, ['-version'], { env, encoding: 'utf8' }).trim()).toBe(`cs ${version}`);

    const inst = spawnSync(cs, ['-install'], { env, encoding: 'utf8' });
    expect(inst.status, inst.stderr).toBe(0);
    const pkgDir = path.join(prefix, 'lib', 'node_modules', 'claude-sessions');
    expect(inst.stderr).toContain(`cs ${version} installed from ${pkgDir}`);
    // In place: the hooks run from the npm package, so npm updates reach them.
    expect(fs.realpathSync(path.join(home, '.local/share/cs/current'))).toBe(fs.realpathSync(pkgDir));
    expect(fs.existsSync(path.join(home, '.claude/commands/summary.md'))).toBe(true);
    expect(fs.existsSync(path.join(home, '.claude/skills/store-secret/SKILL.md'))).toBe(true);
    const again = spawnSync(cs, ['-install'], { env, encoding: 'utf8' });
    expect(again.stderr).toContain('settings already up to date');

    const ws = path.join(home, '.claude-sessions', 'pk');
    const secret = 'pk-secret-value-123';
    api = await startFakeAnthropic([
      [{ type: 'tool_use' as const, name: 'Write', input: { file_path: path.join(ws, 'deploy.sh'), content: `#!/bin/sh\nAPI_TOKEN=${secret}\n` } }],
      'Done.',
    ]);
    const claudeEnv = { ...offlineClaudeEnv({ home, baseUrl: api.url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN };
    const r = await runAsync(cs, ['pk', '--', '-p', 'write the script', '--allowedTools', 'Write'], claudeEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Done.');
    const first = api.requests.find((q) => q.kind === 'agent');
    expect(JSON.stringify(first?.body)).toContain('Follow the protocol in CLAUDE.md');
    // The script stays where Claude wrote it, reading the value from the environment; a copy is captured.
    expect(fs.readFileSync(path.join(ws, 'deploy.sh'), 'utf8')).toContain('API_TOKEN=${API_TOKEN}');
    expect(fs.readFileSync(path.join(ws, '.cs/artifacts/deploy.sh'), 'utf8')).toContain('API_TOKEN=${API_TOKEN}');
    expect(fs.readFileSync(path.join(ws, 'deploy.sh'), 'utf8')).not.toContain(secret);
    const got = spawnSync(cs, ['pk', '-secrets', 'get', 'API_TOKEN'], { env, encoding: 'utf8' });
    expect(got.stdout.trim(), got.stderr).toBe(secret);

    const un = spawnSync(cs, ['-uninstall'], { env, encoding: 'utf8' });
    expect(un.status, un.stderr).toBe(0);
    expect(fs.readFileSync(path.join(home, '.claude/settings.json'), 'utf8')).toBe(settingsBefore);
    expect(fs.existsSync(path.join(home, '.claude/commands/summary.md'))).toBe(false);
    expect(un.stderr).toContain('npm rm -g claude-sessions');
    // The npm package itself is npm's to remove.
    expect(fs.existsSync(path.join(pkgDir, 'dist', 'cs.js'))).toBe(true);
  });

  it("with another program's cs ahead on PATH (claude-squad), -install says so and npm's claude-sessions is this cs", () => {
    const home = path.join(tmp, 'squad-home');
    const other = path.join(tmp, 'squad-bin');
    fs.mkdirSync(home);
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'cs'), '#!/bin/sh\necho claude-squad\n', { mode: 0o755 });
    const env = { PATH: `${other}${path.delimiter}${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}`, HOME: home, NO_COLOR: '1', CS_NO_UPDATE_CHECK: '1' };
    const inst = spawnSync(path.join(prefix, 'bin', 'cs'), ['-install'], { env, encoding: 'utf8' });
    expect(inst.status, inst.stderr).toBe(0);
    expect(inst.stderr).toContain(`another 'cs' is on your PATH (${path.join(other, 'cs')})`);
    expect(inst.stderr).toContain("use 'claude-sessions' for this one");
    // The name the message gives works, from npm's bin dir, and its completions are in place.
    const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
    expect(execFileSync('claude-sessions', ['-version'], { env, encoding: 'utf8' }).trim()).toBe(`cs ${version}`);
    expect(fs.existsSync(path.join(home, '.local/share/bash-completion/completions/claude-sessions'))).toBe(true);
    expect(execFileSync('cs', [], { env, encoding: 'utf8' })).toBe('claude-squad\n');
  });

  it('npx: runs cs from the tarball, and -install copies it out of npx\'s cache and links cs', { timeout: 180_000 }, () => {
    const home = path.join(tmp, 'npx-home');
    fs.mkdirSync(home);
    const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
    const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', CS_NO_UPDATE_CHECK: '1', npm_config_cache: cache, npm_config_prefer_offline: 'true' };
    const npx = (args: string[]) => spawnSync('npm', ['exec', '--yes', `--package=${tarball}`, '--', 'cs', ...args], { env, encoding: 'utf8', timeout: 150_000 });
    const v = npx(['-version']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^cs \d+\.\d+\.\d+/);
    const inst = npx(['-install']);
    expect(inst.status, inst.stderr).toBe(0);
    const linked = path.join(home, '.local/bin/cs');
    expect(fs.realpathSync(linked)).toContain(path.join(home, '.local/share/cs/versions'));
    expect(execFileSync(linked, ['-version'], { env, encoding: 'utf8' })).toBe(v.stdout);
    expect(fs.existsSync(path.join(home, '.claude/settings.json'))).toBe(true);
    // npx's cache hoists the native keychain module out of the package: the copy still ships it, so the keychain answers.
    expect(fs.existsSync(path.join(fs.realpathSync(linked), '../../node_modules/@napi-rs/keyring/package.json'))).toBe(true);
    const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
    const doctor = spawnSync(linked, ['-doctor'], { env: { ...env, ...(bus ? { DBUS_SESSION_BUS_ADDRESS: bus } : {}) }, encoding: 'utf8' });
    const keychain = doctor.stdout.split('\n').find((l) => l.includes('keychain:'));
    expect(keychain).not.toContain('is not installed');
    if (bus) expect(keychain).toMatch(/^✓ keychain: the OS keychain answers/);
  });
});
