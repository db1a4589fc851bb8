// Issue #14 item 7: while a live cs holds a session, the hooks of a Claude
// that cs did not launch (an IDE in the same directory) leave crash
// recovery, pull and the session-end commit to it, and still log changes.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autosave } from '../../../src/git/autosave.js';
import { hookSandbox, payload, runHookScript, type HookSandbox, noAutosaveDue } from '../../support/hooks.js';

let sb: HookSandbox;
let ideEnv: NodeJS.ProcessEnv;
beforeEach(async () => {
  sb = await hookSandbox('shared');
  // An IDE's Claude: only the project dir, no CS_LAUNCHED.
  ideEnv = { ...sb.env, CLAUDE_PROJECT_DIR: sb.session.dir };
});
afterEach(() => sb.cleanup());

const git = (...args: string[]) => execFileSync('git', ['-C', sb.session.dir, ...args], { encoding: 'utf8', env: sb.env });

/** The live session wrote a.txt (autosaved), then deleted it. */
async function liveSessionDeletedAFile(): Promise<string> {
  const file = path.join(sb.session.dir, 'a.txt');
  fs.writeFileSync(file, 'work\n');
  const r = await autosave(sb.session.dir, { env: sb.env });
  expect(r.saved).toBe(true);
  fs.rmSync(file);
  return file;
}

function holdLock(pid: number): void {
  fs.mkdirSync(sb.session.local, { recursive: true });
  fs.writeFileSync(sb.session.lock, JSON.stringify({ pid, host: os.hostname(), started: new Date().toISOString() }) + '\n');
}

describe('hooks of a Claude cs did not launch', () => {
  it('with a live cs holding the session: no recovery, no commit, changes still logged', async () => {
    const file = await liveSessionDeletedAFile();
    holdLock(process.pid); // this test process: alive
    const head = git('rev-parse', 'HEAD');
    const auto = git('rev-parse', 'refs/cs/auto');
    expect((await runHookScript('session-start', payload('SessionStart', { source: 'startup' }, sb.session.dir), ideEnv)).code).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
    const edit = payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(sb.session.dir, 'ide.txt'), content: 'x' } }, sb.session.dir);
    fs.writeFileSync(path.join(sb.session.dir, 'ide.txt'), 'x');
    // Its once-a-minute autosave not due (an autosave is every session's, held or not: test/integration/git/autosave.test.ts).
    noAutosaveDue(sb.session.dir);
    expect((await runHookScript('post-tool-use', edit, ideEnv)).code).toBe(0);
    expect((await runHookScript('session-end', payload('SessionEnd', { reason: 'other' }, sb.session.dir), ideEnv)).code).toBe(0);
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(git('rev-parse', 'refs/cs/auto')).toBe(auto);
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/\] Write: ide\.txt\n/);
    const log = fs.readFileSync(sb.session.sessionLog, 'utf8');
    expect(log).toMatch(new RegExp(`another cs holds this session \\(pid ${process.pid} .*\\): crash recovery and pull left to it`));
    expect(log).toMatch(/: the session-end commit left to it/);
  });

  it('with a dead holder they do the work themselves (recovery and commit)', async () => {
    const file = await liveSessionDeletedAFile();
    holdLock(Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim())); // exited: dead
    const head = git('rev-parse', 'HEAD');
    await runHookScript('session-start', payload('SessionStart', { source: 'startup' }, sb.session.dir), ideEnv);
    expect(fs.existsSync(file)).toBe(true);
    await runHookScript('session-end', payload('SessionEnd', { reason: 'other' }, sb.session.dir), ideEnv);
    expect(git('rev-parse', 'HEAD')).not.toBe(head);
  });
});
