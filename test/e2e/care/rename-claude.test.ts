// cs -mv with the real Claude Code (offline, fake API): the conversation
// started under the old name resumes under the new one with its earlier turns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/session/workspace.js';
import { makeTempDir } from '../../support/claude.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { laptop, messagesText, type Laptop } from '../../support/laptops.js';

let tmp: string;
let api: FakeAnthropic;
let a: Laptop;

beforeAll(async () => {
  tmp = makeTempDir('cs-mv-');
  a = laptop(tmp, 'a', path.join(tmp, 'a', 'sessions'));
  api = await startFakeAnthropic([]);
});

afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const agentSince = (from: number) => api.requests.slice(from).filter((r) => r.kind === 'agent').map((r) => r.body);

describe('cs -mv keeps the conversation', () => {
  it('the first run after -mv resumes the same conversation and sends the earlier turns', { timeout: 90_000 }, async () => {
    await createSession(a.env, 'trip');
    let r = await a.claude('trip', 'Remember the marker word PLATYPUS-7.', api.url);
    expect(r.code, r.stderr).toBe(0);
    const before = JSON.parse((await a.cs(['trip', '-conversations', '--json'])).stdout);
    expect(before).toHaveLength(1);

    r = await a.cs(['-mv', 'trip', 'voyage']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 conversation moved');

    const mark = api.requests.length;
    r = await a.claude('voyage', 'What was the marker word?', api.url);
    expect(r.code, r.stderr).toBe(0);
    const first = agentSince(mark)[0];
    expect(messagesText(first)).toContain('PLATYPUS-7');
    expect(messagesText(first)).toContain('What was the marker word?');
    // The same pinned conversation, not a new one.
    const after = JSON.parse((await a.cs(['voyage', '-conversations', '--json'])).stdout);
    expect(after.map((c: { uuid: string }) => c.uuid)).toEqual([before[0].uuid]);
    expect(after[0]).toMatchObject({ local: true });
    // Nothing of the old path is left in the request Claude sent.
    expect(messagesText(first)).not.toContain(path.join(a.root, 'trip'));
  });
});
