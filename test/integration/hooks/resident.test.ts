// The resident hook helper of a Claude that cs did not launch
// (src/hooks/resident.ts): the sh hooks hand it their input over a unix
// socket with curl instead of starting Node; it answers what Node answers,
// goes with its Claude, keeps to the user's private folder, and without it
// the hooks start Node as before.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { answerHook } from '../../../src/hooks/main.js';
import { residentAnswers, residentSocket, settleSpool, startResident, type Answer, type Resident } from '../../../src/hooks/resident.js';
import { drainSpool, spoolOf } from '../../../src/hooks/spool.js';
import { repoRoot } from '../../support/cs.js';
import { hookSandbox, noAutosaveDue, payload, runHookScript, type HookSandbox } from '../../support/hooks.js';

let sb: HookSandbox;
let resident: Resident | null = null;
beforeEach(async () => {
  sb = await hookSandbox('resident');
});
afterEach(async () => {
  await resident?.close();
  resident = null;
  sb.cleanup();
});

/** The hooks' environment with a `node` first on PATH that records each start (`start <event>` lines). */
function countingNode(): { env: NodeJS.ProcessEnv; starts: () => string[] } {
  const bin = path.join(sb.dir, 'bin');
  const log = path.join(sb.dir, 'node-starts');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(log, '');
  fs.writeFileSync(path.join(bin, 'node'), `#!/bin/sh\necho "start $2" >> '${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  const env = { ...sb.hookEnv, PATH: `${bin}:${process.env.PATH}` };
  return { env, starts: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** Process ids of the residents serving Claude `claudePid` for the user whose HOME is `home`. */
function residentsOf(claudePid: number, home: string): string[] {
  return fs.readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      return cmdline.includes('hook.js\0resident') && environ.includes(`CS_CLAUDE_PID=${claudePid}\0`) && environ.includes(`HOME=${home}\0`);
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** answerHook, with hook input of `event` answered `ms` later: a slow record (or autosave) made visible. */
const slowed =
  (event: string, ms: number): Answer =>
  async (e, text, env, now) => {
    if (e === event) await new Promise((resolve) => setTimeout(resolve, ms));
    return answerHook(e, text, env, now);
  };

const write = (file: string, content: string) => payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: file, content } }, sb.session.dir);
const script = '#!/bin/sh\nAPI_TOKEN=abc123resident\ncurl -H "x: $API_TOKEN" https://example.invalid\n';

/** The answer with the file's name taken out, to compare two captures. */
const answerOf = (stdout: string, name: string) => JSON.parse(stdout.split(name).join('<file>')) as unknown;

describe('the resident of a Claude that cs did not launch', () => {
  it('answers a capture as a Node of its own does, and no Node starts', async () => {
    // This test process stands for the Claude: the hook scripts it starts have it as their parent.
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0 });
    expect(resident).not.toBeNull();
    const { env, starts } = countingNode();
    const viaResident = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'a.sh'), script), env);
    expect(viaResident.code).toBe(0);
    expect(viaResident.stderr).toBe('');
    expect(starts()).toEqual([]);
    expect(fs.readFileSync(path.join(sb.session.artifacts, 'a.sh'), 'utf8')).toBe(script.replace('abc123resident', '${API_TOKEN}'));
    // Without it: a Node starts, and gives the same answer.
    await resident!.close();
    resident = null;
    const viaNode = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'b.sh'), script), env);
    expect(starts()).toEqual(['start pre-tool-use']);
    expect(answerOf(viaResident.stdout, 'a.sh')).toEqual(answerOf(viaNode.stdout, 'b.sh'));
    expect((answerOf(viaNode.stdout, 'b.sh') as { hookSpecificOutput: { updatedInput: { content: string } } }).hookSpecificOutput.updatedInput.content).toContain('${API_TOKEN}');
    const manifest = JSON.parse(fs.readFileSync(sb.session.manifest, 'utf8')) as Array<{ name: string }>;
    expect(manifest.map((m) => m.name)).toEqual(['a.sh', 'b.sh']);
  });

  it("records post-tool-use's input from its spool: one cat, no Node, no curl, and what Node would write", async () => {
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0 });
    expect(resident!.spool).toBe(spoolOf(resident!.socket));
    const { env, starts } = countingNode();
    // A curl first on PATH that records each call: the spool needs none.
    const curls = path.join(sb.dir, 'curl-calls');
    fs.writeFileSync(path.join(sb.dir, 'bin', 'curl'), `#!/bin/sh\necho "$@" >> '${curls}'\nexit 7\n`, { mode: 0o755 });
    noAutosaveDue(sb.session.dir);
    const token = `ghp_${'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6'}`;
    const bash = payload('PostToolUse', { tool_name: 'Bash', tool_input: { command: `curl -H "Authorization: token ${token}" https://api.github.com` }, tool_response: { stdout: '' } }, sb.session.dir);
    expect((await runHookScript('post-tool-use', bash, env)).code).toBe(0);
    const dotted = payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/src/../up.txt`, content: 'x' }, tool_response: {} }, sb.session.dir);
    expect((await runHookScript('post-tool-use', dotted, env)).code).toBe(0);
    const plain = payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: `${sb.session.dir}/notes.md`, old_string: 'a', new_string: 'b' }, tool_response: {} }, sb.session.dir);
    const r = await runHookScript('post-tool-use', plain, env);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    await resident!.drain();
    expect(starts()).toEqual([]);
    expect(fs.existsSync(curls)).toBe(false);
    expect(fs.readdirSync(resident!.spool!)).toEqual(['resident']);
    const timeline = fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8');
    expect(timeline).not.toContain(token);
    expect(timeline).toContain('[secret: ');
    expect(timeline.trim().split('\n').map((l) => (JSON.parse(l) as { tool: string }).tool)).toEqual(['Bash', 'Write', 'Edit']);
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/\] Write: up\.txt\n- \[[^\]]+\] Edit: notes\.md\n$/);
    expect(JSON.parse(fs.readFileSync(path.join(sb.session.local, 'status.json'), 'utf8'))).toMatchObject({ state: 'working', event: 'PostToolUse' });
  });

  it('records each spooled input at the time it was written, oldest first, and before it answers a later hook', async () => {
    // Each record slowed down, so that Stop arrives while they are being written.
    resident = await startResident(sb.hookEnv, process.pid, slowed('post-tool-now', 300), { warmUpMs: 0, pollMs: 60_000 });
    const spool = resident!.spool!;
    noAutosaveDue(sb.session.dir);
    // Written by hooks that have ended (process ids no process has): the newest first, by name.
    const dead = [4194301, 4194302, 4194303];
    const times = [Date.parse('2026-11-30T10:00:03Z'), Date.parse('2026-11-30T10:00:01Z'), Date.parse('2026-11-30T10:00:02Z')];
    dead.forEach((pid, i) => {
      const file = path.join(spool, String(pid));
      fs.writeFileSync(file, payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/f${i}.txt`, content: 'x' }, tool_response: {} }, sb.session.dir));
      fs.utimesSync(file, times[i]! / 1000, times[i]! / 1000);
    });
    // Stop, through the hook script and the resident: the reminder counts the change log lines the spool held.
    const stop = await runHookScript('stop', payload('Stop', { stop_hook_active: false }, sb.session.dir), sb.hookEnv);
    expect(JSON.parse(stop.stdout)).toMatchObject({ decision: 'block' });
    const timeline = fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { ts: string; target: string });
    expect(timeline.map((t) => [t.ts, t.target])).toEqual([
      ['2026-11-30T10:00:01.000Z', 'f1.txt'],
      ['2026-11-30T10:00:02.000Z', 'f2.txt'],
      ['2026-11-30T10:00:03.000Z', 'f0.txt'],
    ]);
    expect(fs.readdirSync(spool)).toEqual(['resident']);
  });

  it('runs the autosave after the records, on a line of its own: a later hook waits for the records, not for git', async () => {
    resident = await startResident(sb.hookEnv, process.pid, slowed('post-tool-background', 3000), { warmUpMs: 0, pollMs: 60_000 });
    fs.writeFileSync(path.join(resident!.spool!, '4194309'), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/w.txt`, content: 'x' }, tool_response: {} }, sb.session.dir));
    const capture = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'k.sh'), script), sb.hookEnv);
    expect(capture.ms).toBeLessThan(2500);
    expect(JSON.parse(capture.stdout).hookSpecificOutput.updatedInput.content).toContain('${API_TOKEN}');
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Write: w\.txt\n/);
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).not.toMatch(/autosave [0-9a-f]{12}/);
    // It is done before the resident goes.
    await resident!.close();
    resident = null;
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/autosave [0-9a-f]{12}/);
  });

  it('waits for an input still being written, records one cut off as Node would (a problem in the log), and reads nothing else', async () => {
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0, pollMs: 60_000 });
    const spool = resident!.spool!;
    // A writer that still runs: its input is left until it has ended.
    const writer = spawn('sleep', ['30'], { stdio: 'ignore' });
    const cut = path.join(spool, String(writer.pid));
    fs.writeFileSync(cut, payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/cut.txt`, content: 'x' } }, sb.session.dir).slice(0, 80));
    // Not an input: a link (to a file of inputs' shape), a name that is no process id, a folder.
    const elsewhere = path.join(sb.dir, 'elsewhere.json');
    fs.writeFileSync(elsewhere, payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/linked.txt`, content: 'x' } }, sb.session.dir));
    fs.symlinkSync(elsewhere, path.join(spool, '4194304'));
    fs.copyFileSync(elsewhere, path.join(spool, 'input.json'));
    fs.mkdirSync(path.join(spool, '4194305'));
    await resident!.drain();
    expect(fs.existsSync(cut)).toBe(true);
    expect(fs.existsSync(sb.session.changes) ? fs.readFileSync(sb.session.changes, 'utf8') : '').not.toContain('.txt');
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.once('exit', resolve));
    await expect.poll(() => fs.existsSync(cut), { timeout: 5000 }).toBe(false);
    await resident!.drain();
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8').match(/hook problem: post-tool[a-z-]*: /g)).toEqual(['hook problem: post-tool-now: ']);
    expect(fs.existsSync(sb.session.changes) ? fs.readFileSync(sb.session.changes, 'utf8') : '').not.toContain('.txt');
    expect(fs.readdirSync(spool).sort()).toEqual(['4194304', '4194305', 'input.json', 'resident']);
  });

  it('is spooled to only while its resident runs, in folders of the user\'s: else post-tool-use writes as before', async () => {
    const { env, starts } = countingNode();
    noAutosaveDue(sb.session.dir);
    const spool = spoolOf(residentSocket(sb.hookEnv, process.pid));
    const edit = (name: string) => payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: `${sb.session.dir}/${name}`, old_string: 'a', new_string: 'b' }, tool_response: {} }, sb.session.dir);
    const logged = () => (fs.existsSync(sb.session.changes) ? fs.readFileSync(sb.session.changes, 'utf8') : '');
    // A spool whose drainer runs (this process stands for it, with a socket that answers nothing), no
    // resident to drain it: the input waits there, the user's alone.
    fs.mkdirSync(spool, { recursive: true, mode: 0o700 });
    fs.chmodSync(path.dirname(spool), 0o700);
    fs.writeFileSync(path.join(spool, 'resident'), `${process.pid}\n`);
    await runHookScript('post-tool-use', edit('n.md'), env);
    expect(logged()).toMatch(/Edit: n\.md\n$/); // no socket (a hand-over it did not answer took it away): in place
    const socket = net.createServer().listen(residentSocket(sb.hookEnv, process.pid));
    await new Promise((resolve) => socket.once('listening', resolve));
    onTestFinished(() => void socket.close());
    await runHookScript('post-tool-use', edit('a.md'), env);
    const waiting = fs.readdirSync(spool).filter((n) => n !== 'resident');
    expect(waiting).toHaveLength(1);
    expect(fs.readFileSync(path.join(spool, waiting[0]!), 'utf8')).toBe(edit('a.md'));
    expect(fs.statSync(path.join(spool, waiting[0]!)).mode & 0o777).toBe(0o600);
    expect(logged()).not.toContain('a.md');
    fs.rmSync(path.join(spool, waiting[0]!));
    // Its drainer gone: written by sh at once.
    fs.writeFileSync(path.join(spool, 'resident'), '4194306\n');
    await runHookScript('post-tool-use', edit('b.md'), env);
    expect(logged()).toMatch(/Edit: b\.md\n$/);
    // A spool that is a link, or whose drainer file is: not written to.
    fs.writeFileSync(path.join(spool, 'resident'), `${process.pid}\n`);
    const other = path.join(sb.dir, 'other-spool');
    fs.renameSync(spool, other);
    fs.symlinkSync(other, spool);
    await runHookScript('post-tool-use', edit('c.md'), env);
    expect(logged()).toMatch(/Edit: c\.md\n$/);
    fs.rmSync(spool);
    fs.mkdirSync(spool, { mode: 0o700 });
    fs.symlinkSync(path.join(other, 'resident'), path.join(spool, 'resident'));
    await runHookScript('post-tool-use', edit('d.md'), env);
    expect(logged()).toMatch(/Edit: d\.md\n$/);
    expect(fs.readdirSync(other)).toEqual(['resident']);
    expect(fs.readdirSync(spool)).toEqual(['resident']);
    expect(starts()).toEqual([]);
    // A cat that fails on the way (a full disk): the part written goes, the script ends quietly, nothing half read is recorded.
    fs.rmSync(path.join(spool, 'resident'));
    fs.writeFileSync(path.join(spool, 'resident'), `${process.pid}\n`);
    fs.writeFileSync(path.join(sb.dir, 'bin', 'cat'), '#!/bin/sh\nhead -c 40\nexit 1\n', { mode: 0o755 });
    const full = await runHookScript('post-tool-use', edit('e.md'), env);
    expect([full.code, full.stdout, full.stderr]).toEqual([0, '', '']);
    expect(fs.readdirSync(spool)).toEqual(['resident']);
    expect(logged()).not.toContain('e.md');
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).not.toContain('hook problem');
  });

  it('on going, lets the hooks write in place at once, and records what a hook was still writing', async () => {
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0, pollMs: 60_000 });
    const spool = resident!.spool!;
    const writer = spawn('sleep', ['30'], { stdio: 'ignore' });
    const input = payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/late.txt`, content: 'x' } }, sb.session.dir);
    fs.writeFileSync(path.join(spool, String(writer.pid)), input.slice(0, 50));
    const closing = resident!.close();
    resident = null;
    expect(fs.existsSync(path.join(spool, 'resident'))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    fs.writeFileSync(path.join(spool, String(writer.pid)), input);
    writer.kill('SIGKILL');
    await closing;
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Write: late\.txt\n$/);
    expect(fs.existsSync(spool)).toBe(false);
  });

  it('goes when its folders are opened to others meanwhile, and the hooks stop spooling', async () => {
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0, pollMs: 50 });
    const spool = resident!.spool!;
    fs.chmodSync(path.dirname(spool), 0o777);
    await resident!.closed;
    resident = null;
    expect(fs.existsSync(spool)).toBe(false);
    noAutosaveDue(sb.session.dir);
    fs.chmodSync(path.dirname(spool), 0o700);
    await runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: `${sb.session.dir}/o.md`, old_string: 'a', new_string: 'b' }, tool_response: {} }, sb.session.dir), sb.hookEnv);
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Edit: o\.md\n$/);
  });

  it('records what a resident before it left, and what is spooled up to its going', async () => {
    const spool = spoolOf(residentSocket(sb.hookEnv, process.pid));
    noAutosaveDue(sb.session.dir);
    fs.mkdirSync(spool, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(spool, '4194307'), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/left.txt`, content: 'x' } }, sb.session.dir));
    fs.chmodSync(spool, 0o755); // left open to others by hand: closed again before the hooks are let in
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0, pollMs: 60_000 });
    expect(fs.statSync(spool).mode & 0o777).toBe(0o700);
    await resident!.drain();
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Write: left\.txt\n$/);
    fs.writeFileSync(path.join(spool, '4194308'), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/last.txt`, content: 'x' } }, sb.session.dir));
    await resident!.close();
    resident = null;
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Write: left\.txt\n.*Write: last\.txt\n$/s);
    expect(fs.existsSync(spool)).toBe(false);
  });

  /** The kinds of .cs/timeline.jsonl's lines, in order (a tool line as `tool <name>`). */
  const timelineKinds = () =>
    fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => {
      const e = JSON.parse(l) as { type: string; tool?: string };
      return e.type === 'tool' ? `tool ${e.tool}` : e.type;
    });
  const sessionEnd = () => payload('SessionEnd', { reason: 'other' }, sb.session.dir);

  /**
   * What a resident of this Claude killed outright leaves: its socket file, which refuses, and its
   * spool, whose owner file names `owner` (by default the id of a live process, as when another
   * process took the dead resident's id: the hooks' kill 0 then still says it runs). Also gives a
   * live process's id.
   */
  function killedResident(owner?: number): { socket: string; spool: string; live: number } {
    const socket = residentSocket(sb.hookEnv, process.pid);
    const spool = spoolOf(socket);
    fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    const live = spawn('sleep', ['30'], { stdio: 'ignore' });
    onTestFinished(() => void live.kill('SIGKILL'));
    fs.mkdirSync(spool, { mode: 0o700 });
    fs.writeFileSync(path.join(spool, 'resident'), `${owner ?? live.pid}\n`);
    return { socket, spool, live: live.pid! };
  }

  it('at SessionEnd, what a resident killed outright left in its spool is recorded first (no later hand-over would have)', { timeout: 30_000 }, async () => {
    const { socket, spool } = killedResident();
    noAutosaveDue(sb.session.dir);
    fs.writeFileSync(path.join(spool, '4194307'), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/left.txt`, content: 'x' } }, sb.session.dir));
    const { env, starts } = countingNode();
    await runHookScript('session-end', sessionEnd(), env);
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Write: left\.txt\n$/);
    expect(timelineKinds()).toEqual(['tool Write', 'session-end']);
    expect(fs.existsSync(spool)).toBe(false);
    expect(fs.existsSync(socket)).toBe(false);
    expect(starts()).toEqual(['start session-end']); // no resident started for a Claude that is ending
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).not.toMatch(/hook (problem|error)/);
  });

  it('at SessionEnd, a resident that runs records its spool before the end writes a line', { timeout: 30_000 }, async () => {
    // Its record of the input takes 1.5 s: the end, a Node of its own, waits for it.
    resident = await startResident(sb.hookEnv, process.pid, slowed('post-tool-now', 1500), { warmUpMs: 0, pollMs: 60_000 });
    const spool = resident!.spool!;
    noAutosaveDue(sb.session.dir);
    fs.writeFileSync(path.join(spool, '4194307'), payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: `${sb.session.dir}/e.md`, old_string: 'a', new_string: 'b' }, tool_response: {} }, sb.session.dir));
    await runHookScript('session-end', sessionEnd(), sb.hookEnv);
    expect(timelineKinds()).toEqual(['tool Edit', 'session-end']);
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Edit: e\.md\n$/);
    expect(await residentAnswers(resident!.socket)).toBe(true); // it goes with its Claude, not at SessionEnd
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).not.toMatch(/hook (problem|error)/);
  });

  it("at SessionEnd, a resident that runs has the records' autosave done too before the end writes a line (its commit follows)", { timeout: 30_000 }, async () => {
    resident = await startResident(sb.hookEnv, process.pid, slowed('post-tool-background', 1500), { warmUpMs: 0, pollMs: 60_000 });
    fs.writeFileSync(path.join(resident!.spool!, '4194307'), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/w.txt`, content: 'x' }, tool_response: {} }, sb.session.dir));
    fs.writeFileSync(path.join(sb.session.dir, 'w.txt'), 'x');
    await runHookScript('session-end', sessionEnd(), sb.hookEnv);
    expect(timelineKinds()).toEqual(['tool Write', 'autosave', 'session-end']);
  });

  it('at SessionEnd, an input a killed resident left is recorded at once, though its writer\'s id is taken by a live process', { timeout: 30_000 }, async () => {
    const { spool, live } = killedResident(4194306);
    noAutosaveDue(sb.session.dir);
    // Every post-tool-use script has ended by SessionEnd: a live process under a writer's id is another's.
    fs.writeFileSync(path.join(spool, String(live)), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/r.txt`, content: 'x' } }, sb.session.dir));
    const r = await runHookScript('session-end', sessionEnd(), sb.hookEnv);
    expect(r.ms).toBeLessThan(10_000); // not the 30 s a writer may take
    expect(timelineKinds()).toEqual(['tool Write', 'session-end']);
    expect(fs.existsSync(spool)).toBe(false);
  });

  it("at SessionEnd, an input the killed resident had claimed but not recorded is recorded, though another process has its id", { timeout: 30_000 }, async () => {
    const { spool, live } = killedResident();
    noAutosaveDue(sb.session.dir);
    fs.writeFileSync(path.join(spool, `.claim-${live}-4194307`), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/claimed.txt`, content: 'x' } }, sb.session.dir));
    await runHookScript('session-end', sessionEnd(), sb.hookEnv);
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Write: claimed\.txt\n$/);
    expect(timelineKinds()).toEqual(['tool Write', 'session-end']);
    expect(fs.existsSync(spool)).toBe(false);
  });

  it('at SessionEnd, a resident from before the spool hand-over (it answers 404) is waited for until its spool is empty', { timeout: 30_000 }, async () => {
    const socket = residentSocket(sb.hookEnv, process.pid);
    const spool = spoolOf(socket);
    fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    const older = http.createServer((req, res) => void req.resume().on('end', () => res.writeHead(404).end()));
    await new Promise<void>((resolve) => older.listen(socket, () => resolve()));
    onTestFinished(() => void older.close());
    fs.mkdirSync(spool, { mode: 0o700 });
    fs.writeFileSync(path.join(spool, 'resident'), `${process.pid}\n`);
    const input = path.join(spool, '4194307');
    fs.writeFileSync(input, '{}');
    // The older resident records it (here: takes it away) 1.5 s later.
    setTimeout(() => fs.rmSync(input), 1500);
    const recorded: string[] = [];
    const t0 = Date.now();
    await settleSpool(sb.hookEnv, process.pid, async (event) => (recorded.push(event), ""));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(fs.existsSync(input)).toBe(false);
    expect(recorded).toEqual([]); // the older resident's to record, not this Node's
    // With nothing spooled, it does not wait.
    const t1 = Date.now();
    await settleSpool(sb.hookEnv, process.pid, async (event) => (recorded.push(event), ""));
    expect(Date.now() - t1).toBeLessThan(1000);
  });

  it('at SessionEnd, a spool whose resident is going is left to it, and a Claude without a spool starts nothing more', async () => {
    const socket = residentSocket(sb.hookEnv, process.pid);
    const spool = spoolOf(socket);
    fs.mkdirSync(spool, { recursive: true, mode: 0o700 });
    // No owner file: a resident going released it and records the rest itself.
    fs.writeFileSync(path.join(spool, '4194307'), payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/mine.txt`, content: 'x' } }, sb.session.dir));
    await runHookScript('session-end', sessionEnd(), sb.hookEnv);
    expect(fs.readdirSync(spool)).toEqual(['4194307']);
    expect(timelineKinds()).toEqual(['session-end']);
    fs.rmSync(spool, { recursive: true });
    await runHookScript('session-end', sessionEnd(), sb.hookEnv);
    expect(timelineKinds()).toEqual(['session-end', 'session-end']);
  });

  it('leaves the hooks to Node when it does not answer: a socket left by one that was killed is replaced by a new resident', { timeout: 30_000 }, async () => {
    const socket = residentSocket(sb.hookEnv, process.pid);
    fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    // A listener killed outright leaves its socket file behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(fs.statSync(socket).isSocket()).toBe(true);
    const { env, starts } = countingNode();
    const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'c.sh'), script), env);
    expect(starts().sort()).toEqual(['start pre-tool-use', 'start resident']);
    expect(JSON.parse(r.stdout).hookSpecificOutput.updatedInput.content).toContain('${API_TOKEN}');
    // The hook started a new resident for its Claude (this process), which takes the next hand-over.
    await expect.poll(() => residentAnswers(socket), { timeout: 15_000 }).toBe(true);
    await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'd.sh'), script), env);
    expect(starts().sort()).toEqual(['start pre-tool-use', 'start resident']);
    expect(fs.existsSync(path.join(sb.session.artifacts, 'd.sh'))).toBe(true);
    // One resident per Claude: a second one steps aside.
    expect(await startResident(sb.hookEnv, process.pid, answerHook)).toBeNull();
    // Its socket taken away, it goes.
    const pids = residentsOf(process.pid, sb.home);
    expect(pids).toHaveLength(1);
    fs.rmSync(socket);
    await expect.poll(() => residentsOf(process.pid, sb.home).length, { timeout: 10_000 }).toBe(0);
  });

  it('redoes a capture in Node when the resident does not answer within 5 s (stopped), and leaves it for later hooks', { timeout: 40_000 }, async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'hook.js'), 'resident'], { env: { ...sb.hookEnv, CS_CLAUDE_PID: String(process.pid) }, stdio: 'ignore' });
    const socket = residentSocket(sb.hookEnv, process.pid);
    await expect.poll(() => residentAnswers(socket), { timeout: 15_000 }).toBe(true);
    child.kill('SIGSTOP');
    try {
      const { env, starts } = countingNode();
      const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'e.sh'), script), env);
      expect(r.ms).toBeLessThan(20_000);
      expect(JSON.parse(r.stdout).hookSpecificOutput.updatedInput.content).toContain('${API_TOKEN}');
      expect(starts()).toEqual(['start pre-tool-use']);
      // Its socket is gone: the next hook starts Node at once.
      expect(fs.existsSync(socket)).toBe(false);
      await runHookScript('pre-tool-use', write(path.join(sb.session.dir, 'f.sh'), script), env);
      expect(starts()).toEqual(['start pre-tool-use', 'start pre-tool-use']);
      // And post-tool-use writes its records itself: nothing is spooled to a resident that does not run.
      expect(fs.existsSync(path.join(spoolOf(socket), 'resident'))).toBe(false);
      noAutosaveDue(sb.session.dir);
      await runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: `${sb.session.dir}/s.md`, old_string: 'a', new_string: 'b' }, tool_response: {} }, sb.session.dir), env);
      expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/Edit: s\.md\n$/);
      expect(fs.readdirSync(spoolOf(socket))).toEqual([]);
    } finally {
      child.kill('SIGCONT');
    }
    // Running again, it finds its socket gone and ends.
    await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  });

  it('hands nothing to a socket it cannot trust: a link, in a folder others may write to, or not the user\'s', async () => {
    // A listener standing in for whoever put the socket there: it records what reaches it.
    const got: string[] = [];
    const listen = async (at: string) => {
      const server = http.createServer((req, res) => {
        got.push(req.url ?? '');
        res.end('{"hookSpecificOutput":{"hookEventName":"PreToolUse","updatedInput":{"content":"evil"}}}');
      });
      await new Promise<void>((resolve) => server.listen(at, resolve));
      return server;
    };
    const socket = residentSocket(sb.hookEnv, process.pid);
    fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    const elsewhere = path.join(sb.dir, 'x.sock');
    const servers = [await listen(elsewhere)];
    const { env, starts } = countingNode();
    const capture = async (name: string) => {
      const r = await runHookScript('pre-tool-use', write(path.join(sb.session.dir, name), script), env);
      expect(JSON.parse(r.stdout).hookSpecificOutput.updatedInput.content, name).toContain('${API_TOKEN}');
    };
    try {
      fs.symlinkSync(elsewhere, socket); // a link at the socket's path
      await capture('g.sh');
      fs.rmSync(socket);
      servers.push(await listen(socket));
      fs.chmodSync(path.dirname(socket), 0o777); // its folder open to others
      await capture('h.sh');
      fs.chmodSync(path.dirname(socket), 0o700);
      fs.chmodSync(path.dirname(path.dirname(socket)), 0o777); // the runtime folder open to others
      await capture('i.sh');
      fs.chmodSync(path.dirname(path.dirname(socket)), 0o700);
      let cases = 3;
      if (process.getuid?.() === 0) {
        fs.lchownSync(socket, 65534, 65534); // someone else's socket (root can make one)
        await capture('j.sh');
        cases++;
      }
      expect(got).toEqual([]);
      expect(starts()).toEqual(Array.from({ length: cases }, () => 'start pre-tool-use'));
    } finally {
      for (const server of servers) server.close();
    }
  });

  it('makes nothing in a runtime folder it cannot trust, nor the runtime folder itself', async () => {
    const base = path.dirname(path.dirname(residentSocket(sb.hookEnv, process.pid)));
    const target = path.join(sb.dir, 'elsewhere');
    fs.mkdirSync(target, { mode: 0o700 });
    fs.rmSync(base, { recursive: true, force: true });
    fs.symlinkSync(target, base);
    expect(await startResident(sb.hookEnv, process.pid, answerHook)).toBeNull();
    expect(fs.readdirSync(target)).toEqual([]);
    const missing = { ...sb.hookEnv, XDG_RUNTIME_DIR: path.join(sb.dir, 'no-such-run') };
    expect(await startResident(missing, process.pid, answerHook)).toBeNull();
    expect(fs.existsSync(path.join(sb.dir, 'no-such-run'))).toBe(false);
  });

  it("keeps to the user's private folder: its socket 0600 in a 0700 folder, none in a folder others may write to", async () => {
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0 });
    const socket = resident!.socket;
    expect(fs.statSync(socket).mode & 0o077).toBe(0);
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
    await resident!.close();
    resident = null;
    expect(fs.existsSync(socket)).toBe(false);
    fs.chmodSync(path.dirname(socket), 0o733);
    expect(await startResident(sb.hookEnv, process.pid, answerHook)).toBeNull();
    fs.chmodSync(path.dirname(socket), 0o700);
    fs.chmodSync(path.dirname(path.dirname(socket)), 0o777);
    expect(await startResident(sb.hookEnv, process.pid, answerHook)).toBeNull();
    fs.chmodSync(path.dirname(path.dirname(socket)), 0o700);
    // A folder that is a link is not the user's folder.
    fs.rmSync(path.dirname(socket), { recursive: true });
    fs.mkdirSync(path.join(sb.dir, 'elsewhere'), { mode: 0o700 });
    fs.symlinkSync(path.join(sb.dir, 'elsewhere'), path.dirname(socket));
    expect(await startResident(sb.hookEnv, process.pid, answerHook)).toBeNull();
    expect(fs.readdirSync(path.join(sb.dir, 'elsewhere'))).toEqual([]);
  });

  it('goes when its Claude has exited but was not reaped yet (a zombie answers kill 0)', { timeout: 20_000 }, async () => {
    // A shell that starts a short child, then becomes a process that never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
    try {
      await expect.poll(() => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0], { timeout: 5000 }).toBe('Z');
      resident = await startResident(sb.hookEnv, pid, answerHook, { warmUpMs: 60_000, pollMs: 100 });
      expect(resident).not.toBeNull();
      await resident!.closed;
      expect(fs.existsSync(resident!.socket)).toBe(false);
      expect(fs.existsSync(resident!.spool!)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('answers only hook hand-overs: anything else is 404 (the hook then starts Node)', async () => {
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0 });
    // Not spawnSync: the resident answers from this process's event loop.
    const curl = (...args: string[]) =>
      new Promise<string>((resolve) => {
        const c = spawn('curl', ['-q', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--unix-socket', resident!.socket, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        c.stdout.on('data', (b) => (out += b));
        c.on('close', () => resolve(out));
      });
    expect(await curl('http://cs/hook/stop')).toBe('404'); // GET
    expect(await curl('--data-binary', '{}', 'http://cs/hook/resident')).toBe('404');
    expect(await curl('--data-binary', '{}', 'http://cs/hook/no-such-hook')).toBe('404');
    expect(await curl('--data-binary', '{}', 'http://cs/other')).toBe('404');
    expect(await curl('--data-binary', '{}', 'http://cs/hook/stop')).toBe('200');
  });

  it('is started by session-start for a Claude cs did not launch, and goes once that Claude has', { timeout: 30_000 }, async () => {
    // A stand-in Claude: a shell that starts the hook as Claude Code does, then lives on a while.
    const start = payload('SessionStart', { source: 'startup' }, sb.session.dir);
    fs.writeFileSync(path.join(sb.dir, 'start.json'), start);
    const claude = spawn('sh', ['-c', `'${path.join(repoRoot, 'hooks', 'session-start')}' < '${path.join(sb.dir, 'start.json')}' > '${path.join(sb.dir, 'answer')}'; exec sleep 60`], { env: sb.hookEnv, stdio: 'ignore' });
    const socket = residentSocket(sb.hookEnv, claude.pid!);
    await expect.poll(() => fs.existsSync(socket), { timeout: 15_000 }).toBe(true);
    expect(fs.readFileSync(path.join(sb.dir, 'answer'), 'utf8')).toContain('additionalContext');
    const residents = () => residentsOf(claude.pid!, sb.home);
    expect(residents()).toHaveLength(1);
    claude.kill('SIGKILL');
    await expect.poll(() => fs.existsSync(socket), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => residents().length, { timeout: 10_000 }).toBe(0);
  });

  it('is not started for a Claude that cs launched (its hook endpoint serves it)', async () => {
    const env = { ...sb.hookEnv, CS_HOOK_SERVER: '1' };
    const r = await runHookScript('session-start', payload('SessionStart', { source: 'startup' }, sb.session.dir), env);
    expect(r.code).toBe(0);
    await new Promise((res) => setTimeout(res, 1500));
    expect(fs.existsSync(residentSocket(env, process.pid))).toBe(false);
  });
});

describe('draining a spool', () => {
  /** A spool folder with inputs named by (made-up, dead) writer ids, written in order. */
  function spoolWith(count: number): { folder: string; inputs: string[] } {
    const folder = path.join(sb.dir, 'spool');
    fs.mkdirSync(folder, { mode: 0o700 });
    const inputs = Array.from({ length: count }, (_, i) => `input ${i}`);
    inputs.forEach((text, i) => {
      const file = path.join(folder, String(4194000 + i));
      fs.writeFileSync(file, text);
      fs.utimesSync(file, new Date(1e12 + i * 1000), new Date(1e12 + i * 1000));
    });
    return { folder, inputs };
  }

  it('two drainers at once record every input once', async () => {
    const { folder, inputs } = spoolWith(24);
    const recorded: string[] = [];
    const record = async (text: string) => {
      recorded.push(text);
      await new Promise((resolve) => setTimeout(resolve, 3));
    };
    const [a, b] = await Promise.all([drainSpool(folder, record, { writing: () => false }), drainSpool(folder, record, { writing: () => false })]);
    expect(a.recorded + b.recorded).toBe(24);
    expect([...recorded].sort()).toEqual([...inputs].sort());
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('records an input claimed by a drainer that died, and leaves one a live drainer claimed', async () => {
    const { folder } = spoolWith(1);
    const dead = spawnSync('true').pid!;
    const live = spawn('sleep', ['30'], { stdio: 'ignore' });
    onTestFinished(() => void live.kill('SIGKILL'));
    fs.writeFileSync(path.join(folder, `.claim-${dead}-4194100`), 'left by a dead drainer');
    fs.utimesSync(path.join(folder, `.claim-${dead}-4194100`), new Date(1e12 - 1000), new Date(1e12 - 1000));
    fs.writeFileSync(path.join(folder, `.claim-${live.pid}-4194101`), 'being recorded by a live one');
    const recorded: string[] = [];
    const r = await drainSpool(folder, async (text) => void recorded.push(text), { writing: () => false });
    expect(recorded).toEqual(['left by a dead drainer', 'input 0']);
    expect(r).toEqual({ pending: false, recorded: 2 });
    expect(fs.readdirSync(folder)).toEqual([`.claim-${live.pid}-4194101`]);
  });
});
