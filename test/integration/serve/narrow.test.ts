// The phone page with a session whose name is as long as names go (64
// characters, src/session/names.ts), at 390x844 and at desktop size: the
// name gives way (cut with an ellipsis in the header, wrapped in the list),
// never the state after it, and nothing scrolls sideways.
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { hookSandbox, type HookSandbox } from '../../support/hooks.js';
import { until } from '../../support/host.js';
import { chromiumOrSkip, launchChromium, signInWith } from '../../support/chromium.js';
import { repoRoot } from '../../support/cs.js';
import { storeLink } from '../../../src/serve/links.js';

const LONG = `payments-reconciliation-${'x'.repeat(40)}`;

describe('the page with a 64-character session name', () => {
  let sb: HookSandbox;
  let server: RunningServer;
  beforeAll(async () => {
    expect(LONG).toHaveLength(64);
    sb = await hookSandbox(LONG);
    server = await startServer({ env: sb.env, port: 0, bind: '127.0.0.1', token: 'a-test-token-of-enough-length' });
  });
  afterAll(async () => {
    await server.close();
    sb.cleanup();
  });

  for (const [width, height, label] of [[390, 844, '390'], [1280, 800, 'desktop']] as const) {
    it(`at ${width}x${height}: the state stays in view in the list and in the header, nothing scrolls sideways`, { timeout: 60_000 }, async (ctx) => {
      const bin = chromiumOrSkip(ctx);
      if (!bin) return;
      const browser = await launchChromium(bin);
      try {
        await browser.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: width < 500 });
        // A sign-in code is good once: each browser gets its own.
        await signInWith(browser, `${server.url}/login?code=${storeLink(sb.env)}`);
        await until(async () => ((await browser.evaluate<string>(`document.getElementById('sessions').textContent`)).includes(LONG) ? true : undefined), 'the session listed', 10_000);
        // In the list: its state badge is on screen, the page no wider than the screen.
        const listed = await browser.evaluate<{ right: number; shown: string }>(`(() => { const b = document.querySelector('#sessions .state'); const r = b.getBoundingClientRect(); return { right: r.right, shown: b.textContent }; })()`);
        expect(listed.shown).not.toBe('');
        expect(listed.right).toBeLessThanOrEqual(width);
        expect(await browser.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        await browser.screenshot(path.join(repoRoot, 'test-artifacts', `phone-long-name-list-${label}.png`));

        await browser.navigate(`${server.url}/#/s/${LONG}`);
        await until(async () => ((await browser.evaluate<string>(`document.getElementById('where').textContent`)).includes(' \u00b7 ') ? true : undefined), 'the header with the state', 10_000);
        const header = await browser.evaluate<{ state: string; left: number; right: number; cut: boolean; where: string; gap: number }>(`(() => {
          const w = document.getElementById('wstate');
          const s = w.getBoundingClientRect();
          const n = document.getElementById('wname');
          // The space before the dot, as drawn (a collapsed space is 0 wide).
          const space = document.createRange();
          space.setStart(w.firstChild, 0);
          space.setEnd(w.firstChild, 1);
          return { state: w.textContent, left: s.left, right: s.right, cut: n.scrollWidth > n.clientWidth, where: document.getElementById('where').textContent, gap: space.getBoundingClientRect().width };
        })()`);
        // The whole state, on screen, with the full name before it in the text (what a screen reader reads).
        expect(header.where).toMatch(new RegExp(`^${LONG} \u00b7 [a-z-]+$`));
        expect(header.state).toMatch(/^ \u00b7 [a-z-]+$/);
        expect(header.gap).toBeGreaterThan(1);
        expect(header.left).toBeGreaterThan(0);
        expect(header.right).toBeLessThanOrEqual(width);
        // On a phone the name is what gives way; on a desktop it fits.
        expect(header.cut).toBe(width < 500);
        expect(await browser.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        await browser.screenshot(path.join(repoRoot, 'test-artifacts', `phone-long-name-session-${label}.png`));
      } finally {
        await browser.close();
      }
    });
  }
});
