// A feature session (base@feature) is hosted like any other session: -spawn
// starts it in cs's tmux server, -live and the control API list it, a prompt
// sent over the API reaches its Claude, and -stop ends it with the commit on
// its own branch (cs/<feature>), the base's branch untouched.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { runCs } from '../../support/cs.js';
import { hasTmux } from '../../support/tmux.js';
import { claudeStarts, hostSandbox, until, type HostSandbox } from '../../support/host.js';

let sb: HostSandbox | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  sb?.close();
  sb = server = undefined;
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const TOKEN = 'a-test-token-of-enough-length';

describe.skipIf(!hasTmux())('a feature session, hosted', () => {
  it('-spawn hosts base@feature; -live and the control API list it; a prompt reaches its Claude; -stop commits on cs/<feature> only', { timeout: 60_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    const base = await runCs(['api'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } });
    expect(base.code, base.stderr).toBe(0);
    const baseDir = path.join(sb.root, 'api');
    const baseHead = git(baseDir, 'rev-parse', 'HEAD');
    const baseBranch = git(baseDir, 'branch', '--show-current');

    const spawned = await runCs(['-spawn', 'api@retry'], { env: sb.env });
    expect(spawned.code, spawned.stderr).toBe(0);
    await until(() => (claudeStarts(sb!.claudeLog).some((s) => s.env.CLAUDE_SESSION_NAME === 'api@retry') ? true : undefined), "the feature's Claude started");
    const start = claudeStarts(sb.claudeLog).find((s) => s.env.CLAUDE_SESSION_NAME === 'api@retry')!;
    const featureDir = start.env.CLAUDE_SESSION_DIR!;
    expect(featureDir).not.toBe(baseDir);
    expect(git(featureDir, 'branch', '--show-current')).toBe('cs/retry');
    // Its own new conversation, not the base's (the worktree holds the base's list): planned as the foreground does.
    const baseUuid = claudeStarts(sb.claudeLog).find((s) => s.env.CLAUDE_SESSION_NAME === 'api')!.argv;
    expect(start.argv).toContain('--session-id');
    expect(start.argv).not.toContain(baseUuid[baseUuid.indexOf('--session-id') + 1]);

    const live = await sb.live();
    expect(live).toEqual([expect.objectContaining({ name: 'api@retry', running: true, attached: 0 })]);

    server = await startServer({ env: sb.env, port: 0, bind: '127.0.0.1', token: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const list = (await (await fetch(`${server.url}/api/sessions`, { headers: auth })).json()) as Array<{ name: string; running: boolean }>;
    expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'api@retry', running: true }), expect.objectContaining({ name: 'api', running: false })]));
    const sent = await fetch(`${server.url}/api/sessions/${encodeURIComponent('api@retry')}/input`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'hello feature' }) });
    expect(sent.status).toBe(202);
    // The stand-in Claude runs in the pane: what was typed shows there.
    await until(() => (sb!.csTmux('capture-pane', '-p', '-t', '=api@retry:').includes('hello feature') ? true : undefined), 'the prompt in the pane');

    fs.writeFileSync(path.join(featureDir, 'retry.ts'), 'export const retries = 3;\n');
    const stop = await runCs(['api@retry', '-stop', '--timeout', '1'], { env: sb.env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(/committed Session update/);
    expect(git(featureDir, 'show', '--stat', '--format=%s', 'cs/retry')).toMatch(/retry\.ts/);
    expect(git(baseDir, 'rev-parse', baseBranch)).toBe(baseHead);
    expect(fs.existsSync(path.join(baseDir, 'retry.ts'))).toBe(false);
    expect(await sb.live()).toEqual([]);
  });
});
