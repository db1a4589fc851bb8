// Each hook through its real sh script and dist/hook.js against a real session.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { runCs } from '../../support/cs.js';
import { archiveDiscoveries } from '../../../src/hooks/compact.js';
import { providerSpans } from '../../../src/secrets/providers.js';
import { hookSandbox, payload, runHookScript, type HookSandbox } from '../../support/hooks.js';

let sb: HookSandbox;
beforeEach(async () => {
  sb = await hookSandbox();
});
afterEach(() => sb.cleanup());

const read = (f: string) => fs.readFileSync(f, 'utf8');
const write = (file: string, content: string) => payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: file, content } }, sb.session.dir);

describe('PreToolUse: artifact capture', () => {
  it("keeps a tracked Write at Claude's path with the secret as an env reference, stores it, copies the file to .cs/artifacts, decides nothing", async () => {
    const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'deploy.sh'), '#!/bin/sh\nAPI_TOKEN=abc123\ncurl -H "x: $API_TOKEN"\n'), sb.hookEnv);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const content = '#!/bin/sh\nAPI_TOKEN=${API_TOKEN}\ncurl -H "x: $API_TOKEN"\n';
    expect(out).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        updatedInput: { file_path: path.join(sb.session.dir, 'deploy.sh'), content },
        additionalContext: expect.stringContaining('environment variable API_TOKEN'),
      },
    });
    expect(out.hookSpecificOutput.additionalContext).toContain('cs hooked -secrets exec --');
    expect(out.hookSpecificOutput.permissionDecision).toBeUndefined();
    expect(read(path.join(sb.session.artifacts, 'deploy.sh'))).toBe(content);
    const manifest = JSON.parse(read(sb.session.manifest));
    expect(manifest).toHaveLength(1);
    expect(manifest[0]).toMatchObject({ name: 'deploy.sh', original_path: path.join(sb.session.dir, 'deploy.sh'), secrets: ['API_TOKEN'] });
    expect(manifest[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest[0].captured_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const got = await runCs(['hooked', '-secrets', 'get', 'API_TOKEN'], { env: sb.env });
    expect(got.stdout.trim()).toBe('abc123');
    const grep = spawnSync('grep', ['-rl', 'abc123', sb.session.dir, sb.home], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');
    expect(grep.status).toBe(1); // 1: no match anywhere (2 would be an error)
  });

  it('copies to deploy_2.sh, deploy_3.sh on name clashes; a file without secrets is written as Claude asked', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'deploy.sh'), `echo ${i}\n`), sb.hookEnv);
      expect(r).toMatchObject({ code: 0, stdout: '' });
    }
    expect(JSON.parse(read(sb.session.manifest)).map((e: { name: string }) => e.name)).toEqual(['deploy.sh', 'deploy_2.sh', 'deploy_3.sh']);
    expect(read(path.join(sb.session.artifacts, 'deploy_3.sh'))).toBe('echo 2\n');
  });

  it("keeps a token in the file's name out of the copy's name, MANIFEST.json, the session log, the timeline and the autosave", async () => {
    const token = 'ghp_' + 'N4m3dT0k3nV4lu3Xq9Zk2Lm8Np7Qr6St5UvWx';
    const file = path.join(sb.session.dir, 'ops', `deploy-${token}.sh`);
    fs.mkdirSync(path.dirname(file));
    const r = await runHookScript('pre-tool-use', write(file, 'echo deploying\n'), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' }); // nothing in the content: written as Claude asked
    expect(fs.readdirSync(sb.session.artifacts).sort()).toEqual(['MANIFEST.json', 'deploy-GITHUB_TOKEN.sh']);
    expect(JSON.parse(read(sb.session.manifest))).toMatchObject([{ name: 'deploy-GITHUB_TOKEN.sh', original_path: path.join(fs.realpathSync(sb.session.dir), 'ops', 'deploy-[secret: GITHUB_TOKEN].sh') }]);
    expect(read(sb.session.sessionLog)).toContain('artifact captured: deploy-GITHUB_TOKEN.sh (from ops/deploy-[secret: GITHUB_TOKEN].sh)');
    const artifactEvent = read(path.join(sb.session.meta, 'timeline.jsonl')).split('\n').filter((l) => l.includes('"artifact"')).map((l) => JSON.parse(l));
    expect(artifactEvent).toMatchObject([{ name: 'deploy-GITHUB_TOKEN.sh', from: 'ops/deploy-[secret: GITHUB_TOKEN].sh' }]);
    // Stored, so every later scrub knows it.
    expect((await runCs([sb.session.name, '-secrets', 'get', 'GITHUB_TOKEN'], { env: sb.env })).stdout).toBe(`${token}\n`);
    // Nothing of cs's own holds the value, and the autosave takes all of .cs/
    // (none left out as holding it). The Write itself is not made: the
    // user's own file keeps the name Claude gave it.
    const grep = spawnSync('grep', ['-rl', '--exclude-dir=.git', token, sb.session.meta], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');
    const { autosave } = await import('../../../src/git/autosave.js');
    const saved = await autosave(sb.session.dir, { env: sb.env, known: { GITHUB_TOKEN: token } });
    expect(saved).toMatchObject({ saved: true });
    expect(saved.withSecrets ?? []).toEqual([]);
    const git = (...args: string[]) => execFileSync('git', ['-C', sb.session.dir, ...args], { encoding: 'utf8', env: sb.env });
    expect(git('log', '-p', '--name-only', 'refs/cs/auto')).not.toContain(token);
    expect(git('ls-tree', '-r', '--name-only', 'refs/cs/auto', '.cs')).toContain('.cs/artifacts/deploy-GITHUB_TOKEN.sh');
  });

  // Issue #26: three TOKEN values in three files, then the first value again.
  it('never stores a second value over a key: TOKEN, TOKEN_2, TOKEN_3, and the same value reuses its key', { timeout: 120_000 }, async () => {
    const keyOf = async (file: string, value: string) => {
      const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, file), `TOKEN=${value}\n`), sb.hookEnv);
      const out = JSON.parse(r.stdout).hookSpecificOutput;
      return { content: out.updatedInput.content as string, note: out.additionalContext as string };
    };
    expect(await keyOf('a.sh', 'value-one')).toMatchObject({ content: 'TOKEN=${TOKEN}\n' });
    const second = await keyOf('b.sh', 'value-two');
    expect(second.content).toBe('TOKEN=${TOKEN_2}\n');
    expect(second.note).toContain('TOKEN already holds a different value in this session, so the new value is TOKEN_2');
    expect((await keyOf('c.sh', 'value-three')).content).toBe('TOKEN=${TOKEN_3}\n');
    const again = await keyOf('d.sh', 'value-one');
    expect(again.content).toBe('TOKEN=${TOKEN}\n');
    expect(again.note).not.toContain('different value');
    const manifest = JSON.parse(read(sb.session.manifest)) as { name: string; secrets: string[] }[];
    expect(manifest.map((e) => [e.name, e.secrets])).toEqual([['a.sh', ['TOKEN']], ['b.sh', ['TOKEN_2']], ['c.sh', ['TOKEN_3']], ['d.sh', ['TOKEN']]]);
    for (const [k, v] of [['TOKEN', 'value-one'], ['TOKEN_2', 'value-two'], ['TOKEN_3', 'value-three']]) {
      expect((await runCs(['hooked', '-secrets', 'get', k!], { env: sb.env })).stdout.trim()).toBe(v);
    }
  });

  it.each([
    ['a plain text file', 'notes.txt'],
    ['a source file without a tracked extension', 'main.go'],
    ['a file inside .cs/', '.cs/discoveries.md'],
  ])('gives no output at all for %s', async (_what, rel) => {
    const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, rel), 'TOKEN=zzz\n'), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(JSON.parse(read(sb.session.manifest))).toEqual([]);
  });

  it('leaves Writes outside the workspace alone', async () => {
    const r = await runHookScript('pre-tool-use', write(path.join(sb.dir, 'elsewhere.sh'), 'echo\n'), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it('does not follow a symlink out of the workspace', async () => {
    fs.symlinkSync(sb.dir, path.join(sb.session.dir, 'escape'));
    const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'escape', 'x.sh'), 'echo\n'), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it('in an adopted repo, redacts in place instead of moving the file', async () => {
    fs.writeFileSync(path.join(sb.session.meta, 'adopted'), '');
    const file = path.join(sb.session.dir, 'config.json');
    const r = await runHookScript('pre-tool-use', write(file, '{\n  "password": "hunter22"\n}\n'), sb.hookEnv);
    const out = JSON.parse(r.stdout).hookSpecificOutput.updatedInput;
    expect(out.file_path).toBe(file);
    expect(out.content).not.toContain('hunter22');
    const clean = await runHookScript('pre-tool-use', write(file, '{"name": "x"}\n'), sb.hookEnv);
    expect(clean.stdout).toBe('');
  });
});

describe('the secret detector in long-lived hook processes', () => {
  it('leaves nothing behind per scan (the endpoint and the resident scan for days): no performance marks', async () => {
    const before = performance.getEntriesByType('mark').length;
    for (let i = 0; i < 20; i++) await providerSpans('command.sh', `export A=${i} && curl -H "x: y${i}" https://example.invalid/${i}`);
    expect(performance.getEntriesByType('mark').length - before).toBe(0);
  });

  it('a Write of a file with a huge name is answered in time, not after minutes (the detector is not quadratic in the name)', async () => {
    const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'a'.repeat(160_000) + '.sh'), 'echo hi\n'), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(r.ms).toBeLessThan(5000);
  }, 60_000);
});

describe('a secret found in a Bash call', () => {
  // Hosted and IDE sessions lose the env file when another Claude of the session ends, or the runtime folder is cleared.
  it('never replaces a stored value of the same name, env file or not: it gets the next free name', async () => {
    const first = 'ghp_' + 'R4nd0mT0k3nV4lu3Xq9Zk2Lm8Np7Qr6St5Uv';
    const second = 'ghp_' + 'Mm1Nn2Bb3Vv4Cc5Xx6Zz7Ll8Kk9Jj0HhGgFf';
    const captured = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'deploy.sh'), `curl -H "Authorization: token ${first}" x\n`), sb.hookEnv);
    expect(JSON.parse(captured.stdout).hookSpecificOutput.updatedInput.content).toContain('${GITHUB_TOKEN}');
    const { removeSessionEnvFile } = await import('../../../src/secrets/store.js');
    removeSessionEnvFile(sb.session.name, sb.hookEnv);
    const bash = payload('PostToolUse', { tool_name: 'Bash', tool_input: { command: `curl -H "Authorization: token ${second}" x` }, tool_response: { stdout: '' } }, sb.session.dir);
    expect(await runHookScript('post-tool-use', bash, sb.hookEnv)).toMatchObject({ code: 0, stdout: '' });
    const get = async (key: string) => (await runCs([sb.session.name, '-secrets', 'get', key], { env: sb.env })).stdout;
    expect(await get('GITHUB_TOKEN')).toBe(`${first}\n`);
    expect(await get('GITHUB_TOKEN_2')).toBe(`${second}\n`);
    const timeline = read(path.join(sb.session.meta, 'timeline.jsonl'));
    expect(timeline).toContain('[secret: GITHUB_TOKEN_2]');
    expect(timeline).not.toContain(second);
    // The same value again is recognised, not stored a third time.
    expect(await runHookScript('post-tool-use', bash, sb.hookEnv)).toMatchObject({ code: 0 });
    const keys = JSON.parse((await runCs([sb.session.name, '-secrets', 'list', '--json'], { env: sb.env })).stdout).keys;
    expect(keys.filter((k: string) => k.startsWith('GITHUB_TOKEN')).sort()).toEqual(['GITHUB_TOKEN', 'GITHUB_TOKEN_2']);
  });
});

describe('PostToolUse: change log', () => {
  const change = (tool: string, file: string) => payload('PostToolUse', { tool_name: tool, tool_input: { file_path: file, old_string: 'a', new_string: 'b' }, tool_response: { filePath: file } }, sb.session.dir);

  it('appends one line per change, relative inside the workspace, absolute outside', async () => {
    await runHookScript('post-tool-use', change('Edit', path.join(sb.session.dir, 'src/app.ts')), sb.hookEnv);
    await runHookScript('post-tool-use', change('Write', '/etc/hosts'), sb.hookEnv);
    await runHookScript('post-tool-use', change('Edit', path.join(sb.session.dir, 'we"ird\\name.txt')), sb.hookEnv);
    await runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'NotebookEdit', tool_input: { notebook_path: path.join(sb.session.dir, 'a.ipynb') } }, sb.session.dir), sb.hookEnv);
    // Out of the workspace by '..': the resolved absolute path (sh used to write '../x').
    await runHookScript('post-tool-use', change('Write', `${sb.session.dir}/../x`), sb.hookEnv);
    const lines = read(sb.session.changes).split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(5);
    expect(lines[4]!.endsWith(`] Write: ${path.join(path.dirname(sb.session.dir), 'x')}`), lines[4]).toBe(true);
    expect(lines[0]).toMatch(/^- \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Edit: src\/app\.ts$/);
    expect(lines[1]).toMatch(/\] Write: \/etc\/hosts$/);
    expect(lines[2]).toMatch(/\] Edit: we"ird\\name\.txt$/);
    expect(lines[3]).toMatch(/\] NotebookEdit: a\.ipynb$/);
  });

  it('autosaves past a stamp from the future (the clock was set back), as autosaveIfDue does', async () => {
    const { AUTOSAVE_STAMP, autosaveIfDue } = await import('../../../src/git/autosave.js');
    const git = (...args: string[]) => execFileSync('git', ['-C', sb.session.dir, ...args], { encoding: 'utf8', env: sb.env }).trim();
    const stamp = path.join(sb.session.dir, AUTOSAVE_STAMP);
    const future = (ms: number) => {
      const t = Date.now() + ms;
      fs.mkdirSync(path.dirname(stamp), { recursive: true });
      fs.writeFileSync(stamp, String(t));
      fs.utimesSync(stamp, t / 1000, t / 1000);
    };
    const auto = () => spawnSync('git', ['-C', sb.session.dir, 'rev-parse', '-q', '--verify', 'refs/cs/auto'], { encoding: 'utf8', env: sb.env }).stdout.trim();
    fs.writeFileSync(path.join(sb.session.dir, 'a.txt'), 'one\n');
    future(10 * 60_000);
    expect((await runHookScript('post-tool-use', change('Write', path.join(sb.session.dir, 'a.txt')), sb.hookEnv)).code).toBe(0);
    const first = auto();
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect(git('show', `${first}:a.txt`)).toBe('one');
    // The same stamp in Node: due too.
    fs.writeFileSync(path.join(sb.session.dir, 'a.txt'), 'two\n');
    future(10 * 60_000);
    expect((await autosaveIfDue(sb.session.dir, 60_000, { env: sb.env })).saved).toBe(true);
  });

  it('never keeps a secret value of a path: a token as a folder or file name, a stored value in the name (sh and Node)', async () => {
    const token = 'ghp_' + 'P4thT0k3nV4lu3Xq9Zk2Lm8Np7Qr6St5UvWx';
    const stored = 'pl41nst0r3dvalue';
    await runCs([sb.session.name, '-secrets', 'set', 'DB_PASSWORD'], { env: sb.env, input: stored });
    // The running session's env file, as SessionStart writes it: what cs_secret_in reads in sh.
    await (await import('../../../src/hooks/handlers.js')).secretsForBash(sb.session, sb.hookEnv, () => {});
    const files = [
      path.join(sb.session.dir, token, 'notes.txt'), // a plain path sh could write itself
      path.join(sb.session.dir, 'dir', `${token}.md`),
      path.join(sb.session.dir, `we"ird-${token}.txt`), // escaped in JSON: Node's from the start
      path.join(sb.session.dir, `dump-${stored}.sql`),
      path.join(sb.session.dir, 'plain.txt'),
    ];
    for (const f of files) expect(await runHookScript('post-tool-use', change('Write', f), sb.hookEnv)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const changes = read(sb.session.changes);
    expect(changes).not.toContain(token);
    expect(changes).not.toContain(stored);
    const lines = changes.split('\n').filter((l) => l.startsWith('- '));
    expect(lines.map((l) => l.replace(/^- \[[^\]]+\] /, ''))).toEqual([
      'Write: [secret: GITHUB_TOKEN]/notes.txt',
      'Write: dir/[secret: GITHUB_TOKEN].md',
      'Write: we"ird-[secret: GITHUB_TOKEN].txt',
      'Write: dump-[secret: DB_PASSWORD].sql',
      'Write: plain.txt',
    ]);
    // Stored once, as the timeline's scrub names it; the records stay in the autosave.
    expect((await runCs([sb.session.name, '-secrets', 'get', 'GITHUB_TOKEN'], { env: sb.env })).stdout).toBe(`${token}\n`);
    expect(read(sb.session.sessionLog)).not.toMatch(/left out of the snapshot.*changes\.md/);
  });

  it('skips .cs documents and artifacts', async () => {
    await runHookScript('post-tool-use', change('Edit', path.join(sb.session.meta, 'discoveries.md')), sb.hookEnv);
    await runHookScript('post-tool-use', change('Write', path.join(sb.session.artifacts, 'x.sh')), sb.hookEnv);
    expect(read(sb.session.changes)).not.toMatch(/^- /m);
  });
});

describe('Stop, PreCompact, SessionStart, SessionEnd, SubagentStart, PermissionRequest, failures', () => {
  it('Stop reminds once when files changed after the last discoveries edit, then waits 5 minutes', async () => {
    const stop = payload('Stop', { stop_hook_active: false }, sb.session.dir);
    expect((await runHookScript('stop', stop, sb.hookEnv)).stdout).toBe(''); // nothing changed yet
    const later = new Date(Date.now() + 2000);
    fs.appendFileSync(sb.session.changes, '- [2026-11-23 10:00:00] Edit: a\n');
    fs.utimesSync(sb.session.changes, later, later);
    const first = JSON.parse((await runHookScript('stop', stop, sb.hookEnv)).stdout);
    expect(first.decision).toBe('block');
    expect(first.reason).toContain('discoveries.md');
    expect((await runHookScript('stop', stop, sb.hookEnv)).stdout).toBe('');
    fs.rmSync(path.join(sb.session.local, 'stop-reminder.json'));
    fs.appendFileSync(sb.session.changes, '- [2026-11-23 10:00:01] Edit: b\n');
    fs.utimesSync(sb.session.changes, later, later);
    expect((await runHookScript('stop', payload('Stop', { stop_hook_active: true }, sb.session.dir), sb.hookEnv)).stdout).toBe('');
  });

  it('PreCompact archives old sections over 200 lines, prints nothing, loses nothing', async () => {
    const sections = Array.from({ length: 30 }, (_, i) => `## 2026-11-${String((i % 28) + 1).padStart(2, '0')} topic ${i}\n${Array.from({ length: 9 }, (_, j) => `line ${i}.${j}`).join('\n')}\n`);
    const original = `# Discoveries: hooked\n\n${sections.join('')}`;
    fs.writeFileSync(sb.session.discoveries, original);
    const r = await runHookScript('pre-compact', payload('PreCompact', { trigger: 'auto', custom_instructions: null }, sb.session.dir), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    const kept = read(sb.session.discoveries);
    const archive = read(sb.session.discoveriesArchive);
    expect(kept.split('\n').length).toBeLessThanOrEqual(105);
    expect(kept.startsWith('# Discoveries: hooked\n')).toBe(true);
    expect(kept).toContain('topic 29');
    const all = new Set([...kept.split('\n'), ...archive.split('\n')]);
    for (const line of original.split('\n')) expect(all.has(line)).toBe(true);
    // sections are whole on each side
    expect(archive.match(/^## /gm)!.length + kept.match(/^## /gm)!.length).toBe(30);
  });

  it('PreCompact keeps what is written to discoveries.md while it archives: appended lines stay, a change in place leaves both files as they were', () => {
    const sections = Array.from({ length: 30 }, (_, i) => `## 2026-11-01 topic ${i}\n${Array.from({ length: 9 }, (_, j) => `line ${i}.${j}`).join('\n')}\n`);
    const original = `# Discoveries: hooked\n\n${sections.join('')}`;
    const session = { paths: sb.session, launchedByCs: false };
    fs.writeFileSync(sb.session.discoveries, original);
    // A discovery recorded while the archive is being written (a subagent's Edit, a feature merge).
    const late = '\n## 2026-11-02 late\nfound during compaction\n';
    expect(archiveDiscoveries(session, () => fs.appendFileSync(sb.session.discoveries, late))).not.toBeNull();
    const kept = read(sb.session.discoveries);
    expect(kept.endsWith(late)).toBe(true);
    const all = new Set([...kept.split('\n'), ...read(sb.session.discoveriesArchive).split('\n')]);
    for (const line of (original + late).split('\n')) expect(all.has(line)).toBe(true);

    // Edited in place meanwhile: nothing moves, the archive is as it was before.
    const archiveBefore = read(sb.session.discoveriesArchive);
    const longer = `${kept}${sections.join('')}`;
    fs.writeFileSync(sb.session.discoveries, longer);
    const edited = longer.replace('line 3.3', 'line 3.3 (corrected)');
    expect(archiveDiscoveries(session, () => fs.writeFileSync(sb.session.discoveries, edited))).toBeNull();
    expect(read(sb.session.discoveries)).toBe(edited);
    expect(read(sb.session.discoveriesArchive)).toBe(archiveBefore);
    // With no archive before, none is left behind.
    fs.rmSync(sb.session.discoveriesArchive);
    fs.writeFileSync(sb.session.discoveries, original);
    expect(archiveDiscoveries(session, () => fs.writeFileSync(sb.session.discoveries, original.replace('line 1.1', 'line 1.1!')))).toBeNull();
    expect(fs.existsSync(sb.session.discoveriesArchive)).toBe(false);
  });

  it('SessionStart injects the session context and exports the env when cs did not launch Claude', async () => {
    fs.writeFileSync(sb.session.readme, '# hooked\n\n## Objective\nFix the flaky deploy\n');
    fs.appendFileSync(sb.session.discoveries, '\n## 2026-11-23 cause\nThe cache is stale.\n');
    const envFile = path.join(sb.dir, 'claude-env');
    fs.writeFileSync(envFile, '');
    const r = await runHookScript('session-start', payload('SessionStart', { source: 'startup' }, sb.session.dir), { ...sb.hookEnv, CLAUDE_ENV_FILE: envFile });
    const out = JSON.parse(r.stdout);
    expect(out.hookSpecificOutput.hookEventName).toBe('SessionStart');
    expect(out.hookSpecificOutput.additionalContext).toContain('Objective: Fix the flaky deploy');
    expect(out.hookSpecificOutput.additionalContext).toContain('The cache is stale.');
    // The export lines are shell: sourcing them gives back the exact values.
    expect(execFileSync('sh', ['-c', '. "$1"; printf %s "$CLAUDE_SESSION_DIR"', 'sh', envFile], { encoding: 'utf8' })).toBe(sb.session.dir);
    expect(read(sb.session.sessionLog)).toMatch(/claude session start \(startup/);
  });

  it('a discovery title with a secret in it reaches the timeline file as [secret: KEY]', async () => {
    const stored = 'pass.wo*rd+(x)'; // regex metacharacters: taken out as text
    const fresh = 'ghp_' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9z';
    expect((await runCs(['hooked', '-secrets', 'set', 'DB_PASSWORD'], { env: sb.env, input: stored })).code).toBe(0);
    fs.appendFileSync(sb.session.discoveries, `\n## the db password is ${stored}\nworks\n\n## token ${fresh} can push\nyes\n`);
    const edit = payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: sb.session.discoveries, old_string: 'a', new_string: 'b' }, tool_response: {} }, sb.session.dir);
    expect((await runHookScript('post-tool-use', edit, sb.hookEnv)).code).toBe(0);
    const timeline = read(path.join(sb.session.meta, 'timeline.jsonl'));
    const titles = timeline.split('\n').filter((l) => l.includes('"discovery"')).map((l) => JSON.parse(l).title);
    expect(titles).toEqual(['the db password is [secret: DB_PASSWORD]', 'token [secret: GITHUB_TOKEN] can push']);
    expect(timeline).not.toContain(stored);
    expect(timeline).not.toContain(fresh);
    expect((await runCs(['hooked', '-secrets', 'get', 'GITHUB_TOKEN'], { env: sb.env })).stdout.trim()).toBe(fresh);
  });

  it('SubagentStart injects the same context', async () => {
    const r = await runHookScript('subagent-start', payload('SubagentStart', { agent_id: 'a1', agent_type: 'claude' }, sb.session.dir), sb.hookEnv);
    expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({ hookEventName: 'SubagentStart' });
  });

  it('SessionEnd logs, archives artifacts, and commits when cs did not launch Claude', async () => {
    fs.writeFileSync(path.join(sb.session.artifacts, 'run.sh'), 'echo\n');
    fs.writeFileSync(path.join(sb.session.dir, 'notes.txt'), 'x\n');
    const r = await runHookScript('session-end', payload('SessionEnd', { reason: 'other' }, sb.session.dir), sb.hookEnv);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    const archives = fs.readdirSync(sb.session.archives);
    expect(archives).toHaveLength(1);
    expect(execFileSync('tar', ['-tzf', path.join(sb.session.archives, archives[0]!)], { encoding: 'utf8' })).toContain('artifacts/run.sh');
    expect(read(sb.session.sessionLog)).toMatch(/claude session end \(other\)/);
    expect(execFileSync('git', ['log', '-1', '--format=%s'], { cwd: sb.session.dir, encoding: 'utf8' })).toMatch(/^Session update: \d+ files? \(/);
  });

  it('PermissionRequest allows Write/Edit inside .cs/ only', async () => {
    const ask = (tool: string, file: string) => runHookScript('permission-request', payload('PermissionRequest', { tool_name: tool, tool_input: { file_path: file, content: 'x' } }, sb.session.dir), sb.hookEnv);
    expect(JSON.parse((await ask('Write', path.join(sb.session.artifacts, 'a.sh'))).stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
    expect((await ask('Write', path.join(sb.session.dir, 'a.sh'))).stdout).toBe('');
    expect((await ask('Bash', path.join(sb.session.meta, 'x'))).stdout).toBe('');
    expect((await ask('Write', path.join(sb.session.meta, '..', 'evil.sh'))).stdout).toBe('');
    fs.symlinkSync(sb.dir, path.join(sb.session.meta, 'out'));
    expect((await ask('Write', path.join(sb.session.meta, 'out', 'evil.sh'))).stdout).toBe('');
  });

  it('PostToolUseFailure logs the failure', async () => {
    await runHookScript('post-tool-use-failure', payload('PostToolUseFailure', { tool_name: 'Bash', tool_input: { command: 'exit 3' }, error: 'Exit code 3' }, sb.session.dir), sb.hookEnv);
    expect(read(sb.session.sessionLog)).toMatch(/tool failed: Bash: Exit code 3/);
  });
});
