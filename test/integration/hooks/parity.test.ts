// The sh fast paths cannot drift from the TypeScript: every input of a corpus
// of realistic hook events goes through both ways cs runs a hook, each in a
// sandbox of its own with a session of the same name:
//   sh    the command hook (hooks/<script>, falling through to dist/hook.js
//         where it does), with cs's HTTP endpoint off;
//   node  the handlers as cs's HTTP endpoint (src/hooks/server.ts) serves
//         them to the Claude it launched, or dist/hook.js's runHook for the
//         events the endpoint does not serve.
// After each input both session directories must hold the same files with
// the same content (times, and each sandbox's own path, aside), and both
// must have answered Claude the same.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { isTrackedFile } from '../../../src/hooks/artifacts.js';
import { CHANGE_TOOLS } from '../../../src/hooks/changes.js';
import { nothingToDetect } from '../../../src/secrets/detect.js';
import { runHook } from '../../../src/hooks/main.js';
import { HOOKS } from '../../../src/hooks/registry.js';
import { workspaceRelative } from '../../../src/hooks/session.js';
import { HOOK_SH, hookSh } from '../../../src/hooks/shlib.js';
import { SERVED, startHookServer, type HookServer } from '../../../src/hooks/server.js';
import { secretsForBash } from '../../../src/hooks/handlers.js';
import { selectBackend } from '../../../src/secrets/backend.js';
import { removeSessionEnvFile } from '../../../src/secrets/store.js';
import { sessionPaths, type SessionPaths } from '../../../src/session/paths.js';
import { LOG_MAX_BYTES, REPEAT_MS } from '../../../src/status/status.js';
import { repoRoot } from '../../support/cs.js';
import { hookSandbox, noAutosaveDue, runHookScript, type HookSandbox } from '../../support/hooks.js';

/** How Claude Code runs the session's hooks: the environment, and the session directory as cs's endpoint knows it. */
interface Variant {
  name: string;
  env: (sb: HookSandbox) => NodeJS.ProcessEnv;
  /** The session directory as spelt in this variant (Claude's paths use it or the real one). */
  ws: (sb: HookSandbox) => string;
}

const VARIANTS: Variant[] = [
  { name: 'launched by cs', env: (sb) => sb.hookEnv, ws: (sb) => sb.session.dir },
  {
    // An IDE opened a subdirectory of an adopted project: no CLAUDE_SESSION_DIR, the project dir below the session.
    name: 'project dir below the session',
    env: (sb) => ({ ...sb.env, CLAUDE_PROJECT_DIR: path.join(sb.session.dir, 'sub') }),
    ws: (sb) => sb.session.dir,
  },
  {
    // The sessions root is reached through a symbolic link; Claude may spell paths either way.
    name: 'session dir through a link',
    env: (sb) => ({ ...sb.hookEnv, CLAUDE_SESSION_DIR: linked(sb), CLAUDE_PROJECT_DIR: linked(sb) }),
    ws: (sb) => linked(sb),
  },
];

const linked = (sb: HookSandbox) => path.join(sb.dir, 'linked-root', path.basename(sb.session.dir));

interface Case {
  name: string;
  /** The command hooks Claude Code runs for this input (hooks/<script>). */
  scripts: string[];
  input: string;
  /** Done in both session directories before the input. */
  setup?: (ws: string) => void;
}

const SESSION_ID = '3389759f-023f-48fb-a0ed-21abe8b8c5bf';

/** A hook input shaped as Claude Code 2.1.x sends it (test/fixtures/hook-payloads). */
function event(name: string, ws: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    session_id: SESSION_ID,
    transcript_path: `/home/u/.claude/projects/x/${SESSION_ID}.jsonl`,
    cwd: ws,
    permission_mode: 'default',
    hook_event_name: name,
    ...fields,
  });
}

function corpus(ws: string, real: string, outside: string): Case[] {
  const cases: Case[] = [];
  const post = (name: string, tool: string, toolInput: object, toolResponse: object = {}, setup?: Case['setup']) =>
    cases.push({ name, scripts: ['post-tool-use'], input: event('PostToolUse', ws, { tool_name: tool, tool_input: toolInput, tool_response: toolResponse, tool_use_id: 'toolu_01' }), setup });
  const write = (name: string, file: string, content = 'one\n', setup?: Case['setup']) => post(name, 'Write', { file_path: file, content }, { type: 'create', filePath: file, content, structuredPatch: [], originalFile: null }, setup);
  const tool = (name: string, t: string, toolInput: object) => cases.push({ name, scripts: ['post-tool-use'], input: event('PostToolUse', ws, { tool_name: t, tool_input: toolInput, tool_response: { ok: true } }) });
  const pre = (name: string, file: string, content: string, setup?: Case['setup']) =>
    cases.push({ name, scripts: ['pre-tool-use'], input: event('PreToolUse', ws, { tool_name: 'Write', tool_input: { file_path: file, content } }), setup });
  const permission = (name: string, t: string, file: string) => cases.push({ name, scripts: ['permission-request', 'status-permission'], input: event('PermissionRequest', ws, { tool_name: t, tool_input: { file_path: file, content: 'x' }, permission_suggestions: [] }) });
  const status = (name: string, script: string, ev: string, fields: Record<string, unknown> = {}, setup?: Case['setup']) => cases.push({ name, scripts: [script], input: event(ev, ws, fields), setup });

  // File changes: changes.md and the timeline.
  write('Write, absolute, in the workspace', path.join(ws, 'a.txt'));
  write('Write, nested', path.join(ws, 'src', 'app.ts'), 'export {};\n');
  write('Write, real path of the workspace', path.join(real, 'real.txt'));
  post('Edit', 'Edit', { file_path: path.join(ws, 'a.txt'), old_string: 'one', new_string: 'two', replace_all: false }, { filePath: path.join(ws, 'a.txt'), oldString: 'one', newString: 'two', originalFile: 'one\n', structuredPatch: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ['-one', '+two'] }], userModified: false, replaceAll: false });
  post('MultiEdit', 'MultiEdit', { file_path: path.join(ws, 'src', 'app.ts'), edits: [{ old_string: 'export', new_string: 'export const x = 1;\nexport' }] }, { filePath: path.join(ws, 'src', 'app.ts') });
  post('NotebookEdit', 'NotebookEdit', { notebook_path: path.join(ws, 'nb.ipynb'), new_source: 'print(1)', cell_id: 'c1', edit_mode: 'replace' }, { new_source: 'print(1)', cell_id: 'c1', cell_type: 'code', language: 'python', edit_mode: 'replace', notebook_path: path.join(ws, 'nb.ipynb') });
  write('Write, relative path', 'rel.txt');
  write('Write, .. out of the workspace', `${ws}/../x.txt`);
  write('Write, .. back into the workspace', `${ws}/src/../up.txt`);
  write('Write, . in the path', `${ws}/./dot.txt`);
  write('Write, // in the path', `${ws}//double.txt`);
  write('Write, outside the workspace', path.join(outside, 'out.txt'));
  write('Write, through a link in the workspace to outside', path.join(ws, 'out-link', 'through.txt'));
  write('Write, spaces', path.join(ws, 'with space', 'a b.txt'));
  write('Write, unicode', path.join(ws, 'café ünï.txt'));
  write('Write, bidi control in the name', path.join(ws, 'evil\u202etxt.sh'));
  write('Write, quote and backslash in the name', path.join(ws, 'q"\\.txt'));
  write('Write, untracked type', path.join(ws, 'notes.md'));
  // No run of 20 letters and digits: a key's prefix (PATH_CUES) sends it to Node, which scrubs it.
  write('Write, a key broken by - and _ as the file name', path.join(ws, 'notes', 'sk-ant-ab_cd-ef_gh-ij_kl-mn.md'));
  // A whole token as a folder name: the change log line is scrubbed as the timeline's target is.
  write('Write, a token as a folder name', path.join(ws, 'ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6', 'notes.txt'));
  write('Write, CLAUDE.md', path.join(ws, 'CLAUDE.md'), '# protocol\n');
  write('Write, .cs lookalike', path.join(ws, '.csx', 'f.txt'));
  write('Write, own .cs file', path.join(ws, '.cs', 'scratch.md'));
  const found = '# Discoveries\n\n## 2026-11-30 first\nfound it\n';
  write('Write, discoveries', path.join(ws, '.cs', 'discoveries.md'), found, (w) => fs.appendFileSync(path.join(w, '.cs', 'discoveries.md'), found));
  write('Write, 100 KB content', path.join(ws, 'big.txt'), 'x'.repeat(100 * 1024));
  write('Write, a torn last line in changes.md', path.join(ws, 'after-torn.txt'), 'one\n', (w) => fs.appendFileSync(path.join(w, '.cs', 'changes.md'), '- [2026-11-30 10:00:00] Write: cut off'));
  // Both logs torn at once: sh reads both last bytes with one tail.
  write('Write, torn last lines in both logs', path.join(ws, 'after-both-torn.txt'), 'one\n', (w) => {
    fs.appendFileSync(path.join(w, '.cs', 'changes.md'), '- [2026-11-30 10:00:00] Write: cut off');
    fs.appendFileSync(path.join(w, '.cs', 'timeline.jsonl'), '{"ts":"2026-11-30T10:00:00Z","type":"to');
  });

  // Other tools: the timeline only.
  tool('Read', 'Read', { file_path: path.join(ws, 'a.txt') });
  tool('Read, the workspace itself', 'Read', { file_path: ws });
  tool('Read, discoveries', 'Read', { file_path: path.join(ws, '.cs', 'discoveries.md') });
  tool('Glob', 'Glob', { pattern: '**/*.ts', path: ws });
  tool('Glob, absolute pattern that is no plain path', 'Glob', { pattern: `${ws}/src//*.ts` });
  tool('Grep', 'Grep', { pattern: 'TODO', path: path.join(ws, 'src'), output_mode: 'content' });
  tool('Grep, pattern with spaces around', 'Grep', { pattern: '  TODO ', path: ws });
  tool('Grep, pattern with a quote', 'Grep', { pattern: 'say "hi"' });
  tool('Grep, a token in the pattern', 'Grep', { pattern: `ghp_${'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6'}` });
  tool('WebSearch, a password in the query', 'WebSearch', { query: 'why does Tr0ub4dor&3 fail' });
  tool('Read, a token in the path', 'Read', { file_path: path.join(ws, `AKIA${'QWERTYUIOPASDFGH'}`, 'x.txt') });
  // The target Node takes (command) comes after a value longer than the head sh reads; description is in it.
  tool('MCP tool, the target past the head', 'mcp__box__run', { description: 'Run it', blob: 'y'.repeat(20_000), command: 'make test' });
  tool('Bash', 'Bash', { command: 'ls -la', description: 'List files' });
  tool('Bash, a pipe and quotes', 'Bash', { command: `grep -c 'version' ${ws}/a.txt | wc -l`, description: 'Count' });
  tool('Bash, a path in the workspace as the command', 'Bash', { command: `${ws}/run.sh` });
  tool('Bash, an assignment', 'Bash', { command: 'API_TOKEN=s3cr3tvalue99 ./deploy.sh', description: 'Deploy' });
  tool('Bash, a short Slack token', 'Bash', { command: 'notify xoxb-1234567890-abc', description: 'Notify' });
  tool('Bash, a long word', 'Bash', { command: 'echo abcdefghij_klmnopqrst-uvw' });
  tool('Grep, a SendGrid shape', 'Grep', { pattern: 'SG.a1.b2' });
  tool('WebFetch', 'WebFetch', { url: 'https://example.com/docs', prompt: 'summarise' });
  tool('WebFetch, credentials in the URL', 'WebFetch', { url: 'https://user:hunter2@example.com/x', prompt: 'p' });
  tool('WebSearch', 'WebSearch', { query: 'posix sh case patterns', allowed_domains: ['pubs.opengroup.org'] });
  tool('Task', 'Task', { description: 'Find the bug', prompt: 'look', subagent_type: 'general-purpose' });
  tool('TodoWrite', 'TodoWrite', { todos: [{ content: 'a', status: 'pending', activeForm: 'doing a' }] });
  tool('AskUserQuestion (a description only nested)', 'AskUserQuestion', { questions: [{ question: 'Which?', header: 'Pick', options: [{ label: 'A', description: 'first' }], multiSelect: false }] });
  tool('MCP tool, nested path', 'mcp__fs__read', { options: { path: path.join(ws, 'a.txt') }, query: 'q' });
  tool('MCP tool, nested first, flat key after', 'mcp__fs__find', { options: { depth: 1 }, path: path.join(ws, 'src') });
  tool('no tool_input', 'ExitPlanMode', {});
  tool('long description', 'Task', { description: 'd'.repeat(300), prompt: 'p' });

  // PreToolUse on Write: artifact capture.
  pre('tracked type with a secret', path.join(ws, 'deploy.sh'), 'TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\ncurl -H "Authorization: $TOKEN" x\n');
  pre('tracked type, no secret', path.join(ws, 'tool.py'), 'print(1)\n');
  pre('secret word in the name', path.join(ws, 'my-credentials.txt'), 'nothing\n');
  pre('untracked type', path.join(ws, 'notes.txt'), 'hello\n');
  pre('dot file with a tracked ending only', path.join(ws, '.sh'), 'x\n');
  pre('.env', path.join(ws, '.env'), 'A=1\n');
  pre('tracked type through the real path', path.join(real, 'via-real.sh'), 'echo\n');
  pre('tracked type outside', path.join(outside, 'o.sh'), 'echo\n');
  pre('tracked type, .. out of the workspace', `${ws}/../escape.sh`, 'echo\n');
  pre('own .cs file', path.join(ws, '.cs', 'x.sh'), 'echo\n');
  pre('a link at the path to a tracked name', path.join(ws, 'plain.txt'), 'echo\n', (w) => {
    fs.rmSync(path.join(w, 'plain.txt'), { force: true });
    fs.symlinkSync('target.sh', path.join(w, 'plain.txt'));
  });
  pre('handoff', path.join(ws, '.cs', 'handoffs', 'h.md'), '# Handoff\n');
  // With values stored: a target holding one is Node's (scrubKnown); one of
  // fewer than MIN_SCRUB_LENGTH characters is left alone by both.
  pre('tracked type with two more secrets', path.join(ws, 'db.sh'), 'DB_PASSWORD=hunter2hunter\nDB_PASS=tiny7\npsql x\n');
  tool('Read, with secrets stored', 'Read', { file_path: path.join(ws, 'a.txt') });
  tool('Read, a stored value in the path', 'Read', { file_path: path.join(ws, 'hunter2hunter', 'x.txt') });
  tool('Bash, a stored value in the command', 'Bash', { command: 'psql -W hunter2hunter' });
  tool('Read, a stored value too short to scrub in the path', 'Read', { file_path: path.join(ws, 'tiny7', 'x.txt') });

  // PermissionRequest.
  permission('Write in .cs', 'Write', path.join(ws, '.cs', 'notes.md'));
  permission('Write outside .cs', 'Write', path.join(ws, 'a.txt'));
  permission('Edit, .cs then ..', 'Edit', `${ws}/.cs/../a.txt`);

  // Live status.
  status('prompt', 'status-prompt', 'UserPromptSubmit', { prompt: 'go' });
  status('notification', 'status-notification', 'Notification', { message: 'Claude needs your permission', notification_type: 'permission_prompt' });
  status('a failed tool call after it', 'status-failure', 'PostToolUseFailure', { tool_name: 'Bash', tool_input: { command: 'false' }, error: 'Exit code 1' });
  status('notification again', 'status-notification', 'Notification', { message: 'Claude needs your permission', notification_type: 'permission_prompt' });
  status('a command starts after it', 'status-tool', 'PreToolUse', { tool_name: 'Bash', tool_input: { command: 'sleep 60' } });
  status('stop', 'status-stop', 'Stop', { stop_hook_active: false });
  status('prompt, status.log past its bound', 'status-prompt', 'UserPromptSubmit', { prompt: 'again' }, (w) => {
    const line = (i: number) => JSON.stringify({ state: i % 2 ? 'idle' : 'working', event: 'x', at: new Date(i).toISOString(), ms: i }) + '\n';
    const lines: string[] = [];
    for (let i = 0, n = 0; n <= LOG_MAX_BYTES; i++) n += (lines[lines.push(line(i)) - 1] as string).length;
    fs.writeFileSync(path.join(w, '.cs', 'local', 'status.log'), lines.join(''));
  });
  status('stop again', 'status-stop', 'Stop', { stop_hook_active: false });
  // A cloned session's status.log that is a link: status.json is still written, the link's target never.
  status('prompt, status.log a link', 'status-prompt', 'UserPromptSubmit', { prompt: 'linked' }, (w) => {
    fs.writeFileSync(path.join(w, 'victim.log'), 'left alone\n');
    fs.rmSync(path.join(w, '.cs', 'local', 'status.log'), { force: true });
    fs.symlinkSync(path.join(w, 'victim.log'), path.join(w, '.cs', 'local', 'status.log'));
  });
  return cases;
}

/**
 * Which Node handlers serve a script's event ('a+b' when the endpoint serves
 * several parts of it, as its URL names them), and whether cs's endpoint
 * serves it.
 */
function nodeHandler(script: string): { handler: string; served: boolean } {
  const parts = SERVED.filter((x) => x.script === script);
  if (parts.length) return { handler: parts.map((p) => p.handler).join('+'), served: true };
  return { handler: script.startsWith('status-') ? 'status' : script, served: false };
}

/** The parts of hooks/post-tool-use that sh writes itself or hands over, by their Node handler's name, for a tool. */
function recordingParts(tool: string | undefined): string[] {
  return CHANGE_TOOLS.has(tool ?? '') ? ['post-tool-use', 'timeline'] : ['timeline'];
}

/** Every file under the session directory (but .git and the endpoint's own settings), content normalised. */
function snapshot(sb: HookSandbox): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      const rel = path.relative(sb.session.dir, p);
      // The endpoint's own files: its settings and the SessionStart it prepares (src/hooks/prepared.ts).
      // And the autosave's own files (its index, its stamp): the commits it makes are compared by their lines.
      if (rel === '.git' || rel === path.join('.cs', 'local', 'hook-settings.json') || rel.startsWith(path.join('.cs', 'local', 'session-start.')) || rel.startsWith(path.join('.cs', 'local', 'autosave.'))) continue;
      if (d.isSymbolicLink()) out[rel] = `-> ${normalise(sb, fs.readlinkSync(p))}`;
      else if (d.isDirectory()) walk(p);
      else out[rel] = normalise(sb, fs.readFileSync(p, 'utf8'));
    }
  };
  walk(sb.session.dir);
  return out;
}

/** Times and the sandbox's own path out; nothing else. */
function normalise(sb: HookSandbox, text: string): string {
  return text
    .split(sb.dir)
    .join('<sandbox>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<iso>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '<time>')
    .replace(/"ms":\d+/g, '"ms":<ms>')
    .replace(/"commit":"[0-9a-f]{40,64}"/g, '"commit":<commit>')
    .replace(/autosave [0-9a-f]{12}/g, 'autosave <commit>');
}

/** What Claude got: nothing and an empty object mean the same. */
function answer(sb: HookSandbox, stdout: string): unknown {
  const t = stdout.trim();
  const v = t === '' ? {} : (JSON.parse(t) as unknown);
  return JSON.parse(normalise(sb, JSON.stringify(v)));
}

let sh: HookSandbox;
let node: HookSandbox;
const servers: HookServer[] = [];
/** A `node` first on the sh hooks' PATH that notes each start with its event, so the test knows which inputs sh handled alone. */
let nodeStarts: string;
let shPath: string;

beforeAll(async () => {
  [sh, node] = await Promise.all([hookSandbox('parity'), hookSandbox('parity')]);
  for (const sb of [sh, node]) {
    fs.mkdirSync(path.join(sb.session.dir, 'sub'));
    fs.mkdirSync(path.join(sb.dir, 'outside'));
    fs.symlinkSync(path.join(sb.dir, 'outside'), path.join(sb.session.dir, 'out-link'));
    fs.mkdirSync(path.dirname(linked(sb)));
    fs.symlinkSync(sb.session.dir, linked(sb));
  }
  const bin = path.join(sh.dir, 'bin');
  fs.mkdirSync(bin);
  nodeStarts = path.join(sh.dir, 'node-starts');
  fs.writeFileSync(nodeStarts, '');
  fs.writeFileSync(path.join(bin, 'node'), `#!/bin/sh\necho "start $2" >> '${nodeStarts}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  shPath = `${bin}:${process.env.PATH}`;
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  sh?.cleanup();
  node?.cleanup();
});

async function viaEndpoint(server: HookServer, handler: string, input: string): Promise<string> {
  const settings = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ headers: Record<string, string> }> }>> };
  const token = Object.values(settings.hooks)[0]![0]!.hooks[0]!.headers['X-CS-Token']!;
  const r = await fetch(`${server.url}/hook/${handler}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cs-token': token }, body: input });
  expect(r.status).toBe(200);
  const text = await r.text();
  // The recording parts run after the answer.
  await server.idle();
  return text;
}

const hookShFile = path.join(repoRoot, 'dist', HOOK_SH);

const temps: string[] = [];
/** A directory with a .cs/ in it: a session as far as dist/hook.sh is concerned. */
function tempSession(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-parity-')));
  fs.mkdirSync(path.join(d, '.cs'));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs `body` in sh after sourcing dist/hook.sh as hooks/<script> would, in a session at `dir`. */
function inHookSh(dir: string, body: string, args: string[]): string {
  return execFileSync('sh', ['-c', `command . '${hookShFile}' || exit 9\n${body}`, path.join(repoRoot, 'hooks', 'x'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, CLAUDE_SESSION_DIR: dir } });
}

describe('dist/hook.sh, the shared sh part', () => {
  it('is the one the build writes from the current TypeScript', () => {
    expect(fs.readFileSync(hookShFile, 'utf8'), 'dist/hook.sh is stale: run npm run build').toBe(hookSh());
  });

  it('is sourced by every registered hook script, which keeps no guard of its own', () => {
    for (const script of new Set(HOOKS.map((h) => h.script))) {
      const text = fs.readFileSync(path.join(repoRoot, 'hooks', script), 'utf8');
      expect(text, script).toContain('command . "${0%/*}/../dist/hook.sh" 2>/dev/null || exit 0');
      expect(text, script).not.toMatch(/CLAUDE_PROJECT_DIR|CS_HOOK_SERVER|\/dist\/hook\.js/);
    }
    // Each command hook the endpoint replaces is registered for the same event, for every tool the part takes.
    for (const s of SERVED) expect(HOOKS.some((h) => h.script === s.script && h.event === s.event && (h.matcher === undefined || h.matcher === s.matcher)), s.script).toBe(true);
  });

  it('names tracked files as isTrackedFile does, in any case', () => {
    const names = ['a.sh', 'A.SH', 'x.tar.PY', '.sh', 'sh', '.env', 'prod.env', 'env', '.envrc', 'my-key.txt', 'TOKEN', 'Authorization.md', 'a.yml.bak', 'x.config', 'config', '.bashrc', 'notes.md', 'data.json', 'x.ts', 'x.tsx', 'passwords', 'README'];
    const sh = inHookSh(tempSession(), 'for n; do cs_tracked_name "$n" && echo 1 || echo 0; done', names).trim().split('\n');
    expect(Object.fromEntries(names.map((n, i) => [n, sh[i] === '1']))).toEqual(Object.fromEntries(names.map((n) => [n, isTrackedFile(n)])));
  });

  it('counts bytes, not characters, to tell a cut head (cs_head_cut), whatever shell and locale run it', () => {
    const ws = tempSession();
    const body = 'input=$(printf %s "$1"); cs_head_cut && echo cut || echo whole';
    // 9,000 two-byte characters: 18,000 bytes, past the head.
    for (const shell of ['sh', 'bash']) {
      const run = (text: string) => execFileSync(shell, ['-c', `command . '${hookShFile}' || exit 9\n${body}`, path.join(repoRoot, 'hooks', 'x'), text], { encoding: 'utf8', env: { PATH: process.env.PATH, CLAUDE_SESSION_DIR: ws, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } }).trim();
      expect(run('é'.repeat(9000)), shell).toBe('cut');
      expect(run('é'.repeat(100)), shell).toBe('whole');
    }
  });

  it('gives an epoch second as the UTC time toISOString gives, to the second (cs_utc)', () => {
    const days = [0, 59, 60, 365, 10956, 11016, 11017, 11321, 20000, 20423, 20453, 47482, 47541, 47542, 2932896];
    const epochs = [...days.flatMap((d) => [d * 86400, d * 86400 + 86399]), 1_796_069_499, 1_000_000_000, 2_147_483_647, 4_102_444_800];
    for (let i = 0; i < 200; i++) epochs.push(Math.floor(Math.abs(Math.sin(i + 1)) * 8_000_000_000));
    const sh = inHookSh(tempSession(), 'for t; do cs_utc "$t"; echo "$cs_utc"; done', epochs.map(String)).trim().split('\n');
    expect(sh).toEqual(epochs.map((t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')));
  });

  it('places in the workspace as workspaceRelative does, where it decides at all', () => {
    const ws = tempSession();
    const paths = [ws, `${ws}/a`, `${ws}/a/b c`, `${ws}/.cs/x`, `${ws}x/a`, `${ws}/../a`, `${ws}/./a`, `${ws}//a`, `${ws}/a/`, `${ws}/a/..`, 'rel/a', '/etc/hosts', '/'];
    const out = inHookSh(ws, 'for p; do if cs_plain_path "$p"; then cs_relative "$p" && echo "in:$cs_shown" || echo out; else echo undecided; fi; done', paths).trim().split('\n');
    const decided = paths.map((p, i) => [p, out[i]!] as const).filter(([, o]) => o !== 'undecided');
    expect(decided.map(([p]) => p)).toEqual([ws, `${ws}/a`, `${ws}/a/b c`, `${ws}/.cs/x`, `${ws}x/a`, '/etc/hosts']);
    for (const [p, o] of decided) expect(o, p).toBe(workspaceRelative(p, ws) === null ? 'out' : `in:${workspaceRelative(p, ws)}`);
  });
});

/** Base64 of a JSON object ending in 'fQ==', as 1Password's service account tokens are. */
function onePasswordShape(): string {
  let json = `{"signInAddress":"my.1password.com","k":"${'a+b/'.repeat(30)}"}`;
  while (!Buffer.from(json).toString('base64').endsWith('fQ==')) json = json.replace('{', '{ ');
  return Buffer.from(json).toString('base64');
}

/** One token of each shape the detector knows (detect.ts and secretlint's preset), at its shortest or most broken up. */
function tokenSamples(): string[] {
  const r = (n: number, chars = 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7') => Array.from({ length: n }, (_, i) => chars[(i * 7) % chars.length]).join('');
  const hex = (n: number) => r(n, '0123456789abcdef');
  return [
    `ghp_${r(36)}`, `github_pat_${r(22)}`, 'ghs_1_ab.cd.ef', 'sk-ant-ab_cd-ef_gh-ij_kl-mn', 'sk-ab12-cd34-ef56-gh78-ij', `AKIA${r(16, 'ABCDEFGHIJKLMNOP0123456789')}`,
    'xoxb-1234567890', 'xapp-1-abc-def', 'eyJhbGciOiJI.eyJzdWIiOiJ4.abcdefgh1', 'Bearer abcdefghij.klmnopqrst/uv', `SG.${r(22)}.${r(43)}`,
    `glc_${'abc+def/'.repeat(5)}`, `ops_${onePasswordShape()}`, 'tskey-ab-12345678-1234567890123456', 'https://user:pw@example.com/x', 'TOKEN=abc123xyz',
    `npm_${r(36)}`, 'glpat-ab_cd-ef_gh-ij_kl-mn', `dckr_pat_${r(27)}`, `hf_${r(34, 'abcdefghijKLMNOP')}`, `dapi${hex(32)}`, `lin_api_${r(32)}`, `shpat_${hex(32)}`,
    `sk_live_${r(24)}`, `vcp_${r(20)}`, `gsk_${r(52)}`, `figd_${r(40)}`, `ntn_${'1'.repeat(11)}${r(35)}`, `cfk_${r(40)}${hex(8)}`, `glsa_${r(32)}_${hex(8)}`, `hvs.${r(90)}`,
    '-----BEGIN PRIVATE KEY-----abc-----END PRIVATE KEY-----',
  ];
}

describe('what dist/hook.sh hands to Node for the secret detector', () => {
  // cs_undetectable plus the run check, as hooks/post-tool-use applies them to a command line.
  const shSaysClean = (texts: string[]) =>
    inHookSh(tempSession(), 'LC_ALL=C; for t; do if cs_undetectable "$t"; then case $t in *$cs_run_word*) echo 0 ;; *) echo 1 ;; esac; else echo 0; fi; done', texts).trim().split('\n');

  it('is every text in which the detector finds something (DETECTION_CUES)', { timeout: 120_000 }, async () => {
    // The detector itself, as scrubDetected runs it (without its nothingToDetect shortcut).
    const { findSecrets } = await import('../../../src/secrets/detect.js');
    const { providerSpans } = await import('../../../src/secrets/providers.js');
    const finds = async (t: string) => findSecrets('command.sh', t, { stored: {}, spans: await providerSpans('command.sh', t) }).secrets.length > 0;
    const samples = tokenSamples();
    const pieces = ['', 'sk-', 'ghp_', 'AKIA', 'xoxb-', 'xapp-', 'tskey-ab-', 'glpat-', 'SG.', 'hf_', 'npm_', 'eyJ', 'Bearer ', 'ghs_1_', 'glc_', 'ops_ey', 'dapi', 'vcp_'];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const alphabet = 'aZ09bY18_-./+~ ';
    const fuzz = Array.from({ length: 1500 }, () => pieces[rnd(pieces.length)] + Array.from({ length: rnd(44) }, () => alphabet[rnd(alphabet.length)]).join(''));
    const texts = [...samples, ...samples.map((t) => `curl -d ${t} https-less`), ...fuzz];
    const clean = shSaysClean(texts);
    const detected = await Promise.all(texts.map(finds));
    expect(texts.filter((t, i) => detected[i] && clean[i] === '1')).toEqual([]);
    // Node's own shortcut (nothingToDetect, before the detector) is the same rule.
    expect(texts.filter((t, i) => nothingToDetect(t) !== (clean[i] === '1'))).toEqual([]);
    // Not vacuous: the detector finds every sample, and sh keeps ordinary commands.
    expect(samples.filter((_, i) => !detected[i])).toEqual([]);
    expect(shSaysClean(['ls -la', 'npm test', 'git status --short', "grep -rn 'TODO' src/", 'cd build && make -j4'])).toEqual(['1', '1', '1', '1', '1']);
  });

  it('is every path in which the detector finds something (PATH_CUES, cs_path_clean)', { timeout: 120_000 }, async () => {
    const { findSecrets } = await import('../../../src/secrets/detect.js');
    const { providerSpans } = await import('../../../src/secrets/providers.js');
    const finds = async (t: string) => findSecrets('command.sh', t, { stored: {}, spans: await providerSpans('command.sh', t) }).secrets.length > 0;
    // The part of a path shown, as hooks/post-tool-use checks a timeline target that is a path.
    const shKeeps = (texts: string[]) =>
      inHookSh(tempSession(), 'LC_ALL=C; for t; do if cs_undetectable "$t" && cs_path_clean "$t"; then echo 1; else echo 0; fi; done', texts).trim().split('\n');
    // Keys whose body '-' and '_' break into pieces of fewer than 20 letters and digits.
    const cut = (n: number, seps = '-_') => Array.from({ length: n }, (_, i) => (i % 9 === 8 ? seps[(i / 9) % seps.length | 0] : 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7'[(i * 7) % 27])).join('');
    const keys = [
      `sk-ant-${cut(27)}`, `sk-ant-api03-${cut(92)}AA`, `sk-${cut(24)}`, `sk-proj-${cut(74)}T3BlbkFJ${cut(74)}`, `npm_${cut(36, '_')}`, `lin_api_${cut(32, '_')}`,
      `ghp_${cut(36, '_')}`, `gho_${cut(36, '_')}`, `github_pat_${cut(22, '_')}`, `github_pat_${cut(82, '_')}`, `glpat-${cut(20)}`, `hvs.${cut(90)}`, `hvb.${cut(138)}`, `hvr.${cut(90)}`,
      `dckr_pat_${cut(27)}`, `figd_${cut(40)}`, 'tskey-ab-1234_678-1234567_90123456',
    ];
    const samples = [...tokenSamples().filter((t) => !t.includes('/') && !t.includes(' ')), ...keys];
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const pieces = ['', 'sk-', 'sk-ant-', 'npm_', 'lin_api_', 'ghp_', 'github_pat_', 'glpat-', 'hvs.', 'dckr_pat_', 'figd_', 'tskey-ab-', 'xoxb-', 'eyJ', 'AKIA', 'SG.'];
    const alphabet = 'aZ09bY18_-._-';
    const fuzz = Array.from({ length: 1500 }, () => pieces[rnd(pieces.length)] + Array.from({ length: 20 + rnd(110) }, () => alphabet[rnd(alphabet.length)]).join(''));
    const names = [...samples, ...fuzz];
    const paths = [...names.map((t) => `notes/${t}.md`), ...samples.map((t) => `a-b/${t}`)];
    const kept = shKeeps(paths);
    const detected = await Promise.all(paths.map(finds));
    expect(paths.filter((t, i) => detected[i] && kept[i] === '1')).toEqual([]);
    // Not vacuous: the detector finds every key, and sh keeps ordinary paths, long words joined by - and _ too.
    expect(keys.filter((_, i) => !detected[samples.length - keys.length + i])).toEqual([]);
    const plain = ['src/components/user-profile-card.tsx', 'docs/getting_started_with_the_project.md', 'task-list.md', 'scripts/disk-usage.sh', 'a/b/c.txt'];
    expect(shKeeps(plain)).toEqual(plain.map(() => '1'));
  });

  it('is every text holding a value of the session env file that Node takes out (cs_secret_in)', async () => {
    const { runningSessionSecrets, scrubKnown } = await import('../../../src/secrets/scrub.js');
    const { exportLines } = await import('../../../src/secrets/store.js');
    const { sessionEnvFilePath } = await import('../../../src/secrets/keys.js');
    const ws = tempSession();
    const env = { HOME: ws, XDG_RUNTIME_DIR: '' };
    const file = sessionEnvFilePath(path.basename(ws), env);
    const values = { A_TOKEN: 'plainvalue1', B_QUOTE: "it's-secret", C_LINES: 'line one\nline two', D_SHORT: 'short7', E_GLOB: 'a*b[c]d?ef' };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, exportLines(values).join('\n') + '\n');
    expect(Object.keys(runningSessionSecrets(path.basename(ws), env)).sort()).toEqual(Object.keys(values).sort());
    const run = (texts: string[]) =>
      execFileSync('sh', ['-c', `command . '${hookShFile}' || exit 9\nfor t; do cs_secret_in "$t" && echo 1 || echo 0; done`, path.join(repoRoot, 'hooks', 'x'), ...texts], { encoding: 'utf8', env: { PATH: process.env.PATH, CLAUDE_SESSION_DIR: ws, HOME: ws } }).trim().split('\n');
    const texts = ['cat plainvalue1.txt', 'cat short7.txt', 'axbcd?ef', 'a*b[c]d?ef', 'nothing here'];
    const hits = run(texts);
    for (const [i, t] of texts.entries()) if (scrubKnown(t, values).count > 0) expect(hits[i], t).toBe('1');
    // A line sh cannot read plainly (a quote, a value over lines) makes every text Node's.
    expect(hits).toEqual(['1', '1', '1', '1', '1']);
    fs.writeFileSync(file, exportLines({ A_TOKEN: 'plainvalue1', D_SHORT: 'short7', E_GLOB: 'a*b[c]d?ef' }).join('\n') + '\n');
    expect(run(texts)).toEqual(['1', '0', '0', '1', '0']);
    fs.writeFileSync(file, '');
    expect(run(texts)).toEqual(['0', '0', '0', '0', '0']);
    // Without HOME Node finds the file through the user database, which sh cannot: every text is Node's.
    const noHome = execFileSync('sh', ['-c', `command . '${hookShFile}' || exit 9\nfor t; do cs_secret_in "$t" && echo 1 || echo 0; done`, path.join(repoRoot, 'hooks', 'x'), ...texts], { encoding: 'utf8', env: { PATH: process.env.PATH, CLAUDE_SESSION_DIR: ws } });
    expect(noHome.trim().split('\n')).toEqual(['1', '1', '1', '1', '1']);
  });
});

/** Sets the stamp of the session's status.json (if any, and not a link) to `ms`, its content otherwise kept. */
function ageStatus(dir: string, ms: number): void {
  const file = path.join(dir, '.cs', 'local', 'status.json');
  if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile() !== true) return;
  const status = JSON.parse(fs.readFileSync(file, 'utf8')) as { at: string; ms: number };
  fs.writeFileSync(file, JSON.stringify({ ...status, at: new Date(ms).toISOString(), ms }) + '\n');
}

describe('sh fast paths and the Node handlers', () => {
  it('have a corpus of every kind of input', () => {
    const cases = corpus('/w', '/r', '/o');
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const scripts = new Set(cases.flatMap((c) => c.scripts));
    for (const s of ['post-tool-use', 'pre-tool-use', 'permission-request', 'status-prompt', 'status-tool', 'status-failure', 'status-notification', 'status-permission', 'status-stop']) expect(scripts).toContain(s);
  });

  for (const variant of VARIANTS) {
    it(`leave the same files and give the same answers: ${variant.name}`, { timeout: 600_000 }, async () => {
      const paths = (sb: HookSandbox): SessionPaths => sessionPaths(variant.ws(sb), 'parity');
      // Each variant starts without the secret an earlier one stored ('tracked type with a
      // secret'): with one, every timeline target goes to Node (hooks/post-tool-use), as it must.
      for (const sb of [sh, node]) {
        await (await selectBackend('parity', sb.hookEnv)).backend.purge('parity');
        removeSessionEnvFile('parity', sb.hookEnv);
      }
      const server = await startHookServer(paths(node), node.hookEnv);
      servers.push(server);
      // The endpoint prepared a session start, which writes the session env file of secrets
      // (src/hooks/prepared.ts); the sh side's session has had its start too.
      await secretsForBash(paths(sh), sh.hookEnv, () => {});
      const spell = (sb: HookSandbox) => corpus(variant.ws(sb), sb.session.dir, path.join(sb.dir, 'outside'));
      const shCases = spell(sh);
      const nodeCases = spell(node);
      const differences: string[] = [];
      const [alone, handedOver] = [new Set<string>(), new Set<string>()];
      for (let i = 0; i < shCases.length; i++) {
        const [a, b] = [shCases[i]!, nodeCases[i]!];
        a.setup?.(sh.session.dir);
        b.setup?.(node.session.dir);
        // The once-a-minute autosave is not due on either side (a minute could pass between
        // the two runs of one input); a discoveries edit is saved at once by both.
        for (const sb of [sh, node]) noAutosaveDue(sb.session.dir);
        // The last status was written at the same moment on both sides, long enough ago: whether a
        // status repeats within REPEAT_MS must not hang on how long the other side's run took.
        const aged = Date.now() - 10 * REPEAT_MS;
        for (const sb of [sh, node]) ageStatus(sb.session.dir, aged);
        for (const script of a.scripts) {
          const env: NodeJS.ProcessEnv = { ...variant.env(sh), PATH: shPath };
          delete env.CS_HOOK_SERVER;
          const before = fs.readFileSync(nodeStarts, 'utf8').length;
          const viaSh = await runHookScript(script, a.input, env);
          // (runHookScript waits for the Node runs it left detached.)
          const events = fs.readFileSync(nodeStarts, 'utf8').slice(before).split('\n').filter((l) => l.startsWith('start ')).map((l) => l.slice(6).split('+'));
          const parts = script === 'post-tool-use' ? recordingParts((JSON.parse(a.input) as { tool_name?: string }).tool_name) : [script];
          for (const part of parts) (events.some((e) => e.includes(part) || e.includes('post-tool') || (script !== 'post-tool-use' && e.length > 0)) ? handedOver : alone).add(`${a.name} / ${part}`);
          expect(viaSh.code, `${a.name} / ${script}: ${viaSh.stderr}`).toBe(0);
          expect(viaSh.stderr, `${a.name} / ${script}`).toBe('');
          const { handler, served } = nodeHandler(script);
          const viaNode = served ? await viaEndpoint(server, handler, b.input) : (await runHook(handler, b.input, variant.env(node))).output;
          const [gotSh, gotNode] = [answer(sh, viaSh.stdout), answer(node, viaNode)];
          if (JSON.stringify(gotSh) !== JSON.stringify(gotNode)) differences.push(`${a.name} / ${script}: answers differ\n  sh:   ${JSON.stringify(gotSh)}\n  node: ${JSON.stringify(gotNode)}`);
          const [filesSh, filesNode] = [snapshot(sh), snapshot(node)];
          for (const f of new Set([...Object.keys(filesSh), ...Object.keys(filesNode)])) {
            if (filesSh[f] !== filesNode[f]) differences.push(`${a.name} / ${script}: ${f} differs\n  sh:   ${JSON.stringify(filesSh[f]?.slice(-300))}\n  node: ${JSON.stringify(filesNode[f]?.slice(-300))}`);
          }
          if (differences.length > 0) break;
        }
        if (differences.length > 0) break;
      }
      expect(differences).toEqual([]);
      // Not vacuous: both ways wrote what the corpus is about.
      const files = snapshot(sh);
      expect(files['.cs/changes.md']).toMatch(/Write: a\.txt\n/);
      expect(files['.cs/timeline.jsonl']).toMatch(/"tool":"Grep","target":"TODO"/);
      expect(files['.cs/artifacts/MANIFEST.json']).toMatch(/deploy\.sh/);
      expect(files['.cs/local/status.log']!.length).toBeLessThan(LOG_MAX_BYTES);
      // And both ways of sh were compared: alone, and handing over to Node.
      for (const c of ['Write, absolute, in the workspace / post-tool-use', 'Write, torn last lines in both logs / post-tool-use', 'Write, torn last lines in both logs / timeline', 'Write, spaces / post-tool-use', 'Write, 100 KB content / timeline', 'Read / timeline', 'MultiEdit / timeline', 'TodoWrite / timeline', 'Bash / timeline', 'Bash, a pipe and quotes / timeline', 'Bash, a path in the workspace as the command / timeline', 'Grep / timeline', 'Read, with secrets stored / timeline', 'Read, a stored value too short to scrub in the path / timeline', 'untracked type / pre-tool-use', 'Write outside .cs / permission-request', 'prompt / status-prompt', 'prompt, status.log past its bound / status-prompt'])
        expect(alone, c).toContain(c);
      for (const c of ['Write, .. out of the workspace / post-tool-use', 'Write, unicode / post-tool-use', 'Bash, an assignment / timeline', 'Bash, a short Slack token / timeline', 'Bash, a long word / timeline', 'Grep, a SendGrid shape / timeline', 'Grep, a token in the pattern / timeline', 'Read, a token in the path / timeline', 'Read, a stored value in the path / timeline', 'Bash, a stored value in the command / timeline', 'AskUserQuestion (a description only nested) / timeline', 'tracked type with a secret / pre-tool-use', 'Write in .cs / permission-request'])
        expect(handedOver, c).toContain(c);
      // The values were taken out where they sat, by Node.
      expect(files['.cs/timeline.jsonl']).toContain('"target":"[secret: DB_PASSWORD]/x.txt"');
      expect(files['.cs/timeline.jsonl']).toContain('"target":"tiny7/x.txt"');
      expect(files['.cs/timeline.jsonl']).not.toContain('hunter2hunter');
    });
  }
});
