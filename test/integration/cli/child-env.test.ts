// cs's own secrets (CS_SECRETS_PASSWORD, CS_SERVE_TOKEN, any CS_*_TOKEN...)
// never reach a child: not Claude (and so not its Bash tool calls), not git.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Repo } from '../../../src/git/repo.js';
import { childEnv, run, runAttached } from '../../../src/lib/proc.js';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { claudeStarts, hostSandbox, until } from '../../support/host.js';
import { hasTmux } from '../../support/tmux.js';

const SECRETS = { CS_SECRETS_PASSWORD: 'pw-must-not-leak', CS_SERVE_TOKEN: 'serve-token-must-not-leak', CS_NTFY_TOKEN: 'ntfy-must-not-leak' };

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox({ ...SECRETS, CS_SECRETS_BACKEND: 'encrypted' });
});
afterEach(() => sb.cleanup());

function expectClean(envText: string): void {
  for (const [k, v] of Object.entries(SECRETS)) {
    expect(envText).not.toContain(k);
    expect(envText).not.toContain(v);
  }
}

describe('child environments', () => {
  it('Claude started by cs gets the session variables but none of cs\'s secrets', async () => {
    const dump = path.join(sb.dir, 'claude-env.txt');
    const claude = path.join(sb.dir, 'claude');
    fs.writeFileSync(claude, `#!/bin/sh\nenv > '${dump}'\n`, { mode: 0o755 });
    const r = await runCs(['demo'], { env: { ...sb.env, CLAUDE_CODE_BIN: claude } });
    expect(r.code).toBe(0);
    const text = fs.readFileSync(dump, 'utf8');
    expect(text).toMatch(/^CLAUDE_SESSION_NAME=demo$/m);
    expect(text).toMatch(/^CS_SECRETS_BACKEND=encrypted$/m);
    expectClean(text);
  });

  it.skipIf(!hasTmux())('a hosted Claude (cs -spawn) gets none of them either', { timeout: 60_000 }, async () => {
    const host = hostSandbox({ ...SECRETS, CS_SECRETS_BACKEND: 'encrypted', FAKE_CLAUDE_SLEEP: '300' });
    try {
      expect((await runCs(['demo'], { env: { ...host.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
      const set = await runCs(['demo', '-secrets', 'set', 'API_KEY'], { env: host.env, input: 'a-stored-value-123\n' });
      expect(set.code, set.stderr).toBe(0);
      const r = await runCs(['-spawn', 'demo'], { env: host.env });
      expect(r.code, r.stderr).toBe(0);
      // The second start: the first was the foreground run that made the session.
      const start = await until(() => claudeStarts(host.claudeLog)[1], 'the hosted Claude started');
      expect(start!.env.CLAUDE_SESSION_NAME).toBe('demo');
      // Its whole environment, as the kernel holds it (the stand-in execs sleep, which keeps it).
      const environ = fs.readFileSync(`/proc/${start!.pid}/environ`, 'utf8').replace(/\0/g, '\n');
      expect(environ).toMatch(/^CLAUDE_SESSION_NAME=demo$/m);
      expect(environ).toMatch(/^CS_SECRETS_BACKEND=encrypted$/m);
      expectClean(environ);
      // Its hooks get the password from a file of the supervisor's (0600), gone when the session ends.
      const pwFile = path.join(host.env.XDG_RUNTIME_DIR!, 'cs', 'env', 'demo.password');
      expect(fs.readFileSync(pwFile, 'utf8')).toBe(SECRETS.CS_SECRETS_PASSWORD);
      expect(fs.statSync(pwFile).mode & 0o777).toBe(0o600);
      const stop = await runCs(['demo', '-stop', '--timeout', '1'], { env: host.env });
      expect(stop.code, stop.stderr).toBe(0);
      expect(fs.existsSync(pwFile)).toBe(false);
      expect(stop.stderr).toMatch(/committed Session update|nothing to commit|ended it/);
    } finally {
      host.close();
    }
  });

  it('git (plumbing and simple-git), run() and runAttached() children get none of them', async () => {
    const env = { ...process.env, ...SECRETS };
    expectClean((await run('sh', ['-c', 'env'], { env })).stdout);
    const out = path.join(sb.dir, 'attached.txt');
    await runAttached('sh', ['-c', `env > '${out}'`], { env });
    expectClean(fs.readFileSync(out, 'utf8'));
    const dir = path.join(sb.dir, 'repo');
    fs.mkdirSync(dir);
    const repo = new Repo(dir, { env });
    await repo.raw(['init', '-q']);
    await repo.raw(['config', 'alias.envdump', '!env']);
    const viaRaw = await repo.raw(['envdump']);
    expect(viaRaw).toMatch(/^PATH=/m);
    expectClean(viaRaw);
    expectClean(await repo.git(['envdump']));
    expect(childEnv({ CS_SECRETS_BACKEND: 'x', CS_SERVE_TOKEN: 'y', PATH: '/bin' })).toEqual({ CS_SECRETS_BACKEND: 'x', PATH: '/bin' });
  });
});
