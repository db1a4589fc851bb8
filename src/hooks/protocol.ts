// The stdin/stdout protocol of Claude Code command hooks, and the rules we
// keep: read one JSON object, never trust its shape, answer with JSON only
// when we mean to, never print a stack.

export type HookInput = Record<string, unknown>;

/** Parses hook stdin; anything but a JSON object is a problem to log, not a crash. */
export function parseHookInput(text: string): { ok: true; input: HookInput } | { ok: false; problem: string } {
  if (text.trim() === '') return { ok: false, problem: 'empty input' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, problem: `input is not JSON (${text.length} bytes)` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, problem: `input is JSON but not an object (${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v})` };
  return { ok: true, input: v as HookInput };
}

export function str(input: HookInput, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

export function obj(input: HookInput, key: string): HookInput | undefined {
  const v = input[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as HookInput) : undefined;
}

/** The file a tool works on: file_path (Write, Edit, MultiEdit) or notebook_path (NotebookEdit). */
export function toolFilePath(input: HookInput): string | undefined {
  const toolInput = obj(input, 'tool_input');
  if (!toolInput) return undefined;
  return str(toolInput, 'file_path') ?? str(toolInput, 'notebook_path');
}

/** SessionStart / SubagentStart: text added to Claude's context. */
export function additionalContext(event: 'SessionStart' | 'SubagentStart', text: string): object {
  return { hookSpecificOutput: { hookEventName: event, additionalContext: text } };
}

/**
 * PreToolUse: replace the tool input without deciding anything, so the
 * user's own permission rules judge the new input (DESIGN.md: a decision we
 * did not need would widen their permissions).
 */
export function redirectInput(updatedInput: HookInput, context?: string): object {
  return { hookSpecificOutput: { hookEventName: 'PreToolUse', updatedInput, ...(context ? { additionalContext: context } : {}) } };
}

export function allowPermission(): object {
  return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } };
}

export function blockStop(reason: string): object {
  return { decision: 'block', reason };
}
