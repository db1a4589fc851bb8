// `cs` with no arguments, driven in a real terminal (tmux): the screen shows
// the grouped sessions, typing filters, Enter resumes through the fake
// claude, Tab opens the actions (sync push, remove), and a new session is
// named through a validated prompt. Without a terminal `cs` prints the list.
import { lacks } from '../../support/tools.js';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeStarts, csBin, runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { hasTmux, startTerminal, type Terminal } from '../../support/tmux.js';

const DAY = 86_400_000;

function setLastUsed(sb: Sandbox, name: string, when: Date): void {
  fs.utimesSync(path.join(sb.root, name, '.cs', 'logs', 'session.log'), when, when);
}

// The picker groups by calendar day in its local time, read from its own clock
// when it starts. It runs in a fixed-offset zone where it is about noon now, so
// no midnight falls between setting the times below and the picker reading its
// clock, whatever the hour the suite runs at.
const offsetH = new Date().getUTCHours() - 12; // Etc/GMT+N is N hours behind UTC
const TZ = `Etc/GMT${offsetH >= 0 ? '+' : '-'}${Math.abs(offsetH)}`;
const shiftMs = -offsetH * 3_600_000; // local time = UTC + shiftMs

describe.skipIf(lacks(hasTmux()))('the picker in a terminal', () => {
  let sb: Sandbox;
  let term: Terminal | undefined;
  const startOfToday = new Date(Math.floor((Date.now() + shiftMs) / DAY) * DAY - shiftMs);

  beforeAll(async () => {
    sb = sandbox({ TZ });
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
      const r = await runCs([name], { env: sb.env });
      expect(r.code, r.stderr).toBe(0);
    }
    const meta = path.join(sb.root, 'alpha', '.cs');
    fs.writeFileSync(path.join(meta, 'README.md'), '# alpha\n\n## Objective\nFix the login flow\n');
    fs.writeFileSync(path.join(meta, 'discoveries.md'), '## token expiry\nx\n\n## clock skew\ny\n');
    fs.writeFileSync(path.join(meta, 'artifacts', 'fix.sh'), 'echo fix\n');
    setLastUsed(sb, 'alpha', new Date());
    setLastUsed(sb, 'beta', new Date(startOfToday.getTime() - 3_600_000)); // yesterday, 23:00
    setLastUsed(sb, 'delta', new Date(startOfToday.getTime() - 3 * DAY + 12 * 3_600_000));
    setLastUsed(sb, 'gamma', new Date(Date.now() - 30 * DAY));
  }, 30_000);

  afterAll(() => {
    term?.close();
    sb?.cleanup();
  });

  /** Moves the focus of a clack select down to the option with this label, then chooses it. */
  async function select(t: Terminal, label: string): Promise<void> {
    const focused = (s: string) => /●\s+(.+?)(?:\s+\(|\s*$)/m.exec(s)?.[1];
    for (let i = 0; i < 8; i++) {
      const now = focused(t.screen());
      if (now === label) {
        t.keys('Enter');
        return;
      }
      t.keys('Down');
      await t.waitFor((s) => focused(s) !== now, `the focus to leave ${now}`);
    }
    throw new Error(`no option '${label}' in:\n${t.screen()}`);
  }

  function openPicker(env: NodeJS.ProcessEnv = sb.env): Terminal {
    term?.close();
    term = startTerminal([process.execPath, csBin], { env, width: 110, height: 30 });
    return term;
  }

  it('shows sessions grouped by day with objective, counts and location; typing filters; Enter resumes', async () => {
    const t = openPicker();
    const screen = await t.waitFor((s) => s.includes('Search:') && s.includes('gamma'), 'the picker');
    const lines = screen.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('Today')).toBeGreaterThan(-1);
    expect([at('Today'), at('alpha'), at('Yesterday'), at('beta'), at('This week'), at('delta'), at('Older'), at('gamma')]).toEqual(
      [...[at('Today'), at('alpha'), at('Yesterday'), at('beta'), at('This week'), at('delta'), at('Older'), at('gamma')]].sort((a, b) => a - b),
    );
    expect(lines[at('alpha')]).toMatch(/›\s+alpha\s+Fix the login flow\s+2 disc\s+1 art\s+local/);
    expect(screen).toContain('New session');

    t.type('gam');
    const filtered = await t.waitFor((s) => s.includes('(1 match)'), 'the filter to apply');
    expect(filtered).not.toContain('alpha');
    expect(filtered).toMatch(/›\s+gamma/);
    const before = claudeStarts(sb).length;
    t.keys('Enter');
    expect(await t.waitForExit()).toBe(0);
    const starts = claudeStarts(sb);
    expect(starts.length).toBe(before + 1);
    expect(starts.at(-1)!.env.CLAUDE_SESSION_NAME).toBe('gamma');
    expect(starts.at(-1)!.cwd).toBe(path.join(sb.root, 'gamma'));
  });

  it('names a new session through a prompt that rejects bad names, then starts it', async () => {
    const t = openPicker();
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    t.keys('Up'); // wraps from the first session to the last row: new session
    await t.waitFor((s) => /›\s+\+ New session/.test(s), 'the new-session row to be focused');
    t.keys('Enter');
    await t.waitFor((s) => s.includes('New session name'), 'the name prompt');
    t.type('.hidden');
    t.keys('Enter');
    await t.waitFor((s) => s.includes('starts with "."'), 'the name rule');
    t.keys(...Array(7).fill('BSpace'));
    t.type('brand-new');
    t.keys('Enter');
    expect(await t.waitForExit()).toBe(0);
    expect(claudeStarts(sb).at(-1)!.env.CLAUDE_SESSION_NAME).toBe('brand-new');
    expect(fs.existsSync(path.join(sb.root, 'brand-new', '.cs'))).toBe(true);
  });

  it('Tab opens the actions: sync push runs -sync with its spinner and comes back', async () => {
    const bare = path.join(sb.dir, 'alpha-remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    const r = await runCs(['alpha', '-sync', 'remote', bare], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);

    const t = openPicker();
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    t.type('alpha');
    await t.waitFor((s) => s.includes('(1 match)'), 'the filter');
    t.keys('Tab');
    await t.waitFor((s) => s.includes('Sync push') && s.includes('Remove'), 'the actions');
    await select(t, 'Sync push');
    const after = await t.waitFor((s) => s.includes('pushed alpha') && s.lastIndexOf('Search:') > s.indexOf('pushed alpha'), 'the push and the picker again', 20_000);
    expect(after).toContain('pushed alpha');
    t.keys('Escape');
    expect(await t.waitForExit()).toBe(0);
    expect(execFileSync('git', ['--git-dir', bare, 'for-each-ref', '--format=%(refname)'], { encoding: 'utf8' })).toMatch(/refs\/heads\//);
  });

  // Moving itself is tested with a real sshd in test/remote.
  it('move to host offers the registered aliases (Escape goes back to the list)', async () => {
    const config = path.join(sb.home, '.config', 'cs');
    fs.mkdirSync(config, { recursive: true });
    fs.writeFileSync(path.join(config, 'hosts.json'), JSON.stringify({ version: 1, hosts: { mini: { host: 'me@mini.local', added: '' } } }));
    const t = openPicker();
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    t.type('beta');
    await t.waitFor((s) => s.includes('(1 match)'), 'the filter');
    t.keys('Tab');
    await t.waitFor((s) => s.includes('Move to host'), 'the actions');
    await select(t, 'Move to host…');
    const hosts = await t.waitFor((s) => s.includes('Move to which host?'), 'the host choice');
    expect(hosts).toMatch(/mini\s+\(me@mini\.local\)/);
    expect(hosts).toContain('Another host');
    t.keys('Escape');
    await t.waitFor((s) => s.lastIndexOf('Search:') > s.indexOf('Move to which host?'), 'the picker again');
    t.keys('Escape');
    expect(await t.waitForExit()).toBe(0);
    expect(fs.existsSync(path.join(sb.root, 'beta', '.cs', 'README.md'))).toBe(true);
  });

  it('remove asks for confirmation, then the list no longer has the session', async () => {
    const t = openPicker();
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    t.type('delta');
    await t.waitFor((s) => s.includes('(1 match)'), 'the filter');
    t.keys('Tab');
    await t.waitFor((s) => s.includes('Remove'), 'the actions');
    await select(t, 'Remove…');
    await t.waitFor((s) => s.includes("delete session 'delta'"), 'the confirmation');
    expect(fs.existsSync(path.join(sb.root, 'delta'))).toBe(true);
    t.keys('Left', 'Enter'); // Yes
    await t.waitFor((s) => s.includes("removed session 'delta'") && s.lastIndexOf('Search:') > s.indexOf("removed session 'delta'"), 'the picker again');
    expect(fs.existsSync(path.join(sb.root, 'delta'))).toBe(false);
    expect(t.screen().split("removed session 'delta'")[1]).not.toMatch(/\bdelta\b/);
    t.keys('Escape');
    expect(await t.waitForExit(), t.screen()).toBe(0);
  });

  it('uses colour unless NO_COLOR, and Nerd Font icons with CS_NERD_FONTS=1', async () => {
    const { NO_COLOR: _, ...coloured } = sb.env;
    let t = openPicker({ ...coloured, CS_NERD_FONTS: '1' });
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    expect(t.screen({ escapes: true })).toMatch(/\x1b\[[0-9;]*m/);
    expect(t.screen()).toContain('\uf0eb 2'); // discoveries
    expect(t.screen()).toContain('\uf109 local');
    t.keys('Escape');
    expect(await t.waitForExit()).toBe(0);

    t = openPicker();
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    expect(t.screen({ escapes: true })).not.toMatch(/\x1b\[[0-9;]*m/);
    expect(t.screen()).toContain('2 disc');
    t.keys('Escape');
    expect(await t.waitForExit()).toBe(0);

    // A question (clack's confirm) answered with Ctrl-C, with NO_COLOR: the cancelled state has no style codes either.
    t.close();
    t = term = startTerminal([process.execPath, csBin, '-rm', 'gamma'], { env: sb.env, cwd: sb.dir });
    await t.waitFor((s) => s.includes('gamma'), 'the question');
    expect(t.screen({ escapes: true })).not.toMatch(/\x1b\[[0-9;]*m/);
    t.keys('C-c');
    expect(await t.waitForExit()).toBe(130);
    expect(t.screen({ escapes: true })).not.toMatch(/\x1b\[[0-9;]*m/);
    expect(fs.existsSync(path.join(sb.root, 'gamma'))).toBe(true);
  });

  it('Escape leaves with 0; Ctrl-C is an interrupt: 130', async () => {
    let t = openPicker();
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    t.keys('Escape');
    expect(await t.waitForExit()).toBe(0);
    t = openPicker();
    await t.waitFor((s) => s.includes('Search:'), 'the picker');
    t.keys('C-c');
    expect(await t.waitForExit(), t.screen()).toBe(130);
    // Said once, by the picker's last frame.
    expect(t.screen().match(/cancelled/g), t.screen()).toHaveLength(1);
  });

  it('without a terminal, cs prints the list instead', async () => {
    const r = await runCs([], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME/);
    expect(r.stdout).toContain('alpha');
    expect(r.stdout + r.stderr).not.toContain('Search:');
  });
});

describe.skipIf(lacks(hasTmux()))('the picker with 200 sessions in a 60x24 terminal', () => {
  let sb: Sandbox;
  let term: Terminal | undefined;
  const names = Array.from({ length: 200 }, (_, i) => `s-${String(i).padStart(3, '0')}`);

  beforeAll(async () => {
    sb = sandbox({ TZ });
    const r = await runCs([names[0]!], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    const long = 'Fix the flaky login flow on staging where the token refresh races with the cookie';
    fs.writeFileSync(path.join(sb.root, names[0]!, '.cs', 'README.md'), `# s\n\n## Objective\n${long}\n`);
    // Copies of one real workspace, one minute apart, newest first: all under Today.
    for (const [i, name] of names.entries()) {
      if (i > 0) fs.cpSync(path.join(sb.root, names[0]!), path.join(sb.root, name), { recursive: true });
      setLastUsed(sb, name, new Date(Date.now() - i * 60_000));
    }
  }, 60_000);

  afterAll(() => {
    term?.close();
    sb?.cleanup();
  });

  const focused = (screen: string) => /›\s+(\S+)/.exec(screen)?.[1];

  it('keeps the frame within the width, pages with PgDn/PgUp (stopping at the ends), and Enter opens the row shown', async () => {
    term = startTerminal([process.execPath, csBin], { env: sb.env, width: 60, height: 24 });
    const t = term;
    const first = await t.waitFor((s) => s.includes('Search:') && s.includes('s-000'), 'the picker');
    // Every line of the frame starts with its bar: the key help is not wrapped onto a line of its own.
    const frame = first.split('\n').filter((l) => l.trim() !== '');
    for (const line of frame) expect(line, first).toMatch(/^[│◆└]/);
    expect(first).toContain('Esc quit');
    expect(focused(first)).toBe('s-000');

    t.keys('PageDown');
    const paged = await t.waitFor((s) => focused(s) !== 's-000', 'the focus to move a page');
    const at = names.indexOf(focused(paged)!);
    expect(at).toBeGreaterThanOrEqual(10); // a screenful, not a row
    expect(paged).toContain('Search: type to filter'); // the key typed nothing into the filter
    t.keys('PageUp');
    await t.waitFor((s) => focused(s) === 's-000', 'the focus back at the top');
    // At the top PgUp stays there (↑ would wrap to the last row): one ↓ is then the second session.
    t.keys('PageUp', 'Down');
    await t.waitFor((s) => focused(s) === 's-001', 'the second session');
    t.keys(...Array(20).fill('PageDown'));
    await t.waitFor((s) => /›\s+\+ New session/.test(s), 'the last row');
    // At the end PgDn stays there too: one ↑ is then the last session.
    t.keys('PageDown', 'Up');
    await t.waitFor((s) => focused(s) === 's-199', 'the last session');
    t.keys('Enter');
    expect(await t.waitForExit()).toBe(0);
    expect(claudeStarts(sb).at(-1)!.env.CLAUDE_SESSION_NAME).toBe('s-199');
  });
});

