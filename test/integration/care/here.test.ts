// "Where you stand": `cs` alone inside a session's directory opens it (on a
// terminal, driven through tmux); `cs -- <name>` is accepted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { route } from '../../../src/cli.js';
import { sessionAt } from '../../../src/session/here.js';
import { claudeStarts, csBin, runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { hasTmux, startTerminal, type Terminal } from '../../support/tmux.js';

let sb: Sandbox;
let term: Terminal | undefined;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => {
  term?.close();
  term = undefined;
  sb.cleanup();
});

describe('sessionAt', () => {
  it('finds the session from its directory, a subdirectory, or an adopted project; nothing elsewhere', { timeout: 120_000 }, async () => {
    expect((await runCs(['api'], { env: sb.env })).code).toBe(0);
    const project = path.join(sb.dir, 'src', 'proj');
    fs.mkdirSync(path.join(project, 'lib', 'deep'), { recursive: true });
    expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);
    fs.mkdirSync(path.join(sb.root, 'api', 'sub', 'dir'), { recursive: true });
    const cases: Array<[string, string | null]> = [
      [path.join(sb.root, 'api'), 'api'],
      [path.join(sb.root, 'api', 'sub', 'dir'), 'api'],
      [path.join(sb.root, 'api', '.cs'), 'api'],
      [project, 'proj'],
      [path.join(project, 'lib', 'deep'), 'proj'],
      [path.join(sb.root, 'proj'), 'proj'],
      [sb.root, null],
      [sb.home, null],
      [path.join(sb.dir, 'src'), null],
      ['/', null],
      [path.join(sb.dir, 'missing'), null],
    ];
    for (const [cwd, want] of cases) expect(sessionAt(sb.env, cwd), cwd).toBe(want);
  });
});

describe('cs -- <name>', () => {
  it('routes like cs <name>, keeping the options after the name', () => {
    const r = route(['--', 'work', '--new', '--', '--model', 'opus']);
    expect(r.kind === 'command' && [r.spec.name, r.inv.session, r.args]).toEqual(['', 'work', ['--new', '--', '--model', 'opus']]);
    expect(() => route(['--'])).toThrow(/session name is needed after --/);
  });
  it('opens the session', { timeout: 120_000 }, async () => {
    const r = await runCs(['--', 'work'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(claudeStarts(sb).map((s) => s.env.CLAUDE_SESSION_NAME)).toEqual(['work']);
  });
});

describe.skipIf(!hasTmux())('cs alone on a terminal', () => {
  it('inside a session directory opens that session; elsewhere shows the picker', { timeout: 120_000 }, async () => {
    for (const s of ['api', 'web']) expect((await runCs([s], { env: sb.env })).code).toBe(0);
    const sub = path.join(sb.root, 'web', 'notes');
    fs.mkdirSync(sub);
    term = startTerminal([process.execPath, csBin], { env: sb.env, cwd: sub, width: 100, height: 24 });
    expect(await term.waitForExit(), term.screen()).toBe(0);
    const starts = claudeStarts(sb);
    expect(starts).toHaveLength(3);
    expect(starts[2]!).toMatchObject({ cwd: path.join(sb.root, 'web'), env: { CLAUDE_SESSION_NAME: 'web' } });
    term.close();

    // The picker leaves archived sessions out.
    expect((await runCs(['-archive', 'api'], { env: sb.env })).code).toBe(0);
    term = startTerminal([process.execPath, csBin], { env: sb.env, cwd: sb.home, width: 100, height: 24 });
    const screen = await term.waitFor((s) => s.includes('type to filter'), 'the picker');
    expect(screen).toMatch(/\bweb\b/);
    expect(screen).not.toMatch(/\bapi\b/);
    expect(screen).toContain('1 session');
    term.keys('Escape');
    expect(await term.waitForExit()).toBe(0);
    expect(claudeStarts(sb)).toHaveLength(3);
  });

  it('without a terminal, cs alone in a session directory still prints the list', { timeout: 120_000 }, async () => {
    expect((await runCs(['api'], { env: sb.env })).code).toBe(0);
    const r = await runCs([], { env: sb.env, cwd: path.join(sb.root, 'api') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME/);
    expect(claudeStarts(sb)).toHaveLength(1);
  });
});
