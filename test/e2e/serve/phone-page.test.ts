// The phone page end to end: the real Claude Code in its interactive TUI,
// hosted in cs's tmux server with no terminal attached, offline against the
// scripted fake API, and headless Chromium at 390×844 on the page of
// `cs -serve`. The page signs in, sees the session running, sends "hello"
// (the fake API gets it), shows Claude's reply as it streams in, shows a held
// Bash request (a browser notification and the loopback ntfy stand-in both
// say so, with no secret), and its Deny reaches the API; a second request
// left unanswered is denied after CS_APPROVAL_TIMEOUT with the reason.
// Screenshots at 390×844 and 1280×800 go to test-artifacts/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeNotifyConfig } from '../../../src/notify/notify.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { readTimeline } from '../../../src/timeline/timeline.js';
import { repoRoot, runCs } from '../../support/cs.js';
import { startNtfy, type Ntfy } from '../../support/ntfy.js';
import { hostedClaude, type HostedClaude } from '../../support/hosted-claude.js';
import { descendants, parentOf } from '../../support/procs.js';
import { hasTmux } from '../../support/tmux.js';
import { until } from '../../support/host.js';
import { chromiumOrSkip, launchChromium, signInWith, type Browser } from '../../support/chromium.js';

const TOKEN = 'a-test-token-of-enough-length';
const SECRET = 'sk-page-e2e-0123456789';

let fx: HostedClaude | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;
let ntfy: Ntfy | undefined;

afterEach(async () => {
  await browser?.close();
  await server?.close();
  await ntfy?.close();
  await fx?.teardown();
  fx = server = browser = ntfy = undefined;
});

/** Records each notification the page creates, then lets the browser's own Notification show it. */
const NOTIFICATION_SPY = `(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.__shown = [];
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__shown.push({ title, body: (options && options.body) || '' });
    }
  };
})();`;

describe.skipIf(!hasTmux())('the phone page on a hosted session with the real Claude Code', () => {
  it('signs in, sends "hello", shows the reply live, Deny from the page reaches the API, an unanswered request times out, a task queued and started from the page runs', { timeout: 240_000 }, async (ctx) => {
    const bin = chromiumOrSkip(ctx);
    if (!bin) return;
    fx = await hostedClaude('cs-phone-page-', 'e2e', [
      `Hello from Claude on the phone page. The key ends ${SECRET.slice(-6)}.`,
      [{ type: 'tool_use', name: 'Bash', input: { command: `touch page-denied.txt # ${SECRET}`, description: 'make a file' } }],
      'Understood, I will not.',
      [{ type: 'tool_use', name: 'Bash', input: { command: 'touch page-timeout.txt', description: 'make another file' } }],
      'Nobody answered; I left it.',
      'Queued from the phone: done.',
    ]);
    const { env, api } = fx;
    const set = await runCs(['e2e', '-secrets', 'set', 'PAGE_KEY', SECRET], { env });
    expect(set.code, set.stderr).toBe(0);

    ntfy = await startNtfy();
    const { notes } = ntfy;
    writeNotifyConfig(env, { url: ntfy.url() });
    server = await startServer({ env, port: 0, bind: '127.0.0.1', token: TOKEN });

    // Claude Code 2.1.332 starts in "auto mode", which answers most permission prompts itself.
    const spawned = await runCs(['-spawn', 'e2e', '--', '--permission-mode', 'default'], { env: { ...env, CS_APPROVAL_TIMEOUT: '20' } });
    expect(spawned.code, spawned.stderr).toBe(0);
    await until(() => (/^❯/m.test(fx!.tmux('capture-pane', '-p', '-t', '=e2e:')) ? true : undefined), "Claude's prompt in the pane", 60_000);

    browser = await launchChromium(bin);
    const b = browser;
    const text = (id: string) => b.evaluate<string>(`document.getElementById(${JSON.stringify(id)}).textContent`);
    const shows = (id: string, what: string, label: string, ms = 30_000) => until(async () => ((await text(id)).includes(what) ? true : undefined), label, ms);
    await b.send('Page.addScriptToEvaluateOnNewDocument', { source: NOTIFICATION_SPY });
    await b.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
    await signInWith(b, server.signInUrl);
    expect(await b.evaluate('location.pathname')).toBe('/');
    await shows('sessions', 'e2e', 'the session in the list', 10_000);
    expect(await b.evaluate<string>(`document.querySelector('#sessions .state').textContent`)).toMatch(/^(idle|working)$/);

    // Browser notifications: offered until decided; the owner's "Allow"
    // (granted through the browser, as its prompt would) on the click.
    expect(await b.evaluate<string>('Notification.permission')).toBe('default');
    expect(await b.evaluate<boolean>(`document.getElementById('bell').hidden`)).toBe(false);
    await b.browserSend('Browser.grantPermissions', { origin: server.url, permissions: ['notifications'] });
    await b.evaluate(`document.getElementById('bell').click()`);
    await until(async () => ((await b.evaluate<boolean>(`document.getElementById('bell').hidden`)) ? true : undefined), 'the bell gone once allowed', 15_000);
    expect(await b.evaluate<string>('Notification.permission')).toBe('granted');

    await b.navigate(`${server.url}/#/s/e2e`);
    await until(async () => (/^e2e · (idle|working)$/.test(await text('where')) ? true : undefined), "the session's state", 15_000);
    expect(await b.evaluate<boolean>(`document.getElementById('text').disabled`)).toBe(false);
    await until(async () => ((await text('live')) === 'live' ? true : undefined), 'the live stream open', 10_000);

    // "hello" typed on the phone reaches the API in the next request; Claude's reply streams onto the page.
    await b.evaluate(`document.getElementById('text').value = 'hello'; document.getElementById('send').click()`);
    await until(() => (api.agentRequests().some((body) => JSON.stringify(body.messages).includes('hello')) ? true : undefined), '"hello" at the API', 30_000);
    await shows('conv', 'Hello from Claude on the phone page', "Claude's reply on the page");
    const conv = await text('conv');
    expect(conv).toContain('hello');
    expect(conv).not.toContain(SECRET);

    // A Bash call outside the allowed tools: held, on the page, notified, denied from the page.
    await b.evaluate(`document.getElementById('text').value = 'now make the file'; document.getElementById('send').click()`);
    await shows('pending', 'Allow once', 'the held request on the page', 45_000);
    const pendingText = await text('pending');
    expect(pendingText).toContain('Claude asks to use Bash');
    expect(pendingText).toContain('touch page-denied.txt # [secret: PAGE_KEY]');
    expect(pendingText).not.toContain(SECRET);
    // While the request is held the session needs its owner, and the header says so.
    await until(async () => ((await text('where')) === 'e2e · needs-you' ? true : undefined), 'the header saying needs-you', 15_000);
    const shown = await b.evaluate<Array<{ title: string; body: string }>>('window.__shown');
    expect(shown).toContainEqual({ title: 'e2e: needs you', body: 'asks to use Bash touch page-denied.txt # [secret: PAGE_KEY]' });
    expect(await b.evaluate<string>('document.title')).toMatch(/^(\(1\) )?e2e · cs$/);
    await until(() => (notes.some((n) => n.title === 'e2e: needs you') ? true : undefined), 'the ntfy notification', 10_000);
    expect(notes.find((n) => n.title === 'e2e: needs you')!.body).toContain('[secret: PAGE_KEY]');
    expect(JSON.stringify(notes)).not.toContain(SECRET);
    expect(await b.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await b.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-e2e-390.png'));
    await b.evaluate(`[...document.querySelectorAll('#pending button')].find((x) => x.textContent === 'Deny').click()`);
    const denied = await until(() => api.agentRequests().find((body) => JSON.stringify(body.messages).includes('denied by the owner from the cs page')), 'the denial at the API', 30_000);
    expect(JSON.stringify(denied.messages)).toContain('tool_result');
    await until(async () => ((await b.evaluate<boolean>(`document.getElementById('pending').hidden`)) ? true : undefined), 'the request gone from the page', 10_000);
    expect(fs.existsSync(path.join(fx.dir, 'page-denied.txt'))).toBe(false);
    await shows('conv', 'Understood, I will not.', "Claude's answer to the denial");
    const deny = readTimeline(path.join(fx.dir, '.cs'), { limit: 200 }).events.find((e) => e.type === 'permission' && e.decision === 'deny');
    expect(deny).toMatchObject({ tool: 'Bash', by: expect.stringMatching(/^[0-9a-f]{8}$/) });

    // Nobody answers the next one: after CS_APPROVAL_TIMEOUT (20 s here) Claude gets the denial with the reason.
    await b.evaluate(`document.getElementById('text').value = 'try once more'; document.getElementById('send').click()`);
    await shows('pending', 'touch page-timeout.txt', 'the second held request', 45_000);
    const timedOut = await until(() => api.agentRequests().find((body) => JSON.stringify(body.messages).includes('denied: no answer from the owner within 20 s')), 'the timeout denial at the API', 60_000);
    expect(JSON.stringify(timedOut.messages)).toContain('tool_result');
    await until(async () => ((await b.evaluate<boolean>(`document.getElementById('pending').hidden`)) ? true : undefined), 'the timed-out request gone from the page', 10_000);
    expect(fs.existsSync(path.join(fx.dir, 'page-timeout.txt'))).toBe(false);
    expect(readTimeline(path.join(fx.dir, '.cs'), { limit: 200 }).events.filter((e) => e.type === 'permission').map((e) => e.decision)).toEqual(['deny', 'timeout']);
    await shows('conv', 'Nobody answered; I left it.', "Claude's answer to the timeout");

    // The queue on the page: a task added from the phone and started goes to the idle Claude at once.
    await b.evaluate(`document.getElementById('queue').open = true`);
    await shows('qsum', 'Queue · idle, 0 pending', 'the empty queue', 10_000);
    await b.evaluate(`document.getElementById('qtext').value = 'TASK-PHONE: say done'; document.getElementById('qbtn').click()`);
    await shows('tasks', '1 pending TASK-PHONE: say done', 'the task on the page', 10_000);
    expect(await b.evaluate<boolean>(`document.getElementById('qstart').hidden`)).toBe(false);
    await b.evaluate(`document.getElementById('qstart').click()`);
    await until(() => (api.agentRequests().some((body) => JSON.stringify(body.messages).includes('TASK-PHONE: say done')) ? true : undefined), 'the queued task at the API', 60_000);
    await shows('conv', 'Queued from the phone: done.', "Claude's answer to the queued task");
    await shows('tasks', '1 done', 'the task done on the page', 30_000);
    await shows('qsum', 'Queue · idle, 0 pending', 'the drained queue', 10_000);

    await b.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false });
    await b.navigate(`${server.url}/#/s/e2e`);
    await shows('conv', 'Nobody answered; I left it.', 'the conversation at 1280 px', 10_000);
    await b.screenshot(path.join(repoRoot, 'test-artifacts', 'phone-e2e-1280.png'));
  });

  it('Claude killed while nobody is attached: the ntfy stand-in gets "died" and the API says died', { timeout: 150_000 }, async () => {
    fx = await hostedClaude('cs-phone-died-', 'doomed', ['Never asked.']);
    const { env } = fx;
    ntfy = await startNtfy();
    const { notes } = ntfy;
    writeNotifyConfig(env, { url: ntfy.url() });
    server = await startServer({ env, port: 0, bind: '127.0.0.1', token: TOKEN });
    const spawned = await runCs(['-spawn', 'doomed'], { env });
    expect(spawned.code, spawned.stderr).toBe(0);
    await until(() => (/^❯/m.test(fx!.tmux('capture-pane', '-p', '-t', '=doomed:')) ? true : undefined), "Claude's prompt in the pane", 60_000);
    // Claude is the supervisor's child (src/host/supervisor.ts): kill it as the OOM killer would.
    const supervisor = Number(fx.tmux('display-message', '-p', '-t', '=doomed:', '#{pane_pid}').trim());
    // Hooks Claude started may end between the listing and the look: parentOf is null for those.
    const claude = descendants(supervisor).filter((pid) => pid !== supervisor && parentOf(pid) === supervisor);
    expect(claude.length).toBe(1);
    process.kill(claude[0]!, 'SIGKILL');
    const died = await until(() => notes.find((n) => n.title === 'doomed: died'), 'the "died" notification', 30_000);
    expect(died.body).toBe('Claude Code exited with signal KILL (status 137)');
    const rows = await until(async () => {
      const r = await fetch(`${server!.url}/api/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const list = (await r.json()) as Array<{ name: string; state: string; running: boolean }>;
      return list.find((s) => s.name === 'doomed' && !s.running) ? list : undefined;
    }, 'the session no longer running', 30_000);
    expect(rows).toEqual([expect.objectContaining({ name: 'doomed', state: 'died', running: false })]);
  });
});
