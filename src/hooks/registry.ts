// The hook entries cs registers in Claude Code's settings.json. install.ts
// merges exactly these (and `cs -uninstall` removes exactly these); the hooks
// issue fills the list. `script` is a file in the package's hooks/ folder.
export interface HookRegistration {
  event: string;
  matcher?: string;
  script: string;
  /** Run in the background: for pure logging that must never block Claude. */
  async?: boolean;
  /** Seconds. */
  timeout?: number;
}

/** The tools whose calls go to changes.md (CHANGE_TOOLS in src/hooks/changes.ts holds the same names). */
export const CHANGE_MATCHER = 'Write|Edit|MultiEdit|NotebookEdit';
/**
 * The tools whose call may run long (a command, a subagent, a fetch): the
 * live status says working when one starts (PreToolUse). Every other call is
 * short, and the status after it (PostToolUse, PostToolUseFailure) says so: a
 * Read or an Edit costs no hook process, and no round trip to cs's endpoint,
 * before it runs. A tool not listed that runs long after a denied permission
 * shows needs-you until it ends (an MCP tool: the matcher has no wildcard).
 */
export const LONG_TOOL_MATCHER = 'Bash|Task|Agent|WebFetch|WebSearch';
/** The tools after which the workspace is autosaved when due (src/git/autosave.ts). */
export const AUTOSAVE_MATCHER = 'Write|Edit|MultiEdit';

/**
 * Whether Claude Code's hook `matcher` selects `tool`: none matches every
 * tool, else the matcher is an anchored alternation of tool names (the only
 * form cs registers; code.claude.com/docs/en/hooks, "Matchers").
 */
export function matcherSelects(matcher: string | undefined, tool: string | undefined): boolean {
  if (matcher === undefined || matcher === '' || matcher === '*') return true;
  return tool !== undefined && matcher.split('|').includes(tool);
}
/**
 * The parts of a tool call's record (PostToolUse), each by its handler
 * (src/hooks/handlers.ts), for the tools its matcher selects: hooks/post-tool-use
 * does them in sh, cs's endpoint serves them (SERVED), and 'post-tool' runs
 * them all in Node. A part in the `background` may take long (the autosave
 * runs git) and nothing waits for it: the endpoint runs it after its answer,
 * the resident after the records (src/hooks/resident.ts), hooks/post-tool-use
 * detached.
 */
export const POST_TOOL_PARTS: ReadonlyArray<{ handler: string; matcher?: string; background?: true }> = [
  { handler: 'timeline' },
  { handler: 'post-tool-use', matcher: CHANGE_MATCHER },
  { handler: 'autosave', matcher: AUTOSAVE_MATCHER, background: true },
  { handler: 'status' },
];

/** Claude Code notification types that wait on the user. */
export const NEEDS_YOU_NOTIFICATIONS = 'permission_prompt|worker_permission_prompt|agent_needs_input';

export const HOOKS: readonly HookRegistration[] = [
  { event: 'SessionStart', script: 'session-start', timeout: 30 },
  { event: 'PreToolUse', matcher: 'Write', script: 'pre-tool-use', timeout: 30 },
  // Every tool, one script for the three parts of a tool call's record: the
  // change log line (CHANGE_MATCHER), the timeline line and the autosave when
  // due (AUTOSAVE_MATCHER). One process per call where three ran: each cost
  // an sh start, a read of the input and Claude Code's own spawn. Synchronous,
  // so the change log line is in before the Stop that reads it (in the
  // background, at a -p exit Claude killed the slowest hook before it
  // wrote); what needs Node and can wait (a timeline line to scrub, the
  // autosave) runs detached, which Claude neither waits for nor kills.
  { event: 'PostToolUse', script: 'post-tool-use', timeout: 30 },
  { event: 'PostToolUseFailure', script: 'post-tool-use-failure', async: true, timeout: 10 },
  // Live status (src/status/status.ts): Claude goes on after a failed call.
  { event: 'PostToolUseFailure', script: 'status-failure', async: true, timeout: 5 },
  // Synchronous, so the count is in before the Stop that follows; sh alone unless a queued task runs.
  { event: 'PostToolUseFailure', script: 'queue-failure', timeout: 10 },
  { event: 'Stop', script: 'stop', timeout: 10 },
  { event: 'PreCompact', script: 'pre-compact', timeout: 30 },
  // SessionEnd gets 1.5 s in total unless a timeout is set; archiving and
  // the fallback commit can take longer.
  { event: 'SessionEnd', script: 'session-end', timeout: 60 },
  { event: 'SubagentStart', script: 'subagent-start', timeout: 10 },
  { event: 'PermissionRequest', matcher: 'Write|Edit|MultiEdit', script: 'permission-request', timeout: 10 },
  // Hosted, no terminal attached: holds the request up to CS_APPROVAL_TIMEOUT
  // (at most 640 s, src/approval/approval.ts) for the owner's answer on the page.
  { event: 'PermissionRequest', script: 'permission-remote', timeout: 660 },
  // Live status (src/status/status.ts), written by sh alone in the background.
  { event: 'UserPromptSubmit', script: 'status-prompt', async: true, timeout: 5 },
  { event: 'PreToolUse', matcher: LONG_TOOL_MATCHER, script: 'status-tool', async: true, timeout: 5 },
  // Only the notifications that wait on the user (notification_type, which
  // Claude Code matches Notification matchers against; types from the
  // 2.1.330 binary): its "waiting for your input" after 60 s idle
  // (idle_prompt) is no reason to say "needs you", nor is auth_success.
  { event: 'Notification', matcher: NEEDS_YOU_NOTIFICATIONS, script: 'status-notification', async: true, timeout: 5 },
  { event: 'PermissionRequest', script: 'status-permission', async: true, timeout: 5 },
  { event: 'Stop', script: 'status-stop', async: true, timeout: 5 },
  // Hosted, nobody at the terminal, notifications on: "finished a turn" (src/notify/).
  { event: 'Stop', script: 'notify-turn', async: true, timeout: 10 },
];
