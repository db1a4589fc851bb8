// cs -doctor: everything in place passes; each thing broken on its own gives
// one failing line that names it and says how to fix it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChecks, type CheckResult } from '../../../src/doctor/checks.js';
import { addConversation, newUuid, thisMachine } from '../../../src/conversations/store.js';
import { transcriptFile } from '../../../src/conversations/transcripts.js';
import { addRecipient, initIdentity } from '../../../src/secrets/age.js';
import { hooksDir, settingsPath } from '../../../src/install/install.js';
import { PLUGIN_ID, pluginHooksFile } from '../../../src/install/plugin.js';
import { hookGroups } from '../../../src/install/settings.js';
import { HOOKS } from '../../../src/hooks/registry.js';
import { createSession } from '../../../src/session/workspace.js';
import type { SessionPaths } from '../../../src/session/paths.js';
import { CLAUDE_BIN, makeTempDir } from '../../support/claude.js';
import { git, laptop, type Laptop } from '../../support/laptops.js';

let tmp: string;
let me: Laptop;
let env: NodeJS.ProcessEnv;
let s: SessionPaths;
let uuid: string;

beforeEach(async () => {
  tmp = makeTempDir('cs-doctor-');
  me = laptop(tmp, 'me', path.join(tmp, 'sessions'));
  env = { ...me.env, CLAUDE_CODE_BIN: CLAUDE_BIN };
  s = await createSession(env, 'doc');
  const id = await initIdentity(env, new Date());
  addRecipient(s.dir, 'me', id.id.recipient);
  const remote = path.join(tmp, 'remote.git');
  git(tmp, 'init', '-q', '--bare', remote);
  git(s.dir, 'remote', 'add', 'origin', remote);
  uuid = newUuid();
  const m = thisMachine(env);
  addConversation(s.dir, { uuid, started: new Date().toISOString(), machine: m.name, machineId: m.id });
  const t = transcriptFile(env, s.dir, uuid);
  fs.mkdirSync(path.dirname(t), { recursive: true });
  fs.writeFileSync(t, '{}\n');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const byCheck = (rs: CheckResult[], name: string) => rs.find((r) => r.check === name)!;
const failing = (rs: CheckResult[]) => rs.filter((r) => r.level === 'fail');

describe('cs -doctor', () => {
  it('passes when everything is in place, and prints one line per check', { timeout: 30_000 }, async () => {
    const rs = await runChecks({ env, session: s });
    expect(rs.map((r) => [r.check, r.level])).toEqual([
      ['claude', 'ok'],
      ['tmux', 'ok'],
      ['hooks', 'ok'],
      ['keychain', 'ok'],
      ['age identity', 'ok'],
      ['git identity', 'ok'],
      ['sync URL', 'ok'],
      ['git remote', 'ok'],
      ['transcripts', 'ok'],
      ['index lock', 'ok'],
    ]);
    expect(byCheck(rs, 'claude').detail).toMatch(/^\d+\.\d+\.\d+/);
    const out = await me.cs(['doc', '-doctor'], { CLAUDE_CODE_BIN: CLAUDE_BIN });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim().split('\n')).toHaveLength(10);
    expect(out.stdout).toMatch(/^✓ claude: \d/m);
    const json = JSON.parse((await me.cs(['-doctor', '--json'], { CLAUDE_CODE_BIN: CLAUDE_BIN })).stdout);
    expect(json.map((r: CheckResult) => r.check)).toEqual(['claude', 'tmux', 'hooks', 'keychain', 'age identity', 'git identity', 'sync URL']);
  });

  it('tmux: missing is a warning with its fix (sessions then run in the foreground); CS_HOST=foreground skips it', async () => {
    const { checkTmux } = await import('../../../src/doctor/checks.js');
    const empty = path.join(tmp, 'empty-bin');
    fs.mkdirSync(empty);
    const missing = await checkTmux({ ...env, PATH: empty });
    expect(missing).toMatchObject({ check: 'tmux', level: 'warn' });
    expect(missing.detail).toMatch(/tmux not found: sessions run in the foreground/);
    expect(missing.fix).toMatch(/install tmux/);
    expect(await checkTmux({ ...env, CS_HOST: 'foreground' })).toMatchObject({ check: 'tmux', level: 'skip' });
    expect((await checkTmux(env)).detail).toMatch(/^tmux \d/);
  });

  it('hooks: an install from before the plugin (entries in settings.json, as cs -update leaves it) is a warning with its fix, not a failure', async () => {
    const { checkHooks } = await import('../../../src/doctor/checks.js');
    const st = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
    delete st.enabledPlugins;
    delete st.extraKnownMarketplaces;
    st.hooks = hookGroups(hooksDir(env), HOOKS);
    fs.writeFileSync(settingsPath(env), JSON.stringify(st));
    const r = await checkHooks(env);
    expect(r).toMatchObject({ check: 'hooks', level: 'warn' });
    expect(r.detail).toMatch(/registered in .*settings\.json itself, as an older cs did it/);
    expect(r.fix).toBe('run: cs -install (it moves them into the cs plugin)');
  });

  const cases: Array<[string, string, () => void | Promise<void>, RegExp, RegExp]> = [
    ['claude missing', 'claude', () => void (env.CLAUDE_CODE_BIN = path.join(tmp, 'no-claude')), /not found/, /install Claude Code/],
    ['claude broken', 'claude', () => {
      const bad = path.join(tmp, 'bad-claude');
      fs.writeFileSync(bad, '#!/bin/sh\necho boom >&2\nexit 3\n', { mode: 0o755 });
      env.CLAUDE_CODE_BIN = bad;
    }, /exited 3: boom/, /reinstall Claude Code/],
    ['settings.json gone', 'hooks', () => fs.rmSync(settingsPath(env)), /does not exist/, /^run: cs -install/],
    // (Switched off, false, is the user's choice: a warning, test/integration/install/install.test.ts.)
    ['the plugin not enabled', 'hooks', () => {
      const st = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
      delete st.enabledPlugins[PLUGIN_ID];
      fs.writeFileSync(settingsPath(env), JSON.stringify(st));
    }, /plugin \(cs@claude-sessions\) is not enabled in .*settings\.json/, /^run: cs -install/],
    ['a hook entry removed from the plugin', 'hooks', () => {
      const st = JSON.parse(fs.readFileSync(pluginHooksFile(env), 'utf8'));
      delete st.hooks.Stop;
      fs.writeFileSync(pluginHooksFile(env), JSON.stringify(st));
    }, /hooks\.json does not hold the hooks of this cs/, /^run: cs -install/],
    ['the sh part the hooks source gone', 'hooks', () => fs.rmSync(path.join(hooksDir(env), '..', 'dist', 'hook.sh')), /missing or not executable in .*: \.\.\/dist\/hook\.sh/, /^run: cs -install/],
    ['a hook entry of an older cs left in settings.json', 'hooks', () => {
      const st = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
      st.hooks = { PreCompact: [{ hooks: [{ type: 'command', command: path.join(hooksDir(env), 'pre-compact') }] }] };
      fs.writeFileSync(settingsPath(env), JSON.stringify(st));
    }, /hook entries of cs in .*settings\.json beside its plugin's, so they run twice: PreCompact pre-compact/, /^run: cs -install \(it takes them out\)/],
    ['keychain does not answer', 'keychain', () => {
      env.CS_SECRETS_BACKEND = 'keychain';
      env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${tmp}/no-bus`;
      env.CS_KEYCHAIN_PROBE_MS = '2000';
    }, /does not answer/, /CS_SECRETS_BACKEND=encrypted/],
    ['age identity missing', 'age identity', () => fs.rmSync(path.join(me.home, '.cs-secrets', 'age.key')), /none at ~\/\.cs-secrets\/age\.key/, /-secrets age init/],
    ['age identity damaged', 'age identity', () => fs.writeFileSync(path.join(me.home, '.cs-secrets', 'age.key'), 'AGE-SECRET-KEY-1NOPE\n'), /invalid age identity/, /restore ~\/\.cs-secrets\/age\.key/],
    ['not a recipient', 'age identity', () => fs.rmSync(path.join(s.dir, '.cs/age-recipients/me.pub')), /not a recipient of 'doc'/, /-secrets age add <name> age1/],
    // Written by an older cs, or pulled: the password never shows, and the fix says to change it.
    ['a password in .cs/sync.conf', 'sync URL', () => fs.writeFileSync(path.join(s.dir, '.cs/sync.conf'), 'remote=https://bob:Sup3rS3cretPw99@127.0.0.1:9/x.git\n'), /^the sync remote in \.cs\/sync\.conf of 'doc' \(https:\/\/bob:\*\*\*@127\.0\.0\.1:9\/x\.git\) holds a password/, /credential\.helper.*cs doc -sync remote .*change that password/],
    ['remote unreachable', 'git remote', () => git(s.dir, 'remote', 'set-url', 'origin', path.join(tmp, 'gone.git')), /is not reachable/, /ls-remote origin/],
    ['pinned transcript gone', 'transcripts', () => fs.rmSync(transcriptFile(env, s.dir, uuid)), /no transcript here nor a synced copy/, /cs doc --new/],
    ['a bad uuid in conversations.json', 'transcripts', () => {
      const f = path.join(s.dir, '.cs/conversations.json');
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('{}]}', '{"uuid":"../../etc/passwd"},\n{}]}'));
    }, /'\.\.\/\.\.\/etc\/passwd' is not a uuid/, /fix or remove those entries/],
  ];

  for (const [what, check, breakIt, detail, fix] of cases) {
    it(`fails one line for: ${what}`, { timeout: 30_000 }, async () => {
      await breakIt();
      const rs = await runChecks({ env, session: s });
      expect(failing(rs).map((r) => r.check)).toEqual([check]);
      const r = byCheck(rs, check);
      expect(r.detail).toMatch(detail);
      expect(r.fix).toMatch(fix);
    });
  }

  it('does not fail for a missing age identity on a laptop whose sessions do not travel', { timeout: 30_000 }, async () => {
    const solo = laptop(tmp, 'solo', path.join(tmp, 'solo-sessions'));
    await createSession(solo.env, 'alone');
    for (const args of [['-doctor', '--json'], ['alone', '-doctor', '--json']]) {
      const out = await solo.cs(args, { CLAUDE_CODE_BIN: CLAUDE_BIN });
      expect(out.code, out.stdout).toBe(0);
      const id = (JSON.parse(out.stdout) as CheckResult[]).find((r) => r.check === 'age identity')!;
      expect(id.level, args.join(' ')).toBe('skip');
      expect(id.detail).toMatch(/needed once a session has age recipients or a sync remote/);
    }
    // Once a session gets a sync remote, the missing identity matters.
    expect((await solo.cs(['alone', '-sync', 'remote', path.join(tmp, 'remote.git')])).code).toBe(0);
    const after = JSON.parse((await solo.cs(['-doctor', '--json'], { CLAUDE_CODE_BIN: CLAUDE_BIN })).stdout) as CheckResult[];
    expect(after.find((r) => r.check === 'age identity')!.level).toBe('fail');
  });

  it('exits 1 and prints the fix when a check fails', { timeout: 30_000 }, async () => {
    fs.rmSync(path.join(me.home, '.cs-secrets', 'age.key'));
    const out = await me.cs(['doc', '-doctor'], { CLAUDE_CODE_BIN: CLAUDE_BIN });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^✗ age identity: none at .* — fix: run: cs doc -secrets age init/m);
  });

  it('cs -doctor without a session finds a password in any session\'s sync.conf, and never prints it', { timeout: 30_000 }, async () => {
    fs.writeFileSync(path.join(s.dir, '.cs/sync.conf'), 'remote=https://bob:Sup3rS3cretPw99@127.0.0.1:9/x.git\nauto=off\n');
    const out = await me.cs(['-doctor'], { CLAUDE_CODE_BIN: CLAUDE_BIN });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^✗ sync URL: the sync remote in \.cs\/sync\.conf of 'doc' \(https:\/\/bob:\*\*\*@127\.0\.0\.1:9\/x\.git\) holds a password.* — fix: give it without the password \(https:\/\/bob@127\.0\.0\.1:9\/x\.git\)/m);
    expect(out.stdout + out.stderr).not.toContain('Sup3rS3cretPw99');
  });
});
