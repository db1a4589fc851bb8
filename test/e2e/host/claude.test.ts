// The real Claude Code, in its interactive TUI, hosted in cs's tmux server and
// driven through real terminals, offline against the scripted fake API. The
// terminal that started it is killed in the middle of a long tool call: the
// call finishes and its result reaches the API anyway.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { csBin, runCs } from '../../support/cs.js';
import { hostedClaude, type HostedClaude } from '../../support/hosted-claude.js';
import { hasTmux, startTerminal, type Terminal } from '../../support/tmux.js';
import { until } from '../../support/host.js';

let fx: HostedClaude | undefined;
const terminals: Terminal[] = [];

afterEach(async () => {
  for (const t of terminals.splice(0)) t.close();
  await fx?.teardown();
  fx = undefined;
});

function textOf(body: any): string {
  return JSON.stringify(body?.messages ?? []);
}

describe.skipIf(!hasTmux())('a hosted session with the real Claude Code TUI', () => {
  it('a prompt typed in the terminal reaches the API; the terminal dies mid tool call, the call completes; attach again; -stop commits and exports', { timeout: 150_000 }, async () => {
    fx = await hostedClaude('cs-host-claude-', 'e2e', [
      [{ type: 'tool_use', name: 'Bash', input: { command: 'sleep 6 && echo slept-well', description: 'a long wait' } }],
      'All done: the long call finished.',
    ]);
    const { env, api, tmp } = fx;
    const s = { dir: fx.dir };
    expect((await runCs(['e2e', '-secrets', 'age', 'init'], { env })).code).toBe(0);

    const open = (args: string[]) => {
      const t = startTerminal([process.execPath, csBin, ...args], { env, cwd: tmp, width: 120, height: 40 });
      terminals.push(t);
      return t;
    };
    const a = open(['e2e', '--', '--allowedTools', 'Bash']);
    await a.waitFor((sc) => /^❯/m.test(sc), "Claude's prompt", 60_000);
    a.type('please wait for the long call');
    // Enter only once the TUI has drawn what was typed (both in one read would be a paste).
    await a.waitFor((sc) => sc.includes('please wait for the long call'), 'the typed prompt', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    a.keys('Enter');
    await until(() => (api.agentRequests().some((b) => textOf(b).includes('please wait for the long call')) ? true : undefined), 'the typed prompt at the API', 30_000);

    // The terminal goes away while Bash sleeps.
    a.close();
    terminals.splice(terminals.indexOf(a), 1);
    const killedAt = Date.now();
    const withResult = await until(() => api.requests.find((r) => r.kind === 'agent' && textOf(r.body).includes('slept-well')), 'the tool result at the API', 45_000);
    expect(textOf(withResult.body)).toContain('tool_result');
    expect(withResult.at).toBeGreaterThan(killedAt); // the call was still running when the terminal died

    const live = await until(async () => {
      const rows = JSON.parse((await runCs(['-live', '--json'], { env })).stdout);
      return rows.find((r: any) => r.name === 'e2e' && r.state === 'idle') ? rows : undefined;
    }, 'the session idle in -live', 30_000);
    expect(live).toEqual([expect.objectContaining({ name: 'e2e', running: true, attached: 0 })]);
    expect(live[0].conversation).toMatch(/^[0-9a-f-]{36}$/);

    // A new terminal attaches to the same Claude and shows the conversation.
    const b = open(['e2e']);
    await b.waitFor((sc) => sc.includes('All done: the long call finished.'), 'the conversation in the new terminal', 30_000);
    b.keys('C-\\');
    expect(await b.waitForExit(15_000)).toBe(0);

    const stop = await runCs(['e2e', '-stop', '--timeout', '20'], { env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).not.toMatch(/ended it with SIG/); // /exit did it
    expect(stop.stderr).toMatch(/saved 1 conversation transcript\(s\) to \.cs\/conversations\//);
    expect(stop.stderr).toMatch(/committed Session update/);
    const uuid = live[0].conversation;
    expect(fs.existsSync(path.join(s.dir, '.cs', 'conversations', `${uuid}.jsonl.age`))).toBe(true);
    const committed = execFileSync('git', ['show', '--stat', '--format=%s', 'HEAD'], { cwd: s.dir, encoding: 'utf8' });
    expect(committed).toMatch(/^Session update/);
    expect(committed).toContain(`${uuid}.jsonl.age`);
    expect(JSON.parse((await runCs(['-live', '--json'], { env })).stdout)).toEqual([]);
    expect(fs.existsSync(path.join(s.dir, '.cs', 'local', 'postmortem'))).toBe(false);
  });
  it('-spawn --prompt with a prompt that starts with "-": the interactive Claude sends it as the first user message, not as an option', { timeout: 90_000 }, async () => {
    fx = await hostedClaude('cs-host-dash-', 'dash', ['on it']);
    const { env, api } = fx;
    const prompt = '--verbose is broken: fix it';
    const spawned = await runCs(['-spawn', 'dash', '--prompt', prompt, '--', '--allowedTools', 'Bash'], { env });
    expect(spawned.code, spawned.stderr).toBe(0);
    const first = await until(() => api.agentRequests()[0], 'the first prompt at the API', 60_000);
    const texts = first.messages
      .filter((m: any) => m.role === 'user')
      .flatMap((m: any) => (typeof m.content === 'string' ? [m.content] : m.content.map((b: any) => b.text)))
      .filter((t: string | undefined) => t && !t.startsWith('<system-reminder>'));
    expect(texts).toEqual([prompt]);
    expect((await runCs(['dash', '-stop', '--timeout', '20'], { env })).code).toBe(0);
  });
});
