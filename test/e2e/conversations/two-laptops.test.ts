// Portable conversations with the real Claude Code: a conversation held on
// laptop A resumes on laptop B (other HOME, other session root) from the
// encrypted transcript in git, and work continued on both sides survives a sync.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initIdentity } from '../../../src/secrets/age.js';
import { createSession } from '../../../src/session/workspace.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { makeTempDir } from '../../support/claude.js';
import { runCs } from '../../support/cs.js';
import { git, laptop, messagesText, type Laptop } from '../../support/laptops.js';

let tmp: string;
let api: FakeAnthropic;
let a: Laptop;
let b: Laptop;
let remote: string;

beforeAll(async () => {
  tmp = makeTempDir('cs-conv-');
  a = laptop(tmp, 'a', path.join(tmp, 'a', 'sessions'));
  b = laptop(tmp, 'b', path.join(tmp, 'b', 'other', 'sessions'));
  remote = path.join(tmp, 'remote.git');
  git(tmp, 'init', '-q', '--bare', '--initial-branch=main', remote);
  api = await startFakeAnthropic([]);
});

afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The agent requests made since `from` (index into api.requests). */
const agentSince = (from: number) => api.requests.slice(from).filter((r) => r.kind === 'agent').map((r) => r.body);

describe('a conversation travels between two laptops', () => {
  it('resumes on B with the earlier turns, and keeps both when A and B go on independently', { timeout: 90_000 }, async () => {
    // A: a session with both machines as age recipients and a remote.
    const sa = await createSession(a.env, 'trip');
    expect((await a.cs(['trip', '-secrets', 'age', 'init'])).code).toBe(0);
    const bKey = (await initIdentity(b.env, new Date())).id.recipient;
    expect((await a.cs(['trip', '-secrets', 'age', 'add', 'laptop-b', bKey])).code).toBe(0);
    expect((await a.cs(['trip', '-sync', 'remote', remote])).code).toBe(0);

    // A: the real Claude Code holds a marker word; cs pins the conversation.
    let mark = api.requests.length;
    let r = await a.claude('trip', 'Remember the marker word PLATYPUS-7.', api.url);
    expect(r.code, r.stderr).toBe(0);
    const conv = JSON.parse((await a.cs(['trip', '-conversations', '--json'])).stdout);
    expect(conv).toHaveLength(1);
    const u = conv[0].uuid as string;
    expect(conv[0]).toMatchObject({ local: true, synced: true, mine: true, title: 'Remember the marker word PLATYPUS-7.' });
    // Only ciphertext in the workspace and in git.
    const synced = fs.readFileSync(path.join(sa.dir, '.cs/conversations', `${u}.jsonl.age`));
    expect(synced.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(synced.includes('PLATYPUS-7')).toBe(false);
    expect(git(sa.dir, 'log', '--format=%s', '-1')).toMatch(/^Session update/);
    expect(git(sa.dir, 'ls-files', '.cs/conversations')).toContain(`${u}.jsonl.age`);
    expect((await a.cs(['trip', '-sync', 'push'])).code).toBe(0);

    // B: clone under another root and HOME, open: Claude gets the earlier turns.
    r = await b.cs(['-sync', 'clone', remote, 'trip']);
    expect(r.code, r.stderr).toBe(0);
    mark = api.requests.length;
    r = await b.claude('trip', 'What was the marker word? Also remember BRAVO-3.', api.url);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/restored 1 conversation transcript/);
    const bFirst = agentSince(mark)[0];
    expect(messagesText(bFirst)).toContain('PLATYPUS-7');
    expect(messagesText(bFirst)).toContain('BRAVO-3');
    // The placeholder became B's own path; B continues under its own uuid.
    const sbDir = path.join(b.root, 'trip');
    const convB = JSON.parse((await b.cs(['trip', '-conversations', '--json'])).stdout);
    expect(convB.map((c: any) => c.uuid)[0]).toBe(u);
    expect(convB).toHaveLength(2);
    const v = convB[1].uuid as string;
    expect(convB[1]).toMatchObject({ from: u, mine: true, local: true });
    expect(JSON.stringify(messagesText(bFirst))).not.toContain(sa.dir);

    // A goes on with its own conversation, without having seen B's work.
    mark = api.requests.length;
    r = await a.claude('trip', 'A goes on: ALPHA-2.', api.url);
    expect(r.code, r.stderr).toBe(0);
    expect(messagesText(agentSince(mark)[0])).toContain('PLATYPUS-7');
    expect(messagesText(agentSince(mark)[0])).not.toContain('BRAVO-3');

    // Both sync: no conflict, since each machine writes only its own transcripts.
    r = await b.cs(['trip', '-sync', 'push']);
    expect(r.code, r.stderr).toBe(0);
    r = await a.cs(['trip', '-sync', 'pull']);
    expect(r.code, r.stderr).toBe(0);
    r = await a.cs(['trip', '-sync', 'push']);
    expect(r.code, r.stderr).toBe(0);
    r = await b.cs(['trip', '-sync', 'pull']);
    expect(r.code, r.stderr).toBe(0);

    // A now resumes B's line of the conversation (#2) ...
    mark = api.requests.length;
    r = await a.claude('trip', 'Back on A.', api.url, ['--resume', '2']);
    expect(r.code, r.stderr).toBe(0);
    const onA = messagesText(agentSince(mark)[0]);
    expect(onA).toContain('PLATYPUS-7');
    expect(onA).toContain('BRAVO-3');
    expect(onA).not.toContain('ALPHA-2');
    // ... and its own (#1) still holds ALPHA-2.
    mark = api.requests.length;
    r = await a.claude('trip', 'And the first line again.', api.url, ['--resume', u]);
    expect(r.code, r.stderr).toBe(0);
    expect(messagesText(agentSince(mark)[0])).toContain('ALPHA-2');
    // B sees A's continuation of the first conversation too.
    mark = api.requests.length;
    r = await b.claude('trip', 'On B, the first one.', api.url, ['--resume', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(messagesText(agentSince(mark)[0])).toContain('ALPHA-2');
    expect(fs.readFileSync(path.join(sbDir, '.cs/conversations.json'), 'utf8')).toContain(v);
  });

  // Issue #18: a recipient added after the work gets it with the first push, not at some later session end.
  it('B has the secrets and the transcript after A\'s first -sync push, with B added after A worked', { timeout: 90_000 }, async () => {
    const late = path.join(tmp, 'late.git');
    git(tmp, 'init', '-q', '--bare', '--initial-branch=main', late);
    await createSession(a.env, 'late');
    // A works before any recipient exists: nothing is exported at its end.
    const token = 'late-secret-value-' + 'x'.repeat(12);
    expect((await runCs(['late', '-secrets', 'set', 'API_TOKEN'], { env: a.env, input: token })).code).toBe(0);
    let r = await a.claude('late', 'Remember the marker word KIWI-5.', api.url);
    expect(r.code, r.stderr).toBe(0);
    const u = JSON.parse((await a.cs(['late', '-conversations', '--json'])).stdout)[0].uuid as string;
    expect(fs.existsSync(path.join(a.root, 'late', '.cs/secrets.age'))).toBe(false);
    // Then B is added; age add says when B gets them, and the push carries them.
    expect((await a.cs(['late', '-secrets', 'age', 'init'])).code).toBe(0);
    const bKey = (await initIdentity(b.env, new Date())).id.recipient;
    r = await a.cs(['late', '-secrets', 'age', 'add', 'laptop-b', bKey]);
    expect(r.stderr).toMatch(/'laptop-b' receives the secrets and the transcripts with the next push: cs late -sync push/);
    expect((await a.cs(['late', '-sync', 'remote', late])).code).toBe(0);
    r = await a.cs(['late', '-sync', 'push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/exported 1 secret\(s\) to \.cs\/secrets\.age/);
    expect(r.stderr).toMatch(/saved 1 conversation transcript\(s\)/);

    // B: clone; the secret imports, and the conversation resumes with A's turns.
    r = await b.cs(['-sync', 'clone', late, 'late']);
    expect(r.code, r.stderr).toBe(0);
    expect((await b.cs(['late', '-secrets', 'import-file'])).code).toBe(0);
    expect((await b.cs(['late', '-secrets', 'get', 'API_TOKEN'])).stdout).toBe(token + '\n');
    const mark = api.requests.length;
    r = await b.claude('late', 'What was the marker word?', api.url, ['--resume', u]);
    expect(r.code, r.stderr).toBe(0);
    expect(messagesText(agentSince(mark)[0])).toContain('KIWI-5');
  });
});

