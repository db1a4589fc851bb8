// The resident hook helper of a Claude that cs did not launch
// (src/hooks/resident.ts): the sh hooks hand it their input over a unix
// socket with curl instead of starting Node; it answers what Node answers,
// goes with its Claude, keeps to the user's private folder, and without it
// the hooks start Node as before.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerHook } from '../../../src/hooks/main.js';
import { residentAnswers, residentSocket, startResident, type Resident } from '../../../src/hooks/resident.js';
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

  it("takes post-tool-use's hand-overs: a timeline line to scrub, detached, and a change log line sh cannot write", async () => {
    resident = await startResident(sb.hookEnv, process.pid, answerHook, { warmUpMs: 0 });
    const { env, starts } = countingNode();
    noAutosaveDue(sb.session.dir);
    const token = `ghp_${'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6'}`;
    const bash = payload('PostToolUse', { tool_name: 'Bash', tool_input: { command: `curl -H "Authorization: token ${token}" https://api.github.com` }, tool_response: { stdout: '' } }, sb.session.dir);
    expect((await runHookScript('post-tool-use', bash, env)).code).toBe(0);
    const dotted = payload('PostToolUse', { tool_name: 'Write', tool_input: { file_path: `${sb.session.dir}/src/../up.txt`, content: 'x' }, tool_response: {} }, sb.session.dir);
    expect((await runHookScript('post-tool-use', dotted, env)).code).toBe(0);
    expect(starts()).toEqual([]);
    const timeline = fs.readFileSync(path.join(sb.session.meta, 'timeline.jsonl'), 'utf8');
    expect(timeline).not.toContain(token);
    expect(timeline).toContain('[secret: ');
    expect(fs.readFileSync(sb.session.changes, 'utf8')).toMatch(/\] Write: up\.txt\n/);
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
