// The projects/<slug> rule, checked against directories the real Claude Code
// CLI creates (offline, against the fake API).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeProjectDir, claudeProjectSlug, latestTranscript } from '../../../src/session/claude-project.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { makeTempDir, makeTempHome, runClaude, type TempHome } from '../../support/claude.js';

describe('claudeProjectSlug (pure)', () => {
  it('replaces every non-alphanumeric character with "-"', () => {
    expect(claudeProjectSlug('/home/me/my_proj.v2/a-b c')).toBe('-home-me-my-proj-v2-a-b-c');
    expect(claudeProjectSlug('/tmp/é')).toBe('-tmp--');
  });
  it('keeps paths of up to 200 characters whole and hashes longer ones', () => {
    const p200 = '/' + 'a'.repeat(199);
    expect(claudeProjectSlug(p200)).toBe('-' + 'a'.repeat(199));
    const long = '/' + 'b'.repeat(250);
    const slug = claudeProjectSlug(long);
    expect(slug.startsWith('-' + 'b'.repeat(199) + '-')).toBe(true);
    expect(slug).toMatch(/^-b{199}-[0-9a-z]+$/);
  });
  it('claudeProjectDir joins under <configDir>/projects', () => {
    expect(claudeProjectDir('/c', '/x/y')).toBe(path.join('/c', 'projects', '-x-y'));
  });
});

describe('latestTranscript', () => {
  it('returns null without a project dir, and the newest .jsonl by mtime', () => {
    const cfg = makeTempDir('cs-cfg-');
    const ws = '/some/work.space';
    expect(latestTranscript(cfg, ws)).toBeNull();
    const dir = claudeProjectDir(cfg, ws);
    fs.mkdirSync(path.join(dir, 'memory'), { recursive: true });
    expect(latestTranscript(cfg, ws)).toBeNull();
    const a = path.join(dir, 'aaaaaaaa-0000-0000-0000-000000000000.jsonl');
    const b = path.join(dir, 'bbbbbbbb-0000-0000-0000-000000000000.jsonl');
    fs.writeFileSync(a, '{}\n');
    fs.writeFileSync(b, '{}\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    fs.utimesSync(a, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    fs.utimesSync(b, new Date(1_000_000_000_000), new Date(1_000_000_000_000));
    expect(latestTranscript(cfg, ws)).toBe(a);
    fs.rmSync(cfg, { recursive: true, force: true });
  });
});

describe('claudeProjectDir matches the real Claude Code', () => {
  let api: FakeAnthropic;
  let home: TempHome;
  let root: string;
  beforeAll(async () => {
    api = await startFakeAnthropic([]);
    home = makeTempHome();
    root = makeTempDir('cs-slug-');
  });
  afterAll(async () => {
    await api.close();
    home.cleanup();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const names = [
    'plain',
    'with.dots.v1.2',
    'under_score__x',
    'hy-phen--x',
    'space and (parens) +plus@at',
    'ünïcødé-😀',
    // long: the absolute path ends up well over 200 characters
    'long-' + 'x'.repeat(120) + '/' + 'y'.repeat(120),
  ];
  for (const name of names) {
    it(`workspace "${name.slice(0, 30)}${name.length > 30 ? '…' : ''}"`, { timeout: 30_000 }, async () => {
      const ws = path.join(root, name);
      fs.mkdirSync(ws, { recursive: true });
      const before = latestTranscript(home.configDir, ws);
      expect(before).toBeNull();
      const r = await runClaude({ cwd: ws, home: home.home, prompt: 'hi', baseUrl: api.url, timeoutMs: 25_000 });
      expect(r.code, r.stderr).toBe(0);
      const dir = claudeProjectDir(home.configDir, ws);
      const made = fs.readdirSync(path.join(home.configDir, 'projects'));
      expect(made).toContain(path.basename(dir));
      const t = latestTranscript(home.configDir, ws);
      expect(t).not.toBeNull();
      expect(path.basename(t!)).toMatch(/^[0-9a-f-]{36}\.jsonl$/);
    });
  }

  it('a symlinked cwd is resolved: the slug is that of the real path', { timeout: 30_000 }, async () => {
    const real = path.join(root, 'real-target');
    const link = path.join(root, 'the-link');
    fs.mkdirSync(real, { recursive: true });
    fs.symlinkSync(real, link);
    const r = await runClaude({ cwd: link, home: home.home, prompt: 'hi', baseUrl: api.url, timeoutMs: 25_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(latestTranscript(home.configDir, real)).not.toBeNull();
    expect(latestTranscript(home.configDir, link)).toBeNull();
  });

  it('--continue appends to the newest transcript; a new session makes a newer file', { timeout: 30_000 }, async () => {
    const ws = path.join(root, 'cont');
    fs.mkdirSync(ws);
    await runClaude({ cwd: ws, home: home.home, prompt: 'one', baseUrl: api.url });
    const first = latestTranscript(home.configDir, ws);
    await runClaude({ cwd: ws, home: home.home, prompt: 'two', baseUrl: api.url, args: ['--continue'] });
    expect(latestTranscript(home.configDir, ws)).toBe(first);
    expect(fs.readdirSync(claudeProjectDir(home.configDir, ws)).filter((n) => n.endsWith('.jsonl'))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 20));
    await runClaude({ cwd: ws, home: home.home, prompt: 'three', baseUrl: api.url });
    const third = latestTranscript(home.configDir, ws);
    expect(third).not.toBe(first);
    expect(fs.readdirSync(claudeProjectDir(home.configDir, ws)).filter((n) => n.endsWith('.jsonl'))).toHaveLength(2);
  });
});
