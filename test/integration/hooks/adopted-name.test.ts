// A Claude started outside cs (an IDE) in an adopted project whose folder
// is not named like its session: the hooks must file what they capture under
// the session's name, after an adoption and after a rename, in the sh part
// (dist/hook.sh) and in Node alike. Before, a secret went to a store named
// after the folder, which no cs command reaches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../support/adopted-project.js';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { noAutosaveDue, payload, runHookScript } from '../../support/hooks.js';
import { writeSessionEnvFile } from '../../../src/secrets/store.js';
import { SESSION_NAME_FILE, recordedSessionName } from '../../../src/session/session-name.js';

let sb: Sandbox;
let project = '';
beforeEach(() => {
  sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'test-password' });
  project = path.join(sb.dir, 'myrepo');
  fs.mkdirSync(project);
  git(project, sb.env, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(project, 'app.py'), 'print(1)\n');
  git(project, sb.env, 'add', '-A');
  git(project, sb.env, 'commit', '-qm', 'initial');
});
afterEach(() => sb.cleanup());

/** What Claude Code started in the project by an IDE gives the hooks: no CLAUDE_SESSION_* of cs's. */
const ideEnv = () => ({ ...sb.env, CLAUDE_PROJECT_DIR: project });
const writeEnvFile = (value: string) => payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(project, 'app.env'), content: `DB_PASSWORD=${value}\n` } }, project);

async function keys(session: string): Promise<string[]> {
  const r = await runCs([session, '-secrets', 'list', '--json'], { env: sb.env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { keys: string[] }).keys;
}

describe('an adopted project whose folder is named otherwise', () => {
  it('its hooks file a captured secret under the session, and under the new name after a rename', async () => {
    const adopted = await runCs(['-adopt', 'api'], { env: sb.env, cwd: project });
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(recordedSessionName(project, sb.env)).toBe('api');
    expect(fs.statSync(path.join(project, SESSION_NAME_FILE)).mode & 0o777).toBe(0o600);

    const first = await runHookScript('pre-tool-use', writeEnvFile('Zq9xLm2Pw8Rt5Yu3'), ideEnv());
    expect(first.code).toBe(0);
    const answer = JSON.parse(first.stdout).hookSpecificOutput;
    expect(answer.updatedInput.content).toBe('DB_PASSWORD=${DB_PASSWORD}\n');
    expect(answer.additionalContext).toContain('cs api -secrets');
    expect(answer.additionalContext).not.toContain('myrepo');
    expect(await keys('api')).toEqual(['DB_PASSWORD']);
    expect(fs.readdirSync(path.join(sb.home, '.cs-secrets')).filter((f) => f.includes('myrepo'))).toEqual([]);

    const moved = await runCs(['-mv', 'api', 'api2'], { env: sb.env });
    expect(moved.code, moved.stderr).toBe(0);
    expect(recordedSessionName(project, sb.env)).toBe('api2');
    const second = await runHookScript('pre-tool-use', payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(project, 'other.env'), content: 'API_TOKEN=Pw8Rt5Yu3Zq9xLm2\n' } }, project), ideEnv());
    expect(JSON.parse(second.stdout).hookSpecificOutput.additionalContext).toContain('cs api2 -secrets');
    expect((await keys('api2')).sort()).toEqual(['API_TOKEN', 'DB_PASSWORD']);
    // Nothing of this shows in the project's own status.
    expect(git(project, sb.env, 'status', '--porcelain')).toBe('');
  });

  it("the sh part reads the recorded name too: a Bash command holding a value of the session's env file is scrubbed", async () => {
    expect((await runCs(['-adopt', 'api'], { env: sb.env, cwd: project })).code).toBe(0);
    noAutosaveDue(project);
    // The running session's env file of secrets for Bash, as SessionStart writes it: under the session's name.
    const value = 'tok-0123456789abcdef';
    writeSessionEnvFile('api', { SERVICE_TOKEN: value }, sb.env, { create: true });
    const r = await runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'Bash', tool_input: { command: `curl -H 'X: ${value}' https://example.invalid` }, tool_response: { stdout: '' } }, project), ideEnv());
    expect(r).toMatchObject({ code: 0, stdout: '' });
    const timeline = fs.readFileSync(path.join(project, '.cs', 'timeline.jsonl'), 'utf8');
    expect(timeline).toContain('[secret: SERVICE_TOKEN]');
    expect(timeline).not.toContain(value);
  });

  it('CLAUDE_SESSION_DIR without CLAUDE_SESSION_NAME: Node takes the recorded name as sh does, so a value sh finds is scrubbed', async () => {
    expect((await runCs(['-adopt', 'api'], { env: sb.env, cwd: project })).code).toBe(0);
    noAutosaveDue(project);
    // A value of the session's env file that the detector alone would not find: only the env file names it.
    const value = 'Hx7pQ2mZ9kLw';
    writeSessionEnvFile('api', { SERVICE_PASS: value }, sb.env, { create: true });
    const env = { ...sb.env, CLAUDE_SESSION_DIR: project, CLAUDE_PROJECT_DIR: project };
    const r = await runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'Bash', tool_input: { command: `mysql -p ${value} db` }, tool_response: { stdout: '' } }, project), env);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const timeline = fs.readFileSync(path.join(project, '.cs', 'timeline.jsonl'), 'utf8');
    expect(timeline).toContain('mysql -p [secret: SERVICE_PASS] db');
    expect(timeline).not.toContain(value);
    // And a capture files its secret under the session, not under the folder's name.
    const w = await runHookScript('pre-tool-use', writeEnvFile('Zq9xLm2Pw8Rt5Yu3'), env);
    expect(JSON.parse(w.stdout).hookSpecificOutput.additionalContext).toContain('cs api -secrets');
    expect(await keys('api')).toContain('DB_PASSWORD');
  });

  it('a recorded name is ignored unless a session of that name leads to the project (the folder name stands)', async () => {
    fs.mkdirSync(path.join(project, '.cs', 'local'), { recursive: true });
    for (const bad of ['../x', '-x', '', 'a b', 'x'.repeat(65)]) {
      fs.writeFileSync(path.join(project, SESSION_NAME_FILE), `${bad}\n`);
      expect(recordedSessionName(project, sb.env), bad).toBeNull();
    }
    // A valid name with no session (a file from the project's history, or one left after cs -rm).
    fs.writeFileSync(path.join(project, SESSION_NAME_FILE), 'victim\n');
    expect(recordedSessionName(project, sb.env)).toBeNull();
    expect((await runCs(['victim'], { env: sb.env })).code).toBe(0); // a session of that name elsewhere
    expect(recordedSessionName(project, sb.env)).toBeNull();
    // The hooks of an IDE's Claude then keep to the folder's name, in sh and Node alike: nothing reaches 'victim'.
    fs.writeFileSync(path.join(project, '.cs', 'adopted'), '');
    const r = await runHookScript('pre-tool-use', writeEnvFile('Zq9xLm2Pw8Rt5Yu3'), ideEnv());
    expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain('cs myrepo -secrets');
    expect(await keys('victim')).toEqual([]);
  });
});
