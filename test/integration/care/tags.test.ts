// Tags: the built cs against real sessions in a temp home.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeTags, normalizeTag, parseTags } from '../../../src/session/marks.js';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

const names = (stdout: string) => (JSON.parse(stdout) as Array<{ name: string }>).map((s) => s.name).sort();

describe('tags: pure parts', () => {
  it.each([
    ['Urgent', 'urgent'],
    ['#client-x', 'client-x'],
    ['v1.2_rc', 'v1.2_rc'],
  ])('normalizes %j to %j', (raw, want) => expect(normalizeTag(raw)).toBe(want));
  it.each(['', '-x', '.x', 'a b', 'ä', 'x'.repeat(33), '#'])('refuses %j with the rule', (raw) => {
    expect(() => normalizeTag(raw)).toThrow(/not a usable tag/);
  });
  it('reads a merged file: both sides kept, merge markers and junk skipped, sorted and unique', () => {
    expect(parseTags('alpha\n<<<<<<< HEAD\nbeta\n=======\ngamma\nalpha\n>>>>>>> theirs\n\n')).toEqual(['alpha', 'beta', 'gamma']);
  });
  it('drops the file when the last tag goes', () => {
    const dir = fs.mkdtempSync(path.join(sb.dir, 's-'));
    fs.mkdirSync(path.join(dir, '.cs'));
    expect(changeTags(dir, ['b', 'a'], [])).toEqual(['a', 'b']);
    expect(fs.readFileSync(path.join(dir, '.cs/tags'), 'utf8')).toBe('a\nb\n');
    expect(changeTags(dir, [], ['a', 'b'])).toEqual([]);
    expect(fs.existsSync(path.join(dir, '.cs/tags'))).toBe(false);
  });
});

describe('cs <s> -tag and cs -ls --tag', () => {
  it('adds, lists and removes tags, stores them in .cs/tags, and filters -ls', { timeout: 120_000 }, async () => {
    for (const s of ['api', 'web', 'ops']) expect((await runCs([s], { env: sb.env })).code).toBe(0);
    let r = await runCs(['api', '-tag', 'add', 'Client-X', '#urgent'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('#client-x #urgent\n');
    expect(fs.readFileSync(path.join(sb.root, 'api/.cs/tags'), 'utf8')).toBe('client-x\nurgent\n');
    expect((await runCs(['web', '-tag', 'add', 'client-x'], { env: sb.env })).code).toBe(0);

    r = await runCs(['api', '-tag', '--json'], { env: sb.env });
    expect(JSON.parse(r.stdout)).toEqual(['client-x', 'urgent']);
    r = await runCs(['-ls', '--tag', 'client-x', '--json'], { env: sb.env });
    expect(names(r.stdout)).toEqual(['api', 'web']);
    r = await runCs(['-ls', '--tag', '#URGENT'], { env: sb.env });
    expect(r.stdout).toMatch(/^NAME/);
    expect(r.stdout).toContain('api');
    expect(r.stdout).not.toContain('web');

    r = await runCs(['api', '-tag', 'rm', 'urgent'], { env: sb.env });
    expect(r.stdout).toBe('#client-x\n');
    expect(r.stderr).toBe('');
    // A tag the session does not have: said, not silently "done" (a typo would look removed).
    r = await runCs(['api', '-tag', 'rm', 'urgnet', '#client-x'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("'api' had no tag #urgnet");
    r = await runCs(['-ls', '--tag', 'urgent', '--json'], { env: sb.env });
    expect(JSON.parse(r.stdout)).toEqual([]);
    r = await runCs(['-ls', '--tag', 'urgent'], { env: sb.env });
    expect(r.stderr).toContain('no sessions tagged #urgent');

    // Inside a session the name may be left out.
    r = await runCs(['-tag'], { env: { ...sb.env, CLAUDE_SESSION_NAME: 'web' } });
    expect(r.stdout).toBe('#client-x\n');
    r = await runCs(['ops', '-tag'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("'ops' has no tags");
  });

  it('refuses bad input with one line and changes nothing', { timeout: 120_000 }, async () => {
    await runCs(['api'], { env: sb.env });
    for (const args of [['api', '-tag', 'add'], ['api', '-tag', 'add', 'a b'], ['api', '-tag', 'frob', 'x'], ['nope', '-tag', 'add', 'x'], ['-ls', '--tag', '-x']]) {
      const r = await runCs(args, { env: sb.env });
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/at .*\.js/);
    }
    expect(fs.existsSync(path.join(sb.root, 'api/.cs/tags'))).toBe(false);
  });
});

describe('tags never go through a link', () => {
  it('a linked .cs/tags is never written through: the linked file stays as it was, and its text is not copied into the session', async () => {
    expect((await runCs(['tl'], { env: sb.env })).code).toBe(0);
    const meta = path.join(sb.root, 'tl', '.cs');
    const outside = path.join(sb.dir, 'private.txt');
    fs.writeFileSync(outside, 'akia-private\nsecret2\n', { mode: 0o600 });
    fs.symlinkSync(outside, path.join(meta, 'tags'));
    const r = await runCs(['tl', '-tag', 'add', 'work'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/refusing to write .*\/tl\/\.cs\/tags: it is a symlink/);
    expect(fs.lstatSync(path.join(meta, 'tags')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(outside, 'utf8')).toBe('akia-private\nsecret2\n');
    expect(fs.statSync(outside).mode & 0o777).toBe(0o600);
    // Nothing of it went into a file of the session (which syncs).
    const files = fs.readdirSync(meta, { recursive: true, encoding: 'utf8' }).filter((f) => !fs.lstatSync(path.join(meta, f)).isSymbolicLink() && fs.statSync(path.join(meta, f)).isFile());
    for (const f of files) expect(fs.readFileSync(path.join(meta, f), 'utf8'), f).not.toContain('akia-private');
  });

  it('keeps a tags file\'s own mode when rewriting it', () => {
    const dir = fs.mkdtempSync(path.join(sb.dir, 's-'));
    fs.mkdirSync(path.join(dir, '.cs'));
    fs.writeFileSync(path.join(dir, '.cs', 'tags'), 'one\n', { mode: 0o600 });
    fs.chmodSync(path.join(dir, '.cs', 'tags'), 0o600);
    expect(changeTags(dir, ['two'], [])).toEqual(['one', 'two']);
    expect(fs.statSync(path.join(dir, '.cs', 'tags')).mode & 0o777).toBe(0o600);
  });
});
