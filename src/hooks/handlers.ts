// One handler per hook event: input JSON (+ the session) to output JSON and
// file effects. main.ts does the I/O and the never-break-Claude guard.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fsutil.js';
import { run } from '../proc.js';
import { appendSessionLog } from '../session/log.js';
import { sessionEnv } from '../session/paths.js';
import { shellQuote } from '../shell.js';
import { captureWrite } from './artifacts.js';
import { logChange } from './changes.js';
import { archiveDiscoveries } from './compact.js';
import { sessionContext } from './context.js';
import type { HookInput } from './protocol.js';
import { additionalContext, allowPermission, blockStop, obj, redirectInput, str, toolFilePath } from './protocol.js';
import { isInside, realTarget, type HookSession } from './session.js';
import * as timeline from '../timeline/hooks.js';
import { recordEvent } from '../status/status.js';

export interface HookContext {
  session: HookSession;
  input: HookInput;
  env: NodeJS.ProcessEnv;
  now: Date;
}

export type Handler = (c: HookContext) => Promise<object | null>;

const log = (c: HookContext, message: string) => appendSessionLog(c.session.paths.sessionLog, message, c.now);

export const STOP_REMINDER_INTERVAL_MS = 5 * 60 * 1000;

async function sessionStart(c: HookContext): Promise<object | null> {
  const source = str(c.input, 'source') ?? 'unknown';
  log(c, `claude session start (${source}${str(c.input, 'session_id') ? `, conversation ${str(c.input, 'session_id')}` : ''})`);
  timeline.sessionStarted(c.session.paths, c.input, c.now);
  // Sessions not launched by cs (an IDE opening an adopted repo) still get
  // the session variables in their Bash tool calls.
  const envFile = c.env.CLAUDE_ENV_FILE;
  if (envFile && !c.session.launchedByCs) {
    const lines = Object.entries(sessionEnv(c.session.paths)).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`);
    fs.appendFileSync(envFile, lines.join(''));
  }
  if (!c.session.launchedByCs && source === 'startup') {
    const { beforeClaude } = await import('../session/lifecycle.js');
    await beforeClaude(c.session.paths, c.env, (line) => log(c, line));
  }
  return additionalContext('SessionStart', sessionContext(c.session));
}

async function preToolUse(c: HookContext): Promise<object | null> {
  if (str(c.input, 'tool_name') !== 'Write') return null;
  const handoff = await handoffWrite(c);
  if (handoff !== undefined) return handoff;
  const answer = await captureWrite(c.session, c.input, c.env, c.now);
  timeline.artifactCaptured(c.session.paths, c.input, answer, c.now);
  return answer;
}

/**
 * A Write of a handoff (.cs/handoffs/*.md): its content goes through secret
 * redaction. undefined when the Write is something else.
 */
async function handoffWrite(c: HookContext): Promise<object | null | undefined> {
  const input = obj(c.input, 'tool_input');
  const file = input ? str(input, 'file_path') : undefined;
  const content = input ? str(input, 'content') : undefined;
  if (!input || !file || content === undefined || !file.endsWith('.md') || !path.isAbsolute(file)) return undefined;
  const dir = path.join(fs.realpathSync(c.session.paths.meta), 'handoffs');
  if (path.dirname(realTarget(file)) !== dir) return undefined;
  const { redactHandoff } = await import('../handoff/redact.js');
  const r = await redactHandoff(c.session.paths.name, content, c.env);
  if (r.keys.length === 0) return null;
  log(c, `redacted ${r.keys.join(', ')} from ${path.basename(file)}`);
  return redirectInput({ ...input, content: r.text });
}

/** PostToolUse on every tool (async command hook, or served over HTTP): the timeline line. */
async function toolTimeline(c: HookContext): Promise<object | null> {
  timeline.toolCalled(c.session.paths, c.input, c.now);
  return null;
}

async function postToolUse(c: HookContext): Promise<object | null> {
  logChange(c.session, c.input, c.now);
  return null;
}

async function autosave(c: HookContext): Promise<object | null> {
  const file = toolFilePath(c.input) ?? '';
  const { autosave: save, autosaveIfDue } = await import('../git/autosave.js');
  // Discoveries are saved at once; other writes at most once a minute.
  const r = /\.cs\/discoveries(\.archive)?\.md$/.test(file) ? await save(c.session.paths.dir) : await autosaveIfDue(c.session.paths.dir, 60_000);
  if (r.saved) log(c, `autosave ${r.commit.slice(0, 12)}`);
  if (r.saved) timeline.autosaved(c.session.paths, r.commit, c.now);
  return null;
}

async function postToolUseFailure(c: HookContext): Promise<object | null> {
  const tool = str(c.input, 'tool_name') ?? 'unknown tool';
  const error = str(c.input, 'error') ?? '';
  log(c, `tool failed: ${tool}${toolFilePath(c.input) ? ` ${toolFilePath(c.input)}` : ''}${error ? `: ${error.slice(0, 300)}` : ''}`);
  timeline.toolFailed(c.session.paths, c.input, c.now);
  return null;
}

/** Change lines in changes.md ("- [time] Tool: path"). */
export function countChanges(text: string): number {
  let n = text.startsWith('- [') ? 1 : 0;
  for (let i = text.indexOf('\n- ['); i >= 0; i = text.indexOf('\n- [', i + 1)) n++;
  return n;
}

/**
 * Reminds Claude to record discoveries when files changed since the last
 * reminder and after discoveries.md was last edited; at most once per 5
 * minutes, and never twice in a row (stop_hook_active).
 */
async function stop(c: HookContext): Promise<object | null> {
  if (c.input.stop_hook_active === true) return null;
  const p = c.session.paths;
  // Past 80 % context: ask once per conversation for a handoff (src/handoff/handoff.ts).
  const { nudge } = await import('../handoff/handoff.js');
  const asked = await nudge(p.dir, str(c.input, 'session_id') ?? '', str(c.input, 'transcript_path'), c.now);
  if (asked) {
    log(c, `asked Claude for a handoff at ${Math.round(asked.pct)}% context (${asked.file})`);
    return blockStop(asked.reason);
  }
  const stateFile = path.join(p.local, 'stop-reminder.json');
  let state = { at: 0, changes: 0 };
  try {
    state = { ...state, ...(JSON.parse(fs.readFileSync(stateFile, 'utf8')) as typeof state) };
  } catch {
    // first reminder of this session on this machine
  }
  if (c.now.getTime() - state.at < STOP_REMINDER_INTERVAL_MS) return null;
  const changes = countChanges(fs.readFileSync(p.changes, 'utf8'));
  const changedAt = fs.statSync(p.changes, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const notedAt = fs.statSync(p.discoveries, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (changes <= state.changes || changedAt <= notedAt) return null;
  fs.mkdirSync(p.local, { recursive: true });
  writeFileAtomic(stateFile, JSON.stringify({ at: c.now.getTime(), changes }));
  log(c, 'reminded Claude to record discoveries');
  return blockStop('cs: files changed since .cs/discoveries.md was last updated. Add a short "## <date> <topic>" section there with what you found or decided (skip if nothing is worth keeping), then stop.');
}

async function preCompact(c: HookContext): Promise<object | null> {
  const r = archiveDiscoveries(c.session);
  if (r) log(c, `archived ${r.movedLines} lines of old discoveries to discoveries.archive.md`);
  return null; // PreCompact stdout would be pasted into the compaction prompt
}

async function sessionEnd(c: HookContext): Promise<object | null> {
  const reason = str(c.input, 'reason') ?? 'unknown';
  const p = c.session.paths;
  log(c, `claude session end (${reason})`);
  if (reason !== 'clear') recordEvent(p.dir, 'SessionEnd', c.now);
  timeline.sessionEnded(p, c.input, c.now);
  if (reason !== 'clear') await archiveArtifacts(c);
  if (!c.session.launchedByCs) {
    // Nobody else will do the end-of-session work for a Claude cs did not start.
    const { afterClaude } = await import('../session/lifecycle.js');
    await afterClaude(p, c.env, (line) => log(c, line));
  }
  return null;
}

/** `.cs/archives/artifacts-<time>.tar.gz`, when there is anything to archive. */
async function archiveArtifacts(c: HookContext): Promise<void> {
  const p = c.session.paths;
  const files = fs.existsSync(p.artifacts) ? fs.readdirSync(p.artifacts) : [];
  if (files.filter((f) => f !== 'MANIFEST.json').length === 0) return;
  fs.mkdirSync(p.archives, { recursive: true });
  const name = `artifacts-${c.now.toISOString().replace(/[:.]/g, '-')}.tar.gz`;
  await run('tar', ['-czf', path.join(p.archives, name), '-C', p.meta, 'artifacts']);
  log(c, `artifacts archived to .cs/archives/${name}`);
}

/** Served over HTTP for PreToolUse and Stop (the sh hooks/status-* do the rest): the session's live status. */
async function status(c: HookContext): Promise<object | null> {
  recordEvent(c.session.paths.dir, str(c.input, 'hook_event_name') ?? '', c.now);
  return null;
}

async function subagentStart(c: HookContext): Promise<object | null> {
  return additionalContext('SubagentStart', sessionContext(c.session));
}

/** Allows Write/Edit of files inside the session's own .cs/ (where we redirect artifacts); nothing else. */
async function permissionRequest(c: HookContext): Promise<object | null> {
  const tool = str(c.input, 'tool_name');
  if (!tool || !['Write', 'Edit', 'MultiEdit'].includes(tool)) return null;
  const file = str(obj(c.input, 'tool_input') ?? {}, 'file_path');
  if (!file || !path.isAbsolute(file)) return null;
  const meta = fs.realpathSync(c.session.paths.meta);
  return isInside(realTarget(file), meta) ? allowPermission() : null;
}

export const HANDLERS: Record<string, Handler> = {
  'session-start': sessionStart,
  'pre-tool-use': preToolUse,
  'post-tool-use': postToolUse,
  autosave,
  timeline: toolTimeline,
  'post-tool-use-failure': postToolUseFailure,
  stop,
  'pre-compact': preCompact,
  'session-end': sessionEnd,
  'subagent-start': subagentStart,
  'permission-request': permissionRequest,
  status,
};
