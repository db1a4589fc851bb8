// The transcripts --move-to carries (src/conversations/carry.ts): bundled
// here with the workspace path made portable, installed there under the
// host's own project slug; bad bundles and clashes are refused before
// anything is written. The end-to-end move is in test/e2e/remote/remote.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleTranscripts, installBundle, parseBundle } from '../../../src/conversations/carry.js';
import { ownedConversations } from '../../../src/conversations/owned.js';
import { addConversation } from '../../../src/conversations/store.js';
import { PLACEHOLDER } from '../../../src/conversations/transcripts.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';
import { makeTempDir } from '../../support/claude.js';

let tmp: string;
const uuid = '0b5f6a0e-6a43-4c55-9d2c-4f1f0f6f7a01';
const line = (cwd: string, text: string) => JSON.stringify({ type: 'user', cwd, sessionId: uuid, message: { content: `${text} in ${cwd}/notes.txt` } }) + '\n';

beforeEach(() => {
  tmp = makeTempDir('cs-carry-');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('carrying transcripts to a host', () => {
  it('bundles every transcript of the workspace (subfolders too) with the path made portable, and installs it under the host path', () => {
    const hereEnv = { CLAUDE_CONFIG_DIR: path.join(tmp, 'here', '.claude') };
    const ws = path.join(tmp, 'here', 'sessions', 'api');
    fs.mkdirSync(ws, { recursive: true });
    const project = claudeProjectDir(hereEnv.CLAUDE_CONFIG_DIR, ws);
    fs.mkdirSync(path.join(project, uuid, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(project, `${uuid}.jsonl`), line(ws, 'hello'));
    fs.writeFileSync(path.join(project, uuid, 'subagents', 'agent-a1.jsonl'), line(ws, 'sub'));
    fs.writeFileSync(path.join(project, 'notes.md'), 'not a transcript');
    // A sibling whose name starts with the workspace's stays as it is.
    fs.appendFileSync(path.join(project, `${uuid}.jsonl`), line(`${ws}-old`, 'other'));

    const bundle = bundleTranscripts(hereEnv, ws);
    expect(bundle.files.map((f) => f.path).sort()).toEqual([`${uuid}.jsonl`, `${uuid}/subagents/agent-a1.jsonl`]);
    const main = bundle.files.find((f) => f.path === `${uuid}.jsonl`)!.text;
    expect(main).toContain(`"cwd":"${PLACEHOLDER}"`);
    expect(main).toContain(`"cwd":"${ws}-old"`);

    const thereEnv = { CLAUDE_CONFIG_DIR: path.join(tmp, 'there', '.claude') };
    const there = path.join(tmp, 'there', 'root', 'api'); // not created yet: the move places it later
    fs.mkdirSync(path.dirname(there), { recursive: true });
    const written = installBundle(thereEnv, there, parseBundle(JSON.stringify(bundle)));
    const hostProject = claudeProjectDir(thereEnv.CLAUDE_CONFIG_DIR, there);
    expect(written.sort()).toEqual([path.join(hostProject, `${uuid}.jsonl`), path.join(hostProject, uuid, 'subagents', 'agent-a1.jsonl')]);
    const installed = fs.readFileSync(path.join(hostProject, `${uuid}.jsonl`), 'utf8');
    expect(installed).toBe(line(there, 'hello') + line(`${ws}-old`, 'other'));
    expect(fs.statSync(path.join(hostProject, `${uuid}.jsonl`)).mode & 0o777).toBe(0o600);

    // The same bundle again changes nothing; other content there is refused before anything is written.
    expect(installBundle(thereEnv, there, bundle)).toEqual([]);
    fs.writeFileSync(path.join(hostProject, uuid, 'subagents', 'agent-a1.jsonl'), 'theirs\n');
    fs.rmSync(path.join(hostProject, `${uuid}.jsonl`));
    expect(() => installBundle(thereEnv, there, bundle)).toThrow(/agent-a1\.jsonl already exists here with other content/);
    expect(fs.existsSync(path.join(hostProject, `${uuid}.jsonl`))).toBe(false);
    expect(fs.readFileSync(path.join(hostProject, uuid, 'subagents', 'agent-a1.jsonl'), 'utf8')).toBe('theirs\n');
  });

  it('of a project folder another session shares (x.y and x-y), carries only the conversations the session pins', () => {
    const env = { CLAUDE_CONFIG_DIR: path.join(tmp, '.claude') };
    const root = path.join(tmp, 'sessions');
    const theirs = '0b5f6a0e-6a43-4c55-9d2c-4f1f0f6f7a02';
    for (const [s, pin] of [['x.y', uuid], ['x-y', theirs]] as const) {
      fs.mkdirSync(path.join(root, s, '.cs'), { recursive: true });
      addConversation(path.join(root, s), { uuid: pin, started: '2026-01-01T00:00:00.000Z', machine: 'm', machineId: '0123456789abcdef' });
    }
    const ws = path.join(root, 'x.y');
    const project = claudeProjectDir(env.CLAUDE_CONFIG_DIR, ws);
    expect(claudeProjectDir(env.CLAUDE_CONFIG_DIR, path.join(root, 'x-y'))).toBe(project);
    fs.mkdirSync(path.join(project, theirs, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(project, `${uuid}.jsonl`), line(ws, 'mine'));
    fs.writeFileSync(path.join(project, `${theirs}.jsonl`), line(path.join(root, 'x-y'), 'theirs'));
    fs.writeFileSync(path.join(project, theirs, 'subagents', 'agent-a1.jsonl'), line(path.join(root, 'x-y'), 'theirs'));
    expect(bundleTranscripts(env, ws, ownedConversations(root, 'x.y', ws)).files.map((f) => f.path)).toEqual([`${uuid}.jsonl`]);
    // Alone in its folder, a session carries all of it, as before.
    fs.rmSync(path.join(root, 'x-y'), { recursive: true });
    expect(ownedConversations(root, 'x.y', ws)).toBeNull();
    expect(bundleTranscripts(env, ws, null).files.map((f) => f.path).sort()).toEqual([`${uuid}.jsonl`, `${theirs}.jsonl`, `${theirs}/subagents/agent-a1.jsonl`]);
  });

  it('a workspace without transcripts carries nothing', () => {
    expect(bundleTranscripts({ CLAUDE_CONFIG_DIR: path.join(tmp, '.claude') }, path.join(tmp, 'ws')).files).toEqual([]);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['another format', JSON.stringify({ format: 'x', version: 1, files: [] }), /not a cs-transcripts bundle/],
    ['a path that climbs out', JSON.stringify({ format: 'cs-transcripts', version: 1, files: [{ path: '../../.bashrc.jsonl', text: 'x' }] }), /refusing a transcript path: "\.\.\/\.\.\/\.bashrc\.jsonl"/],
    ['an absolute path', JSON.stringify({ format: 'cs-transcripts', version: 1, files: [{ path: '/etc/x.jsonl', text: 'x' }] }), /refusing a transcript path/],
    ['a file that is not a transcript', JSON.stringify({ format: 'cs-transcripts', version: 1, files: [{ path: 'settings.json', text: 'x' }] }), /refusing a transcript path/],
    ['text that is not a string', JSON.stringify({ format: 'cs-transcripts', version: 1, files: [{ path: `${uuid}.jsonl`, text: 3 }] }), /\.jsonl sent here has no text/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseBundle(text)).toThrow(message);
  });
});
