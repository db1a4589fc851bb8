// First-run rough edges: a command typed without its dash.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasTmux, startTerminal } from '../../support/tmux.js';
import { claudeStarts, csBin, runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

describe('cs <a command without its dash>', () => {
  it('refuses without a terminal, naming the command, and creates nothing', async () => {
    const r = await runCs(['list'], { env: sb.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'list' is the name of a command \(cs -list\).* — run the command with: cs -list/);
    expect(fs.existsSync(path.join(sb.root, 'list'))).toBe(false);
    expect(claudeStarts(sb)).toHaveLength(0);
  });

  it('names a session command as it is typed, session and all', async () => {
    const r = await runCs(['queue'], { env: sb.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'queue' is the name of a command \(cs <name> -queue\).* — run the command with: cs <name> -queue;/);
    expect(fs.existsSync(path.join(sb.root, 'queue'))).toBe(false);
  });

  it('opens an existing session of that name without asking', async () => {
    const { createSession } = await import('../../../src/session/workspace.js');
    await createSession(sb.env, 'search');
    const r = await runCs(['search'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(claudeStarts(sb)).toHaveLength(1);
  });

  it.skipIf(!hasTmux())('asks on a terminal: no creates nothing, yes creates the session', { timeout: 60_000 }, async () => {
    const ask = () => startTerminal([process.execPath, csBin, 'list'], { env: { ...sb.env, CS_NO_UPDATE_CHECK: '1' }, width: 100, height: 20 });
    let term = ask();
    try {
      await term.waitFor((s) => /'list' is also a command \(cs -list\)\. Create a session named 'list'\?/.test(s), 'the question');
      term.keys('Enter'); // the default is No
      expect(await term.waitForExit()).toBe(130);
      expect(term.screen()).toMatch(/no session created — to run the command: cs -list/);
    } finally {
      term.close();
    }
    expect(fs.existsSync(path.join(sb.root, 'list'))).toBe(false);
    term = ask();
    try {
      await term.waitFor((s) => /Create a session named 'list'\?/.test(s), 'the question');
      term.keys('Left');
      term.keys('Enter');
      expect(await term.waitForExit(20_000)).toBe(0);
    } finally {
      term.close();
    }
    expect(fs.existsSync(path.join(sb.root, 'list', '.cs'))).toBe(true);
    expect(claudeStarts(sb)).toHaveLength(1);
  });
});

describe('a relative CS_SESSIONS_ROOT', () => {
  it('is refused in one line with the fix, whatever the command, and nothing is made', async () => {
    // Relative, it named another folder from every directory cs ran in.
    for (const args of [['-ls'], ['work'], ['-search', 'x']]) {
      const r = await runCs(args, { env: { ...sb.env, CS_SESSIONS_ROOT: 'rel/sessions' }, cwd: sb.home });
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain("CS_SESSIONS_ROOT is a relative path ('rel/sessions')");
      expect(r.stderr).toContain('export CS_SESSIONS_ROOT="$PWD/rel/sessions"');
      expect(fs.existsSync(path.join(sb.home, 'rel'))).toBe(false);
    }
    expect(claudeStarts(sb)).toHaveLength(0);
  });
});
