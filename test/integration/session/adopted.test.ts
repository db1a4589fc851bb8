// The text surgery of the migration from the old adoption layout: only what
// cs added goes, the user's text comes back byte for byte. Plus a records
// conflict between two checkouts, which must change nothing.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/lib/errors.js';
import { prepareRepo } from '../../../src/git/autosave.js';
import { RECORDS_REF, pullRecords, pushRecords, receiveRecords, snapshotRecords } from '../../../src/git/records.js';
import { initRepo, openRepo } from '../../../src/git/repo.js';
import { EXCLUDE_LINES, removeBlock, removeLines, removeProtocol } from '../../../src/session/adopted.js';
import { PROTOCOL_END, PROTOCOL_START, mergeProtocol } from '../../../src/session/templates.js';

const BLOCK = `${PROTOCOL_START}\n# Session: x\nrules\n${PROTOCOL_END}\n`;

describe('removeProtocol undoes mergeProtocol', () => {
  it.each([
    ['text ending in a newline', '# Rules\n\nBe terse.\n'],
    ['text without a final newline', '# Rules'],
    ['an empty file', ''],
    ['text with the block already between the user\'s lines', null],
  ])('%s', (_what, original) => {
    if (original === null) {
      const text = `# Top\n\n${BLOCK}\n# Bottom\n`;
      expect(removeProtocol(text)).toBe('# Top\n\n\n# Bottom\n');
      return;
    }
    const merged = mergeProtocol(original, BLOCK);
    expect(merged).toContain(PROTOCOL_START);
    const back = removeProtocol(merged);
    expect(original === '# Rules' ? back.replace(/\n+$/, '') : back).toBe(original);
  });

  it('leaves a text without the block alone', () => {
    expect(removeProtocol('# mine\n')).toBe('# mine\n');
  });
});

describe('removeBlock and removeLines', () => {
  it('removes the appended block only', () => {
    expect(removeBlock('*.pyc\n# cs: x\n.cs/local/\n', '# cs: x\n.cs/local/\n')).toBe('*.pyc\n');
    expect(removeBlock('*.pyc\n.cs/local/\n', '# cs: x\n.cs/local/\n')).toBe('*.pyc\n.cs/local/\n');
  });
  it('removes whole lines only', () => {
    expect(removeLines('*.sh text\n.cs/changes.md merge=union\nx.cs/changes.md merge=union\n', ['.cs/changes.md merge=union'])).toBe('*.sh text\nx.cs/changes.md merge=union\n');
    expect(removeLines('a\r\n.cs/logs/* merge=union\r\n', ['.cs/logs/* merge=union'])).toBe('a\r\n');
  });
});

describe('records of two checkouts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };
  async function checkout(base: string, name: string) {
    const dir = path.join(base, name);
    fs.mkdirSync(path.join(dir, '.cs/local'), { recursive: true });
    await initRepo(dir, { env });
    await prepareRepo(dir, { env, adopted: true, adoptedExcludes: EXCLUDE_LINES });
    return openRepo(dir, { env });
  }

  it("records pulled without the adopted marker leave this checkout's marker in place", async () => {
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-records-')));
    dirs.push(base);
    const remote = path.join(base, 'r.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const a = await checkout(base, 'a');
    fs.writeFileSync(path.join(a.dir, '.cs/adopted'), 'adopted\n');
    fs.writeFileSync(path.join(a.dir, '.cs/discoveries.md'), '# D\nline\n');
    await pushRecords(a, remote, 's');
    const b = await checkout(base, 'b');
    fs.rmSync(path.join(b.dir, '.cs'), { recursive: true });
    expect(await receiveRecords(b, remote)).toBe(true);
    expect(fs.readFileSync(path.join(b.dir, '.cs/adopted'), 'utf8')).toBe('adopted\n');
    // Records without it (pushed by hand, or by anyone who can push there).
    fs.rmSync(path.join(a.dir, '.cs/adopted'));
    fs.appendFileSync(path.join(a.dir, '.cs/discoveries.md'), 'more\n');
    await pushRecords(a, remote, 's');
    await pullRecords(b, remote, 's');
    expect(fs.readFileSync(path.join(b.dir, '.cs/discoveries.md'), 'utf8')).toBe('# D\nline\nmore\n');
    expect(fs.readFileSync(path.join(b.dir, '.cs/adopted'), 'utf8')).toBe('adopted\n');
  });

  it('a real conflict in discoveries changes nothing on either side and names the remote commit', async () => {
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-records-')));
    dirs.push(base);
    const remote = path.join(base, 'r.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const a = await checkout(base, 'a');
    fs.writeFileSync(path.join(a.dir, '.cs/discoveries.md'), '# D\nline\n');
    await pushRecords(a, remote, 's');
    const b = await checkout(base, 'b');
    fs.rmSync(path.join(b.dir, '.cs'), { recursive: true });
    expect(await receiveRecords(b, remote)).toBe(true);
    expect(fs.readFileSync(path.join(b.dir, '.cs/discoveries.md'), 'utf8')).toBe('# D\nline\n');
    fs.writeFileSync(path.join(b.dir, '.cs/discoveries.md'), '# D\nline from B\n');
    await pushRecords(b, remote, 's');
    fs.writeFileSync(path.join(a.dir, '.cs/discoveries.md'), '# D\nline from A\n');
    const before = await snapshotRecords(a);
    const err = await pullRecords(a, remote, 's').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^pull stopped: \.cs\/discoveries\.md changed differently on both machines; nothing was changed/);
    expect((err as UserError).hint).toContain('then run: cs s -sync pull');
    expect(fs.readFileSync(path.join(a.dir, '.cs/discoveries.md'), 'utf8')).toBe('# D\nline from A\n');
    expect(await a.resolve(RECORDS_REF)).toBe(before.commit);
    // Nothing of this shows in the project's own status.
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: a.dir, env, encoding: 'utf8' })).toBe('');
  });

  it('records carrying a symbolic link are refused and nothing is written', async () => {
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-records-')));
    dirs.push(base);
    const remote = path.join(base, 'r.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const a = await checkout(base, 'a');
    fs.writeFileSync(path.join(base, 'outside.txt'), 'keep\n');
    fs.symlinkSync('../../outside.txt', path.join(a.dir, '.cs/changes.md'));
    await pushRecords(a, remote, 's');
    const b = await checkout(base, 'b');
    fs.rmSync(path.join(b.dir, '.cs'), { recursive: true });
    await expect(receiveRecords(b, remote)).rejects.toThrow(/hold symbolic links \(\.cs\/changes\.md\); nothing was changed/);
    expect(fs.existsSync(path.join(b.dir, '.cs/changes.md'))).toBe(false);
    const c = await checkout(base, 'c');
    fs.writeFileSync(path.join(c.dir, '.cs/changes.md'), 'mine\n');
    await expect(pullRecords(c, remote, 's')).rejects.toThrow(/hold symbolic links/);
    expect(fs.readFileSync(path.join(c.dir, '.cs/changes.md'), 'utf8')).toBe('mine\n');
  });
});
