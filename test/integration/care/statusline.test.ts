// The status line: hooks/statusline (one awk program; git and a write only when needed) against
// sample status JSON in the shape Claude Code 2.1.330 builds, and the
// settings.json edits of cs -statusline enable/disable (and -uninstall).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusLineCommand, withStatusLine, withoutStatusLine } from '../../../src/install/statusline.js';
import { readStatusLine } from '../../../src/status/statusline.js';
import { installedHome } from '../../support/installed-home.js';
import { repoRoot, runCs, sandbox, type Sandbox } from '../../support/cs.js';

const script = path.join(repoRoot, 'hooks', 'statusline');
const SAMPLE = fs.readFileSync(path.join(repoRoot, 'test/fixtures/statusline/claude-2.1.330.json'), 'utf8');

let sb: Sandbox;
let dir: string;
beforeEach(() => {
  sb = sandbox();
  dir = path.join(sb.root, 'api');
  fs.mkdirSync(path.join(dir, '.cs', 'local'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'fix-auth', dir]);
  fs.writeFileSync(path.join(dir, '.gitignore'), '.cs/local/\n');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
  fs.writeFileSync(path.join(dir, '.cs/local/status.json'), '{"state":"working","event":"PreToolUse","ms":1}\n');
});
afterEach(() => sb.cleanup());

/** The sample with this session's dir and reset times relative to now (seconds). */
function sample(over: (v: any) => void = () => {}): string {
  const now = Math.floor(Date.now() / 1000);
  const text = SAMPLE.split('@@SESSION_DIR@@').join(dir).replace(/"@@NOW\+(\d+)@@"/g, (_m, s) => String(now + Number(s)));
  const v = JSON.parse(text);
  over(v);
  return JSON.stringify(v);
}

function render(input: string, env: NodeJS.ProcessEnv = { CLAUDE_SESSION_NAME: 'api', CLAUDE_SESSION_DIR: dir }): { out: string; code: number | null; err: string } {
  const r = spawnSync(script, [], { input, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { out: r.stdout, code: r.status, err: r.stderr };
}

describe('hooks/statusline', () => {
  it('renders session, state, context, both limits with time to reset, branch and changed files', () => {
    const r = render(sample());
    expect(r).toEqual({ out: 'api · working · ctx 42% · 5h 30% 2h10m · 7d 13% 3d4h · fix-auth +2\n', code: 0, err: '' });
  });

  it.each([
    ['no plan limits (API key: rate_limits absent)', (v: any) => delete v.rate_limits, 'api · working · ctx 42% · fix-auth +2\n'],
    ['no context figure yet (used_percentage null)', (v: any) => (v.context_window.used_percentage = null), 'api · working · 5h 30% 2h10m · 7d 13% 3d4h · fix-auth +2\n'],
    ['only the weekly limit, reset passed', (v: any) => (delete v.rate_limits.five_hour, (v.rate_limits.seven_day.resets_at = 1)), 'api · working · ctx 42% · 7d 13% 0m · fix-auth +2\n'],
    ['pretty-printed JSON with escapes in strings', (v: any) => (v.model.display_name = 'a\\"}{,:b'), 'api · working · ctx 42% · 5h 30% 2h10m · 7d 13% 3d4h · fix-auth +2\n'],
  ])('%s', (_what, change, want) => {
    const input = sample(change);
    expect(render(input).out).toBe(want);
    expect(render(JSON.stringify(JSON.parse(input), null, 2)).out).toBe(want);
  });

  it('outside a cs session: no name or state, nothing recorded; outside git: no branch', () => {
    const r = render(sample(), {});
    expect(r.out).toBe('ctx 42% · 5h 30% 2h10m · 7d 13% 3d4h · fix-auth +2\n');
    expect(fs.existsSync(path.join(dir, '.cs/local/statusline.json'))).toBe(false);
    const plain = path.join(sb.dir, 'plain');
    fs.mkdirSync(plain);
    expect(render(sample((v) => (v.workspace.current_dir = plain)), {}).out).toBe('ctx 42% · 5h 30% 2h10m · 7d 13% 3d4h\n');
  });

  it('never fails on bad input', () => {
    for (const input of ['', 'not json', '{"context_window":', '[1,2', '{"rate_limits":{"five_hour":{"used_percentage":"x"}}}']) {
      const r = render(input);
      expect(r.code, input).toBe(0);
      expect(r.err, input).toBe('');
      expect(r.out.split('\n').length, input).toBeLessThanOrEqual(2);
    }
  });

  it('records the latest context % and limits in .cs/local/statusline.json (read by src/status/statusline.ts)', () => {
    const now = Math.floor(Date.now() / 1000);
    render(sample());
    const rec = readStatusLine(dir);
    expect(rec).toMatchObject({ sessionId: '5f0c7d2e-1b7a-4c55-9a51-0d5e1f9c2a11', contextPct: 42, contextSize: 200000, fiveHourPct: 30, sevenDayPct: 13 });
    expect(Math.abs(rec!.at.getTime() / 1000 - now)).toBeLessThan(60);
    expect(Math.abs(rec!.fiveHourResetsAt!.getTime() / 1000 - (now + 7830))).toBeLessThan(60);
    render(sample((v) => (delete v.rate_limits, (v.context_window.used_percentage = 81))));
    expect(readStatusLine(dir)).toMatchObject({ contextPct: 81, fiveHourPct: null, fiveHourResetsAt: null });
    expect(fs.readdirSync(path.join(dir, '.cs/local')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rewrites the record only when the reading changed or is a minute old (no mv on most renders)', () => {
    const file = path.join(dir, '.cs/local/statusline.json');
    // One input for both renders: sample() puts reset times relative to now,
    // so two calls a second apart are (rightly) two different readings.
    const same = sample();
    render(same);
    const first = fs.statSync(file).ino;
    render(same);
    expect(fs.statSync(file).ino).toBe(first); // the same reading: left as it was
    render(same.replace('"used_percentage":42.4', '"used_percentage":42.2'));
    expect(fs.statSync(file).ino).toBe(first); // under a whole percent: the same reading
    const changed = sample((v) => (v.context_window.used_percentage = 55));
    render(changed);
    expect(fs.statSync(file).ino).not.toBe(first); // a new reading: replaced (temp file + rename)
    expect(readStatusLine(dir)).toMatchObject({ contextPct: 55 });
    // A reading recorded over a minute ago is refreshed even when unchanged (readers trust 15 minutes).
    const stale = fs.readFileSync(file, 'utf8').replace(/^\{"at":(\d+)/, (_m, at) => `{"at":${Number(at) - 61}`);
    fs.writeFileSync(file, stale);
    const before = fs.statSync(file).ino;
    render(changed); // the very reading recorded, only older
    expect(fs.statSync(file).ino).not.toBe(before);
    expect(Math.abs(readStatusLine(dir)!.at.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('reuses the git reading until a hook event or 10 s; outside a session git runs every time', () => {
    // A git on PATH that counts its runs, then is the real git.
    const bin = path.join(sb.dir, 'bin');
    const count = path.join(sb.dir, 'git-runs');
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho x >> '${count}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const runs = () => (fs.existsSync(count) ? fs.readFileSync(count, 'utf8').split('\n').length - 1 : 0);
    const env = { PATH: `${bin}:${process.env.PATH}`, CLAUDE_SESSION_NAME: 'api', CLAUDE_SESSION_DIR: dir };
    const input = sample();
    const draw = () => spawnSync(script, [], { input, env, encoding: 'utf8' }).stdout;
    expect(draw()).toBe('api · working · ctx 42% · 5h 30% 2h10m · 7d 13% 3d4h · fix-auth +2\n');
    expect(runs()).toBe(1);
    fs.writeFileSync(path.join(dir, 'b.txt'), 'b'); // not seen until something says git may have moved
    expect(draw()).toMatch(/fix-auth \+2\n$/);
    expect(runs()).toBe(1);
    // A hook event (every tool call rewrites status.json's ms): read again.
    fs.writeFileSync(path.join(dir, '.cs/local/status.json'), '{"state":"working","event":"PostToolUse","ms":2}\n');
    expect(draw()).toMatch(/fix-auth \+3\n$/);
    expect(runs()).toBe(2);
    // A branch switched in another terminal shows at the next hook event (or within 10 s).
    execFileSync('git', ['-C', dir, 'checkout', '-q', '-b', 'other']);
    expect(draw()).toMatch(/fix-auth \+3\n$/);
    expect(runs()).toBe(2);
    fs.writeFileSync(path.join(dir, '.cs/local/status.json'), '{"state":"working","event":"PreToolUse","ms":3}\n');
    expect(draw()).toMatch(/other \+3\n$/);
    expect(runs()).toBe(3);
    // A reading 10 s old is read again.
    const cache = path.join(dir, '.cs/local/statusline-git');
    fs.writeFileSync(cache, fs.readFileSync(cache, 'utf8').replace(/^\d+/, (at) => String(Number(at) - 10)));
    draw();
    expect(runs()).toBe(4);
    draw();
    expect(runs()).toBe(4);
    // A damaged cache is a miss, never a wrong line.
    fs.writeFileSync(cache, 'garbage\tno\n');
    expect(draw()).toMatch(/other \+3\n$/);
    expect(runs()).toBe(5);
    // Outside a session there is nowhere to keep it.
    const outside = { PATH: env.PATH };
    spawnSync(script, [], { input, env: outside });
    spawnSync(script, [], { input, env: outside });
    expect(runs()).toBe(7);
  });

  it('runs as registered, through Claude Code\'s shell: the script itself, or awk -f where /usr/bin/awk is missing', () => {
    const want = 'api · working · ctx 42% · 5h 30% 2h10m · 7d 13% 3d4h · fix-auth +2\n';
    const env = { PATH: process.env.PATH, HOME: sb.home, CLAUDE_SESSION_NAME: 'api', CLAUDE_SESSION_DIR: dir };
    for (const usrBinAwk of [true, false]) {
      const command = statusLineCommand(env, usrBinAwk);
      expect(command.startsWith('awk -f ')).toBe(!usrBinAwk);
      expect(spawnSync('sh', ['-c', command], { input: sample(), env, encoding: 'utf8' }).stdout).toBe(want);
    }
  });

  it('does not write the git reading through a symlink planted in its place', () => {
    const target = path.join(sb.dir, 'victim');
    fs.writeFileSync(target, 'keep me\n');
    fs.symlinkSync(target, path.join(dir, '.cs/local/statusline-git'));
    expect(render(sample()).out).toMatch(/fix-auth \+2\n$/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me\n');
  });

  it('does not write through a symlinked .cs/local', () => {
    const elsewhere = path.join(sb.dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.rmSync(path.join(dir, '.cs/local'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(dir, '.cs/local'));
    expect(render(sample()).code).toBe(0);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe('settings: pure', () => {
  const ours = ['/cs/hooks/statusline'];
  const theirs = { type: 'command', command: '~/bin/my-line' };
  it('enable adds ours, keeps theirs unless replace, and disable puts theirs back', () => {
    expect(withStatusLine({ model: 'x' }, ours[0]!, ours, false)).toEqual({ next: { model: 'x', statusLine: { type: 'command', command: ours[0], padding: 0 } }, outcome: 'enabled', previous: null });
    expect(withStatusLine({ statusLine: theirs }, ours[0]!, ours, false)).toMatchObject({ next: { statusLine: theirs }, outcome: 'kept-yours' });
    const r = withStatusLine({ statusLine: theirs }, ours[0]!, ours, true);
    expect(r).toMatchObject({ outcome: 'replaced', previous: theirs });
    expect(withoutStatusLine(r.next, ours, theirs)).toEqual({ next: { statusLine: theirs }, removed: true });
    expect(withoutStatusLine({ statusLine: theirs }, ours, null)).toEqual({ next: { statusLine: theirs }, removed: false });
  });
});

describe('cs -statusline with an installed cs', () => {
  it('enable/disable keep and restore the user\'s status line; uninstall restores settings.json byte for byte', { timeout: 120_000 }, async () => {
    const env = installedHome(sb.dir, {}, { home: path.join(sb.dir, 'h2') });
    const file = path.join(env.CLAUDE_CONFIG_DIR!, 'settings.json');
    const afterInstall = fs.readFileSync(file, 'utf8');
    // The user's own status line, added after installing.
    const mine = JSON.parse(afterInstall);
    mine.statusLine = { type: 'command', command: '~/bin/my-line' };
    fs.writeFileSync(file, JSON.stringify(mine, null, 2) + '\n');
    const withMine = fs.readFileSync(file, 'utf8');

    let r = await runCs(['-statusline', 'enable'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/already has a status line of yours \(~\/bin\/my-line\); it was kept — .*--replace/);
    expect(fs.readFileSync(file, 'utf8')).toBe(withMine);

    r = await runCs(['-statusline', 'enable', '--replace'], { env });
    expect(r.code, r.stderr).toBe(0);
    const cmd = JSON.parse(fs.readFileSync(file, 'utf8')).statusLine.command as string;
    expect(cmd).toBe(path.join(env.CS_DATA_DIR!, 'current', 'hooks', 'statusline'));
    expect(fs.existsSync(cmd)).toBe(true);
    r = await runCs(['-statusline', 'enable'], { env });
    expect(r.stderr).toContain('already on');

    r = await runCs(['-statusline', 'disable'], { env });
    expect(r.stderr).toContain('yours is back (~/bin/my-line)');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(mine);

    // Without a status line of the user's: uninstall takes ours away and restores the file as it was before install.
    fs.writeFileSync(file, afterInstall);
    expect((await runCs(['-statusline', 'enable'], { env })).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).statusLine).toBeDefined();
    r = await runCs(['-uninstall'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed the cs status line');
    expect(fs.existsSync(file)).toBe(false); // there was no settings.json before the install
  });

  it('bad input is a usage error', { timeout: 120_000 }, async () => {
    for (const args of [['-statusline'], ['-statusline', 'on'], ['-statusline', 'disable', '--replace']]) {
      const r = await runCs(args, { env: sb.env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
