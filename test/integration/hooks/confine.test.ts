// Issue #14 items 1, 4, 8: cs's own writes stay inside the real .cs/ of the
// session (never through a symlink), log lines carry no raw control or bidi
// characters, append-only files start a new line after a torn one, and a
// huge Write is still recorded (and flagged when too big to scan).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafePathError, appendConfined, removeConfined, writeConfined } from '../../../src/lib/confine.js';
import { clearPrepared } from '../../../src/hooks/prepared.js';
import { sessionPaths } from '../../../src/session/paths.js';
import { escapeControls } from '../../../src/lib/format.js';
import { JsonSkimmer, omittedBytes, skimJson } from '../../../src/hooks/skim.js';
import { Repo } from '../../../src/git/repo.js';
import { cloneSession, syncPull } from '../../../src/git/sync.js';
import { readTimeline } from '../../../src/timeline/timeline.js';
import { hookSandbox, payload, runHookScript, type HookSandbox, noAutosaveDue } from '../../support/hooks.js';

let sb: HookSandbox;
let outside: string;
beforeEach(async () => {
  sb = await hookSandbox('confined');
  outside = path.join(sb.dir, 'outside');
  fs.mkdirSync(outside);
});
afterEach(() => sb.cleanup());

const ws = () => sb.session.dir;
const post = (file: string) => payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: file, content: 'a' } }, ws());

describe('writes under .cs/ never follow a symlink', () => {
  it('the reproduction: changes.md -> an outside file, a Write named x$(id).txt (sh) or with a quote (Node)', async () => {
    const bashrc = path.join(outside, 'bashrc');
    fs.writeFileSync(bashrc, 'original\n');
    fs.rmSync(sb.session.changes);
    fs.symlinkSync(bashrc, sb.session.changes);
    for (const name of ['x$(id).txt', 'x"q.txt']) expect((await runHookScript('post-tool-use', post(path.join(ws(), name)), sb.hookEnv)).code).toBe(0);
    expect(fs.readFileSync(bashrc, 'utf8')).toBe('original\n');
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/refusing to write .*changes\.md: it is a symlink/);
  });

  it('a change log that cannot be written costs the call neither its timeline line nor its status (each part on its own in Node)', async () => {
    const victim = path.join(outside, 'victim');
    fs.writeFileSync(victim, 'original\n');
    fs.rmSync(sb.session.changes);
    fs.symlinkSync(victim, sb.session.changes);
    // No autosave due: this is about the parts after the change log.
    noAutosaveDue(sb.session.dir);
    fs.writeFileSync(path.join(sb.session.meta, 'local', 'status.json'), JSON.stringify({ state: 'needs-you', event: 'PermissionRequest', at: new Date(Date.now() - 5000).toISOString(), ms: Date.now() - 5000 }) + '\n');
    // A name sh hands to Node (a quote), so every part runs there.
    const r = await runHookScript('post-tool-use', post(path.join(ws(), 'n"q.txt')), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('original\n');
    expect(readTimeline(sb.session.meta).events.map((e) => e.target)).toContain('n"q.txt');
    expect(JSON.parse(fs.readFileSync(path.join(sb.session.meta, 'local', 'status.json'), 'utf8'))).toMatchObject({ state: 'working', event: 'PostToolUse' });
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/hook error in post-tool-use: .*changes\.md/);
  });

  it('appendConfined/writeConfined refuse a linked file, a dangling link and a linked directory on the way', () => {
    const m = sb.session.meta;
    fs.symlinkSync(path.join(outside, 'new.txt'), path.join(m, 'dangling.md'));
    fs.symlinkSync(outside, path.join(m, 'dir'));
    expect(() => appendConfined(path.join(m, 'dangling.md'), 'x\n')).toThrow(UnsafePathError);
    expect(() => writeConfined(path.join(m, 'dangling.md'), 'x\n')).toThrow(UnsafePathError);
    expect(() => appendConfined(path.join(m, 'dir', 'a.log'), 'x\n')).toThrow(/dir is a symlink/);
    expect(() => writeConfined(path.join(m, 'dir', 'sub', 'a.json'), 'x')).toThrow(/dir is a symlink/);
    expect(fs.readdirSync(outside)).toEqual([]);
    writeConfined(path.join(m, 'fresh', 'deep', 'a.json'), '{}');
    expect(fs.lstatSync(path.join(m, 'fresh')).isDirectory()).toBe(true);
  });

  it('removeConfined and the prepared SessionStart never remove through a linked .cs/local', async () => {
    const m = sb.session.meta;
    fs.writeFileSync(path.join(outside, 'session-start.json'), 'theirs');
    fs.rmSync(path.join(m, 'local'), { recursive: true, force: true });
    fs.symlinkSync(outside, path.join(m, 'local'));
    expect(removeConfined(path.join(m, 'local', 'session-start.json'))).toBe(false);
    clearPrepared(sessionPaths(sb.session.dir, 'confined'));
    expect(fs.readFileSync(path.join(outside, 'session-start.json'), 'utf8')).toBe('theirs');
    // Its own file in a real directory goes; an absent one is no error.
    fs.writeFileSync(path.join(m, 'mine.txt'), 'x');
    expect(removeConfined(path.join(m, 'mine.txt'))).toBe(true);
    expect(fs.existsSync(path.join(m, 'mine.txt'))).toBe(false);
    expect(removeConfined(path.join(m, 'absent', 'a.txt'))).toBe(true);
  });

  it("the start commit and git's private indexes (autosave, recovery, records) never go through a linked .cs/local or index", async () => {
    const m = sb.session.meta;
    const theirs = (f: string) => fs.writeFileSync(path.join(outside, f), 'user data\n');
    for (const f of ['start-commit', 'autosave.index']) theirs(f);
    fs.rmSync(path.join(m, 'local'), { recursive: true, force: true });
    fs.symlinkSync(outside, path.join(m, 'local'));
    const { recordStartCommit } = await import('../../../src/features/diff.js');
    await expect(recordStartCommit(ws(), sb.env)).rejects.toThrow(UnsafePathError);
    const { autosaveIn } = await import('../../../src/git/autosave.js');
    const { openRepo } = await import('../../../src/git/repo.js');
    await expect(autosaveIn(await openRepo(ws(), { env: sb.env }))).rejects.toThrow();
    // Through the hooks as Claude runs them: a session start and a discoveries edit (autosaved at once).
    expect((await runHookScript('session-start', payload('SessionStart', { source: 'startup' }, ws()), sb.hookEnv)).code).toBe(0);
    expect((await runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: sb.session.discoveries, old_string: 'a', new_string: 'b' } }, ws()), sb.hookEnv)).code).toBe(0);
    for (const f of ['start-commit', 'autosave.index']) expect(fs.readFileSync(path.join(outside, f), 'utf8'), f).toBe('user data\n');
    expect(fs.readdirSync(outside).sort()).toEqual(['autosave.index', 'start-commit']);
    // A real .cs/local with a link only at the index's name: git would write through it (its lock file follows links).
    fs.unlinkSync(path.join(m, 'local'));
    fs.mkdirSync(path.join(m, 'local'));
    fs.symlinkSync(path.join(outside, 'autosave.index'), path.join(m, 'local', 'autosave.index'));
    await expect(autosaveIn(await openRepo(ws(), { env: sb.env }))).rejects.toThrow(/autosave\.index: it is a symlink/);
    expect(fs.readFileSync(path.join(outside, 'autosave.index'), 'utf8')).toBe('user data\n');
  });

  it('a file cs rewrites keeps no more permission than it had; the sh status writer never writes through a link at its temp name', async () => {
    const m = sb.session.meta;
    const manifest = path.join(m, 'artifacts', 'MANIFEST.json');
    fs.chmodSync(manifest, 0o600);
    fs.chmodSync(sb.session.discoveries, 0o600);
    const capture = payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(ws(), 'deploy.sh'), content: 'API_TOKEN=abc123\n' } }, ws());
    expect((await runHookScript('pre-tool-use', capture, sb.hookEnv)).code).toBe(0);
    expect(fs.readFileSync(manifest, 'utf8')).toContain('deploy.sh');
    expect(fs.statSync(manifest).mode & 0o777).toBe(0o600);
    writeConfined(sb.session.discoveries, '# Discoveries\n');
    expect(fs.statSync(sb.session.discoveries).mode & 0o777).toBe(0o600);
    const ro = path.join(m, 'ro.json');
    fs.writeFileSync(ro, '{}', { mode: 0o444 });
    writeConfined(ro, '{"a":1}');
    expect([fs.readFileSync(ro, 'utf8'), fs.statSync(ro).mode & 0o777]).toEqual(['{"a":1}', 0o444]);
    // hooks/status.sh: a link planted at the temp name of the very process that writes (exec keeps the pid).
    const target = path.join(outside, 'precious');
    fs.writeFileSync(target, 'precious\n');
    const local = path.join(m, 'local');
    const script = path.join(process.cwd(), 'hooks', 'status-prompt');
    const r = execFileSync('sh', ['-c', 'ln -s "$1" "$2/.status.json.$$.tmp" && exec "$3" < /dev/null; echo "exit $?"', 'sh', target, local, script], { env: sb.hookEnv, encoding: 'utf8' });
    expect(r).toBe('');
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    const status = path.join(local, 'status.json');
    expect(fs.lstatSync(status, { throwIfNoEntry: false })?.isSymbolicLink() ?? false).toBe(false);
  });

  it('PermissionRequest gives no decision for a path through any link under .cs/, dangling included', async () => {
    const m = sb.session.meta;
    fs.symlinkSync(path.join(outside, 'notes.md'), path.join(m, 'notes.md'));
    fs.symlinkSync(outside, path.join(m, 'linked'));
    const ask = (file: string) => runHookScript('permission-request', payload('PermissionRequest', { tool_name: 'Write', tool_input: { file_path: file, content: 'x' } }, ws()), sb.hookEnv);
    expect((await ask(path.join(m, 'notes.md'))).stdout).toBe('');
    expect((await ask(path.join(m, 'linked', 'new.md'))).stdout).toBe('');
    expect(JSON.parse((await ask(path.join(m, 'artifacts', 'ok.sh'))).stdout).hookSpecificOutput.decision.behavior).toBe('allow');
  });

  it("PreCompact never reads discoveries.md through a link: the linked file's sections stay out of the archive (git takes it)", async () => {
    const notes = path.join(outside, 'notes.md');
    fs.writeFileSync(notes, '# notes\n' + Array.from({ length: 300 }, (_, i) => (i % 20 === 0 ? `## private ${i}` : `private line ${i}`)).join('\n') + '\n');
    fs.rmSync(sb.session.discoveries, { force: true });
    fs.symlinkSync(notes, sb.session.discoveries);
    const archive = path.join(sb.session.meta, 'discoveries.archive.md');
    const r = await runHookScript('pre-compact', payload('PreCompact', { trigger: 'auto', custom_instructions: '' }, ws()), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(fs.existsSync(archive) ? fs.readFileSync(archive, 'utf8') : '').not.toContain('private');
    expect(fs.readlinkSync(sb.session.discoveries)).toBe(notes);
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/hook error in pre-compact: refusing to write .*discoveries\.md: it is a symlink/);
    // A FIFO (or a link to a device) in its place is refused, not read forever.
    fs.rmSync(sb.session.discoveries);
    execFileSync('mkfifo', [sb.session.discoveries]);
    const t0 = Date.now();
    expect(await runHookScript('pre-compact', payload('PreCompact', { trigger: 'auto' }, ws()), sb.hookEnv)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('Stop and SessionStart never read .cs/ files through a link, nor wait on a FIFO', async () => {
    const notes = path.join(outside, 'notes.md');
    fs.writeFileSync(notes, '# notes\n\n## 2026-11-01 private\nprivate line\n');
    fs.rmSync(sb.session.discoveries, { force: true });
    fs.symlinkSync(notes, sb.session.discoveries);
    fs.rmSync(sb.session.readme, { force: true });
    fs.symlinkSync(notes, sb.session.readme);
    const start = await runHookScript('session-start', payload('SessionStart', { source: 'startup' }, ws()), sb.hookEnv);
    expect(start.code).toBe(0);
    expect(start.stdout).not.toContain('private');
    // The rest of the context is still given.
    expect(JSON.parse(start.stdout).hookSpecificOutput.additionalContext).toContain(`cs session "${sb.session.name}"`);
    // A FIFO where the change log is: the Stop reminder's read would never end (Claude Code's limit: 10 s).
    fs.rmSync(sb.session.changes, { force: true });
    execFileSync('mkfifo', [sb.session.changes]);
    const t0 = Date.now();
    expect(await runHookScript('stop', payload('Stop', { stop_hook_active: false }, ws()), sb.hookEnv)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('-sync pull refuses a remote tree with symlinks under .cs/, and changes nothing', async () => {
    const env = sb.env;
    const bare = path.join(sb.dir, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    const git = (dir: string, ...a: string[]) => execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8', env: { ...env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git(ws(), 'remote', 'add', 'origin', bare);
    const branch = git(ws(), 'rev-parse', '--abbrev-ref', 'HEAD').trim();
    git(ws(), 'push', '-q', 'origin', branch);
    const evil = path.join(sb.dir, 'evil');
    execFileSync('git', ['clone', '-q', '-b', branch, bare, evil]);
    fs.rmSync(path.join(evil, '.cs', 'changes.md'));
    fs.symlinkSync('../../../.bashrc', path.join(evil, '.cs', 'changes.md'));
    git(evil, 'add', '-A');
    git(evil, 'commit', '-qm', 'evil');
    git(evil, 'push', '-q', 'origin', branch);
    const head = git(ws(), 'rev-parse', 'HEAD');
    await expect(syncPull(new Repo(ws(), { env }), 'confined')).rejects.toThrow(/has symlinks under \.cs\/ \(\.cs\/changes\.md\)/);
    expect(fs.lstatSync(sb.session.changes).isSymbolicLink()).toBe(false);
    expect(git(ws(), 'rev-parse', 'HEAD')).toBe(head);
    // -sync clone of the same remote: refused, and nothing is left behind.
    const target = path.join(sb.root, 'cloned');
    await expect(cloneSession(bare, target, { env })).rejects.toThrow(/has symlinks under \.cs\/ \(\.cs\/changes\.md\)/);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(sb.root).filter((n) => n.includes('cloned'))).toEqual([]);
  });
});

describe('log lines', () => {
  it('escape control and bidi characters', async () => {
    expect(escapeControls('a\u202Etxt.sh\u2028b\u000bc\u000cd\u001b[31m')).toBe('a\\u202etxt.sh\\u2028b\\u000bc\\u000cd\\u001b[31m');
    const r = await runHookScript('post-tool-use', post(path.join(ws(), 'invoice\u202Efdp.sh')), sb.hookEnv);
    expect(r.code).toBe(0);
    const changes = fs.readFileSync(sb.session.changes, 'utf8');
    expect(changes).toMatch(/\] Write: invoice\\u202efdp\.sh\n/);
    expect(changes).not.toMatch(/[\u202e\u2028\u000b\u000c]/);
    const failure = payload('PostToolUseFailure', { tool_name: 'Bash', tool_input: { command: 'x' }, error: 'bad\u2028line\u000bhere\u202e' }, ws());
    await runHookScript('post-tool-use-failure', failure, sb.hookEnv);
    const log = fs.readFileSync(sb.session.sessionLog, 'utf8');
    expect(log).toMatch(/tool failed: Bash: bad\\u2028line\\u000bhere\\u202e/);
    expect(log).not.toMatch(/[\u202e\u2028\u000b]/);
  });
});

describe('append-only files after a torn last line', () => {
  it('changes.md (sh and Node) and timeline.jsonl (sh and Node) start a new line', async () => {
    // No autosave due: the timeline holds the tool calls only.
    noAutosaveDue(sb.session.dir);
    fs.appendFileSync(sb.session.changes, '- [2026-01-01 00:00:00] Wri');
    await runHookScript('post-tool-use', post(path.join(ws(), 'plain.txt')), sb.hookEnv);
    fs.appendFileSync(sb.session.changes, '- [2026-01-01 00:00:00] Wri');
    await runHookScript('post-tool-use', post(path.join(ws(), 'needs"node.txt')), sb.hookEnv);
    const lines = fs.readFileSync(sb.session.changes, 'utf8').split('\n');
    expect(lines.filter((l) => /\] Write: plain\.txt$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /\] Write: needs"node\.txt$/.test(l))).toHaveLength(1);
    const tl = path.join(sb.session.meta, 'timeline.jsonl');
    for (const name of ['plain.txt', 'needs"node.txt']) {
      fs.appendFileSync(tl, '{"ts":"2026-01-01T00:00:00Z","ty');
      await runHookScript('post-tool-use', post(path.join(ws(), name)), sb.hookEnv);
    }
    // The two calls above wrote their timeline lines too; each of these two follows a torn line.
    expect(readTimeline(sb.session.meta).events.map((e) => e.target)).toEqual(['plain.txt', 'needs"node.txt', 'plain.txt', 'needs"node.txt']);
  });
});

describe('huge inputs', () => {
  it('the skimmer keeps short strings, escapes and structure, and marks long strings with their size', () => {
    const v = { a: 'x'.repeat(100), q: 'say \\"hi\\" \\\\', long: 'y'.repeat(5000), n: [1, true, null], tail: 'z' };
    const text = JSON.stringify(v);
    for (const size of [1, 3, 7, 64, 100_000]) {
      const s = new JsonSkimmer(1000);
      for (let i = 0; i < text.length; i += size) s.push(Buffer.from(text.slice(i, i + size)));
      const got = JSON.parse(s.text());
      expect(got, `chunks of ${size}`).toEqual({ ...v, long: { cs_omitted_bytes: 5000 } });
      expect(omittedBytes(got.long)).toBe(5000);
    }
    expect(skimJson('{"a":"\\\\","b":"x"}', 10)).toBe('{"a":"\\\\","b":"x"}');
    expect(() => JSON.parse(skimJson('{"a":"unterminated', 4))).toThrow();
  });

  it('a Write too big to scan for secrets stays in place and is recorded as such in the session log and the MANIFEST', async () => {
    const big = 'API_TOKEN=abc123\n' + 'x'.repeat(5 * 1024 * 1024);
    const input = payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(ws(), 'huge.sh'), content: big } }, ws());
    const r = await runHookScript('pre-tool-use', input, sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/not scanned: huge\.sh is too big to scan for secrets \(\d+ bytes, over 4194304\)/);
    const manifest = JSON.parse(fs.readFileSync(sb.session.manifest, 'utf8'));
    expect(manifest).toMatchObject([{ name: 'huge.sh', original_path: path.join(fs.realpathSync(ws()), 'huge.sh'), not_scanned: expect.stringMatching(/too big to scan/) }]);
  });
});
