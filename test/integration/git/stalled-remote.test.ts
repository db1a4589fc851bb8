// A remote that accepts the connection and never says a word (a loopback
// listener behind an ssh URL): Ctrl-C stops git and its ssh and exits 130,
// and auto-sync gives up after CS_SYNC_TIMEOUT, opens Claude anyway and keeps
// the session-end commit.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateSyncConf } from '../../../src/git/syncconf.js';
import { claudeStarts, runCs, sandbox, startCs, waitFor, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
let server: net.Server;
let open: Set<net.Socket>;
let seen: number;
let url: string;

beforeEach(async () => {
  sb = sandbox({ GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' });
  open = new Set();
  seen = 0;
  server = net.createServer((s) => {
    seen++;
    open.add(s);
    s.on('error', () => {});
    s.resume(); // read (and drop) whatever comes, so the peer's close is seen
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  url = `ssh://git@127.0.0.1:${port}/never.git`;
  // No prompts and no known_hosts writes: ssh only has to hang on the missing banner.
  sb.env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null';
});

afterEach(async () => {
  for (const s of open) s.destroy();
  await new Promise((r) => server.close(r));
  sb.cleanup();
});

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

describe('a remote that never answers', () => {
  it('Ctrl-C during -sync clone stops git and its ssh, leaves no half-made clone, exits 130', { timeout: 45_000 }, async () => {
    fs.mkdirSync(sb.root, { recursive: true });
    const cs = startCs(['-sync', 'clone', url, 'copy'], { env: sb.env });
    await waitFor(() => seen > 0, 10_000, 'ssh to connect');
    cs.kill('SIGINT');
    const r = await cs.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    await waitFor(() => open.size === 0, 15_000, 'ssh to be gone');
    expect(fs.readdirSync(sb.root)).toEqual([]);
  });

  it('Ctrl-C during -sync push stops git and its ssh and exits 130', { timeout: 45_000 }, async () => {
    expect((await runCs(['demo'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'demo');
    updateSyncConf(dir, { remote: url });
    const cs = startCs(['demo', '-sync', 'push'], { env: sb.env });
    await waitFor(() => seen > 0, 10_000, 'ssh to connect');
    cs.kill('SIGINT');
    const r = await cs.done;
    expect(r.code).toBe(130);
    await waitFor(() => open.size === 0, 15_000, 'ssh to be gone');
  });

  it('auto-sync says what it does, gives up after CS_SYNC_TIMEOUT, starts Claude, and keeps the commit', { timeout: 40_000 }, async () => {
    expect((await runCs(['demo'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'demo');
    updateSyncConf(dir, { remote: url, auto: true });
    fs.writeFileSync(path.join(dir, 'notes.md'), 'work\n');
    const r = await runCs(['demo'], { env: { ...sb.env, CS_SYNC_TIMEOUT: '2' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pulling from ${url}`);
    expect(r.stderr).toMatch(/pull failed: cannot reach remote .*: timed out after 2 s .*starting Claude with this machine's copy/);
    expect(claudeStarts(sb)).toHaveLength(2);
    expect(r.stderr).toMatch(/committed Session update: .*notes\.md/);
    expect(r.stderr).toContain('push failed (timed out after 2 s); your commit is kept — run: cs demo -sync push');
    expect(r.stderr).not.toMatch(/session-end commit skipped/);
    expect(git(dir, 'log', '--format=%s', '-1')).toMatch(/^Session update/);
    await waitFor(() => open.size === 0, 15_000, 'ssh to be gone');
  });
});
