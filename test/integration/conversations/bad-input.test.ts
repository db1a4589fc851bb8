// Bad input around pinned conversations: a clear message, nothing lost, and
// Claude still starts (with a fresh conversation) when the old one cannot be
// restored. Uses the stand-in claude (argument checks only) and real age.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { addConversation, newUuid, parseConversations, readConversations, serializeConversations } from '../../../src/conversations/store.js';
import { encryptTranscript, fromPortable, importTranscripts, PLACEHOLDER, toPortable, transcriptFile } from '../../../src/conversations/transcripts.js';
import { addRecipient, initIdentity } from '../../../src/secrets/age.js';
import { claudeStarts, runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
let dir: string;

beforeEach(async () => {
  sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw' });
  expect((await runCs(['s'], { env: { ...sb.env, FAKE_CLAUDE_TRANSCRIPT: '1' } })).code).toBe(0);
  dir = path.join(sb.root, 's');
});
afterEach(() => sb.cleanup());

const args = () => claudeStarts(sb).map((x) => x.argv.slice(2));

/** A conversation pinned by another machine, with `bytes` as its synced transcript. */
function foreign(bytes: Uint8Array | string): string {
  const uuid = newUuid();
  addConversation(dir, { uuid, started: new Date(Date.now() + 1000).toISOString(), machine: 'other@laptop', machineId: '0123456789abcdef' });
  fs.mkdirSync(path.join(dir, '.cs/conversations'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.cs/conversations', `${uuid}.jsonl.age`), bytes);
  return uuid;
}

async function withIdentity(): Promise<string> {
  const id = await initIdentity(sb.env, new Date());
  addRecipient(dir, 'me', id.id.recipient);
  return id.id.recipient;
}

describe('a synced transcript that cannot be restored', () => {
  it('corrupt file: says so, leaves the file, Claude starts a fresh conversation', async () => {
    await withIdentity();
    const garbage = Buffer.from('age-encryption.org/v1\n-> garbage\n');
    const u = foreign(garbage);
    const r = await runCs(['s'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`conversation ${u} not restored: .*damaged or not an age file.*left as it is`));
    expect(r.stderr).toMatch(new RegExp(`conversation ${u} has no transcript on this machine .* starting a new conversation`));
    expect(fs.readFileSync(path.join(dir, '.cs/conversations', `${u}.jsonl.age`))).toEqual(garbage);
    expect(args().at(-1)![0]).toBe('--session-id');
    expect(args().at(-1)![1]).not.toBe(u);
    expect(readConversations(dir).conversations.map((c) => c.uuid)).toContain(u); // still listed
  });

  it('encrypted to another key: says it is not for this machine', async () => {
    await withIdentity();
    const other = await identityToRecipient(await generateX25519Identity());
    const u = foreign(await encryptTranscript('{"x":1}\n', [other]));
    const r = await runCs(['s'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`conversation ${u} not restored: .*not encrypted to this machine's age key`));
    expect(args().at(-1)![0]).toBe('--session-id');
  });

  it('no identity on this machine: one notice, a fresh conversation', async () => {
    addRecipient(dir, 'someone', await identityToRecipient(await generateX25519Identity()));
    const u = foreign(await encryptTranscript('{"x":1}\n', [await identityToRecipient(await generateX25519Identity())]));
    const r = await runCs(['s'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/transcripts not synced: no age identity on this machine — run: cs s -secrets age init/);
    expect(r.stderr).toMatch(new RegExp(`conversation ${u} has no transcript on this machine \\(its synced copy could not be installed here`));
    expect(args().at(-1)![0]).toBe('--session-id');
  });
});

describe('a conversation of another machine with nothing synced', () => {
  it('says which machine holds it and that no synced copy exists, without pointing at lines that are not there', async () => {
    const uuid = newUuid();
    addConversation(dir, { uuid, started: new Date(Date.now() + 1000).toISOString(), machine: 'other@laptop', machineId: '0123456789abcdef' });
    const r = await runCs(['s'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`conversation ${uuid} has no transcript on this machine \\(other@laptop never synced it: there is no \\.cs/conversations/${uuid}\\.jsonl\\.age\\) — starting a new conversation`));
    expect(r.stderr).not.toMatch(/see above/);
    expect(args().at(-1)![0]).toBe('--session-id');
  });
});

describe('bad conversation references', () => {
  it('--resume with something that is not a uuid: usage error, nothing started or changed', async () => {
    const before = fs.readFileSync(path.join(dir, '.cs/conversations.json'), 'utf8');
    for (const bad of ['not-a-uuid', '../../etc/passwd', '1234-5678']) {
      const r = await runCs(['s', '--resume', bad], { env: sb.env });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--resume takes a conversation uuid or its number/);
    }
    const r = await runCs(['s', '--resume', '9'], { env: sb.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no conversation #9 in this session \(it has 1\)/);
    expect(r.stderr).toContain('see them with: cs s -conversations'); // the session's own name, not a placeholder
    expect((await runCs(['s', '--new', '--resume', '1'], { env: sb.env })).code).toBe(2);
    expect(claudeStarts(sb)).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, '.cs/conversations.json'), 'utf8')).toBe(before);
  });

  it('a bad entry in conversations.json is named and ignored, never used as a path', async () => {
    const f = path.join(dir, '.cs/conversations.json');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('{}]}', '{"uuid":"../../../../tmp/evil","started":"2999-01-01T00:00:00Z"},\n{}]}'));
    const r = await runCs(['s'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/conversations\.json: '\.\.\/\.\.\/\.\.\/\.\.\/tmp\/evil' is not a uuid \(entry ignored\)/);
    const list = await runCs(['s', '-conversations', '--json'], { env: sb.env });
    expect(JSON.parse(list.stdout).map((c: { uuid: string }) => c.uuid).every((u: string) => /^[0-9a-f-]{36}$/.test(u))).toBe(true);
  });
});

describe('conversations.json survives a line merge', () => {
  it('two machines adding entries: the union of lines is valid JSON; conflict leftovers are still read', () => {
    const c = (n: number) => ({ uuid: `0000000${n}-0000-4000-8000-000000000000`, started: `2026-01-0${n}T00:00:00.000Z`, machine: `m${n}`, machineId: `${n}`.repeat(16) });
    const base = serializeConversations([c(1)]).split('\n');
    const union = [...base.slice(0, 2), JSON.stringify(c(2)) + ',', JSON.stringify(c(3)) + ',', ...base.slice(2)].join('\n');
    expect(JSON.parse(union).conversations).toHaveLength(4);
    expect(parseConversations(union).conversations.map((x) => x.machine)).toEqual(['m1', 'm2', 'm3']);
    // Said as it is: valid JSON of another shape is not "not valid JSON", and the whole file is what goes unused.
    expect(parseConversations('{"a":1}\n').problems).toEqual(['the file holds no "conversations" list (nothing in it is used)']);
    expect(parseConversations('{"a":\n').problems).toEqual(['the file is not valid JSON and holds no entry line (nothing in it is used)']);
    expect(parseConversations(serializeConversations([c(1)]).replace(c(1).uuid, 'nope')).problems).toEqual(["'nope' is not a uuid (entry ignored)"]);
    const conflicted = [...base.slice(0, 2), '<<<<<<< ours', JSON.stringify(c(2)) + ',', '=======', JSON.stringify(c(3)) + ',', '>>>>>>> theirs', ...base.slice(2)].join('\n');
    expect(parseConversations(conflicted).conversations.map((x) => x.machine)).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('transcripts between paths', () => {
  it('replaces the workspace path only where a path component ends', () => {
    const text = '{"cwd":"/a/s","file":"/a/s/x.txt","other":"/a/s2/y","deep":"/a/s/.cs/z"}';
    const p = toPortable(text, ['/a/s']);
    expect(p).toBe(`{"cwd":"${PLACEHOLDER}","file":"${PLACEHOLDER}/x.txt","other":"/a/s2/y","deep":"${PLACEHOLDER}/.cs/z"}`);
    expect(fromPortable(p, '/b/other/s')).toBe('{"cwd":"/b/other/s","file":"/b/other/s/x.txt","other":"/a/s2/y","deep":"/b/other/s/.cs/z"}');
  });

  it('keeps a local transcript that went on differently, and installs the synced one beside it', async () => {
    const recipient = await withIdentity();
    const u = newUuid();
    const line = (id: string, text: string) => JSON.stringify({ type: 'user', uuid: id, sessionId: u, cwd: dir, message: { content: text } });
    const shared = line('11111111-1111-4111-8111-111111111111', 'shared start');
    const mine = shared + '\n' + line('22222222-2222-4222-8222-222222222222', 'only here') + '\n';
    const theirs = shared + '\n' + line('33333333-3333-4333-8333-333333333333', 'only there') + '\n';
    addConversation(dir, { uuid: u, started: new Date().toISOString(), machine: 'other@laptop', machineId: '0123456789abcdef' });
    const local = transcriptFile(sb.env, dir, u);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, mine);
    fs.mkdirSync(path.join(dir, '.cs/conversations'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.cs/conversations', `${u}.jsonl.age`), await encryptTranscript(toPortable(theirs, [dir]), [recipient]));
    const lines: string[] = [];
    const r = await importTranscripts({ sessionDir: dir, session: 's', env: sb.env, now: new Date() }, (l) => lines.push(l));
    expect(fs.readFileSync(local, 'utf8')).toBe(mine); // never overwritten
    expect(r.forked).toHaveLength(1);
    const as = r.forked[0]!.as;
    const installed = fs.readFileSync(transcriptFile(sb.env, dir, as), 'utf8');
    expect(installed).toContain('only there');
    expect(installed).toContain(`"sessionId":"${as}"`);
    expect(installed).not.toContain(u);
    expect(readConversations(dir).conversations.find((c) => c.uuid === as)).toMatchObject({ from: u });
    expect(lines.join('\n')).toMatch(new RegExp(`kept this machine's, installed the other as ${as}`));
    // Imported once: the same synced file is not taken in again.
    const again = await importTranscripts({ sessionDir: dir, session: 's', env: sb.env, now: new Date() }, () => {});
    expect(again.forked).toEqual([]);
  });
});
