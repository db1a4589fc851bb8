// A sessions root that is a symbolic link gives the same results as a plain
// one: the real Claude Code, offline, writes a file of the user and a file of
// cs's own under .cs/; changes.md lists the first, relative, and not the second.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../support/claude.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptTurn } from '../../support/fake-anthropic.js';
import { laptop } from '../../support/laptops.js';

let tmp: string;
let api: FakeAnthropic;
const turns: ScriptTurn[] = [];

beforeAll(async () => {
  tmp = makeTempDir('cs-linked-root-');
  api = await startFakeAnthropic(turns);
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** changes.md after Claude wrote notes.md and .cs/scratch.md in session `demo` under `root`, timestamps cut. */
async function changesAfterWrites(who: string, root: string, realRoot: string): Promise<string[]> {
  const l = laptop(tmp, who, root);
  const dir = path.join(realRoot, 'demo');
  turns.push(
    [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(dir, 'notes.md'), content: 'user notes\n' } }],
    [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(dir, '.cs', 'scratch.md'), content: 'bookkeeping\n' } }],
    'Done writing.',
  );
  const r = await l.claude('demo', 'Write the two files.', api.url);
  expect(r.code, r.stderr).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'notes.md'), 'utf8')).toBe('user notes\n');
  return fs.readFileSync(path.join(dir, '.cs', 'changes.md'), 'utf8').split('\n').filter((x) => x.startsWith('- [')).map((x) => x.replace(/^- \[[^\]]+\] /, ''));
}

describe('a symlinked sessions root', () => {
  it('lists the same changes as a plain root: relative paths, no .cs/ bookkeeping', { timeout: 120_000 }, async () => {
    const plainRoot = path.join(tmp, 'plain');
    const plain = await changesAfterWrites('p', plainRoot, plainRoot);
    const realRoot = path.join(tmp, 'elsewhere', 'sessions');
    fs.mkdirSync(realRoot, { recursive: true });
    const link = path.join(tmp, 'linked-root');
    fs.symlinkSync(realRoot, link);
    const linked = await changesAfterWrites('l', link, realRoot);
    expect(plain).toEqual(['Write: notes.md']);
    expect(linked).toEqual(plain);
  });
});
