// The fast path for Claude Code sessions that `cs` launches: a loopback HTTP
// endpoint inside the waiting `cs` process answers Claude's `http` hooks, so
// the hottest hooks (every Write and Edit, every Stop) cost an HTTP round
// trip to a warm process instead of a Node start-up. Claude gets the hook
// entries through `--settings`; the command hooks see CS_HOOK_SERVER and step
// aside for the events served here. Sessions started any other way (an IDE
// on an adopted repo) keep using the command hooks.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { writeConfined } from '../lib/confine.js';
import { appendSessionLog } from '../session/log.js';
import type { SessionPaths } from '../session/paths.js';
import { HANDLERS } from './handlers.js';
import { parseHookInput, type HookInput } from './protocol.js';
import { JsonSkimmer } from './skim.js';
import { TIMED_OUT, within } from '../lib/deadline.js';
import { HOOKS, LONG_TOOL_MATCHER, matcherSelects, POST_TOOL_PARTS } from './registry.js';
import { clearPrepared, prepareSessionStart, recordLeftStarts } from './prepared.js';
import { hooksDir, settingsPath } from '../install/paths.js';
import { marketplaceDir, PLUGIN_ID, pluginState, writePlugin } from '../install/plugin.js';
import { readPackageVersion } from '../update/layout.js';
import { version } from '../lib/package-root.js';
import { hasOurHooks, hookGroups } from '../install/settings.js';

/**
 * The parts of cs's hook work this endpoint does, from the events Claude
 * Code delivers to http hooks (checked with the real CLI; SessionStart is
 * not one of them). `script` is the command hook (hooks/<script>) it
 * replaces, which steps aside when CS_HOOK_SERVER is set (dist/hook.sh).
 * `matcher` is Claude Code's tool-name matcher for the part.
 *
 * `runs`: 'answer' (the default) parts run before Claude gets its answer,
 * which is theirs. 'after' parts only record (status, timeline, change
 * log): Claude is answered first and they run after it, one at a time in
 * arrival order; an answering part waits for every 'after' part before it,
 * so it reads what they wrote. 'background' parts (autosave, an async
 * command hook when not served) run on a line of their own that nothing
 * waits for but the server's close.
 */
export interface ServedPart {
  event: string;
  matcher?: string;
  handler: string;
  script: string;
  /** Seconds. */
  timeout: number;
  runs?: 'answer' | 'after' | 'background';
}

/** The endpoint's timeout for each of POST_TOOL_PARTS (s). */
const POST_TOOL_TIMEOUTS: Record<string, number> = { timeline: 5, 'post-tool-use': 10, autosave: 60, status: 5 };

export const SERVED: readonly ServedPart[] = [
  // Live status: in order, without starting sh.
  { event: 'PreToolUse', matcher: LONG_TOOL_MATCHER, handler: 'status', script: 'status-tool', timeout: 5, runs: 'after' },
  { event: 'PreToolUse', matcher: 'Write', handler: 'pre-tool-use', script: 'pre-tool-use', timeout: 30 },
  // The parts of hooks/post-tool-use: recorded after the answer, the autosave on a line of its own.
  ...POST_TOOL_PARTS.map(({ background, ...p }): ServedPart => ({ event: 'PostToolUse', ...p, script: 'post-tool-use', timeout: POST_TOOL_TIMEOUTS[p.handler]!, runs: background ? 'background' : 'after' })),
  // Served, so cs waits for it at the end: as an async command hook it was
  // killed with Claude at a quick -p exit before it wrote (seen in CI).
  { event: 'PostToolUseFailure', handler: 'post-tool-use-failure', script: 'post-tool-use-failure', timeout: 10, runs: 'after' },
  { event: 'PostToolUseFailure', handler: 'status', script: 'status-failure', timeout: 5, runs: 'after' },
  { event: 'Stop', handler: 'status', script: 'status-stop', timeout: 5, runs: 'after' },
  { event: 'Stop', handler: 'stop', script: 'stop', timeout: 10 },
  // Claude waits for its SessionEnd hooks before it exits; cs waits for this part after.
  { event: 'SessionEnd', handler: 'session-end', script: 'session-end', timeout: 60, runs: 'after' },
];

/** The URL path of the parts `handlers` (served, in SERVED order): `/hook/a+b`. */
function partsPath(handlers: string[]): string {
  return `/hook/${handlers.join('+')}`;
}

const TOKEN_HEADER = 'x-cs-token';
/** How long an answering part waits for the recording parts before it (ms): reading what they wrote is worth little against Claude's own hook timeout. */
const ANSWER_WAITS_MS = 2000;
/** How long closing waits for the recording parts still running (ms): the longest part's timeout. */
const CLOSE_WAITS_MS = Math.max(...SERVED.map((s) => s.timeout)) * 1000;

export interface HookServer {
  url: string;
  /** A settings file for `claude --settings`, readable by this user only. */
  settingsFile: string;
  /** Resolves once every 'after' and 'background' part received so far has run. */
  idle(): Promise<void>;
  /** Stops listening, then waits for the 'after' and 'background' parts. */
  close(): Promise<void>;
}

/**
 * The `--settings` object for Claude: one http hook per event, whose URL
 * names every part served for it (`/hook/status+pre-tool-use`), so each tool
 * call costs one round trip per event. Its matcher is the parts' union
 * (none when any part takes every tool); the server applies each part's own
 * matcher; its timeout is the longest part's (seconds).
 *
 * With `plugin` (cs's hooks plugin, declared in the user settings, see
 * src/install/plugin.ts): the hooks not served here come along as the same
 * command entries the plugin holds, and an enabled plugin is switched off
 * for this launch, so no command hook starts only to step aside.
 */
export function hookSettings(url: string, token: string, plugin?: { hooksDir: string; enabled: boolean }): object {
  const hooks: Record<string, object[]> = plugin ? hookGroups(plugin.hooksDir, HOOKS.filter((h) => !SERVED.some((s) => s.script === h.script))) : {};
  for (const event of new Set(SERVED.map((s) => s.event))) {
    const parts = SERVED.filter((s) => s.event === event);
    const entry = { type: 'http', url: `${url}${partsPath(parts.map((p) => p.handler))}`, headers: { 'X-CS-Token': token }, timeout: Math.max(...parts.map((p) => p.timeout)) };
    const matcher = parts.some((p) => p.matcher === undefined) ? undefined : [...new Set(parts.flatMap((p) => p.matcher!.split('|')))].join('|');
    (hooks[event] ??= []).push(matcher ? { matcher, hooks: [entry] } : { hooks: [entry] });
  }
  return plugin?.enabled ? { enabledPlugins: { [PLUGIN_ID]: false }, hooks } : { hooks };
}

/**
 * cs's installed hooks plugin as the user settings have it (read on each
 * launch: it is one small file): `enabled` when on, and also returned when
 * the user switched it off in `/plugin`, since a Claude that cs launches
 * gets every hook either way (the commands from the plugin's folder). None
 * when the settings do not declare it, or when they still hold an older
 * cs's hook entries (those run every hook already). When it is declared
 * and this cs is the installed version, the plugin's files are brought up
 * to its hooks first (a no-op unless `cs -update` changed them), so a Claude
 * started some other way later gets this version's.
 */
function installedPlugin(env: NodeJS.ProcessEnv): { hooksDir: string; enabled: boolean } | undefined {
  const dir = hooksDir(env);
  let state: ReturnType<typeof pluginState>;
  try {
    const settings: unknown = JSON.parse(fs.readFileSync(settingsPath(env), 'utf8'));
    state = pluginState(settings, marketplaceDir(env));
    if (state === 'off' && hasOurHooks(settings, dir)) return undefined;
  } catch {
    return undefined; // none, or unreadable: Claude reads no plugin from it either
  }
  if (state === 'none') return undefined;
  try {
    // Only the installed version speaks for it (not a checkout or npx of another one).
    const installed = readPackageVersion(path.dirname(dir));
    if (installed === version()) writePlugin(env, dir, HOOKS, installed);
  } catch {
    // the plugin stays as it is; `cs -doctor` says so
  }
  return { hooksDir: dir, enabled: state === 'on' };
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

  // The 'after' and 'background' lines: each one part at a time, in arrival order; never rejected.
  let after: Promise<void> = Promise.resolve();
  let background: Promise<void> = Promise.resolve();
  /**
   * One part, stamped with the time its event arrived (the status writer
   * drops an older status, so a part run late must not look newer than a
   * later event's sh hook). A part gets its own timeout, as Claude would
   * give it: past that the line moves on and the part is logged, so one
   * stuck part (a keychain waiting on a prompt) holds nothing up for long.
   */
  const run = async (part: ServedPart, input: HookInput, at: Date): Promise<object | null> => {
    const work = HANDLERS[part.handler]!({ session, input, env, now: at }).catch((e: Error) => {
      log(`hook error in ${part.handler}: ${e?.message ?? String(e)}`);
      return null;
    });
    const out = await within(work, part.timeout * 1000);
    if (out === TIMED_OUT) log(`hook ${part.handler} took over ${part.timeout} s; went on without it`);
    return out === TIMED_OUT ? null : out;
  };
  // A SessionStart the sh hook answered from what cs prepared (prepared.ts), recorded soon after Claude starts it.
  const recordStarts = () => {
    after = after.then(() => within(recordLeftStarts(paths, env).catch((e: Error) => log(`hook error in session-start: ${e?.message ?? String(e)}`)), 10_000)).then(() => undefined);
  };
  const startTimers = [2000, 5000, 15_000].map((ms) => setTimeout(recordStarts, ms).unref());

  const server = http.createServer((req, res) => {
    const answer = (status: number, body = '') => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const m = /^\/hook\/([a-z-]+(?:\+[a-z-]+)*)$/.exec(req.url ?? '');
    const handlers = m ? m[1]!.split('+') : [];
    if (req.method !== 'POST' || handlers.length === 0 || !handlers.every((h) => SERVED.some((s) => s.handler === h) && HANDLERS[h])) return answer(404);
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
          const input = parsed.input;
          const event = typeof input.hook_event_name === 'string' ? input.hook_event_name : '';
          const tool = typeof input.tool_name === 'string' ? input.tool_name : undefined;
          let out: object | null = null;
          const at = new Date();
          // A SessionStart left before this event is recorded before it.
          recordStarts();
          for (const h of handlers) {
            const part = SERVED.find((s) => s.handler === h && s.event === event);
            if (!part || !matcherSelects(part.matcher, tool)) continue;
            if (part.runs === 'after') after = after.then(() => run(part, input, at).then(() => undefined));
            else if (part.runs === 'background') background = background.then(() => run(part, input, at).then(() => undefined));
            if (part.runs === 'after' || part.runs === 'background') continue;
            // It answers: after the 'after' parts before it, so it reads what
            // they wrote, but never waiting long on them: Claude is waiting.
            await within(after, ANSWER_WAITS_MS);
            out = (await run(part, input, at)) ?? out;
          }
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
  // Its answer is ready before Claude starts (prepared.ts); without it the hook asks Node.
  await prepareSessionStart(paths, env, new Date()).catch((e: Error) => log(`session start not prepared: ${e?.message ?? String(e)}`));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const settingsFile = path.join(paths.local, 'hook-settings.json');
  writeConfined(settingsFile, JSON.stringify(hookSettings(url, token, installedPlugin(env)), null, 2) + '\n', 0o600);
  // The secret detector (secretlint's preset, a few hundred ms of CPU to
  // load) is loaded once Claude has started (its own start-up is CPU-bound)
  // and waits for its first answer, not inside its first tool call's hook.
  setTimeout(() => void import('../secrets/providers.js').then((m) => m.providerSpans('warm-up', '')).catch(() => {}), 1500).unref();
  // What the Stop part loads on first use, loaded now (a few ms each, on the
  // core Claude's start-up leaves free) and not while Claude waits for its answer.
  setImmediate(() => void Promise.all([import('../queue/queue.js'), import('../queue/drain.js'), import('../status/statusline.js'), import('../handoff/handoff.js')]).catch(() => {}));
  return {
    url,
    settingsFile,
    idle: () => Promise.all([after, background]).then(() => undefined),
    // Never rejects: cs's end step (the session commit) comes after it.
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const t of startTimers) clearTimeout(t);
      recordStarts();
      if ((await within(Promise.all([after, background]), CLOSE_WAITS_MS)) === TIMED_OUT) log(`hook work still running after ${CLOSE_WAITS_MS / 1000} s at exit; went on without it`);
      try {
        clearPrepared(paths);
      } catch (e) {
        log(`prepared session start not removed: ${(e as Error).message}`);
      }
    },
  };
}
