// dist/hook.js <event>: the one bundled handler the sh scripts in hooks/
// hand over to. Whatever happens, Claude Code gets exit 0 and either nothing
// or one valid JSON object on stdout; problems go to the session log.
import { appendSessionLog } from '../session/log.js';
import { HANDLERS, runEach } from './handlers.js';
import { parseHookInput } from './protocol.js';
import { JsonSkimmer, skimFd } from './skim.js';
import { locateSession, type HookSession } from './session.js';

/**
 * Stdin as JSON text with long string values left out as it streams in (a
 * Write of a huge file: skim.ts), read synchronously (skimFd); a
 * non-blocking stdin (EAGAIN) is read as a stream from where that stopped.
 */
async function readStdin(): Promise<string> {
  const skimmer = new JsonSkimmer();
  try {
    return skimFd(0, skimmer);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
  }
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) skimmer.push(chunk);
  return skimmer.text();
}

/**
 * Runs the handler `event` names on hook input `text` (JSON) for the session
 * it locates. `event` may name several handlers joined by '+' (hooks/post-tool-use
 * hands over `timeline+autosave`): they run in that order on the one input,
 * and the first answer is Claude's; one that throws is reported in
 * `problem` and the others still run. `output` is the line for stdout (''
 * for none); `problem` is for the session log. Throws what a single
 * handler throws.
 */
export async function runHook(event: string, text: string, env: NodeJS.ProcessEnv, now = new Date()): Promise<{ output: string; problem?: string; session: HookSession | null }> {
  const parsed = parseHookInput(text);
  const session = locateSession(env, parsed.ok ? parsed.input : null);
  if (!session) return { output: '', session };
  const names = event.split('+');
  if (names.some((name) => !HANDLERS[name])) return { output: '', problem: `unknown hook event '${event}'`, session };
  if (!parsed.ok) return { output: '', problem: `${event}: ${parsed.problem}`, session };
  const context = { session, input: parsed.input, env, now };
  if (names.length === 1) {
    const result = await HANDLERS[event]!(context);
    return { output: result ? JSON.stringify(result) + '\n' : '', session };
  }
  const r = await runEach(context, names);
  return { output: r.result ? JSON.stringify(r.result) + '\n' : '', ...(r.problems.length ? { problem: r.problems.join('; ') } : {}), session };
}

/** Puts error `e` of hook `event` in the session log (the session given, else the one `env` names); silent where there is none. */
function logHookError(event: string, e: unknown, env: NodeJS.ProcessEnv, session: HookSession | null): void {
  try {
    session ??= locateSession(env, null);
    if (session) appendSessionLog(session.paths.sessionLog, `hook error in ${event || '(no event)'}: ${(e as Error)?.message ?? String(e)}`);
  } catch {
    // Nowhere to log: stay silent rather than break Claude Code.
  }
}

/**
 * runHook with every problem and error in the session log: what `dist/hook.js
 * <event>` prints for hook input `text` (the output line, '' for none).
 * Never throws: whatever happens, Claude Code gets nothing or one valid
 * answer (main, and the resident, resident.ts). `now` is the hook's clock
 * (the resident gives a spooled input the time it was written).
 */
export async function answerHook(event: string, text: string, env: NodeJS.ProcessEnv, now = new Date()): Promise<string> {
  let session: HookSession | null = null;
  try {
    const r = await runHook(event, text, env, now);
    session = r.session;
    if (r.problem && session) appendSessionLog(session.paths.sessionLog, `hook problem: ${r.problem}`);
    return r.output;
  } catch (e) {
    logHookError(event, e, env, session);
    return '';
  }
}

/** A hosted session's hooks get the store's password from the supervisor's file (store.ts loadHostedPassword); loaded only there. */
async function hostedPassword(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.CS_HOSTED === '1' && !env.CS_SECRETS_PASSWORD) (await import('../secrets/store.js')).loadHostedPassword(env);
}

async function main(): Promise<void> {
  const event = process.argv[2] ?? '';
  process.exitCode = 0;
  let text: string;
  try {
    text = await readStdin();
  } catch (e) {
    return logHookError(event, e, process.env, null);
  }
  const env = process.env;
  await hostedPassword(env);
  // hooks/session-end names its Claude where its resident keeps a spool: what that holds is recorded first.
  const claudePid = Number(env.CS_CLAUDE_PID);
  delete env.CS_CLAUDE_PID; // not for the handlers' children
  if (event === 'session-end' && Number.isInteger(claudePid) && claudePid > 1) {
    try {
      await (await import('./resident.js')).settleSpool(env, claudePid, answerHook);
    } catch (e) {
      logHookError('session-end (its spool)', e, env, null); // the end itself still runs
    }
  }
  const output = await answerHook(event, text, env);
  if (output) process.stdout.write(output);
}

if (process.argv[1] && /hook\.(js|ts)$/.test(process.argv[1])) {
  // The resident of a Claude that cs did not launch (resident.ts), started by hooks/session-start.
  // Exits once it has stopped: a keychain's D-Bus connection must not keep it alive.
  if (process.argv[2] === 'resident') void hostedPassword(process.env).then(() => import('./resident.js')).then((m) => m.residentMain(process.env, answerHook)).finally(() => process.exit(0));
  else void main();
}
