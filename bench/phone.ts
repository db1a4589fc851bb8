// The phone page (`cs -serve`, issue #20's targets), in headless Chromium on
// loopback: how long a timeline event takes from being appended (what a hook
// does), and from the start of a real hook process, to showing on an open
// session page (medians of EVENTS, target 300 ms), and how long the session page takes at 390×844 to render its
// first screen (state, conversation, held request) from navigation (median
// of LOADS, target 1 s). The page's own clock stamps both ends that it sees
// (a MutationObserver); the append is stamped by this process on the same
// machine's wall clock.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer } from '../src/serve/server.js';
import { createSession } from '../src/session/workspace.js';
import { claudeProjectDir } from '../src/session/claude-project.js';
import { holdRequest } from '../src/approval/approval.js';
import { sessionPaths } from '../src/session/paths.js';
import { appendEvent } from '../src/timeline/timeline.js';
import { chromiumBin, launchChromium } from '../test/support/chromium.js';
import { payload, runHookScript } from '../test/support/hooks.js';
import { median } from './harness.js';

const EVENTS = 20;
const LOADS = 10;
const TOKEN = 'bench-token-of-enough-length';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stamps (Date.now()) each timeline row the page adds, by its text. */
const WATCH_EVENTS = `(() => {
  window.__seen = {};
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.textContent) window.__seen[n.textContent] = Date.now();
  }).observe(document.getElementById('events'), { childList: true });
})()`;

/** Stamps (ms since navigation) the first moment the session page shows its state, conversation and held request. */
const WATCH_FIRST_SCREEN = `(() => {
  const done = () => {
    const where = document.getElementById('where');
    const conv = document.getElementById('conv');
    const pending = document.getElementById('pending');
    return where && where.textContent.includes('\\u00b7') && conv && conv.children.length > 0 && pending && !pending.hidden;
  };
  const check = () => { if (window.__firstScreen === undefined && done()) window.__firstScreen = performance.now(); };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
})();`;

export async function benchPhone(): Promise<string[]> {
  const bin = chromiumBin();
  if (!bin) return ['skipped: no chromium on this machine (apt-get install chromium)'];
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-phone-')));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmp,
    CS_SESSIONS_ROOT: path.join(tmp, 'sessions'),
    CLAUDE_CONFIG_DIR: path.join(tmp, '.claude'),
    XDG_RUNTIME_DIR: path.join(tmp, 'run'),
    CS_SECRETS_BACKEND: 'encrypted',
    CS_SECRETS_PASSWORD: 'bench',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  };
  fs.mkdirSync(env.XDG_RUNTIME_DIR!, { mode: 0o700 });
  const s = await createSession(env, 'phone');
  // A conversation of 200 exchanges, as Claude Code writes it, and one held request.
  const project = claudeProjectDir(env.CLAUDE_CONFIG_DIR!, s.dir);
  fs.mkdirSync(project, { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    lines.push(JSON.stringify({ type: 'user', message: { content: `step ${i}: go on` } }));
    lines.push(JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: `Working on step ${i}.` }, { type: 'tool_use', id: `u${i}`, name: 'Bash', input: { command: `make step-${i}` } }] } }));
    lines.push(JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: `u${i}`, content: `built step ${i}\n`.repeat(5) }] } }));
  }
  fs.writeFileSync(path.join(project, '11111111-2222-3333-4444-555555555555.jsonl'), lines.join('\n') + '\n');
  holdRequest(sessionPaths(s.dir, 'phone').local, 'Bash', 'Bash rm -rf build');

  const server = await startServer({ env, port: 0, bind: '127.0.0.1', token: TOKEN });
  const browser = await launchChromium(bin);
  try {
    await browser.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
    await browser.navigate(server.signInUrl);

    // First screen of the session page, from navigation.
    await browser.send('Page.addScriptToEvaluateOnNewDocument', { source: WATCH_FIRST_SCREEN });
    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      await browser.navigate(`${server.url}/?n=${i}#/s/phone`);
      const end = Date.now() + 10_000;
      let t: number | undefined;
      while ((t = await browser.evaluate<number | undefined>('window.__firstScreen')) === undefined && Date.now() < end) await sleep(20);
      if (t === undefined) throw new Error('the session page did not render its first screen within 10 s');
      loads.push(t);
    }

    // Timeline event → open page.
    await browser.evaluate(WATCH_EVENTS);
    await sleep(500);
    const lags: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const marker = `bench-event-${i}`;
      const t0 = Date.now();
      appendEvent(path.join(s.dir, '.cs'), { type: 'discovery', title: marker });
      const end = Date.now() + 5000;
      let seen: number | undefined;
      while (Date.now() < end) {
        seen = await browser.evaluate<number | undefined>(`Object.entries(window.__seen).find(([k]) => k.includes(${JSON.stringify(marker)}))?.[1]`);
        if (seen !== undefined) break;
        await sleep(10);
      }
      if (seen === undefined) throw new Error(`event ${i} did not reach the page within 5 s`);
      lags.push(seen - t0);
      await sleep(100);
    }
    // A real hook (hooks/post-tool-use, PostToolUse, as Claude Code runs it) → open page.
    const hookEnv = { ...env, CLAUDE_SESSION_NAME: 'phone', CLAUDE_SESSION_DIR: s.dir, CLAUDE_SESSION_META_DIR: s.meta, CLAUDE_ARTIFACT_DIR: s.artifacts, CLAUDE_PROJECT_DIR: s.dir };
    const hookLags: number[] = [];
    const hookMs: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const marker = `bench-hook-${i}`;
      const t0 = Date.now();
      const run = runHookScript('post-tool-use', payload('PostToolUse', { tool_name: 'Bash', tool_input: { command: `echo ${marker}` }, tool_response: { stdout: marker } }, s.dir), hookEnv);
      const end = Date.now() + 10_000;
      let seen: number | undefined;
      while (Date.now() < end) {
        seen = await browser.evaluate<number | undefined>(`Object.entries(window.__seen).find(([k]) => k.includes(${JSON.stringify(marker)}))?.[1]`);
        if (seen !== undefined) break;
        await sleep(10);
      }
      const r = await run;
      if (r.code !== 0) throw new Error(`hooks/post-tool-use: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
      if (seen === undefined) throw new Error(`the hook's event ${i} did not reach the page within 10 s`);
      hookLags.push(seen - t0);
      hookMs.push(r.ms);
      await sleep(100);
    }
    const hook = median(hookLags);
    const ev = median(lags);
    const first = median(loads);
    const verdict = (ms: number, max: number) => (ms <= max ? `ok (target <= ${max} ms)` : `OVER TARGET (<= ${max} ms)`);
    return [
      `${`event appended -> open page (median of ${EVENTS})`.padEnd(44)} ${ev.toFixed(1).padStart(8)} ms  ${verdict(ev, 300)}`,
      `${`hook run (hooks/post-tool-use) -> open page (${EVENTS})`.padEnd(44)} ${hook.toFixed(1).padStart(8)} ms  ${verdict(hook, 300)}`,
      `${`session page first screen, 390x844 (${LOADS})`.padEnd(44)} ${first.toFixed(1).padStart(8)} ms  ${verdict(first, 1000)}`,
      `(the hook process itself: median ${median(hookMs).toFixed(0)} ms; ${lines.length} transcript lines on the page; max event lag ${Math.max(...lags).toFixed(0)} ms, slowest load ${Math.max(...loads).toFixed(0)} ms)`,
    ];
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
