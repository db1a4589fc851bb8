// A feature session with the real Claude Code, offline against the scripted
// fake API: Claude writes a file and records a discovery in the feature's
// worktree; the merge brings both into the base, the discovery marked.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { runCs } from '../../support/cs.js';
import { git, laptop } from '../../support/laptops.js';

const BASE_SECRET = 'featsecret-8842';
let api: FakeAnthropic | undefined;
let base: string | undefined;
afterEach(async () => {
  await api?.close();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

describe('feature session with the real Claude Code', () => {
  it('works on its own worktree and branch; the merge brings the file and the marked discovery to the base', { timeout: 180_000 }, async () => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-feature-claude-')));
    const l = laptop(base, 'a', path.join(base, 'root'));
    const featureDir = path.join(l.root, '.features', 'app@retry');
    api = await startFakeAnthropic([
      'Base ready.',
      [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(featureDir, 'retry.txt'), content: 'retry with backoff\n' } }],
      [{ type: 'tool_use', name: 'Bash', input: { command: `printf '\\n## Retry needs jitter\\nfound in the feature\\n' >> ${path.join(featureDir, '.cs', 'discoveries.md')}` } }],
      // A value the base holds, typed out in the feature's conversation.
      [{ type: 'tool_use', name: 'Bash', input: { command: `echo ${BASE_SECRET} > /dev/null` } }],
      'Feature done.',
    ]);
    const first = await l.claude('app', 'set up', api.url);
    expect(first.code, first.stderr).toBe(0);
    expect((await runCs(['app', '-secrets', 'set', 'API_TOKEN'], { env: l.env, input: BASE_SECRET })).code).toBe(0);
    const r = await l.claude('app@retry', 'add retry', api.url);
    expect(r.code, r.stderr).toBe(0);
    // Every scripted turn served. Claude's last answer is 'Feature done.', unless cs's Stop hook then
    // reminded it to record discoveries (a run that took long enough, under load), which is answered after it.
    expect(api.turnsUsed()).toBe(5);
    if (!r.stdout.includes('Feature done.')) expect(JSON.stringify(api.agentRequests().at(-1))).toContain('files changed since .cs/discoveries.md was last updated');
    expect(git(featureDir, 'symbolic-ref', '--short', 'HEAD')).toBe('cs/retry');
    // cs's session end committed Claude's work on the feature branch, not on the base's.
    expect(git(featureDir, 'show', '--name-only', '--format=', 'HEAD')).toContain('retry.txt');
    const baseDir = path.join(l.root, 'app');
    expect(fs.existsSync(path.join(baseDir, 'retry.txt'))).toBe(false);
    // Its own conversation, recorded in its own worktree.
    const featureConvs = fs.readFileSync(path.join(featureDir, '.cs/conversations.json'), 'utf8');
    expect(fs.readFileSync(path.join(featureDir, '.cs/changes.md'), 'utf8')).toMatch(/Write: retry\.txt/);
    // Its transcript, on this machine, holds the base's value only as [secret: KEY]: a feature shares its base's secrets.
    const projects = path.join(l.env.CLAUDE_CONFIG_DIR!, 'projects');
    expect(spawnSync('grep', ['-rlaF', BASE_SECRET, projects], { encoding: 'utf8' }).stdout).toBe('');
    expect(spawnSync('grep', ['-rlaF', 'echo [secret: API_TOKEN] > /dev/null', projects], { encoding: 'utf8' }).stdout).not.toBe('');

    const diff = await l.cs(['app@retry', '-diff', '--stat']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('retry.txt');

    const m = await l.cs(['app', '--merge', 'retry']);
    expect(m.code, m.stderr).toBe(0);
    expect(fs.readFileSync(path.join(baseDir, 'retry.txt'), 'utf8')).toBe('retry with backoff\n');
    expect(fs.readFileSync(path.join(baseDir, '.cs/discoveries.md'), 'utf8')).toContain('## Retry needs jitter [feature retry]');
    expect(fs.readFileSync(path.join(baseDir, '.cs/changes.md'), 'utf8')).toMatch(/Write: retry\.txt \(feature retry\)/);
    const folded = JSON.parse(fs.readFileSync(path.join(baseDir, '.cs/conversations.json'), 'utf8')).conversations.filter((c: { feature?: string }) => c.feature === 'retry');
    expect(folded).toHaveLength(1);
    expect(featureConvs).toContain(folded[0].uuid);
    expect(fs.existsSync(featureDir)).toBe(false);
    expect(git(baseDir, 'branch', '--list', 'cs/retry')).toBe('');
  });
});
