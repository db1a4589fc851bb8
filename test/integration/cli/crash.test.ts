// A crash between autosave and session end: kill -9 the real cs (and its
// claude), then open the session again and get the autosaved work back
// without touching anything edited since.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeStarts, repoRoot, runCs, sandbox, startCs, waitFor, type Sandbox } from '../../support/cs.js';
import { runHookScript } from '../../support/hooks.js';
import { OWN, git as userGit, userState, write } from '../../support/adopted-project.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('crash recovery', () => {
  it('restores autosaved files after kill -9, leaves newer edits alone, keeps HEAD until the session ends', { timeout: 60_000 }, async () => {
    await runCs(['work'], { env: sb.env });
    const dir = path.join(sb.root, 'work');
    const discoveries = path.join(dir, '.cs/discoveries.md');
    const notes = path.join(dir, 'notes.txt');
    const headBefore = git(dir, 'rev-parse', 'HEAD');

    const first = startCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '60' } });
    await waitFor(() => claudeStarts(sb).length === 2, 10_000, 'claude');
    // Claude records a discovery and edits a file; the autosave hook runs.
    fs.appendFileSync(discoveries, '\n## 2026-11-23 root cause\nThe retry loop never backs off.\n');
    fs.writeFileSync(notes, 'draft 1\n');
    const hookEnv = { ...sb.env, CLAUDE_SESSION_DIR: dir, CLAUDE_SESSION_NAME: 'work' };
    // (runHookScript waits for the autosave hooks/post-tool-use leaves running detached.)
    expect(await runHookScript('post-tool-use', JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: discoveries } }), hookEnv)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(git(dir, 'rev-parse', '--verify', '-q', 'refs/cs/auto')).toMatch(/^[0-9a-f]{40}$/);

    // The crash: cs and claude die without any clean-up.
    const claudePid = claudeStarts(sb)[1]!.pid;
    first.kill('SIGKILL');
    process.kill(claudePid, 'SIGKILL');
    await first.done;
    expect(fs.existsSync(path.join(dir, '.cs/local/lock'))).toBe(true);

    // Afterwards the discoveries file is lost (reverted), and notes.txt is edited again by hand.
    git(dir, 'checkout', '--', '.cs/discoveries.md');
    fs.writeFileSync(notes, 'draft 2, typed after the crash\n');
    expect(fs.readFileSync(discoveries, 'utf8')).not.toContain('retry loop');

    const second = startCs(['work'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '60' } });
    await waitFor(() => claudeStarts(sb).length === 3, 15_000, 'claude after recovery');
    expect(fs.readFileSync(discoveries, 'utf8')).toContain('The retry loop never backs off.');
    expect(fs.readFileSync(notes, 'utf8')).toBe('draft 2, typed after the crash\n');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(headBefore); // nothing committed while the session runs
    second.kill('SIGTERM');
    const r = await second.done;
    expect(r.stderr).toMatch(/recovered 1 file\(s\) from the last autosave: \.cs\/discoveries\.md/);
    // The timeline too: the hook's run wrote its lines before the autosave, and the autosave's own line after it.
    expect(r.stderr).toMatch(/left 2 file\(s\) that changed after the autosave alone: \.cs\/timeline\.jsonl, notes\.txt/);
    // The session end made the one clean commit and dropped the shadow ref.
    expect(git(dir, 'log', '-1', '--format=%s')).toMatch(/^Session update:/);
    expect(git(dir, 'show', 'HEAD:.cs/discoveries.md')).toContain('retry loop');
    expect(git(dir, 'show', 'HEAD:notes.txt')).toBe('draft 2, typed after the crash');
    expect(execFileSync('git', ['for-each-ref', 'refs/cs/'], { cwd: dir, encoding: 'utf8' })).toBe('');
  });

  it('in an adopted project the user switched to another branch after the crash: nothing of the autosave is written there', { timeout: 60_000 }, async () => {
    // A branch the session works on, grown from main; feat changes app.py and deletes old.py.
    const project = path.join(sb.dir, 'project');
    fs.mkdirSync(project);
    userGit(project, sb.env, 'init', '-q', '-b', 'main');
    write(project, 'app.py', 'print(1)\n');
    write(project, 'old.py', 'OLD = 1\n');
    for (const [f, t] of Object.entries(OWN)) write(project, f, t);
    userGit(project, sb.env, 'add', '-A');
    userGit(project, sb.env, 'commit', '-qm', 'initial');
    userGit(project, sb.env, 'switch', '-qc', 'feat');
    write(project, 'app.py', 'print("feat")\n');
    userGit(project, sb.env, 'rm', '-q', 'old.py');
    userGit(project, sb.env, 'commit', '-qm', 'feat work');
    expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);

    const first = startCs(['proj'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '60' } });
    await waitFor(() => claudeStarts(sb).length === 1, 10_000, 'claude');
    // Claude edits app.py on feat; the autosave hook runs.
    write(project, 'app.py', 'print("feat")\nprint("claude")\n');
    const hookEnv = { ...sb.env, CLAUDE_SESSION_DIR: project, CLAUDE_SESSION_NAME: 'proj' };
    const input = JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: path.join(project, 'app.py') } });
    expect((await runHookScript('post-tool-use', input, hookEnv)).code).toBe(0);
    const auto = userGit(project, sb.env, 'rev-parse', '--verify', '-q', 'refs/cs/auto');
    first.kill('SIGKILL');
    process.kill(claudeStarts(sb)[0]!.pid, 'SIGKILL');
    await first.done;

    // After the crash the user drops the edit and goes back to main.
    userGit(project, sb.env, 'checkout', '--', 'app.py');
    userGit(project, sb.env, 'switch', '-q', 'main');
    const look = () => ({ ...userState(project, sb.env), files: ['app.py', 'old.py'].map((f) => (fs.existsSync(path.join(project, f)) ? fs.readFileSync(path.join(project, f), 'utf8') : null)) });
    const before = look();
    expect(before.files).toEqual(['print(1)\n', 'OLD = 1\n']);

    const r = await runCs(['proj'], { env: sb.env, cwd: project });
    expect(r.code, r.stderr).toBe(0);
    // feat's app.py (and its deletion of old.py) never reach main's work tree.
    expect(look()).toEqual(before);
    expect(r.stderr).not.toMatch(/recovered/);
    expect(r.stderr).toContain(`the last autosave (${auto}) was taken on commit ${userGit(project, sb.env, 'rev-parse', 'feat').slice(0, 12)} and HEAD has moved since: nothing restored from it — see what it holds with: git -C ${project} diff HEAD ${auto}`);
  });
});
