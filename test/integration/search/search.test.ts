// The scanner on chunk boundaries and odd input, ranking, transcript text,
// and `cs -search` through the built cs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { choosePlan, compileQuery, countBytes, lineNumberAt, scanFile, type Plan } from '../../../src/search/scan.js';
import { score, searchSessions, snippet } from '../../../src/search/search.js';
import { transcriptText } from '../../../src/search/transcript.js';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';
import { sessionsSharingAFolder } from '../../support/shared-folder.js';
import { runCs, sandbox } from '../../support/cs.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-search-')));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const file = (name: string, text: string | Buffer) => {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

describe('scanFile', () => {
  it('finds lines with every term, any case, and counts each line once', () => {
    const p = file('a.txt', 'The Refresh token expires\nrefresh only\nTOKEN and REFRESH and token\nnothing\n');
    const r = scanFile(p, compileQuery('refresh token'), { keep: 10 });
    expect(r.matches).toBe(2);
    expect(r.lines.map((l) => l.text)).toEqual(['The Refresh token expires', 'TOKEN and REFRESH and token']);
    expect(lineNumberAt(p, r.lines[1]!.offset)).toBe(3);
  });

  it('works across chunk boundaries, on a last line without newline, and with tiny buffers', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 997 === 0 ? `line ${i} has the Needle` : `line ${i} filler text`));
    const p = file('b.txt', lines.join('\n'));
    const q = compileQuery('needle');
    const small = scanFile(p, q, { keep: 100 }, Buffer.alloc(64));
    const big = scanFile(p, q, { keep: 100 });
    expect(small.matches).toBe(6);
    expect(small.lines).toEqual(big.lines);
    for (const l of small.lines) expect(lineNumberAt(p, l.offset, Buffer.alloc(50))).toBe(Number(/line (\d+)/.exec(l.text)![1]) + 1);
    expect(scanFile(file('c.txt', 'no newline at the end: needle'), q, { keep: 1 }).matches).toBe(1);
  });

  it('reports UTF-8 lines intact, and matches non-ASCII queries', () => {
    const p = file('u.txt', 'café crème — Zürich needle\nnaïve ÜBER test\n');
    expect(scanFile(p, compileQuery('needle'), { keep: 1 }).lines[0]!.text).toBe('café crème — Zürich needle');
    const r = scanFile(p, compileQuery('über'), { keep: 2 });
    expect(r.lines.map((l) => l.text)).toEqual(['naïve ÜBER test']);
    expect(lineNumberAt(p, r.lines[0]!.offset)).toBe(2);
  });

  it('treats regex characters literally and skips binary files when asked', () => {
    expect(scanFile(file('r.txt', 'a.b\naxb\n(x+y)*\n'), compileQuery('a.b'), { keep: 5 }).matches).toBe(1);
    expect(scanFile(file('r2.txt', '(x+y)*\n'), compileQuery('(x+y)*'), { keep: 5 }).matches).toBe(1);
    const bin = file('bin', Buffer.from([0x6e, 0x65, 0x65, 0x64, 0x6c, 0x65, 0, 1, 2]));
    expect(scanFile(bin, compileQuery('needle'), { keep: 1, skipBinary: true })).toMatchObject({ matches: 0, binary: true });
  });

  it('the rare-byte plan finds the same lines as folding, in any case, across chunks', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => (i % 500 === 3 ? `row ${i}: the WomBatFinch flag, ${i % 1000 === 3 ? 'and the cache' : 'alone'}` : `row ${i}: nothing here at all`));
    const p = file('rare.txt', lines.join('\n') + '\n');
    for (const text of ['wombatfinch', 'cache WOMBATFINCH']) {
      const fold = compileQuery(text);
      const rare = compileQuery(text);
      const histogram = new Uint32Array(256);
      countBytes(fs.readFileSync(p), histogram);
      rare.plan = choosePlan(rare, histogram, fs.statSync(p).size);
      expect(rare.plan).toMatchObject({ kind: 'rare', term: 'wombatfinch' });
      const a = scanFile(p, fold, { keep: 10 }, Buffer.alloc(100));
      const b = scanFile(p, rare, { keep: 10 }, Buffer.alloc(100));
      expect(b).toEqual(a);
      expect(a.matches).toBe(text === 'wombatfinch' ? 6 : 3);
    }
    // Common bytes only: fold.
    const common = compileQuery('row');
    const h = new Uint32Array(256);
    countBytes(fs.readFileSync(p), h);
    expect(choosePlan(common, h, fs.statSync(p).size)).toEqual({ kind: 'fold' });
  });

  it('every plan finds the lines that hold every term in ASCII-folded text, on mixed-case text', () => {
    // Deterministic pseudo-random lines: words in any case, glued or apart, many on a line, other
    // UTF-8; read through buffers small and large. (Lines with U+0130 or U+212A, whose toLowerCase()
    // holds ASCII: the next test.)
    let x = 12345;
    const rnd = (n: number) => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const vocab = ['token', 'TOKEN', 'Token', 'refresh', 'REFRESH', 'tokens', 'to', 'ken', 'käse', 'toKen', 'refreshtoken', 'Id', 'xyz', 'wombat'];
    const lines = Array.from({ length: 1500 }, () => Array.from({ length: 1 + rnd(12) }, () => vocab[rnd(vocab.length)]).join(rnd(3) ? ' ' : ''));
    const p = file('mixed.txt', lines.join('\n') + '\n');
    let offset = 0;
    const expected = new Map<string, { matches: number; lines: Array<{ offset: number; text: string }> }>();
    const queries = ['token', 'refresh token', 'token refresh', 'ken to', 'wombat token', 'k', 'id token'];
    for (const text of queries) {
      const terms = text.split(' ');
      const hits = [];
      offset = 0;
      for (const line of lines) {
        if (terms.every((t) => line.replace(/[A-Z]/g, (c) => c.toLowerCase()).includes(t))) hits.push({ offset, text: line });
        offset += Buffer.byteLength(line) + 1;
      }
      expected.set(text, { matches: hits.length, lines: hits.slice(0, 5) });
    }
    for (const text of queries) {
      const want = expected.get(text)!;
      expect(want.matches).toBeGreaterThan(0);
      const q = compileQuery(text);
      const plans: Plan[] = [{ kind: 'fold' }, ...q.terms.flatMap((term) => [...term].map((_, at) => ({ kind: 'rare' as const, term, at })))];
      for (const plan of plans) {
        for (const buf of [Buffer.alloc(64), Buffer.alloc(4096), undefined]) {
          const r = scanFile(p, { ...q, plan }, { keep: 5 }, buf);
          expect({ text, plan, matches: r.matches, lines: r.lines }).toEqual({ text, plan, ...want });
        }
      }
    }
  });

  it("every plan gives toLowerCase()'s answer on lines with K (U+212A) and İ (U+0130) too, whichever term comes first", () => {
    // A line with the Kelvin sign counts it as "k" (toLowerCase), under every plan and term order;
    // it was found only when another term was looked for first (found by a fresh-eyes run).
    let x = 777;
    const rnd = (n: number) => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const vocab = ['zebra', 'ZEBRA', '\u212aelvin', 'kelvin', 'KELVIN', '\u0130stanbul', 'istanbul', 'rig', 'ken', 'to', 'x\u0130', 'käse'];
    const lines = Array.from({ length: 1200 }, () => Array.from({ length: 1 + rnd(8) }, () => vocab[rnd(vocab.length)]).join(rnd(3) ? ' ' : ''));
    const p = file('lowering.txt', lines.join('\n') + '\n');
    for (const text of ['kelvin', 'zebra kelvin', 'kelvin zebra', 'elvin', 'ken rig', 'xi', 'istanbul', 'stanbul zebra']) {
      const terms = text.split(' ');
      const hits: Array<{ offset: number; text: string }> = [];
      let offset = 0;
      for (const line of lines) {
        if (terms.every((t) => line.toLowerCase().includes(t))) hits.push({ offset, text: line });
        offset += Buffer.byteLength(line) + 1;
      }
      expect(hits.length, text).toBeGreaterThan(0);
      const q = compileQuery(text);
      const plans: Plan[] = [{ kind: 'fold' }, ...q.terms.flatMap((term) => [...term].map((_, at) => ({ kind: 'rare' as const, term, at })))];
      for (const plan of plans) {
        for (const buf of [Buffer.alloc(64), undefined]) {
          const r = scanFile(p, { ...q, plan }, { keep: 5 }, buf);
          expect({ text, plan, matches: r.matches, lines: r.lines }).toEqual({ text, plan, matches: hits.length, lines: hits.slice(0, 5) });
        }
      }
    }
  });

  it('finds a word with İ as typed, and in capitals', () => {
    const p = file('city.txt', 'Flight to \u0130stanbul booked\nnothing here\n\u0130STANBUL again\n');
    for (const text of ['\u0130stanbul', '\u0130STANBUL', 'booked \u0130stanbul']) {
      const r = scanFile(p, compileQuery(text), { keep: 5 });
      expect(r.lines.map((l) => l.text), text).toEqual(text.startsWith('booked') ? ['Flight to \u0130stanbul booked'] : ['Flight to \u0130stanbul booked', '\u0130STANBUL again']);
    }
  });

  it('asks for a second opinion on transcript lines', () => {
    const p = file('t.jsonl', '{"cwd":"/tmp/needle"}\n{"type":"assistant","message":{"content":[{"type":"text","text":"a needle here"}]}}\n');
    const r = scanFile(p, compileQuery('needle'), { keep: 3, accept: (l) => (transcriptText(l) ?? '').includes('needle') });
    expect(r.matches).toBe(1);
  });
});

describe('transcript text, snippets, score', () => {
  it('reads what was said from transcript lines', () => {
    expect(transcriptText('{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"Hello"},{"type":"tool_use","name":"Write","input":{"file_path":"/a","content":"x"}}]}}')).toBe('Claude: Hello [Write] /a x');
    expect(transcriptText('{"type":"user","message":{"role":"user","content":"do it"}}')).toBe('user: do it');
    expect(transcriptText('{"type":"user","message":{"content":[{"type":"tool_result","content":[{"type":"text","text":"ok"}]}]}}')).toBe('user: ok');
    expect(transcriptText('{"type":"summary","summary":"s"}')).toBe('summary: s');
    expect(transcriptText('{"type":"system"}')).toBeNull();
    expect(transcriptText('nope')).toBeNull();
  });

  it('cuts a one-line snippet around the match', () => {
    const q = compileQuery('needle');
    const s = snippet(`${'a '.repeat(200)}the needle\n\there ${'b '.repeat(200)}`, q);
    expect(s.length).toBeLessThanOrEqual(162);
    expect(s).toMatch(/^….*the needle here.*…$/);
    expect(snippet('x\x1b[31m needle', q)).toBe('x [31m needle');
  });

  it('ranks discoveries over transcripts, more matches and whole phrases higher, recent higher', () => {
    const q = compileQuery('refresh token');
    const base = score('transcript', 1, 'refresh the token', q, 0);
    expect(score('discoveries', 1, 'refresh the token', q, 0)).toBeGreaterThan(base);
    expect(score('transcript', 10, 'refresh the token', q, 0)).toBeGreaterThan(base);
    expect(score('transcript', 1, 'the refresh token', q, 0)).toBeGreaterThan(base);
    expect(score('transcript', 1, 'refresh the token', q, 365 * 86_400_000)).toBeLessThan(base);
    expect(score('transcript', 1, 'refreshed the tokens', q, 0)).toBeLessThan(base);
  });
});

describe('searchSessions and cs -search', () => {
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    env = { PATH: process.env.PATH, HOME: tmp, CS_SESSIONS_ROOT: path.join(tmp, 'sessions'), CLAUDE_CONFIG_DIR: path.join(tmp, '.claude'), NO_COLOR: '1', CS_NO_UPDATE_CHECK: '1' };
    const mk = (name: string, files: Record<string, string>) => {
      for (const [rel, text] of Object.entries(files)) file(`sessions/${name}/${rel}`, text);
    };
    mk('alpha', {
      '.cs/README.md': '# alpha\n\n## Objective\nFix the flaky login\n',
      '.cs/discoveries.md': '# Discoveries\n\n## 2026-11-01 login\nThe login fails when the refresh token expires.\n',
      '.cs/changes.md': '- [2026-11-01 10:00:00] Edit: src/login.ts\n',
      '.cs/artifacts/MANIFEST.json': '[{"name":"refresh.sh","secrets":["token"]}]\n',
      '.cs/artifacts/refresh.sh': '#!/bin/sh\n# refresh token helper\ncurl ...\n',
    });
    mk('beta', { '.cs/discoveries.md': '# Discoveries\n\n## 2026-11-02 cache\nNothing about logins.\n' });
    fs.mkdirSync(path.join(tmp, 'sessions/not-a-session'));
    const tdir = claudeProjectDir(env.CLAUDE_CONFIG_DIR!, path.join(tmp, 'sessions/beta'));
    file(path.relative(tmp, path.join(tdir, 'abc.jsonl')), [
      JSON.stringify({ type: 'user', cwd: '/refresh-token', message: { role: 'user', content: 'why does it fail?' } }),
      JSON.stringify({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text: 'Because the refresh token is rotated on every call.' }] } }),
      '',
    ].join('\n'));
  });

  it('finds and ranks across sources and sessions', async () => {
    const r = await searchSessions({ env, query: 'refresh token' });
    expect(r.sessions).toBe(2);
    expect(r.hits.map((h) => `${h.session} ${h.source} ${h.file}:${h.line}`)).toEqual([
      'alpha discoveries .cs/discoveries.md:4',
      'alpha artifact .cs/artifacts/refresh.sh:2',
      'beta transcript transcript/abc.jsonl:2',
    ]);
    expect(r.hits[2]!.snippet).toBe('Claude: Because the refresh token is rotated on every call.');
    expect((await searchSessions({ env, query: 'refresh token', session: 'beta' })).hits).toHaveLength(1);
    expect((await searchSessions({ env, query: 'refresh token', limit: 1 })).hits).toHaveLength(1);
  });

  it('cs -search prints hits, --json for scripts, exit 1 when nothing matches', async () => {
    const human = await runCs(['-search', 'refresh', 'token'], { env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^alpha {2}\.cs\/discoveries\.md:4 {2}discoveries\n {4}The login fails when the refresh token expires\.$/m);
    const json = await runCs(['-search', 'ROTATED', '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject([{ session: 'beta', source: 'transcript', line: 2, matches: 1 }]);
    const scoped = await runCs(['alpha', '-search', 'login', '--json'], { env });
    expect(new Set(JSON.parse(scoped.stdout).map((h: { session: string }) => h.session))).toEqual(new Set(['alpha']));
    const none = await runCs(['-search', 'zzzz-nothing'], { env });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no match for "zzzz-nothing" in \d+ files of 2 sessions/);
    const missing = await runCs(['-search', 'x', '--session', 'gamma'], { env });
    expect(missing.stderr).toMatch(/no session named 'gamma'/);
  });

  it('never reads through a link in .cs: an artifacts folder or a notes file that points outside the session is not searched', async () => {
    // What a search shows comes from the session's own files: a link made by hand to /etc or a
    // home folder must not put their contents in the results.
    file('outside/notes/creds.txt', 'wombatfinch lives here\n');
    file('outside/diary.md', 'wombatfinch in the diary\n');
    fs.mkdirSync(path.join(tmp, 'sessions/gamma/.cs'), { recursive: true });
    fs.symlinkSync(path.join(tmp, 'outside/notes'), path.join(tmp, 'sessions/gamma/.cs/artifacts'));
    fs.symlinkSync(path.join(tmp, 'outside/diary.md'), path.join(tmp, 'sessions/gamma/.cs/discoveries.md'));
    fs.symlinkSync(path.join(tmp, 'outside/diary.md'), path.join(tmp, 'sessions/alpha/.cs/discoveries-old.md'));
    for (const useCache of [true, false]) expect((await searchSessions({ env, query: 'wombatfinch', useCache })).hits).toEqual([]);
    // The same words in the session's own files are found.
    file('sessions/gamma/.cs/README.md', '# gamma\nwombatfinch\n');
    expect((await searchSessions({ env, query: 'wombatfinch' })).hits.map((h) => `${h.session} ${h.file}`)).toEqual(['gamma .cs/README.md']);
  });

  it("finds what a transcript says with a word every line's metadata holds (cache, main, model), and counts only the lines that say it", async () => {
    // Claude Code 2.1.330's line: the branch, the model and the usage on every line.
    const ws = path.join(tmp, 'sessions/beta');
    const line = (i: number, who: 'user' | 'assistant', text: string) => JSON.stringify({
      parentUuid: `p${i}`, isSidechain: false, userType: 'external', cwd: ws, sessionId: 's1', version: '2.1.330', gitBranch: 'main', type: who,
      message: who === 'assistant'
        ? { id: `msg_${i}`, type: 'message', role: 'assistant', model: 'claude-opus-4-1', content: [{ type: 'text', text }], usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 20, service_tier: 'standard' } }
        : { role: 'user', content: text },
      uuid: `u${i}`, timestamp: '2026-11-01T10:00:00.000Z',
    });
    const lines = Array.from({ length: 40 }, (_, i) => line(i, i % 2 ? 'assistant' : 'user', `step ${i} of the work`));
    lines[33] = line(33, 'assistant', 'The cache is stale because the main branch moved; the model agrees.');
    const tdir = claudeProjectDir(env.CLAUDE_CONFIG_DIR!, ws);
    file(path.relative(tmp, path.join(tdir, 'meta.jsonl')), `${lines.join('\n')}\n`);
    for (const query of ['cache', 'main branch', 'model', 'stale cache']) {
      for (const useCache of [false, true]) {
        const hits = (await searchSessions({ env, query, session: 'beta', useCache })).hits;
        expect(hits.filter((h) => h.source === 'transcript').map((h) => `${h.file}:${h.line} ${h.matches}`), `${query} (cache: ${useCache})`).toEqual(['transcript/meta.jsonl:34 1']);
      }
    }
    const r = await runCs(['-search', 'main', 'branch', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ session: 'beta', file: 'transcript/meta.jsonl', line: 34, matches: 1, snippet: 'Claude: The cache is stale because the main branch moved; the model agrees.' }]);
  });

  it('finds what a transcript says with quotes and backslashes in it, as it finds it in other files', async () => {
    const said = 'Copy it to C:\\Users\\bob\\Temp, then grep "refresh_token" with \\d+';
    const tdir = claudeProjectDir(env.CLAUDE_CONFIG_DIR!, path.join(tmp, 'sessions/beta'));
    file(path.relative(tmp, path.join(tdir, 'esc.jsonl')), `${JSON.stringify({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text: said }] } })}\n`);
    file('sessions/alpha/.cs/discoveries.md', `# Discoveries\n\n${said}\n`);
    for (const query of ['C:\\Users\\bob', '"refresh_token"', 'grep "refresh_token"', '\\d+', 'c:\\users\\BOB\\temp, "REFRESH_TOKEN"']) {
      for (const useCache of [false, true]) {
        const r = await searchSessions({ env, query, useCache });
        expect(r.hits.map((h) => `${h.session} ${h.file}:${h.line}`).sort(), `${query} (cache: ${useCache})`).toEqual(['alpha .cs/discoveries.md:3', 'beta transcript/esc.jsonl:1']);
      }
    }
    // The text said, not its JSON form: a backslash-n typed is not a line break said.
    expect((await searchSessions({ env, query: 'C:\\\\Users' })).hits).toEqual([]);
    const human = await runCs(['-search', 'grep "refresh_token"'], { env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`beta  transcript/esc.jsonl:1  transcript\n    Claude: ${said}`);
  });

  it("never lets a stored secret's value decide a match: only the text around it counts (no guessing a value one query at a time)", async () => {
    const senv = { ...env, CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: undefined };
    const value = 'zq-token-9f8e7d6c5b';
    const set = await runCs(['alpha', '-secrets', 'set', 'API_TOKEN'], { env: senv, input: value });
    expect(set.code, set.stderr).toBe(0);
    fs.appendFileSync(path.join(tmp, 'sessions/alpha/.cs/discoveries.md'), `The header carries ${value} on every call.\nThe token refreshes daily.\n`);
    // A piece of the value, the whole value, the value's own word: nothing.
    for (const q of ['9f8e7d', value, 'zq-token']) {
      const r = await runCs(['-search', q, '--json'], { env: senv });
      expect(r.code, `${q}: ${r.stdout}`).toBe(1);
      expect(JSON.parse(r.stdout)).toEqual([]);
    }
    // "token" matches the line that says it, not the one whose value holds it; the count says one.
    const token = await searchSessions({ env: senv, query: 'token', session: 'alpha' });
    const disc = token.hits.find((h) => h.source === 'discoveries')!;
    expect(disc.snippet).not.toContain(value);
    expect([disc.snippet, ...disc.more.map((m) => m.snippet)].join('\n')).not.toMatch(/header carries/);
    // The text around a value still finds its line, shown with the value replaced.
    const around = await runCs(['-search', 'header carries', '--json'], { env: senv });
    expect(around.code, around.stderr).toBe(0);
    const hit = JSON.parse(around.stdout)[0];
    expect(hit).toMatchObject({ session: 'alpha', source: 'discoveries', matches: 1 });
    expect(hit.snippet).toBe('The header carries [secret: API_TOKEN] on every call.');
  });

  it("never shows a line of a multi-line stored value (a private key), where files are searched a line at a time and in Read's numbered output", async () => {
    const senv = { ...env, CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: undefined };
    const body = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'q9Zx8WmPlK3vT0hYbN2cR5sJ4uE6fA1gD7iO0pL9kM3nB8vC2xZ'];
    const pem = ['-----BEGIN PRIVATE KEY-----', ...body, '-----END PRIVATE KEY-----'].join('\n');
    const set = await runCs(['alpha', '-secrets', 'set', 'DEPLOY_KEY'], { env: senv, input: pem });
    expect(set.code, set.stderr).toBe(0);
    fs.appendFileSync(path.join(tmp, 'sessions/alpha/.cs/discoveries.md'), `The deploy key is\n${pem}\nkeyline ${body[1]} pasted again\n`);
    // What Claude Code's Read tool gives back: the file's lines, each after its number.
    const read = pem.split('\n').map((l, i) => `     ${i + 1}\u2192${l}`).join('\n');
    const tdir = claudeProjectDir(env.CLAUDE_CONFIG_DIR!, path.join(tmp, 'sessions/alpha'));
    file(path.relative(tmp, path.join(tdir, 'read.jsonl')), `${JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: `keyfile ${read}` }] } })}\n`);
    for (const q of ['MIIEvQIBADAN', 'q9Zx8WmPlK3v', 'keyfile', 'keyline']) {
      const r = await runCs(['-search', q, '--json'], { env: senv });
      expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
      for (const line of body) expect(r.stdout, q).not.toContain(line.slice(0, 12));
    }
    // A line that holds only a piece of the value is no match; text around it still is, with the piece hidden.
    expect((await runCs(['-search', 'q9Zx8WmPlK3v', '--json'], { env: senv })).code).toBe(1);
    const around = JSON.parse((await runCs(['-search', 'keyline', '--json'], { env: senv })).stdout);
    expect(around[0].snippet).toBe('keyline [secret: DEPLOY_KEY] pasted again');
  });

  it.each([
    [['a', 'b'], {}, { query: 'a b', session: null, limit: 20, json: false, show: { archived: false, all: false } }],
    [['--json', 'x', '--limit', '5'], {}, { query: 'x', session: null, limit: 5, json: true, show: { archived: false, all: false } }],
    [['x', '--session', 's1'], {}, { query: 'x', session: 's1', limit: 20, json: false, show: { archived: false, all: false } }],
    [['x'], { session: 's2' }, { query: 'x', session: 's2', limit: 20, json: false, show: { archived: false, all: false } }],
    [['--', '-x'], {}, { query: '-x', session: null, limit: 20, json: false, show: { archived: false, all: false } }],
    [['x', '--all'], {}, { query: 'x', session: null, limit: 20, json: false, show: { archived: false, all: true } }],
  ])('parses %j', async (args, inv, opts) => expect((await parseCommand('-search', args, inv)).opts).toEqual(opts));

  it.each([[[]], [['x', '--limit', '0']], [['x', '--session', '../etc']], [['x', '--bogus']]])('refuses %j', async (args) => {
    await expect(parseCommand('-search', args)).rejects.toThrow();
  });
});

describe('cs -search in a project folder two sessions share', () => {
  it('credits each transcript to the session that pins it (x.y and x-y)', { timeout: 60_000 }, async () => {
    const sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw-test' });
    try {
      const { dot, dash, shared } = await sessionsSharingAFolder(sb.env);
      const say = (uuid: string, text: string) => fs.writeFileSync(path.join(shared, `${uuid}.jsonl`), `${JSON.stringify({ type: 'user', message: { role: 'user', content: text }, sessionId: uuid })}\n`);
      say(dot, 'dotword and commonword');
      say(dash, 'zebrafoo and commonword');
      const hits = async (args: string[]) => {
        const r = await runCs(['-search', ...args, '--json'], { env: sb.env });
        // Exit 1 is "no match" (with --json, an empty list).
        expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
        return (JSON.parse(r.stdout) as Array<{ session: string; file: string }>).map((h) => `${h.session} ${h.file}`).sort();
      };
      expect(await hits(['zebrafoo'])).toEqual([`x-y transcript/${dash}.jsonl`]);
      expect(await hits(['dotword'])).toEqual([`x.y transcript/${dot}.jsonl`]);
      expect(await hits(['commonword'])).toEqual([`x-y transcript/${dash}.jsonl`, `x.y transcript/${dot}.jsonl`]);
      // One session named: the same split.
      expect(await hits(['zebrafoo', '--session', 'x.y'])).toEqual([]);
      expect(await hits(['zebrafoo', '--session', 'x-y'])).toEqual([`x-y transcript/${dash}.jsonl`]);
    } finally {
      sb.cleanup();
    }
  });
});
