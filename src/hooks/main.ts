// dist/hook.js <event>: the one bundled handler the sh scripts in hooks/
// hand over to. Whatever happens, Claude Code gets exit 0 and either nothing
// or one valid JSON object on stdout; problems go to the session log.
import { appendSessionLog } from '../session/log.js';
import { HANDLERS } from './handlers.js';
import { parseHookInput } from './protocol.js';
import { locateSession, type HookSession } from './session.js';

/** Larger inputs (a Write of a huge file) are not ours to process. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INPUT_BYTES) throw new Error(`input over ${MAX_INPUT_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function runHook(event: string, text: string, env: NodeJS.ProcessEnv, now = new Date()): Promise<{ output: string; problem?: string; session: HookSession | null }> {
  const parsed = parseHookInput(text);
  const session = locateSession(env, parsed.ok ? parsed.input : null);
  if (!session) return { output: '', session };
  const handler = HANDLERS[event];
  if (!handler) return { output: '', problem: `unknown hook event '${event}'`, session };
  if (!parsed.ok) return { output: '', problem: `${event}: ${parsed.problem}`, session };
  const result = await handler({ session, input: parsed.input, env, now });
  return { output: result ? JSON.stringify(result) + '\n' : '', session };
}

async function main(): Promise<void> {
  const event = process.argv[2] ?? '';
  let session: HookSession | null = null;
  try {
    const text = await readStdin();
    const r = await runHook(event, text, process.env);
    session = r.session;
    if (r.problem && session) appendSessionLog(session.paths.sessionLog, `hook problem: ${r.problem}`);
    if (r.output) process.stdout.write(r.output);
  } catch (e) {
    try {
      session ??= locateSession(process.env, null);
      if (session) appendSessionLog(session.paths.sessionLog, `hook error in ${event || '(no event)'}: ${(e as Error)?.message ?? String(e)}`);
    } catch {
      // Nowhere to log: stay silent rather than break Claude Code.
    }
  }
  process.exitCode = 0;
}

if (process.argv[1] && /hook\.(js|ts)$/.test(process.argv[1])) void main();
