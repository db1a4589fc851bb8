// The control API against the real Claude Code in its interactive TUI,
// hosted in cs's tmux server with no terminal attached, offline against the
// scripted fake API: a prompt sent over HTTP reaches the API, Claude's reply
// shows in the conversation, a Bash call outside the allowed tools is held
// and the owner's Deny reaches the API, and no answer shows a value of the
// session's secrets.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { runCs } from '../../support/cs.js';
import { hostedClaude, type HostedClaude } from '../../support/hosted-claude.js';
import { hasTmux } from '../../support/tmux.js';
import { until } from '../../support/host.js';

let fx: HostedClaude | undefined;
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close();
  await fx?.teardown();
  fx = server = undefined;
});

const TOKEN = 'a-test-token-of-enough-length';
const SECRET = 'sk-phone-test-0123456789';

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(url, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

describe.skipIf(!hasTmux())('the control API on a hosted session with the real Claude Code', () => {
  it('lists it running and detached, sends a prompt that reaches the API, shows the reply, holds a Bash request that Deny refuses, interrupts; secrets scrubbed', { timeout: 150_000 }, async () => {
    fx = await hostedClaude('cs-phone-', 'e2e', [
      `Hello from Claude via the phone. The key ends ${SECRET.slice(-6)}.`,
      [{ type: 'tool_use', name: 'Bash', input: { command: 'touch outside-allowed.txt', description: 'make a file' } }],
      'Understood, I will not.',
    ]);
    const { env, api } = fx;
    const s = { dir: fx.dir };
    const set = await runCs(['e2e', '-secrets', 'set', 'PHONE_KEY', SECRET], { env });
    expect(set.code, set.stderr).toBe(0);
    server = await startServer({ env, port: 0, bind: '127.0.0.1', token: TOKEN });

    // Not running yet: 409 saying how to start it.
    const early = await call('POST', `${server.url}/api/sessions/e2e/input`, { text: 'hello' });
    expect(early.status).toBe(409);
    expect(early.json.error).toMatch(/cs -spawn e2e/);

    // Claude Code 2.1.332 starts in "auto mode", which answers most permission prompts itself:
    // the default mode asks, which is what a held request needs.
    const spawned = await runCs(['-spawn', 'e2e', '--', '--permission-mode', 'default'], { env });
    expect(spawned.code, spawned.stderr).toBe(0);
    const tmuxOut = fx.tmux;
    await until(() => (/^❯/m.test(tmuxOut('capture-pane', '-p', '-t', '=e2e:')) ? true : undefined), "Claude's prompt in the pane", 60_000);

    const list = await call('GET', `${server.url}/api/sessions`);
    expect(list.status).toBe(200);
    expect(list.json).toEqual([expect.objectContaining({ name: 'e2e', running: true, attached: false, host: 'local', state: expect.stringMatching(/^(idle|working)$/) })]);
    for (const k of ['lastActivity', 'objective']) expect(list.json[0]).toHaveProperty(k);

    // The prompt carries the secret value: the API gets it as typed, the page never shows it.
    const sent = await call('POST', `${server.url}/api/sessions/e2e/input`, { text: `hello, use ${SECRET}` });
    expect(sent.status).toBe(202);
    await until(() => (api.agentRequests().some((b) => JSON.stringify(b.messages).includes(`hello, use ${SECRET}`)) ? true : undefined), 'the prompt at the API', 30_000);

    const conv = await until(async () => {
      const c = await call('GET', `${server!.url}/api/sessions/e2e/conversation?after=0`);
      return c.json.some((i: any) => i.kind === 'text' && i.text.includes('Hello from Claude via the phone')) ? c.json : undefined;
    }, "Claude's reply in the conversation", 30_000);
    const prompt = conv.find((i: any) => i.kind === 'prompt');
    expect(prompt.text).toBe('hello, use [secret: PHONE_KEY]');
    expect(JSON.stringify(conv)).not.toContain(SECRET);
    const last = conv.at(-1).n;
    expect((await call('GET', `${server.url}/api/sessions/e2e/conversation?after=${last}`)).json).toEqual([]);

    // A Bash call outside the allowed tools, nobody at the terminal: held, shown, denied from the API.
    expect((await call('POST', `${server.url}/api/sessions/e2e/input`, { text: 'now make the file' })).status).toBe(202);
    const pending = await until(async () => {
      const r = await call('GET', `${server!.url}/api/sessions/e2e/permissions`);
      return r.json.length ? r.json : undefined;
    }, 'the held permission request', 45_000).catch((e) => {
      // What Claude's screen and the session say, for whoever reads the failure.
      console.log('PANE', tmuxOut('capture-pane', '-p', '-t', '=e2e:'));
      console.log('LOG', fs.readFileSync(path.join(s.dir, '.cs', 'logs', 'session.log'), 'utf8').slice(-2000));
      console.log('SETTINGS', fs.readFileSync(path.join(env.CLAUDE_CONFIG_DIR!, 'settings.json'), 'utf8').includes('permission-remote'));
      console.log('TL', fs.readFileSync(path.join(s.dir, '.cs', 'timeline.jsonl'), 'utf8').slice(-1500));
      throw e;
    });
    expect(pending).toEqual([expect.objectContaining({ tool: 'Bash', summary: 'Bash touch outside-allowed.txt' })]);
    expect((await call('POST', `${server.url}/api/sessions/e2e/permissions/${pending[0].id}`, { decision: 'deny' })).status).toBe(202);
    const denied = await until(() => api.agentRequests().find((b) => JSON.stringify(b.messages).includes('denied by the owner from the cs page')), 'the denial at the API', 30_000);
    expect(JSON.stringify(denied.messages)).toContain('tool_result');
    expect(fs.existsSync(path.join(s.dir, 'outside-allowed.txt'))).toBe(false);

    expect((await call('POST', `${server.url}/api/sessions/e2e/interrupt`)).status).toBe(202);
    expect((await call('POST', `${server.url}/api/sessions/e2e/input`, { text: '   ' })).status).toBe(400);
  });
});
