// cs's own secrets (CS_SECRETS_PASSWORD, CS_SERVE_TOKEN, any CS_*_TOKEN...)
// never reach a child: not Claude (and so not its Bash tool calls), not git.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Repo } from '../../../src/git/repo.js';
import { childEnv, run, runAttached } from '../../../src/lib/proc.js';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

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
