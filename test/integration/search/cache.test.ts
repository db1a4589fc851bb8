// The search cache (src/search/cache.ts) never changes an answer: after
// every kind of change a session's files can see, right away (the same
// clock tick as the cache was written) and once the change is recorded,
// searching through the cache gives exactly what listing every folder and
// reading every file gives, for queries the word index can rule files out
// on and for ones it cannot.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchSessions } from '../../../src/search/search.js';
import { compileQuery } from '../../../src/search/scan.js';
import { requiredRuns, SearchCache, searchCacheFile } from '../../../src/search/cache.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let root: string;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-searchcache-')));
  root = path.join(tmp, 'sessions');
  env = { HOME: tmp, CS_SESSIONS_ROOT: root, CLAUDE_CONFIG_DIR: path.join(tmp, '.claude'), CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw' };
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const write = (p: string, text: string) => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
};
const transcriptLine = (who: 'user' | 'assistant', text: string) => JSON.stringify({ type: who, message: { role: who, content: [{ type: 'text', text }] } });
const transcriptOf = (name: string) => path.join(claudeProjectDir(env.CLAUDE_CONFIG_DIR!, path.join(root, name)), 'a1.jsonl');

function makeSessions(): void {
  write(path.join(root, 'alpha/.cs/README.md'), '# alpha\n\n## Objective\nFix the Login flow\n');
  write(path.join(root, 'alpha/.cs/discoveries.md'), '# Discoveries\n\n## 2026-11-01 login\nThe REFRESH token expires; see src/login.ts and x_y.\n');
  write(path.join(root, 'alpha/.cs/changes.md'), '- [2026-11-01 10:00:00] Edit: src/login.ts\n');
  write(path.join(root, 'alpha/.cs/artifacts/refresh.sh'), '#!/bin/sh\n# refresh token helper -->\n');
  write(path.join(root, 'beta/.cs/discoveries.md'), `# Discoveries\n\n## 2026-11-02 odd\nthe \u212a value and \u0130stanbul, über alles\n${'q'.repeat(300)}wombat${'z'.repeat(300)}\n`);
  write(transcriptOf('beta'), [transcriptLine('user', 'why does the refresh fail?'), transcriptLine('assistant', 'Because the Refresh Token rotates.'), ''].join('\n'));
  fs.mkdirSync(path.join(root, 'gamma/.cs/artifacts'), { recursive: true });
  // Upper case inside a word only: folded, "refresh" and "token" are there; as they are, not.
  write(path.join(root, 'gamma/.cs/discoveries.md'), '# Discoveries\n\n## 2026-11-03 case\nthe reFresh of a xTOKEN, then refresh token-ish\n');
}

const QUERIES = ['refresh token', 'REFRESH', 'token', 'xtoken', 'refresh of', 'token-ish', 'the', 'src/login.ts', 'x_y', 'k value', 'istanbul', 'wombat', 'über', '-->', 'rotates', 'nowhere-at-all', 'login fix', 'zzz'];
const NOW = new Date('2026-11-20T00:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Past the cache's racy window, so what is searched next gets recorded. */
const settle = () => sleep(2100);

async function expectSame(): Promise<void> {
  for (const query of QUERIES) {
    const full = await searchSessions({ env, query, now: NOW, limit: 100, useCache: false });
    const cached = await searchSessions({ env, query, now: NOW, limit: 100, cacheSettledMs: 2000 });
    expect({ ...cached, bytes: 0 }, query).toEqual({ ...full, bytes: 0 }); // bytes: what was read, which is the point
  }
}

describe('the search cache', () => {
  it('answers as a full scan, after every kind of change', async () => {
    makeSessions();
    await expectSame();
    await settle();
    await expectSame(); // recorded now
    await expectSame(); // answered from the records
    const file = searchCacheFile(path.join(tmp, '.cache', 'cs'), root, env.CLAUDE_CONFIG_DIR!);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // A cache named as before (the sha256 of the paths) goes when the cache is stored; another root's stays.
    const folder = path.dirname(file);
    const old = path.join(folder, `${'ab'.repeat(16)}.bin`);
    const other = path.join(folder, `${'cd'.repeat(8)}.bin`);
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(other, 'x');
    write(path.join(root, 'delta/.cs/README.md'), '# delta\n');
    await settle();
    await searchSessions({ env, query: 'delta', now: NOW, cacheSettledMs: 2000 });
    expect(fs.readdirSync(folder).sort()).toEqual([path.basename(other), path.basename(file)].sort());
    await expectSame();
    // Only the file with the word is read, and beta's discoveries, whose Kelvin sign lowers to an
    // ASCII "k" (always read); the others are ruled out by their words.
    const rare = await searchSessions({ env, query: 'rotates', now: NOW, cacheSettledMs: 2000 });
    const transcriptBytes = fs.statSync(transcriptOf('beta')).size;
    expect(rare.bytes).toBe(transcriptBytes + fs.statSync(path.join(root, 'beta/.cs/discoveries.md')).size);

    const changes: Array<() => void> = [
      () => fs.appendFileSync(transcriptOf('beta'), transcriptLine('assistant', 'Now the wombat token is found.') + '\n'),
      () => write(path.join(root, 'alpha/.cs/discoveries.md'), '# Discoveries\n\n## 2026-11-01 login\nThe ROTATES token expires; see src/login.ts and x_z.\n'), // same size, in place
      () => write(path.join(root, 'gamma/.cs/artifacts/new.py'), 'print("über refresh token")\n'),
      () => fs.rmSync(path.join(root, 'alpha/.cs/artifacts/refresh.sh')),
      () => write(path.join(root, 'alpha/.cs/discoveries.archive.md'), '## old\nistanbul rotates\n'),
      () => write(path.join(claudeProjectDir(env.CLAUDE_CONFIG_DIR!, path.join(root, 'gamma')), 'b2.jsonl'), transcriptLine('user', 'the k value please') + '\n'),
      () => fs.renameSync(path.join(root, 'gamma/.cs/artifacts/new.py'), path.join(root, 'gamma/.cs/artifacts/renamed.py')),
      () => fs.rmSync(path.join(root, 'beta'), { recursive: true }),
    ];
    // With the default, a file changed in the last 10 s is scanned and its words are not recorded yet.
    fs.appendFileSync(transcriptOf('beta'), transcriptLine('user', 'and again') + '\n');
    expect((await searchSessions({ env, query: 'rotates', now: NOW })).bytes).toBe(rare.bytes + fs.statSync(transcriptOf('beta')).size - transcriptBytes);
    for (const change of changes) {
      change();
      await expectSame(); // right after the change
      await settle();
      await expectSame(); // once recorded
    }
  }, 120_000);

  it('sees a character that lowers to ASCII where it straddles two reads', async () => {
    // U+212A (3 bytes) starting on the last byte of the first 1 MB read: the file must be always
    // read ("the K value" matches "the value k" through toLowerCase, the rare plan anchored on "the"), not ruled out for lacking a "k".
    const filler = ('a'.repeat(99) + '\n').repeat(10485) + 'a'.repeat(70) + '\n';
    const text = `${filler}the \u212a value\n`;
    expect(Buffer.from(text).indexOf(Buffer.from('\u212a'))).toBe(1024 * 1024 - 1);
    write(path.join(root, 'delta/.cs/discoveries.md'), text);
    await settle();
    const full = await searchSessions({ env, query: 'the value k', now: NOW, useCache: false });
    expect(full.total).toBe(1);
    await searchSessions({ env, query: 'the value k', now: NOW, cacheSettledMs: 2000 }); // records the file's words
    expect(await searchSessions({ env, query: 'the value k', now: NOW, cacheSettledMs: 2000 })).toEqual(full);
  }, 30_000);

  it('records every word of a file with many distinct words, and of the small file indexed after it', async () => {
    // 20,000 distinct words (the word table doubles several times, then starts small for the next file).
    const many = Array.from({ length: 20_000 }, (_, i) => `w${(i * 7919).toString(36)}x`);
    write(path.join(root, 'alpha/.cs/discoveries.md'), `# Discoveries\n\n${many.join(' ')}\nTail Words HERE\n`);
    // An artifact is indexed after the .cs files; it begins with the big file's first word.
    write(path.join(root, 'alpha/.cs/artifacts/notes.txt'), 'w0x and a small file\n');
    await settle();
    const queries = [many[0]!, many[12_345]!, many[19_999]!, 'tail words', 'here', 'w0x small', 'w0', 'absentword'];
    for (const query of queries) await searchSessions({ env, query, now: NOW, cacheSettledMs: 2000 }); // records
    for (const query of queries) {
      const full = await searchSessions({ env, query, now: NOW, useCache: false });
      const cached = await searchSessions({ env, query, now: NOW, cacheSettledMs: 2000 });
      expect({ ...cached, bytes: 0 }, query).toEqual({ ...full, bytes: 0 });
      if (query !== 'absentword') expect(full.total, query).toBeGreaterThan(0);
    }
    // Ruled out from the record, not read: a word neither file holds.
    expect((await searchSessions({ env, query: 'absentword', now: NOW, cacheSettledMs: 2000 })).bytes).toBe(0);
  }, 30_000);

  it("rules a transcript out by the words of what was said in it, not of its metadata: a word every line's metadata holds costs no reading", async () => {
    // As Claude Code writes them: every line carries the branch, the folder and the model.
    const said = (who: 'user' | 'assistant', text: string) =>
      JSON.stringify({ parentUuid: null, cwd: path.join(root, 'alpha'), gitBranch: 'main', version: '2.1.332', type: who, message: { role: who, model: 'claude-opus', content: [{ type: 'text', text }], usage: { input_tokens: 3 } } });
    const lines = Array.from({ length: 400 }, (_, i) => said(i % 2 ? 'assistant' : 'user', `step ${i} of the refresh work`));
    write(transcriptOf('alpha'), [...lines, ''].join('\n'));
    // İ written as JSON writes it, and as a \u escape: its text lowers to "i\u0307", so it is always read.
    write(transcriptOf('gamma'), [JSON.stringify({ type: 'user', message: { role: 'user', content: 'main is \u0130' } }), '{"type":"user","message":{"role":"user","content":"\\u0130stanbul"}}', ''].join('\n'));
    write(path.join(root, 'gamma/.cs/discoveries.md'), '# Discoveries\n');
    write(path.join(root, 'alpha/.cs/discoveries.md'), '# Discoveries\n');
    // A line longer than one read (1 MB), its word at the far end; and a last line without a newline.
    write(transcriptOf('beta'), [said('user', 'we merge into main tonight'), said('assistant', `${'lorem '.repeat(250_000)}farword`), said('user', 'lastline')].join('\n'));
    write(path.join(root, 'beta/.cs/discoveries.md'), '# Discoveries\n');
    await settle();
    const queries = ['farword', 'lastline', 'main', 'opus', 'input_tokens', 'alpha', 'refresh', 'main tonight', 'claude', 'user', 'i\u0307', 'main i\u0307', 'i\u0307stanbul', '2', 'step 7'];
    for (const query of queries) await searchSessions({ env, query, now: NOW, cacheSettledMs: 2000 }); // records
    for (const query of queries) {
      const full = await searchSessions({ env, query, now: NOW, limit: 100, useCache: false });
      const cached = await searchSessions({ env, query, now: NOW, limit: 100, cacheSettledMs: 2000 });
      expect({ ...cached, bytes: 0 }, query).toEqual({ ...full, bytes: 0 });
    }
    // "main" is said only in beta's transcript: alpha's, which holds it on every line as metadata, is not read.
    const main = await searchSessions({ env, query: 'main', now: NOW, cacheSettledMs: 2000 });
    expect(main.hits.map((h) => h.session).sort()).toEqual(['beta', 'gamma']);
    expect(main.bytes).toBe(fs.statSync(transcriptOf('beta')).size + fs.statSync(transcriptOf('gamma')).size);
    expect((await searchSessions({ env, query: 'opus', now: NOW, cacheSettledMs: 2000 })).bytes).toBe(fs.statSync(transcriptOf('gamma')).size);
    for (const word of ['farword', 'lastline']) expect((await searchSessions({ env, query: word, now: NOW, cacheSettledMs: 2000 })).hits.map((h) => h.session), word).toEqual(['beta']);
    expect((await searchSessions({ env, query: 'main i\u0307', now: NOW, cacheSettledMs: 2000 })).hits.map((h) => h.session)).toEqual(['gamma']);
  }, 60_000);

  it('a corrupt cache file only costs speed', async () => {
    makeSessions();
    await settle();
    await expectSame();
    const file = searchCacheFile(path.join(tmp, '.cache', 'cs'), root, env.CLAUDE_CONFIG_DIR!);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 200));
    await expectSame();
    fs.writeFileSync(file, 'not a cache');
    await expectSame();
  }, 30_000);

  it('reads a file without case-folding it only when no word it holds with an upper-case letter holds a run of the query', async () => {
    write(path.join(root, 'alpha/.cs/discoveries.md'), 'the refresh token\nThe Big Refresh\n');
    write(path.join(root, 'beta/.cs/discoveries.md'), 'a reFRESHed token and a tokenizer\n');
    write(path.join(root, 'gamma/.cs/discoveries.md'), 'all lower case: refresh token\n');
    await settle();
    const files = ['alpha', 'beta', 'gamma'].map((s) => path.join(root, s, '.cs/discoveries.md'));
    const verdicts = (query: string, now = Date.now()) => {
      const cache = SearchCache.open(searchCacheFile(path.join(tmp, '.cache', 'cs'), root, env.CLAUDE_CONFIG_DIR!), now, 2000);
      const out = files.map((f) => cache.verdict(f, fs.statSync(f), requiredRuns(compileQuery(query))!));
      cache.save();
      return out;
    };
    // Made this search, then read back from the stored cache: the same answers.
    for (let pass = 0; pass < 2; pass++) {
      expect(verdicts('refresh'), `pass ${pass}`).toEqual(['read', 'read', 'lower']); // "Refresh", "reFRESHed"
      expect(verdicts('token'), `pass ${pass}`).toEqual(['lower', 'lower', 'lower']);
      expect(verdicts('big token'), `pass ${pass}`).toEqual(['read', 'skip', 'skip']);
      expect(verdicts('tokenizer'), `pass ${pass}`).toEqual(['skip', 'lower', 'skip']);
      expect(verdicts('refreshed token'), `pass ${pass}`).toEqual(['skip', 'read', 'skip']);
    }
    // And the answers are a full scan's.
    for (const query of ['refresh', 'token', 'refresh token', 'REFRESHED', 'big refresh', 'the', 'tokenizer']) {
      const full = await searchSessions({ env, query, now: NOW, limit: 100, useCache: false });
      expect(full.total, query).toBeGreaterThan(0);
      expect({ ...(await searchSessions({ env, query, now: NOW, limit: 100, cacheSettledMs: 2000 })), bytes: 0 }, query).toEqual({ ...full, bytes: 0 });
    }
  });

  it('rules files out only on runs of letters and digits of ASCII queries', () => {
    expect(requiredRuns(compileQuery('src/login.ts x_y'))!.map(String)).toEqual(['src', 'login', 'ts', 'x', 'y']);
    expect(requiredRuns(compileQuery('--> ::'))).toBeNull();
    expect(requiredRuns(compileQuery('über'))).toBeNull();
  });
});
