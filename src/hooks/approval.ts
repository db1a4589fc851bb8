// PermissionRequest in a hosted session with no terminal attached: hold the
// request for the owner's answer from the `cs -serve` page (src/approval/),
// notify them, and pass the answer to Claude. No answer within
// CS_APPROVAL_TIMEOUT seconds (default 600) → deny with a reason Claude
// sees. A terminal attached (before or while waiting) → no decision: Claude's
// own dialog decides, as at any terminal. Format of the answer: DESIGN.md
// ("PermissionRequest answers hookSpecificOutput.decision.behavior").
import { approvalTimeout, holdRequest, readDecision, release, timeoutReason } from '../approval/approval.js';
import { run } from '../lib/proc.js';
import { appendEvent } from '../timeline/timeline.js';
import type { HookContext } from './session.js';
import { appendSessionLog } from '../session/log.js';
import { obj, str } from './protocol.js';

const POLL_MS = 200;
const ATTACHED_EVERY_MS = 1000;

/** Terminals attached to the tmux session of this pane ($TMUX, $TMUX_PANE); null when not in tmux. */
export async function attachedTerminals(env: NodeJS.ProcessEnv): Promise<number | null> {
  const socket = env.TMUX?.split(',')[0];
  const pane = env.TMUX_PANE;
  if (!socket || !pane) return null;
  const r = await run('tmux', ['-S', socket, 'display-message', '-p', '-t', pane, '#{session_attached}'], { allowFailure: true, timeoutMs: 3000 });
  return r.code === 0 ? Number(r.stdout.trim()) || 0 : null;
}

function decision(behavior: 'allow' | 'deny', message?: string): object {
  return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior, ...(message ? { message } : {}) } } };
}

/**
 * The hook handler. `c.env.CS_HOSTED` is set by the supervisor of a hosted
 * session (src/host/main.ts): elsewhere nothing is held.
 */
export async function holdForOwner(c: HookContext, opts: { pollMs?: number; now?: () => Date } = {}): Promise<object | null> {
  if (c.env.CS_HOSTED !== '1') return null;
  if ((await attachedTerminals(c.env)) !== 0) return null;
  const now = opts.now ?? (() => new Date());
  const tool = str(c.input, 'tool_name') ?? 'tool';
  const { summaryLine, toolText } = await import('../serve/conversation.js');
  const { scrubForRecord } = await import('../secrets/scrub.js');
  // Held before the call runs: a value in it (a token in a command) has not been through the PostToolUse that would store it.
  const log = (line: string) => appendSessionLog(c.session.paths.sessionLog, line, c.now);
  const summary = summaryLine(await scrubForRecord(c.session.paths.name, c.env, toolText(tool, obj(c.input, 'tool_input') ?? {}), 'a permission request', log));
  const local = c.session.paths.local;
  const held = holdRequest(local, tool, summary, now());
  const timeout = approvalTimeout(c.env);
  const { notify } = await import('../notify/notify.js');
  const sent = notify({ name: c.session.paths.name }, { kind: 'needs-you', summary: `asks to run ${summary}` }, c.env);
  const deadline = Date.now() + timeout * 1000;
  let nextAttachCheck = Date.now() + ATTACHED_EVERY_MS;
  try {
    for (;;) {
      const answer = readDecision(local, held.id);
      if (answer) {
        appendEvent(c.session.paths.meta, { type: 'permission', tool, target: summary, decision: answer.decision, by: answer.by });
        return answer.decision === 'allow' ? decision('allow') : decision('deny', 'denied by the owner from the cs page');
      }
      if (Date.now() >= deadline) {
        appendEvent(c.session.paths.meta, { type: 'permission', tool, target: summary, decision: 'timeout' });
        return decision('deny', timeoutReason(timeout));
      }
      if (Date.now() >= nextAttachCheck) {
        nextAttachCheck = Date.now() + ATTACHED_EVERY_MS;
        // Someone came to the terminal: Claude's dialog is theirs to answer.
        if ((await attachedTerminals(c.env)) !== 0) return null;
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? POLL_MS));
    }
  } finally {
    release(local, held.id);
    await sent;
  }
}

/** Stop with nobody at the terminal: "finished a turn", with Claude's last words as the summary. */
export async function notifyTurn(c: HookContext): Promise<null> {
  if (c.env.CS_HOSTED !== '1' || c.input.stop_hook_active === true) return null;
  if ((await attachedTerminals(c.env)) !== 0) return null;
  const transcript = str(c.input, 'transcript_path');
  let summary = 'waiting for your next prompt';
  if (transcript) {
    const { parseTranscript } = await import('../serve/conversation.js');
    const fs = await import('node:fs');
    try {
      const last = parseTranscript(fs.readFileSync(transcript, 'utf8')).filter((i) => i.kind === 'text').at(-1);
      if (last) summary = last.text;
    } catch {
      // no transcript yet: the plain summary
    }
  }
  const { notify } = await import('../notify/notify.js');
  await notify({ name: c.session.paths.name }, { kind: 'turn-done', summary }, c.env);
  return null;
}
