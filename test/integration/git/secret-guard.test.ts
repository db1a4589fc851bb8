// The last gate before git (src/git/secret-guard.ts): whatever put a secret
// value into a file (an Edit, a file type capture does not take, a Bash
// redirect), the autosave snapshot, the session commit and an adopted
// project's records leave that file out, and the file stays as it is on
// disk. Real git, the real hook scripts, the built cs with a stand-in Claude
// that writes the files, the encrypted secrets backend.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSessionEnvFile } from '../../../src/secrets/store.js';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { hookSandbox, payload, runHookScript, type HookSandbox } from '../../support/hooks.js';

const TOKEN = 'ghp_' + 'Zq8Wm3Xv7Kp2Lr9Tn4Hs6Jd1Fb5Gc0Ye3Ua7';
const PASSWORD = 'correct-horse-battery-staple';

const boxes: Array<Sandbox | HookSandbox> = [];
afterEach(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

const git = (dir: string, env: NodeJS.ProcessEnv, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env }).trim();
/** Every object git can reach in the repository, as text: what a push or a clone could carry. */
const history = (dir: string, env: NodeJS.ProcessEnv) => git(dir, env, 'log', '-p', '--all', '--format=%H %s');

/** A stand-in Claude that writes each FILE_<n>=<path>:<text> of its environment into the session. */
function writerClaude(dir: string): string {
  const file = path.join(dir, 'writer.sh');
  fs.writeFileSync(file, '#!/bin/sh\nenv | grep "^FILE_" | while IFS= read -r line; do v=${line#*=}; f=${v%%:*}; mkdir -p "$CLAUDE_SESSION_DIR/$(dirname "$f")"; printf "%s\\n" "${v#*:}" >> "$CLAUDE_SESSION_DIR/$f"; done\nexit 0\n', { mode: 0o755 });
  return file;
}

describe('a file holding a secret value stays out of git', () => {
  it('the autosave the hooks make leaves it as the last snapshot had it, says so in the session log, and keeps the rest', async () => {
    const sb = await hookSandbox('guarded');
    boxes.push(sb);
    const dir = sb.session.dir;
    // The running session's values, as cs writes them for Bash at the start.
    expect(writeSessionEnvFile('guarded', { DB_PASSWORD: PASSWORD }, sb.env, { create: true })).toBe(true);
    fs.writeFileSync(path.join(dir, 'config.json'), `{\n  "token": "${TOKEN}"\n}\n`); // as an Edit leaves it
    fs.writeFileSync(path.join(dir, 'notes.txt'), `the db password is ${PASSWORD}\n`); // a stored value, no shape to detect
    fs.writeFileSync(path.join(dir, 'clean.ts'), 'export const x = 1;\n');
    const edit = (file: string) => payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: path.join(dir, file), old_string: 'a', new_string: 'b' }, tool_response: {} }, dir);
    const r = await runHookScript('post-tool-use', edit('config.json'), sb.hookEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const auto = git(dir, sb.env, 'rev-parse', 'refs/cs/auto');
    expect(git(dir, sb.env, 'ls-tree', '-r', '--name-only', auto).split('\n')).toContain('clean.ts');
    expect(git(dir, sb.env, 'ls-tree', '-r', '--name-only', auto).split('\n')).not.toContain('config.json');
    expect(history(dir, sb.env)).not.toContain(TOKEN);
    expect(history(dir, sb.env)).not.toContain(PASSWORD);
    const log = fs.readFileSync(sb.session.sessionLog, 'utf8');
    expect(log).toMatch(/autosave: left out of the snapshot, as they hold a secret value: config\.json \(TOKEN\), notes\.txt \(DB_PASSWORD\)/);
    expect(log).not.toContain(TOKEN);
    // On disk, as the tool left them.
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toContain(TOKEN);
    // Once the value is gone from the file, the next snapshot takes it.
    fs.writeFileSync(path.join(dir, 'config.json'), '{\n  "token": "${GITHUB_TOKEN}"\n}\n');
    fs.rmSync(path.join(dir, '.cs/local/autosave.stamp'), { force: true });
    expect((await runHookScript('post-tool-use', edit('config.json'), sb.hookEnv)).code).toBe(0);
    expect(git(dir, sb.env, 'show', 'refs/cs/auto:config.json')).toBe('{\n  "token": "${GITHUB_TOKEN}"\n}');
    expect(history(dir, sb.env)).not.toContain(PASSWORD);
  }, 60_000);

  it('a file whose path holds one (a token as a folder name, a stored value in its name) stays out of the autosave and the session commit, named scrubbed', async () => {
    const sb = await hookSandbox('named');
    boxes.push(sb);
    const dir = sb.session.dir;
    expect(writeSessionEnvFile('named', { DB_PASSWORD: PASSWORD }, sb.env, { create: true })).toBe(true);
    fs.mkdirSync(path.join(dir, TOKEN));
    fs.writeFileSync(path.join(dir, TOKEN, 'notes.txt'), 'nothing secret in here\n');
    fs.writeFileSync(path.join(dir, `dump-${PASSWORD}.sql`), 'select 1;\n');
    fs.writeFileSync(path.join(dir, 'clean.ts'), 'export const x = 1;\n');
    const edit = payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: path.join(dir, 'clean.ts'), old_string: 'a', new_string: 'b' }, tool_response: {} }, dir);
    expect(await runHookScript('post-tool-use', edit, sb.hookEnv)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const tree = git(dir, sb.env, 'ls-tree', '-r', '--name-only', 'refs/cs/auto').split('\n');
    expect(tree).toContain('clean.ts');
    expect(history(dir, sb.env)).not.toContain(TOKEN);
    expect(history(dir, sb.env)).not.toContain(PASSWORD);
    const log = fs.readFileSync(sb.session.sessionLog, 'utf8');
    expect(log).toContain('autosave: left out of the snapshot, as they hold a secret value: dump-[secret: DB_PASSWORD].sql (DB_PASSWORD), [secret: GITHUB_TOKEN]/notes.txt (GITHUB_TOKEN) — ');
    expect(log).toContain('; a file named with one: rename it, then it goes in with the next one');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(PASSWORD);
    // The session commit, and its message, as at the end of the session.
    const { openRepo } = await import('../../../src/git/repo.js');
    const { commitSessionUpdate } = await import('../../../src/git/session-end.js');
    const report = await commitSessionUpdate(await openRepo(dir, { env: sb.hookEnv }), 'named');
    expect(report.message).toMatch(/^Session update: \d+ files? \(clean\.ts/);
    expect(report.warnings?.join('\n')).toContain('dump-[secret: DB_PASSWORD].sql (DB_PASSWORD)');
    expect(JSON.stringify(report)).not.toContain(TOKEN);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(history(dir, sb.env)).not.toContain(TOKEN);
    expect(history(dir, sb.env)).not.toContain(PASSWORD);
    // On disk, as they were.
    expect(fs.readFileSync(path.join(dir, TOKEN, 'notes.txt'), 'utf8')).toBe('nothing secret in here\n');
    // Deleting such a file is let through: nothing of its name is kept for it.
    fs.rmSync(path.join(dir, `dump-${PASSWORD}.sql`));
    fs.rmSync(path.join(dir, '.cs/local/autosave.stamp'), { force: true });
    expect((await runHookScript('post-tool-use', edit, sb.hookEnv)).code).toBe(0);
    expect(history(dir, sb.env)).not.toContain(PASSWORD);
  }, 60_000);

  it('the session commit leaves it out (a tracked file keeps its committed version), warns once, and commits the rest', async () => {
    const sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw' });
    boxes.push(sb);
    const env = { ...sb.env, CLAUDE_CODE_BIN: writerClaude(sb.dir) };
    expect((await runCs(['work'], { env: { ...env, FILE_1: 'settings.yml:mode: dev' } })).code).toBe(0);
    expect((await runCs(['work', '-secrets', 'set', 'DB_PASSWORD'], { env, input: PASSWORD })).code).toBe(0);
    const r = await runCs(['work'], { env: { ...env, FILE_1: `settings.yml:password: ${PASSWORD}`, FILE_2: `deploy/env.txt:GITHUB_TOKEN=${TOKEN}`, FILE_3: 'src/app.ts:export const y = 2;' } });
    expect(r.code, r.stderr).toBe(0);
    // Named by the stored key it holds (once: not again by what the detector would call the value),
    // and by what the detector calls a value not stored (from its key in the file).
    expect(r.stderr).toContain('left out of the session commit, as they hold a secret value: deploy/env.txt (GITHUB_TOKEN), settings.yml (DB_PASSWORD) — store it (cs work -secrets set KEY; DB_PASSWORD is stored already) and have the file read $KEY, then it goes in with the next one');
    expect(r.stderr).not.toContain(TOKEN);
    const dir = path.join(sb.root, 'work');
    expect(history(dir, env)).not.toContain(TOKEN);
    expect(history(dir, env)).not.toContain(PASSWORD);
    expect(git(dir, env, 'show', 'HEAD:src/app.ts')).toBe('export const y = 2;');
    expect(git(dir, env, 'show', 'HEAD:settings.yml')).toBe('mode: dev');
    // The files stay as written, shown as changed to whoever looks.
    expect(git(dir, env, 'status', '--porcelain', '--', 'settings.yml', 'deploy')).toBe('M settings.yml\n?? deploy/'); // (trimmed: ' M')
    // Only a stored value left: nothing to store, only the file to change.
    fs.rmSync(path.join(dir, 'deploy'), { recursive: true });
    const again = await runCs(['work'], { env });
    expect(again.stderr).toContain('left out of the session commit, as it holds a secret value: settings.yml (DB_PASSWORD) — DB_PASSWORD is stored already: have the file read $DB_PASSWORD instead of the value, then it goes in with the next one');
    expect(history(dir, env)).not.toContain(PASSWORD);
  }, 60_000);

  it("an adopted project's records keep the last recorded version of a record file that holds one", async () => {
    const sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw' });
    boxes.push(sb);
    const env = { ...sb.env, CLAUDE_CODE_BIN: writerClaude(sb.dir), GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@e', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@e' };
    const project = path.join(sb.dir, 'project');
    fs.mkdirSync(project);
    git(project, env, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(project, 'main.py'), 'print(1)\n');
    git(project, env, 'add', '-A');
    git(project, env, 'commit', '-qm', 'user commit');
    expect((await runCs(['-adopt', 'proj'], { env, cwd: project })).code).toBe(0);
    expect((await runCs(['proj'], { env: { ...env, FILE_1: '.cs/discoveries.md:- clean note' } })).code).toBe(0);
    const recorded = git(project, env, 'show', 'refs/cs/session:.cs/discoveries.md');
    expect(recorded).toContain('clean note');
    const r = await runCs(['proj'], { env: { ...env, FILE_1: `.cs/discoveries.md:- the deploy token is ${TOKEN}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/left out of the records, as it holds a secret value: \.cs\/discoveries\.md \(GITHUB_TOKEN\)/);
    expect(git(project, env, 'show', 'refs/cs/session:.cs/discoveries.md')).toBe(recorded);
    expect(history(project, env)).not.toContain(TOKEN);
  }, 60_000);
});
