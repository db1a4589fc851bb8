// Headless Chromium (Debian `chromium`) driven over the DevTools protocol on
// --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON): no
// websocket client and no npm dependency needed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export function chromiumBin(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

/**
 * The Chromium to drive, or null once the test is skipped (`ctx.skip()`)
 * where none is installed; on CI a missing Chromium fails the test instead.
 */
export function chromiumOrSkip(ctx: { skip: () => void }): string | null {
  const bin = chromiumBin();
  if (bin) return bin;
  if (process.env.CI) throw new Error('chromium is not installed (apt-get install chromium)');
  ctx.skip();
  return null;
}

export interface Browser {
  /** Sends a command to the page and resolves with its result. */
  send(method: string, params?: Record<string, unknown>): Promise<any>;
  /** Sends a command to the browser itself (Browser.*, e.g. Browser.grantPermissions). */
  browserSend(method: string, params?: Record<string, unknown>): Promise<any>;
  /** Evaluates an expression in the page and returns its value. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  navigate(url: string): Promise<void>;
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchChromium(bin: string): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-chromium-'));
  const child: ChildProcess = spawn(
    bin,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      '--window-size=420,800',
      'about:blank',
    ],
    // Its own process group: the helper processes (renderer, zygote) go with it.
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true },
  );
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let buffered = '';
  output.on('data', (b: Buffer) => {
    buffered += b.toString('utf8');
    for (let nul = buffered.indexOf('\0'); nul >= 0; nul = buffered.indexOf('\0')) {
      const msg = JSON.parse(buffered.slice(0, nul));
      buffered = buffered.slice(nul + 1);
      const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
      if (!p) continue;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.message} (${JSON.stringify(msg.error.data ?? '')})`));
      else p.resolve(msg.result);
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`chromium exited: ${stderr.slice(-500)}`));
    pending.clear();
  });

  const raw = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      input.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });

  const { targetInfos } = await raw('Target.getTargets');
  let target = (targetInfos as Array<{ type: string; targetId: string }>).find((t) => t.type === 'page');
  if (!target) target = { type: 'page', targetId: (await raw('Target.createTarget', { url: 'about:blank' })).targetId };
  const { sessionId } = await raw('Target.attachToTarget', { targetId: target.targetId, flatten: true });
  const send = (method: string, params?: Record<string, unknown>) => raw(method, params, sessionId);
  await send('Page.enable');
  await send('Runtime.enable');

  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`page error: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  };

  return {
    send,
    browserSend: (method, params) => raw(method, params),
    evaluate,
    async navigate(url) {
      await send('Page.navigate', { url });
      const end = Date.now() + 10_000;
      // Wait for the new document to be complete.
      for (;;) {
        const state = await evaluate<string>('document.readyState + " " + location.href').catch(() => '');
        if (state.startsWith('complete ') && !state.endsWith('about:blank')) return;
        if (Date.now() > end) throw new Error(`navigation to ${url} did not complete (${state})`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async screenshot(file) {
      const { data } = await send('Page.captureScreenshot', { format: 'png' });
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.from(data, 'base64'));
    },
    async close() {
      try {
        await Promise.race([raw('Browser.close'), new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        // already gone
      }
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      // Helpers outliving the browser would keep writing into the profile.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the whole group is gone already
      }
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/**
 * Opens a one-time sign-in link of cs -serve and waits until its page has
 * signed this browser in: the link's page posts the code (src/serve/page.ts
 * LOGIN_HTML) and the server sends the browser on to the page at `/`, whose
 * script keeps the device key. Navigating on before then would call off the
 * post, and the browser would stay signed out.
 */
export async function signInWith(browser: Browser, link: string): Promise<void> {
  await browser.navigate(link);
  const end = Date.now() + 10_000;
  for (;;) {
    const at = await browser.evaluate<string>('location.pathname + " " + document.readyState').catch(() => '');
    if (at === '/ complete') return;
    if (Date.now() > end) throw new Error(`the sign-in link did not sign in (at ${at}): ${await browser.evaluate<string>('document.body.innerText').catch(() => '')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
