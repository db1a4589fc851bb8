// The fast path for Claude Code sessions that `cs` launches: a loopback HTTP
// endpoint inside the waiting `cs` process answers Claude's `http` hooks, so
// the hottest hooks (every Write and Edit, every Stop) cost an HTTP round
// trip to a warm process instead of a Node start-up. Claude gets the hook
// entries through `--settings`; the command hooks see CS_HOOK_SERVER and step
// aside for the events served here. Sessions started any other way (an IDE
// on an adopted repo) keep using the command hooks.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import { writeConfined } from '../lib/confine.js';
import { appendSessionLog } from '../session/log.js';
import type { SessionPaths } from '../session/paths.js';
import { HANDLERS } from './handlers.js';
import { parseHookInput } from './protocol.js';
import { JsonSkimmer } from './skim.js';

/**
 * Events Claude Code delivers to http hooks (checked with the real CLI); the
 * rest stay command hooks. `script` is the command hook (hooks/<script>)
 * that steps aside when CS_HOOK_SERVER is set (dist/hook.sh does it).
 */
export const SERVED: ReadonlyArray<{ event: string; matcher?: string; handler: string; script: string; timeout: number }> = [
  { event: 'PreToolUse', matcher: 'Write', handler: 'pre-tool-use', script: 'pre-tool-use', timeout: 30 },
  { event: 'PostToolUse', matcher: 'Write|Edit|MultiEdit|NotebookEdit', handler: 'post-tool-use', script: 'post-tool-use', timeout: 10 },
  { event: 'PostToolUse', handler: 'timeline', script: 'timeline', timeout: 5 },
  { event: 'Stop', handler: 'stop', script: 'stop', timeout: 10 },
  // Live status: in order, without starting sh.
  { event: 'PreToolUse', handler: 'status', script: 'status-tool', timeout: 5 },
  { event: 'Stop', handler: 'status', script: 'status-stop', timeout: 5 },
];

const TOKEN_HEADER = 'x-cs-token';

export interface HookServer {
  url: string;
  /** A settings file for `claude --settings`, readable by this user only. */
  settingsFile: string;
  close(): Promise<void>;
}

export function hookSettings(url: string, token: string): object {
  const hooks: Record<string, object[]> = {};
  for (const s of SERVED) {
    const entry = { type: 'http', url: `${url}/hook/${s.handler}`, headers: { 'X-CS-Token': token }, timeout: s.timeout };
    (hooks[s.event] ??= []).push(s.matcher ? { matcher: s.matcher, hooks: [entry] } : { hooks: [entry] });
  }
  return { hooks };
}

function tokenMatches(given: string | string[] | undefined, token: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const b = Buffer.from(given);
  return b.length === token.length && timingSafeEqual(b, token);
}

export async function startHookServer(paths: SessionPaths, env: NodeJS.ProcessEnv): Promise<HookServer> {
  const token = randomBytes(24).toString('hex');
  const tokenBuf = Buffer.from(token);
  const session = { paths, launchedByCs: true };
  const log = (m: string) => {
    try {
      appendSessionLog(paths.sessionLog, m);
    } catch {
      // the log is best effort
    }
  };

  const server = http.createServer((req, res) => {
    const answer = (status: number, body = '') => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const m = /^\/hook\/([a-z-]+)$/.exec(req.url ?? '');
    const handler = m && SERVED.some((s) => s.handler === m[1]) ? HANDLERS[m[1]!] : undefined;
    if (req.method !== 'POST' || !handler) return answer(404);
    if (!tokenMatches(req.headers[TOKEN_HEADER], tokenBuf)) return answer(401);
    // Long string values (a huge Write's content) are left out as they stream in (skim.ts).
    const skimmer = new JsonSkimmer();
    let failed: Error | undefined;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      try {
        skimmer.push(c);
      } catch (e) {
        failed = e as Error;
      }
    });
    req.on('end', () => {
      // Never fail Claude: every problem is logged and answered with "no opinion".
      void (async () => {
        try {
          if (failed) throw failed;
          const parsed = parseHookInput(skimmer.text());
          if (!parsed.ok) {
            log(`hook problem: ${m![1]}: ${parsed.problem}`);
            return answer(200, '{}');
          }
          const out = await handler({ session, input: parsed.input, env, now: new Date() });
          answer(200, JSON.stringify(out ?? {}));
        } catch (e) {
          log(`hook error in ${m![1]}: ${(e as Error)?.message ?? String(e)}`);
          answer(200, '{}');
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const settingsFile = path.join(paths.local, 'hook-settings.json');
  writeConfined(settingsFile, JSON.stringify(hookSettings(url, token), null, 2) + '\n', 0o600);
  // The secret detector (secretlint's preset, a few hundred ms of CPU to
  // load) is loaded once Claude has started (its own start-up is CPU-bound)
  // and waits for its first answer, not inside its first tool call's hook.
  setTimeout(() => void import('../secrets/providers.js').then((m) => m.providerSpans('warm-up', '')).catch(() => {}), 1500).unref();
  return {
    url,
    settingsFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
