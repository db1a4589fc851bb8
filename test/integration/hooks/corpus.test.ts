// Malformed and hostile hook inputs: every hook exits 0, prints nothing or
// one valid JSON object, writes nothing outside the session, and logs the
// problem in the session log.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thisMachine } from '../../../src/conversations/store.js';
import { HOOKS } from '../../../src/hooks/registry.js';
import { runtimeBase } from '../../../src/secrets/keys.js';
import { repoRoot } from '../../support/cs.js';
import { hookSandbox, runHookScript, type HookSandbox } from '../../support/hooks.js';

// Every script the installer registers (timeline and status hooks included).
const SCRIPTS = [...new Set(HOOKS.map((h) => h.script))];

let sb: HookSandbox;
beforeAll(async () => {
  sb = await hookSandbox('corpus');
  fs.symlinkSync(sb.dir, path.join(sb.session.dir, 'outlink'));
  thisMachine(sb.hookEnv); // a machine that runs cs has its id (made once, in cs's config dir)
});
afterAll(() => sb.cleanup());

/** A PostToolUse for a 25 MB Write: the content comes twice, 50 MB in all. */
function bigWrite(ws: string, name: string, contentFirst: boolean): string {
  const big = 'x'.repeat(25 * 1024 * 1024);
  const file = path.join(ws, name);
  const toolInput = contentFirst ? { content: big, file_path: file } : { file_path: file, content: big };
  return JSON.stringify({ hook_event_name: 'PostToolUse', cwd: ws, tool_name: 'Write', tool_input: toolInput, tool_response: { type: 'create', filePath: file, content: big } });
}

function corpus(ws: string): Array<[string, string | Buffer]> {
  const j = (v: unknown) => JSON.stringify(v);
  const w = (tool_input: unknown, extra: object = {}) => j({ hook_event_name: 'PreToolUse', cwd: ws, tool_name: 'Write', tool_input, ...extra });
  return [
    ['empty stdin', ''],
    ['whitespace', '  \n\t '],
    ['not JSON', 'hello there'],
    ['truncated JSON', '{"tool_name":"Wr'],
    ['JSON array', '[]'],
    ['JSON array of objects', j([{ tool_name: 'Write' }])],
    ['JSON null', 'null'],
    ['JSON number', '42'],
    ['JSON string', '"Write"'],
    ['empty object', '{}'],
    ['missing tool_input', j({ tool_name: 'Write', cwd: ws })],
    ['tool_input is a string', w('deploy.sh')],
    ['file_path is a number', w({ file_path: 7, content: 'x' })],
    ['content is a number', w({ file_path: path.join(ws, 'a.sh'), content: 7 })],
    ['file_path empty', w({ file_path: '', content: 'x' })],
    ['relative file_path', w({ file_path: 'deploy.sh', content: 'TOKEN=abc\n' })],
    ['path outside the workspace', w({ file_path: '/etc/cs-corpus-evil.sh', content: 'echo\n' })],
    ['traversal out of the workspace', w({ file_path: path.join(ws, '..', '..', 'evil.sh'), content: 'echo\n' })],
    ['symlink out of the workspace', w({ file_path: path.join(ws, 'outlink', 'evil.sh'), content: 'echo\n' })],
    ['10 MB content', w({ file_path: path.join(ws, 'big.json'), content: 'x'.repeat(10 * 1024 * 1024) })],
    ['binary stdin', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x7b, 0x22])],
    ['NUL in content', w({ file_path: path.join(ws, 'nul.sh'), content: 'a\u0000b' })],
    ['newline in file_path', w({ file_path: path.join(ws, 'a\nb.sh'), content: 'echo\n' })],
    ['quotes and backslashes in file_path', w({ file_path: path.join(ws, 'q"\\x.sh'), content: 'echo\n' })],
    ['tool_name is an array', j({ tool_name: ['Write'], tool_input: { file_path: path.join(ws, 'a.sh'), content: 'x' } })],
    ['stop_hook_active is a string', j({ hook_event_name: 'Stop', stop_hook_active: 'yes', cwd: ws })],
    ['reason is an object', j({ hook_event_name: 'SessionEnd', reason: { x: 1 }, cwd: ws })],
    ['unknown source', j({ hook_event_name: 'SessionStart', source: 'teleport', cwd: ws })],
    ['cwd does not exist', j({ hook_event_name: 'SessionStart', cwd: '/nonexistent/dir' })],
    ['deeply nested JSON', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['UTF-8 BOM before JSON', '\ufeff' + j({ tool_name: 'Write', tool_input: { file_path: path.join(ws, 'b.sh'), content: 'x' } })],
    ['MultiEdit without edits', j({ hook_event_name: 'PostToolUse', tool_name: 'MultiEdit', tool_input: { file_path: path.join(ws, 'm.txt') } })],
    ['NotebookEdit without a path', j({ hook_event_name: 'PostToolUse', tool_name: 'NotebookEdit', tool_input: {} })],
    ['50 MB Write, path first (sh reads the head)', bigWrite(ws, 'big-path-first.txt', false)],
    ['50 MB Write, content first (Node skims the stream)', bigWrite(ws, 'big-content-first.txt', true)],
    ['PermissionRequest for a path with .cs inside a name', j({ hook_event_name: 'PermissionRequest', tool_name: 'Write', tool_input: { file_path: `${ws}/x/.cs/../../../etc/passwd`, content: 'x' } })],
  ];
}

/**
 * Every file under `dir` except the session itself and the secret store
 * (where redacted values legitimately go), with size and mtime.
 */
// cs's own stores outside the session (the encrypted secrets, the config dir
// with this machine's id that SessionStart's conversation pinning makes) are
// left out; everything else outside the session must stay as it was.
/**
 * Every path under `dir` but `except` (the session) and cs's own per-user
 * state: ~/.cs-secrets, ~/.config/cs and the runtime folder (runtimeBase:
 * the env files of secrets, a resident's socket).
 */
function snapshotOutside(dir: string, except: string, env: NodeJS.ProcessEnv = sb.hookEnv): string {
  return execFileSync('sh', ['-c', 'find "$1" \\( -path "$2" -o -path "$3" -o -name .cs-secrets -o -path "*/.config/cs" \\) -prune -o -printf "%p %s %T@\\n" | grep -v "/home [0-9]" | grep -v "^$4 [0-9]" | sort', 'sh', dir, except, runtimeBase(env), path.dirname(runtimeBase(env))], { encoding: 'utf8' });
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('hook input corpus', () => {
  it('has at least 30 inputs', () => {
    expect(corpus('/w').length).toBeGreaterThanOrEqual(30);
  });

  it('inside a session: exit 0, nothing or valid JSON, nothing written outside, problems logged', { timeout: 480_000 }, async () => {
    const before = snapshotOutside(sb.dir, sb.session.dir);
    const cases = corpus(sb.session.dir).flatMap(([name, input]) => SCRIPTS.map((script) => ({ name, input, script })));
    const failures: string[] = [];
    await inBatches(cases, 4, async ({ name, input, script }) => {
      const r = await runHookScript(script, input, sb.hookEnv);
      if (r.code !== 0) failures.push(`${script} / ${name}: exit ${r.code}`);
      if (r.stdout !== '') {
        try {
          const v = JSON.parse(r.stdout);
          if (typeof v !== 'object' || v === null || Array.isArray(v)) failures.push(`${script} / ${name}: stdout is not an object`);
        } catch {
          failures.push(`${script} / ${name}: invalid JSON on stdout: ${r.stdout.slice(0, 80)}`);
        }
      }
      if (/\n\s+at .*:\d+:\d+/.test(r.stdout + r.stderr)) failures.push(`${script} / ${name}: stack trace printed`);
    });
    expect(failures).toEqual([]);
    expect(snapshotOutside(sb.dir, sb.session.dir)).toBe(before);
    expect(fs.existsSync('/etc/cs-corpus-evil.sh')).toBe(false);
    const log = fs.readFileSync(sb.session.sessionLog, 'utf8');
    expect(log).toMatch(/hook problem: stop: input is not JSON/);
    expect(log).toMatch(/hook problem: session-start: empty input/);
    expect(log).toMatch(/hook problem: pre-tool-use: input is JSON but not an object \(array\)/);
    // A huge Write is never dropped from the change log or the timeline.
    const changes = fs.readFileSync(sb.session.changes, 'utf8');
    expect(changes).toMatch(/\] Write: big-path-first\.txt\n/);
    expect(changes).toMatch(/\] Write: big-content-first\.txt\n/);
    const timeline = fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8');
    expect(timeline).toMatch(/"tool":"Write","target":"big-path-first\.txt"/);
    expect(timeline).toMatch(/"tool":"Write","target":"big-content-first\.txt"/);
  });

  it('an unknown event name is logged and answered with nothing', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'dist/hook.js'), 'NoSuchEvent'], { env: sb.hookEnv });
      let out = '';
      child.stdout.on('data', (b) => (out += b));
      child.on('close', (code) => resolve({ code, out }));
      child.stdin.end('{}');
    });
    expect(r).toEqual({ code: 0, out: '' });
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/hook problem: unknown hook event 'NoSuchEvent'/);
  });

  it('outside a session: no output, no trace, for every input', { timeout: 120_000 }, async () => {
    const plain = path.join(sb.dir, 'plain-project');
    fs.mkdirSync(plain, { recursive: true });
    const env = { PATH: process.env.PATH, HOME: sb.home, CLAUDE_PROJECT_DIR: plain };
    const before = snapshotOutside(sb.dir, '/nonexistent');
    await inBatches(
      // The 50 MB inputs matter inside a session (the record must be written); outside, every script exits before reading.
      corpus(plain).filter(([name]) => !name.startsWith('50 MB')).flatMap(([, input]) => SCRIPTS.map((script) => ({ input, script }))),
      6,
      async ({ input, script }) => {
        const r = await runHookScript(script, input, env);
        expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
      },
    );
    expect(snapshotOutside(sb.dir, '/nonexistent')).toBe(before);
  });
});

describe('a session tree with planted symlinks (a cloned or pulled session)', () => {
  it('no hook writes through them, whatever the input', { timeout: 300_000 }, async () => {
    const s = await hookSandbox('planted');
    thisMachine(s.hookEnv);
    try {
      const m = s.session.meta;
      const outside = path.join(s.dir, 'outside');
      fs.mkdirSync(outside);
      const bashrc = path.join(outside, 'bashrc');
      fs.writeFileSync(bashrc, 'original\n');
      // Each kind: a link to an outside file, a dangling link, a linked directory.
      fs.rmSync(s.session.changes);
      fs.symlinkSync(bashrc, s.session.changes);
      fs.symlinkSync(path.join(outside, 'timeline-target'), path.join(m, 'timeline.jsonl'));
      fs.rmSync(s.session.artifacts, { recursive: true });
      fs.symlinkSync(outside, s.session.artifacts);
      fs.rmSync(s.session.local, { recursive: true });
      fs.mkdirSync(path.join(outside, 'local'));
      fs.symlinkSync(path.join(outside, 'local'), s.session.local);
      fs.symlinkSync(path.join(outside, 'notes-target.md'), path.join(m, 'notes.md'));
      const ws = s.session.dir;
      const j = (v: unknown) => JSON.stringify(v);
      const inputs = [
        j({ hook_event_name: 'PostToolUse', cwd: ws, tool_name: 'Write', tool_input: { file_path: path.join(ws, 'x$(id).txt'), content: 'a' } }),
        j({ hook_event_name: 'PostToolUse', cwd: ws, tool_name: 'Write', tool_input: { file_path: path.join(ws, 'q"x.txt'), content: 'a' } }),
        j({ hook_event_name: 'PreToolUse', cwd: ws, tool_name: 'Write', tool_input: { file_path: path.join(ws, 'deploy.sh'), content: 'TOKEN=abcdef123456\n' } }),
        j({ hook_event_name: 'PermissionRequest', cwd: ws, tool_name: 'Write', tool_input: { file_path: path.join(m, 'notes.md'), content: 'x' } }),
        j({ hook_event_name: 'PermissionRequest', cwd: ws, tool_name: 'Write', tool_input: { file_path: path.join(m, 'artifacts', 'deploy.sh'), content: 'x' } }),
        j({ hook_event_name: 'Stop', cwd: ws, stop_hook_active: false }),
        bigWrite(ws, 'big.txt', true),
      ];
      const before = snapshotOutside(s.dir, ws, s.env);
      const failures: string[] = [];
      await inBatches(
        inputs.flatMap((input) => SCRIPTS.map((script) => ({ input, script }))),
        4,
        async ({ input, script }) => {
          const r = await runHookScript(script, input, s.hookEnv);
          if (r.code !== 0) failures.push(`${script}: exit ${r.code}`);
          if (/"behavior":"allow"/.test(r.stdout)) failures.push(`${script}: allowed a write through a link: ${input.slice(0, 120)}`);
          if (/"updatedInput"/.test(r.stdout) && r.stdout.includes(s.session.artifacts)) failures.push(`${script}: redirected into a linked artifacts dir`);
        },
      );
      expect(failures).toEqual([]);
      expect(snapshotOutside(s.dir, ws, s.env)).toBe(before);
      expect(fs.readFileSync(bashrc, 'utf8')).toBe('original\n');
      expect(fs.readdirSync(outside).sort()).toEqual(['bashrc', 'local']);
      expect(fs.readdirSync(path.join(outside, 'local'))).toEqual([]);
      expect(fs.readFileSync(s.session.sessionLog, 'utf8')).toMatch(/refusing to write .*changes\.md: it is a symlink/);
    } finally {
      s.cleanup();
    }
  });
});

describe('concurrency', () => {
  it('50 concurrent artifact Writes give 50 distinct files and 50 MANIFEST entries', { timeout: 120_000 }, async () => {
    const s = await hookSandbox('burst');
    try {
      const runs = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          runHookScript('pre-tool-use', JSON.stringify({ hook_event_name: 'PreToolUse', cwd: s.session.dir, tool_name: 'Write', tool_input: { file_path: path.join(s.session.dir, 'run.sh'), content: `echo ${i}\n` } }), s.hookEnv),
        ),
      );
      // No secret in them: each Write goes ahead at Claude's path unchanged (no answer), and each is captured once.
      for (const r of runs) expect(r.code).toBe(0);
      for (const r of runs) expect(r.stdout).toBe('');
      const manifest = JSON.parse(fs.readFileSync(s.session.manifest, 'utf8')) as { name: string; original_path: string }[];
      expect(manifest).toHaveLength(50);
      const names = new Set(manifest.map((e) => e.name));
      expect(names.size).toBe(50);
      expect(new Set(fs.readdirSync(s.session.artifacts).filter((n) => n !== 'MANIFEST.json'))).toEqual(names);
      const bodies = new Set([...names].map((n) => fs.readFileSync(path.join(s.session.artifacts, n), 'utf8')));
      expect(bodies).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `echo ${i}\n`)));
    } finally {
      s.cleanup();
    }
  });
});
