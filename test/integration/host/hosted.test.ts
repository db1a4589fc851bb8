// Hosted sessions with the built cs in real terminals (a private tmux server
// per terminal, like the picker tests) and a stand-in Claude that runs until
// it is stopped: attach while running, -spawn --prompt, -live, -stop, the
// foreground fallback, postmortems, and the host process killed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { csBin, runCs, startCs, waitFor } from '../../support/cs.js';
import { hasTmux, startTerminal } from '../../support/tmux.js';
import { claudeStarts, drainedJournal, hostSandbox, until, type HostSandbox } from '../../support/host.js';
import { parentOf, waitGone } from '../../support/procs.js';
import { pidAlive } from '../../../src/lib/lockfile.js';

let sb: HostSandbox | undefined;
afterEach(() => {
  sb?.close();
  sb = undefined;
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe.skipIf(!hasTmux())('hosted sessions', () => {
  it('cs <name> hosts Claude; a second terminal attaches; closing the first leaves it running; -stop ends it with the session commit', { timeout: 60_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    const a = sb.terminal(['demo']);
    await until(async () => ((await sb!.live()).find((r) => r.name === 'demo' && r.attached === 1 && r.state === 'idle') ? true : undefined), 'demo hosted and attached');
    await until(() => (claudeStarts(sb!.claudeLog).length === 1 ? true : undefined), 'Claude started');
    // The lock names the supervisor in the pane: a foreground open (no terminal) is refused.
    const refused = await runCs(['demo'], { env: sb.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/session 'demo' is open in pid \d+/);

    const b = sb.terminal(['demo']);
    await until(async () => ((await sb!.live()).find((r) => r.name === 'demo')?.attached === 2 ? true : undefined), 'a second terminal attached');
    expect(claudeStarts(sb.claudeLog)).toHaveLength(1); // attached, not started again
    a.close(); // the first terminal is gone
    await until(async () => ((await sb!.live()).find((r) => r.name === 'demo')?.attached === 1 ? true : undefined), 'one terminal left');
    b.keys('C-\\'); // cs's detach key
    await b.waitFor((s) => s.includes("detached; 'demo' keeps running"), 'the detach message');
    expect(await b.waitForExit()).toBe(0);
    const live = await sb.live();
    expect(live).toEqual([expect.objectContaining({ name: 'demo', running: true, attached: 0, state: 'idle' })]);
    expect(live[0]!.conversation).toMatch(/^[0-9a-f-]{36}$/);
    const pid = claudeStarts(sb.claudeLog)[0]!.pid;
    expect(() => process.kill(pid, 0)).not.toThrow();

    fs.writeFileSync(path.join(sb.root, 'demo', 'notes.txt'), 'work\n');
    const stop = await runCs(['demo', '-stop', '--timeout', '1'], { env: sb.env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(/ended it with SIGTERM/); // the stand-in ignores /exit
    expect(stop.stderr).toMatch(/committed Session update/);
    expect(git(path.join(sb.root, 'demo'), 'show', '--stat', '--format=%s', 'HEAD')).toMatch(/notes\.txt/);
    expect(await sb.live()).toEqual([]);
    expect(fs.existsSync(path.join(sb.root, 'demo', '.cs', 'local', 'lock'))).toBe(false);
    // A stop asked for is no crash.
    expect(fs.existsSync(path.join(sb.root, 'demo', '.cs', 'local', 'postmortem'))).toBe(false);
  });

  it('Ctrl-C during -stop exits 130 and calls the stop off: Claude keeps running, and a crash later still gets its postmortem', { timeout: 60_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['-spawn', 'cc'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'cc');
    // The stand-in ignores /exit: -stop is still waiting to send SIGTERM when Ctrl-C comes.
    const stop = startCs(['cc', '-stop', '--timeout', '30'], { env: sb.env });
    await waitFor(() => fs.existsSync(path.join(dir, '.cs', 'local', 'host', 'stop-requested')), 10_000, 'the stop under way');
    await new Promise((r) => setTimeout(r, 500));
    stop.kill('SIGINT');
    const r = await stop.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^cs: stop called off: 'cc' keeps running .* cs cc -stop tries again$/m);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('cs: interrupted');
    expect(await sb.live()).toEqual([expect.objectContaining({ name: 'cc', running: true })]);
    // Claude dies afterwards: that is a crash, not the stop that was called off.
    process.kill(claudeStarts(sb.claudeLog)[0]!.pid, 'SIGKILL');
    const pmDir = path.join(dir, '.cs', 'local', 'postmortem');
    await until(() => (fs.existsSync(pmDir) ? fs.readdirSync(pmDir).find((n) => n.endsWith('.txt')) : undefined), 'the postmortem file');
    await until(async () => ((await sb!.live()).find((l) => l.name === 'cc')?.state === 'ended-unexpectedly' ? true : undefined), 'cc listed as ended unexpectedly');
  });

  it.each([
    ['SIGTERM', 143, 'the open that started it'],
    ['SIGHUP', 129, 'the fast attach to a running session'],
  ] as const)('%s to an attached cs <name> ends its tmux attach client, not the hosted Claude, and cs exits %i (%s)', { timeout: 40_000 }, async (signal, status, how) => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    if (how !== 'the open that started it') expect((await runCs(['-spawn', 'sig'], { env: sb.env })).code).toBe(0);
    // The shell stays after cs ends, as a login shell does: were it the terminal's
    // controlling process and gone, the kernel would hang up the client for cs.
    const t = startTerminal(['sh', '-c', '"$@"; echo "cs exited $?"; sleep 60', 'sh', process.execPath, csBin, 'sig'], { env: sb.env, cwd: sb.dir });
    try {
      await until(async () => ((await sb!.live()).find((r) => r.name === 'sig' && r.attached === 1) ? true : undefined), 'sig hosted and attached');
      // Attached can come before the supervisor has started Claude: its start is what must survive.
      await until(() => (claudeStarts(sb!.claudeLog).length ? true : undefined), 'Claude started');
      const client = Number(sb.csTmux('list-clients', '-F', '#{client_pid}').trim());
      const cs = parentOf(client)!;
      expect(fs.readFileSync(`/proc/${cs}/cmdline`, 'utf8')).toContain('cs.js');
      process.kill(cs, signal);
      await t.waitFor((sc) => sc.includes(`cs exited ${status}`), 'cs to exit');
      await waitGone([client], 5_000);
      expect(pidAlive(client)).toBe(false);
      expect(await sb.live()).toEqual([expect.objectContaining({ name: 'sig', running: true, attached: 0 })]);
      expect(pidAlive(claudeStarts(sb.claudeLog)[0]!.pid)).toBe(true);
    } finally {
      await t.end();
    }
    expect((await runCs(['sig', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });

  it('--force keeps its meaning: a lock of another host refuses cs <name>, --force takes it over and hosts', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['fz'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    const lock = path.join(sb.root, 'fz', '.cs', 'local', 'lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: 4242, host: 'other-host', started: '2026-01-01T00:00:00.000Z' }) + '\n');
    const t = sb.terminal(['fz']);
    expect(await t.waitForExit()).toBe(1);
    expect(t.screen()).toMatch(/session 'fz' is open in pid 4242 on other-host .*another host.* use --force to take it over/s);
    expect(await sb.live()).toEqual([]);
    const spawned = await runCs(['-spawn', 'fz', '--force'], { env: sb.env });
    expect(spawned.code, spawned.stderr).toBe(0);
    await until(async () => ((await sb!.live()).find((r) => r.name === 'fz' && r.running) ? true : undefined), 'fz hosted');
    expect(fs.readFileSync(path.join(sb.root, 'fz', '.cs', 'logs', 'session.log'), 'utf8')).toMatch(/took over the lock from pid 4242 on other-host/);
    expect(JSON.parse(fs.readFileSync(lock, 'utf8')).host).not.toBe('other-host');
    expect((await runCs(['fz', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });

  it('-spawn --prompt starts without a terminal, Claude gets the prompt last, after `--`; -spawn again is refused', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    const r = await runCs(['-spawn', 'bg', '--prompt', 'fix the "flaky" test', '--', '--allowedTools', 'Bash'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/'bg' is running — attach with: cs bg/);
    const starts = await until(() => (claudeStarts(sb!.claudeLog).length ? claudeStarts(sb!.claudeLog) : undefined), 'Claude started');
    expect(starts).toHaveLength(1);
    // After the user's Claude arguments: `--` keeps a variadic option (--allowedTools) from taking the prompt as a value.
    expect(starts[0]!.argv.slice(-4)).toEqual(['--allowedTools', 'Bash', '--', 'fix the "flaky" test']);
    expect(starts[0]!.argv).toContain('--session-id');
    expect(await sb.live()).toEqual([expect.objectContaining({ name: 'bg', running: true, attached: 0 })]);
    const again = await runCs(['-spawn', 'bg'], { env: sb.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/'bg' is already running — attach with: cs bg/);
    expect((await runCs(['bg', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });

  it('-spawn --resume of a conversation the session lacks: a usage error before anything starts, and no run that looks like it died', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['rs'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    for (const ref of ['9', '0b4d1e6c-2f0a-4a8e-9c1d-7e5f3a2b1c00']) {
      const r = await runCs(['-spawn', 'rs', '--resume', ref], { env: sb.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^cs: no conversation (#9|0b4d1e6c\S+) in this session/);
    }
    expect(await sb.live()).toEqual([]);
    expect(claudeStarts(sb.claudeLog)).toHaveLength(1);
    // Nothing left behind: the next open says nothing of a last run.
    const next = await runCs(['rs'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toMatch(/last run/);
  });

  it('-spawn --prompt with a prompt that starts with "-": Claude gets it after `--`, as the prompt, not as an option', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    const r = await runCs(['-spawn', 'dash', '--prompt', '--dangerously-skip-permissions'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    const [start] = await until(() => (claudeStarts(sb!.claudeLog).length ? claudeStarts(sb!.claudeLog) : undefined), 'Claude started');
    expect(start!.argv.slice(-2)).toEqual(['--', '--dangerously-skip-permissions']);
    expect(start!.argv.filter((a) => a === '--dangerously-skip-permissions')).toHaveLength(1);
    expect((await runCs(['dash', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });

  it('the picker marks a running session; Enter attaches to it', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['-spawn', 'pk'], { env: sb.env })).code).toBe(0);
    expect((await runCs(['other'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    const t = sb.terminal([]);
    const screen = await t.waitFor((s) => s.includes('Search:') && s.includes('other'), 'the picker');
    expect(screen).toMatch(/●\s+pk/);
    expect(screen).not.toMatch(/●\s+other/);
    t.type('pk');
    await t.waitFor((s) => s.includes('(1 match)'), 'the filter');
    t.keys('Enter');
    await until(async () => ((await sb!.live()).find((r) => r.name === 'pk')?.attached === 1 ? true : undefined), 'the picker terminal attached to pk');
    expect(claudeStarts(sb.claudeLog).filter((c) => c.env.CLAUDE_SESSION_NAME === 'pk')).toHaveLength(1);
    expect((await runCs(['pk', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
    expect(await t.waitForExit()).toBe(0);
  });

  it('kill -9 of Claude: a postmortem with status, pane and last tool call; one line in -live, -ls and the next cs <name>, then quiet', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['-spawn', 'pm'], { env: sb.env })).code).toBe(0);
    await until(() => (claudeStarts(sb!.claudeLog).length ? true : undefined), 'Claude started');
    const dir = path.join(sb.root, 'pm');
    fs.appendFileSync(path.join(dir, '.cs', 'timeline.jsonl'), JSON.stringify({ ts: new Date().toISOString(), type: 'tool', tool: 'Bash', target: 'sleep 30' }) + '\n');
    process.kill(claudeStarts(sb.claudeLog)[0]!.pid, 'SIGKILL');
    const pmDir = path.join(dir, '.cs', 'local', 'postmortem');
    const file = await until(() => fs.readdirSync(pmDir, { withFileTypes: true }).find((e) => e.name.endsWith('.txt'))?.name, 'the postmortem file');
    await until(async () => ((await sb!.live()).find((r) => r.name === 'pm' && !r.running) ? true : undefined), 'the session to end');
    const text = fs.readFileSync(path.join(pmDir, file), 'utf8');
    expect(text).toMatch(/^exit: signal KILL \(status 137\)$/m);
    expect(text).toMatch(/^last tool call: .*Bash sleep 30$/m);
    expect(text).toMatch(/--- last 200 lines of the terminal ---/);
    expect(text).not.toMatch(/not available/); // the pane was read while it still existed
    const live = await sb.live();
    expect(live).toEqual([expect.objectContaining({ name: 'pm', state: 'ended-unexpectedly', running: false })]);
    expect(live[0]!.postmortem).toMatch(/Claude Code exited with signal KILL/);
    const ls = await runCs(['-ls'], { env: sb.env });
    expect(ls.stderr).toMatch(/cs: pm: last run: Claude Code exited with signal KILL \(status 137\) at .* — see .*postmortem/);
    // The end-of-session work still ran.
    expect(git(dir, 'log', '-1', '--format=%s')).toMatch(/^Session update/);
    // The next open says it once (foreground: no terminal here).
    const next = await runCs(['pm'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr.match(/last run: Claude Code exited with signal KILL/g)).toHaveLength(1);
    expect((await runCs(['pm'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).stderr).not.toMatch(/last run/);
    expect((await runCs(['-ls'], { env: sb.env })).stderr).not.toMatch(/last run/);
  });

  it('the postmortem keeps the terminal without secret values: a stored one and one the detector finds are replaced', { timeout: 40_000 }, async () => {
    const stored = 'pm-stored-value-7d41c9e2';
    const token = `ghp_${'Z9'.repeat(18)}`;
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300', FAKE_CLAUDE_SAY: `printed ${stored} and ${token} here` });
    expect((await runCs(['-spawn', 'pms'], { env: sb.env })).code).toBe(0);
    await until(() => (claudeStarts(sb!.claudeLog).length ? true : undefined), 'Claude started');
    await until(() => (sb!.csTmux('capture-pane', '-p', '-t', 'pms').includes('printed') ? true : undefined), 'the line on the pane');
    const set = await runCs(['pms', '-secrets', 'set', 'PM_KEY'], { env: sb.env, input: stored });
    expect(set.code, set.stderr).toBe(0);
    process.kill(claudeStarts(sb.claudeLog)[0]!.pid, 'SIGKILL');
    const pmDir = path.join(sb.root, 'pms', '.cs', 'local', 'postmortem');
    const file = await until(() => fs.readdirSync(pmDir, { withFileTypes: true }).find((e) => e.name.endsWith('.txt'))?.name, 'the postmortem file');
    await until(async () => ((await sb!.live()).find((r) => r.name === 'pms' && !r.running) ? true : undefined), 'the session to end');
    const text = fs.readFileSync(path.join(pmDir, file), 'utf8');
    // The line is there, each value replaced by its marker.
    expect(text).toMatch(/^printed \[secret: PM_KEY\] and \[secret: [A-Z0-9_]+\] here$/m);
    expect(text).not.toContain(stored);
    expect(text).not.toContain(token);
  });

  it('-ls shows the state -live shows: idle while hosted, ended-unexpectedly after a crash (a cached row included), closed once told', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['-spawn', 'cr'], { env: sb.env })).code).toBe(0);
    await until(() => (claudeStarts(sb!.claudeLog).length ? true : undefined), 'Claude started');
    const ls = async () => {
      const r = await runCs(['-ls', '--json'], { env: sb!.env });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Array<{ name: string; status: string; open: boolean }>).find((s) => s.name === 'cr');
    };
    const live = async () => (await sb!.live()).find((r) => r.name === 'cr');
    expect((await live())?.state).toBe('idle'); // no hook event yet: the stand-in never sends one
    expect(await ls()).toEqual(expect.objectContaining({ status: 'idle', open: true }));
    // Past the racy window, so the row is cached before the crash.
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await ls())?.status).toBe('idle');
    process.kill(claudeStarts(sb.claudeLog)[0]!.pid, 'SIGKILL');
    await until(async () => ((await live())?.running === false ? true : undefined), 'the session to end');
    expect((await live())?.state).toBe('ended-unexpectedly');
    expect(await ls()).toEqual(expect.objectContaining({ status: 'ended-unexpectedly', open: false }));
    // And from the cache, once the row is past the racy window.
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await ls())?.status).toBe('ended-unexpectedly');
    expect((await ls())?.status).toBe('ended-unexpectedly');
    const table = await runCs(['-ls'], { env: sb.env });
    expect(table.stdout).toMatch(/^cr\s+ended-unexpectedly\s/m);
    // The next open tells the user: then both agree it is just closed.
    expect((await runCs(['cr'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    expect(await live()).toBeUndefined();
    expect((await ls())?.status).toBe('closed');
  });

  it('cs -archive refuses a running hosted session (it would vanish from -ls while Claude works), changing nothing; once stopped it archives', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['quiet'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    expect((await runCs(['-spawn', 'busy'], { env: sb.env })).code).toBe(0);
    await until(() => (claudeStarts(sb!.claudeLog).length === 2 ? true : undefined), 'Claude started');
    const r = await runCs(['-archive', 'quiet', 'busy'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("cs: session 'busy' is running in cs's tmux server; it cannot be archived while Claude runs in it — stop it first: cs busy -stop; nothing was changed");
    for (const name of ['quiet', 'busy']) expect(fs.existsSync(path.join(sb.root, name, '.cs', 'archived'))).toBe(false);
    const names = async () => (JSON.parse((await runCs(['-ls', '--json'], { env: sb!.env })).stdout) as Array<{ name: string }>).map((s) => s.name).sort();
    expect(await names()).toEqual(['busy', 'quiet']);
    // -rm and -mv refuse it the same way, naming the command that ends it.
    for (const [args, what] of [[['-rm', 'busy', '--yes'], 'removed'], [['-mv', 'busy', 'other'], 'renamed']] as const) {
      const refused = await runCs([...args], { env: sb.env });
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr, args.join(' ')).toContain(`cs: session 'busy' is running in cs's tmux server; it cannot be ${what} while Claude runs in it — stop it first: cs busy -stop`);
    }
    expect(await names()).toEqual(['busy', 'quiet']);
    expect((await runCs(['busy', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
    const again = await runCs(['-archive', 'busy'], { env: sb.env });
    expect(again.code, again.stderr).toBe(0);
    expect(await names()).toEqual(['quiet']);
  });

  it('a hosted Claude that fails as it starts: the terminal that opened it gets what Claude said (the pane closed with it), as in the foreground', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '', FAKE_CLAUDE_EXIT: '1', FAKE_CLAUDE_SAY: "error: unknown option '--modle'" });
    const t = sb.terminal(['typo', '--', '--modle', 'opus']);
    expect(await t.waitForExit()).toBe(1);
    const out = t.output();
    expect(out).toMatch(/^cs: Claude Code: error: unknown option '--modle'$/m);
    expect(out).toMatch(/^cs: Claude Code ended unexpectedly \(status 1\); postmortem in /m);
    // Said once, before the postmortem line, and kept in the session log.
    expect(out.indexOf("cs: Claude Code: error")).toBeLessThan(out.indexOf('cs: Claude Code ended unexpectedly'));
    expect(out.match(/unknown option/g)).toHaveLength(1);
    expect(fs.readFileSync(path.join(sb.root, 'typo', '.cs', 'logs', 'session.log'), 'utf8')).toContain("Claude Code: error: unknown option '--modle'");
  });

  it('-spawn of a Claude that fails as it starts: says so with what Claude printed, exits with its status, and nothing is left running', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '', FAKE_CLAUDE_EXIT: '1', FAKE_CLAUDE_SAY: "error: unknown option '--modle'" });
    const r = await runCs(['-spawn', 'typo', '--', '--modle', 'opus'], { env: sb.env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/is running/);
    // The same lines the attached terminal gets (reportEnd), then what -spawn makes of them.
    expect(r.stderr).toMatch(/^cs: Claude Code: error: unknown option '--modle'$/m);
    expect(r.stderr).toMatch(/^cs: Claude Code ended unexpectedly \(status 1\); postmortem in /m);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^cs: 'typo' did not start: it ended as it started — the lines above say why/);
    expect(r.stderr.match(/unknown option/g)).toHaveLength(1);
    expect(await sb.live()).toEqual([expect.objectContaining({ name: 'typo', running: false, state: 'ended-unexpectedly' })]);
  });

  it('the digest of a hosted open whose Claude fails is kept; the open that works and the fast attach then show it once', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['away'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    drainedJournal(path.join(sb.root, 'away'));
    const digest = 'while you were away: 1 task done, queue drained';
    const failed = sb.terminal(['away'], { FAKE_CLAUDE_SLEEP: '', FAKE_CLAUDE_EXIT: '3' });
    expect(await failed.waitForExit()).toBe(3);
    expect(failed.output()).toContain(digest);
    const opened = sb.terminal(['away']);
    await until(async () => ((await sb!.live()).find((r) => r.name === 'away' && r.attached === 1) ? true : undefined), 'away hosted and attached');
    opened.keys('C-\\');
    expect(await opened.waitForExit()).toBe(0);
    expect(opened.output()).toContain(digest);
    // Seen: the fast attach to the running session says nothing of it; more journal, and it does, once.
    const again = sb.terminal(['away']);
    await until(async () => ((await sb!.live()).find((r) => r.name === 'away' && r.attached === 1) ? true : undefined), 'attached again');
    again.keys('C-\\');
    expect(await again.waitForExit()).toBe(0);
    expect(again.output()).not.toContain('while you were away');
    drainedJournal(path.join(sb.root, 'away'));
    const fast = sb.terminal(['away']);
    await until(async () => ((await sb!.live()).find((r) => r.name === 'away' && r.attached === 1) ? true : undefined), 'attached a third time');
    fast.keys('C-\\');
    expect(await fast.waitForExit()).toBe(0);
    expect(fast.output()).toContain(digest);
    expect((await runCs(['away', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });

  it('kill -9 of the host process: committed and autosaved work stays, the next cs <name> reports it and recovers', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['-spawn', 'hk'], { env: sb.env })).code).toBe(0);
    const dir = path.join(sb.root, 'hk');
    fs.writeFileSync(path.join(dir, 'saved.txt'), 'autosaved\n');
    const snap = await runCs(['hk', '-sync', 'snapshot'], { env: sb.env });
    expect(snap.code, snap.stderr).toBe(0);
    const auto = git(dir, 'rev-parse', 'refs/cs/auto');
    const head = git(dir, 'rev-parse', 'HEAD');
    const supervisor = Number(sb.csTmux('list-panes', '-a', '-F', '#{pane_pid}').trim());
    process.kill(supervisor, 'SIGKILL');
    await until(async () => ((await sb!.live()).some((r) => r.running) ? undefined : true), 'the hosted session to go');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'rev-parse', 'refs/cs/auto')).toBe(auto);
    const next = await runCs(['hk'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/last run: the process hosting the session \(pid \d+ on .*\) ended before Claude Code finished/);
    expect(fs.readFileSync(path.join(dir, 'saved.txt'), 'utf8')).toBe('autosaved\n');
    expect(git(dir, 'show', '--stat', '--format=%s', 'HEAD')).toMatch(/saved\.txt/);
  });

  it('foreground: CS_HOST=foreground and --foreground run Claude in the terminal; without tmux a one-line notice', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '' });
    const t1 = sb.terminal(['fg'], { CS_HOST: 'foreground' });
    expect(await t1.waitForExit()).toBe(0);
    const t2 = sb.terminal(['fg', '--foreground']);
    expect(await t2.waitForExit()).toBe(0);
    expect(claudeStarts(sb.claudeLog)).toHaveLength(2);
    expect(fs.existsSync(sb.socket)).toBe(false); // cs's server never started
    // PATH without tmux: every program of PATH but tmux, linked into one dir.
    const bin = path.join(sb.dir, 'bin');
    fs.mkdirSync(bin);
    for (const d of (process.env.PATH ?? '').split(':')) {
      if (!d || !fs.existsSync(d)) continue;
      for (const f of fs.readdirSync(d)) if (f !== 'tmux' && !fs.existsSync(path.join(bin, f))) fs.symlinkSync(path.join(d, f), path.join(bin, f));
    }
    const t3 = startTerminal(['env', `PATH=${bin}`, process.execPath, csBin, 'fg'], { env: sb.env, cwd: sb.dir });
    expect(await t3.waitForExit()).toBe(0);
    expect(t3.output()).toMatch(/^cs: tmux not found: Claude runs in this terminal and ends with it \(install tmux to keep sessions running\)$/m);
    expect(claudeStarts(sb.claudeLog)).toHaveLength(3);
    expect(fs.existsSync(sb.socket)).toBe(false);
    t3.close();
  });

  it("inside the user's own tmux: hosted by cs's server, the user's server and options untouched, Ctrl-\\ detaches", { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    // The user's tmux: its default socket under TMUX_TMPDIR, with a config of theirs.
    const userTmp = path.join(sb.dir, 'user-tmux');
    fs.mkdirSync(userTmp);
    const userConf = path.join(sb.dir, 'user.tmux.conf');
    fs.writeFileSync(userConf, 'set -g prefix C-a\nset -g status-left "[mine]"\nset -g history-limit 1234\n');
    const userEnv = { ...sb.env, TMUX_TMPDIR: userTmp, TERM: 'xterm-256color' };
    const user = (...args: string[]) => execFileSync('tmux', ['-f', userConf, ...args], { env: userEnv, encoding: 'utf8', timeout: 10_000 });
    const csCmd = `${process.execPath} ${path.join(process.cwd(), 'dist', 'cs.js')} nest`;
    user('new-session', '-d', '-s', 'work', '-x', '120', '-y', '30');
    user('new-window', '-t', 'work', 'sleep 300');
    const before = { sessions: user('list-sessions', '-F', '#{session_name} #{session_windows}'), options: user('show-options', '-g') };
    try {
      user('send-keys', '-t', 'work:0', csCmd, 'Enter');
      await until(async () => ((await sb!.live()).find((r) => r.name === 'nest' && r.attached === 1) ? true : undefined), 'nest hosted by cs and attached from the user pane');
      // cs's server: no status bar (no double bar), no prefix (the user's C-a stays theirs).
      expect(sb.csTmux('show-options', '-g', 'status')).toMatch(/status off/);
      expect(sb.csTmux('show-options', '-g', 'prefix')).toMatch(/prefix None/);
      user('send-keys', '-t', 'work:0', 'C-\\');
      await until(async () => ((await sb!.live()).find((r) => r.name === 'nest')?.attached === 0 ? true : undefined), 'detached from the user pane');
      expect(user('capture-pane', '-p', '-t', 'work:0')).toMatch(/detached; 'nest' keeps running/);
      expect(user('list-sessions', '-F', '#{session_name} #{session_windows}')).toBe(before.sessions);
      expect(user('show-options', '-g')).toBe(before.options);
    } finally {
      try {
        user('kill-server');
      } catch {
        // gone
      }
    }
    expect((await runCs(['nest', '-stop', '--timeout', '1'], { env: sb.env })).code).toBe(0);
  });
  it('hosted --new plans the conversation as the foreground does: the handoff is offered on the terminal and Claude starts from it', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '300' });
    expect((await runCs(['ho'], { env: { ...sb.env, FAKE_CLAUDE_SLEEP: '' } })).code).toBe(0);
    const dir = path.join(sb.root, 'ho');
    fs.mkdirSync(path.join(dir, '.cs', 'handoffs'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.cs', 'handoffs', '20261130-100000.md'), '## Goal\nfinish the retry logic\n');
    const t = sb.terminal(['ho', '--new']);
    await t.waitFor((sc) => sc.includes('Start from the handoff .cs/handoffs/20261130-100000.md?'), 'the handoff question');
    t.keys('Enter');
    await until(() => (claudeStarts(sb!.claudeLog).length === 2 ? true : undefined), 'the hosted Claude started');
    const argv = claudeStarts(sb.claudeLog)[1]!.argv;
    expect(argv).toContain('--append-system-prompt-file');
    const uuid = argv[argv.indexOf('--session-id') + 1]!;
    const pinned = JSON.parse(fs.readFileSync(path.join(dir, '.cs', 'conversations.json'), 'utf8')).conversations.find((c: { uuid: string }) => c.uuid === uuid);
    expect(pinned).toEqual(expect.objectContaining({ handoff: '.cs/handoffs/20261130-100000.md' }));
  });

  it('a hosted Claude that fails at once: the conversation pinned for it is taken back, as in the foreground', { timeout: 40_000 }, async () => {
    sb = hostSandbox({ FAKE_CLAUDE_SLEEP: '', FAKE_CLAUDE_EXIT: '3' });
    const spawned = await runCs(['-spawn', 'fails'], { env: sb.env });
    // -spawn waits for it to end, and says so with Claude's status.
    expect(spawned.code, spawned.stderr).toBe(3);
    expect(spawned.stderr).toMatch(/^cs: 'fails' did not start: it ended as it started/m);
    await until(async () => (claudeStarts(sb!.claudeLog).length === 1 && !(await sb!.live()).some((r) => r.running) ? true : undefined), 'the hosted run to end');
    const argv = claudeStarts(sb.claudeLog)[0]!.argv;
    const uuid = argv[argv.indexOf('--session-id') + 1]!;
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    const file = path.join(sb.root, 'fails', '.cs', 'conversations.json');
    await until(() => (!fs.readFileSync(file, 'utf8').includes(uuid) ? true : undefined), 'the unstarted conversation taken back');
  });
});
