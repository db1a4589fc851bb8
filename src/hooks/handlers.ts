// One handler per hook event: input JSON (+ the session) to output JSON and
// file effects. main.ts does the I/O and the never-break-Claude guard.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirConfined, noLinkFrom, readConfined, writeConfined } from '../lib/confine.js';
import { appendSessionLog } from '../session/log.js';
import { secretsOwner } from '../features/ref.js';
import { sessionEnv, type SessionPaths } from '../session/paths.js';
import { shellQuote } from '../lib/shell.js';
import { logChange } from './changes.js';
import type { HookInput } from './protocol.js';
import { additionalContext, allowPermission, blockStop, obj, redirectInput, str, toolFilePath } from './protocol.js';
import { isInside, realTarget, type Handler, type HookContext } from './session.js';
import * as timeline from '../timeline/hooks.js';
import { recordEvent } from '../status/status.js';
import { matcherSelects, POST_TOOL_PARTS } from './registry.js';

// What only some events need is imported where it is used: every Node hook
// run pays for the modules loaded at its start (node:child_process,
// node:crypto and the session summary cost a capture about 50 ms of its
// 350), and most runs are one event's.

const log = (c: HookContext, message: string) => appendSessionLog(c.session.paths.sessionLog, message, c.now);

/**
 * For a Claude cs did not launch: true (and logged) when a live cs holds the
 * session, whose own recovery, pull and commit must not be undone by ours.
 */
async function heldElsewhere(c: HookContext, skipped: string): Promise<boolean> {
  const { describeHolder, liveHolder } = await import('../session/lock.js');
  const holder = liveHolder(c.session.paths.lock);
  if (holder) log(c, `another cs holds this session (${describeHolder(holder)}): ${skipped} left to it`);
  return holder !== null;
}

export const STOP_REMINDER_INTERVAL_MS = 5 * 60 * 1000;

async function sessionStart(c: HookContext): Promise<object | null> {
  const source = str(c.input, 'source') ?? 'unknown';
  await recordSessionStart(c);
  // Sessions not launched by cs (an IDE opening an adopted repo) still get
  // the session variables in their Bash tool calls.
  const envFile = c.env.CLAUDE_ENV_FILE;
  if (envFile && !c.session.launchedByCs) {
    const lines = Object.entries(sessionEnv(c.session.paths)).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`);
    fs.appendFileSync(envFile, lines.join(''));
  }
  if (envFile) fs.appendFileSync(envFile, await secretsForBash(c.session.paths, c.env, (line) => log(c, line)));
  if (!c.session.launchedByCs && source === 'startup' && !(await heldElsewhere(c, 'crash recovery and pull'))) {
    const { beforeClaude } = await import('../session/lifecycle.js');
    await beforeClaude(c.session.paths, c.env, (line) => log(c, line));
  }
  const { sessionContext } = await import('./context.js');
  return additionalContext('SessionStart', sessionContext(c.session));
}

/** What a SessionStart leaves on record whoever answers it: the log line, the timeline line, the conversation pinned. */
export async function recordSessionStart(c: HookContext): Promise<void> {
  const source = str(c.input, 'source') ?? 'unknown';
  log(c, `claude session start (${source}${str(c.input, 'session_id') ? `, conversation ${str(c.input, 'session_id')}` : ''})`);
  timeline.sessionStarted(c.session.paths, c.input, c.now);
  await pinStartedConversation(c);
}

/**
 * Every conversation Claude starts or switches to in the session is pinned
 * (listed, resumed as the latest, synced), not only the one cs launched:
 * `/clear` and `/resume` inside Claude, and forks, arrive here with a
 * session_id of their own.
 */
async function pinStartedConversation(c: HookContext): Promise<void> {
  const id = str(c.input, 'session_id');
  if (!id) return;
  const { pinConversation } = await import('../conversations/store.js');
  if (pinConversation(c.session.paths.dir, c.env, id.toLowerCase(), c.now)) log(c, `pinned conversation ${id} (${str(c.input, 'source') ?? 'unknown'})`);
}

/**
 * Bash commands get the session's secrets: the session env file is written
 * now and rewritten on every capture, and CLAUDE_ENV_FILE (which Claude Code
 * runs ahead of each Bash command) sources it, so values captured later in
 * the session reach later commands too. Returns the line for CLAUDE_ENV_FILE;
 * a secrets store that cannot be read is logged, and the line still given.
 */
export async function secretsForBash(paths: SessionPaths, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<string> {
  const [{ selectBackend }, store, { sessionEnvFilePath }] = await Promise.all([import('../secrets/backend.js'), import('../secrets/store.js'), import('../secrets/keys.js')]);
  const name = paths.name;
  try {
    // A feature session (base@feature) has its base's secrets; the env file is its own.
    const { backend } = await selectBackend(secretsOwner(name), env, { notice: say });
    store.writeSessionEnvFile(name, await backend.getAll(secretsOwner(name)), env, { create: true });
  } catch (e) {
    say(`secrets not loaded for Bash commands: ${(e as Error).message}`);
  }
  return store.envFileSourceLine(sessionEnvFilePath(name, env));
}

async function preToolUse(c: HookContext): Promise<object | null> {
  if (str(c.input, 'tool_name') !== 'Write') return null;
  const handoff = await handoffWrite(c);
  if (handoff !== undefined) return handoff;
  const { captureWrite } = await import('./artifacts.js');
  const capture = await captureWrite(c.session, c.input, c.env, c.now);
  // The event names the file Claude wrote, scrubbed as a tool call's target
  // is (a token as its name); best effort, as every timeline record: the
  // answer (the Write without its values) must reach Claude whatever happens.
  if (capture?.artifact) {
    const artifact = capture.artifact;
    await scrubbedInput(c).then(
      (input) => timeline.artifactCaptured(c.session.paths, input, artifact, c.now),
      (e: Error) => log(c, `timeline: artifact ${artifact.name} not recorded: ${e.message}`),
    );
  }
  return capture?.answer ?? null;
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
  await timeline.toolCalled(c.session.paths, await scrubbedInput(c), c.now, titleScrub(c));
  return null;
}

/**
 * The hook input as cs may record it: in the fields the timeline and the
 * log show (the tool's target, a Bash command, the error text), known
 * secret values and what the detector finds become `[secret: KEY]`. Values
 * found here for the first time are stored, so transcripts get scrubbed of
 * them too. The cheap pass knows the running session's env file only; when
 * it finds something new, the input is scrubbed again against the store
 * itself, so a new value is named as a capture names it (TOKEN_2 next to a
 * stored TOKEN: a value never replaces another) even when the env file is
 * gone (another Claude of the session ended, the runtime folder cleared).
 */
function scrubbedInput(c: HookContext): Promise<HookInput> {
  // Once per hook run: the change log line and the timeline line of one
  // call ('post-tool') scrub the same fields, and a value found new must be
  // stored (and named) once.
  let scrubbed = scrubbedInputs.get(c);
  if (!scrubbed) scrubbedInputs.set(c, (scrubbed = scrubInput(c)));
  return scrubbed;
}

const scrubbedInputs = new WeakMap<HookContext, Promise<HookInput>>();

async function scrubInput(c: HookContext): Promise<HookInput> {
  const { runningSessionSecrets, scrubDetected, scrubKnown } = await import('../secrets/scrub.js');
  const name = c.session.paths.name;
  const scrubWith = async (known: Record<string, string>) => {
    const fresh: Record<string, string> = {};
    const clean = async (text: string): Promise<string> => {
      const d = await scrubDetected(scrubKnown(text, known).text, { ...known, ...fresh });
      for (const f of d.fresh) fresh[f.key] = f.value;
      return d.text;
    };
    const toolInput = obj(c.input, 'tool_input');
    const out: HookInput = { ...c.input };
    if (toolInput) {
      const t: HookInput = { ...toolInput };
      for (const key of timeline.TARGET_KEYS) {
        const v = str(t, key);
        if (v) t[key] = await clean(v);
      }
      out.tool_input = t;
    }
    const error = str(c.input, 'error');
    if (error) out.error = await clean(error);
    return { out, fresh };
  };
  const running = runningSessionSecrets(name, c.env);
  let { out, fresh } = await scrubWith(running);
  if (Object.keys(fresh).length > 0) {
    try {
      const [{ selectBackend }, store] = await Promise.all([import('../secrets/backend.js'), import('../secrets/store.js')]);
      const { backend } = await selectBackend(secretsOwner(name), c.env, { notice: (line) => log(c, line) });
      // The store's values win over a stale env file's for the same key (it would hide the current one, found again as new).
      ({ out, fresh } = await scrubWith({ ...running, ...(await backend.getAll(secretsOwner(name))) }));
      if (Object.keys(fresh).length > 0) await backend.setMany(secretsOwner(name), fresh);
      store.writeSessionEnvFile(name, await backend.getAll(secretsOwner(name)), c.env);
      if (Object.keys(fresh).length > 0) log(c, `secrets found in a ${str(c.input, 'tool_name') ?? 'tool'} call stored: ${Object.keys(fresh).join(', ')}`);
    } catch (e) {
      log(c, `secrets found in a tool call could not be stored: ${(e as Error).message}`);
    }
  }
  return out;
}

/** A discovery's title as the timeline may keep it (timeline.noteNewDiscoveries). */
function titleScrub(c: HookContext): timeline.Scrub {
  return async (title) => (await import('../secrets/scrub.js')).scrubForRecord(c.session.paths.name, c.env, title, 'a discovery title', (line) => log(c, line));
}

/**
 * The change log line, its path scrubbed as the timeline's target is: a
 * value in a file's path or name (a folder named for a token, a key as the
 * file name) would be kept as is in changes.md, which is committed and
 * synced. Where the path holds nothing to take out, hooks/post-tool-use
 * writes the line in sh and Node does not start.
 */
async function postToolUse(c: HookContext): Promise<object | null> {
  logChange(c.session, await scrubbedInput(c), c.now);
  return null;
}

async function autosave(c: HookContext): Promise<object | null> {
  const file = toolFilePath(c.input) ?? '';
  const { autosave: save, autosaveIfDue } = await import('../git/autosave.js');
  // The running session's values, from its env file (no keychain round trip in a hook): a file holding one stays out.
  const known = (await import('../secrets/scrub.js')).runningSessionSecrets(c.session.paths.name, c.env);
  // Discoveries are saved at once; other writes at most once a minute.
  const r = /\.cs\/discoveries(\.archive)?\.md$/.test(file) ? await save(c.session.paths.dir, { known }) : await autosaveIfDue(c.session.paths.dir, 60_000, { known });
  if (r.withSecrets) log(c, `autosave: ${(await import('../git/secret-guard.js')).leftOutNotice(r.withSecrets, 'the snapshot', c.session.paths.name)}`);
  if (r.saved) log(c, `autosave ${r.commit.slice(0, 12)}`);
  if (r.saved) timeline.autosaved(c.session.paths, r.commit, c.now);
  return null;
}

/**
 * PostToolUse with the parts of hooks/post-tool-use (POST_TOOL_PARTS) that
 * `which` takes done in Node, each for the tools its matcher selects (as the
 * endpoint applies SERVED's): its sh hands the input over when it cannot
 * write the change log line itself, or cannot read the tool's name
 * ('post-tool', every part); the resident records a spooled input now and
 * runs its background parts after (spool.ts).
 */
function postTool(which: (part: (typeof POST_TOOL_PARTS)[number]) => boolean): Handler {
  return async (c) => {
    const tool = str(c.input, 'tool_name');
    const r = await runEach(c, POST_TOOL_PARTS.filter((p) => which(p) && matcherSelects(p.matcher, tool)).map((p) => p.handler));
    for (const problem of r.problems) log(c, problem);
    return r.result;
  };
}

/**
 * Runs the handlers `names` (keys of HANDLERS) in order on one input, each
 * on its own, as hooks of their own would be: one that throws costs the
 * others nothing (a change log a cloned session's symlink refuses, an
 * autosave without git, leave the timeline line and the status in). Gives
 * the first answer, and a line for the session log per failure.
 */
export async function runEach(c: HookContext, names: readonly string[]): Promise<{ result: object | null; problems: string[] }> {
  let result: object | null = null;
  const problems: string[] = [];
  for (const name of names) {
    try {
      result ??= await HANDLERS[name]!(c);
    } catch (e) {
      problems.push(`hook error in ${name}: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  return { result, problems };
}

async function postToolUseFailure(c: HookContext): Promise<object | null> {
  const input = await scrubbedInput(c);
  const tool = str(input, 'tool_name') ?? 'unknown tool';
  const error = str(input, 'error') ?? '';
  log(c, `tool failed: ${tool}${toolFilePath(input) ? ` ${toolFilePath(input)}` : ''}${error ? `: ${error.slice(0, 300)}` : ''}`);
  timeline.toolFailed(c.session.paths, input, c.now);
  return null;
}

/**
 * PostToolUseFailure, synchronous (hooks/queue-failure runs Node only while
 * a queued task runs): counts the failure against that task and parks the
 * queue at CS_QUEUE_MAX_FAILURES.
 */
async function queueFailure(c: HookContext): Promise<object | null> {
  const input = await scrubbedInput(c);
  const error = (str(input, 'error') ?? '').replace(/\s+/g, ' ').trim();
  const { onToolFailure, limitsFrom } = await import('../queue/drain.js');
  const debrief = onToolFailure(c.session.paths.dir, `${str(input, 'tool_name') ?? 'unknown tool'}${error ? `: ${error}` : ''}`, limitsFrom(c.env), c.now);
  if (debrief) {
    log(c, `queue ${debrief}`);
    await (await import('../queue/resume.js')).afterQueueStop(c.env, c.session.paths.name, c.session.paths.dir, { parked: { reason: 'failures', debrief } }, c.now);
  }
  return null;
}

/**
 * The queue's part of a Stop (src/queue/drain.ts): finish the running task,
 * park on a safety stop, else pick the next task. The handover itself is
 * returned by `stop` so the handoff nudge can go first.
 */
async function queueStop(c: HookContext): Promise<{ finished?: object; next?: object; reason?: string }> {
  const { hasQueue } = await import('../queue/queue.js');
  if (!hasQueue(c.session.paths.dir)) return {};
  const drain = await import('../queue/drain.js');
  const { readStatusLine } = await import('../status/statusline.js');
  const { contextUsed } = await import('../handoff/handoff.js');
  const p = c.session.paths;
  const out = drain.onStop(
    p.dir,
    () => {
      const sl = readStatusLine(p.dir);
      const ctx = contextUsed(p.dir, str(c.input, 'session_id') ?? '', str(c.input, 'transcript_path'), c.now);
      return { contextPct: ctx?.pct ?? null, fiveHourPct: sl?.fiveHourPct ?? null, fiveHourResetsAt: sl?.fiveHourResetsAt ?? null };
    },
    drain.limitsFrom(c.env),
    c.now,
  );
  if (out.finished) log(c, `queue: task ${out.finished.id} done`);
  if (out.parked) log(c, `queue ${out.parked.debrief}`);
  if (out.drained) log(c, 'queue: drained, disarmed');
  // The owner hears of a park or a drain; a park on the 5-hour limit in a hosted session starts the resume timer.
  if (out.parked || out.drained) await (await import('../queue/resume.js')).afterQueueStop(c.env, p.name, p.dir, out, c.now);
  if (!out.next) return { ...(out.finished ? { finished: out.finished } : {}) };
  log(c, `queue: handed task ${out.next.id} to Claude`);
  const { readQueue, pendingCount } = await import('../queue/queue.js');
  return { ...(out.finished ? { finished: out.finished } : {}), next: out.next, reason: drain.handoverReason(out.next, pendingCount(readQueue(p.dir))) };
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
  const p = c.session.paths;
  // The queue first: it finishes the task a previous Stop handed over and may park.
  const queued = await queueStop(c);
  // stop_hook_active says a hook blocked the previous Stop. When that block
  // was the queue's handover, this Stop ends a fresh piece of work and the
  // nudge and the reminder may speak; after their own block they never do.
  const fresh = c.input.stop_hook_active !== true || queued.finished !== undefined;
  if (fresh) {
    // Past 80 % context: ask once per conversation for a handoff (src/handoff/handoff.ts).
    const { nudge } = await import('../handoff/handoff.js');
    const asked = await nudge(p.dir, str(c.input, 'session_id') ?? '', str(c.input, 'transcript_path'), c.now);
    if (asked) {
      log(c, `asked Claude for a handoff at ${Math.round(asked.pct)}% context (${asked.file})`);
      return blockStop(asked.reason);
    }
  }
  // Each handover consumes a task, so handing one over never loops, even on stop_hook_active.
  if (queued.next) return blockStop(queued.reason!);
  if (!fresh) return null;
  const stateFile = path.join(p.local, 'stop-reminder.json');
  let state = { at: 0, changes: 0 };
  try {
    state = { ...state, ...(JSON.parse(fs.readFileSync(stateFile, 'utf8')) as typeof state) };
  } catch {
    // first reminder of this session on this machine
  }
  if (c.now.getTime() - state.at < STOP_REMINDER_INTERVAL_MS) return null;
  // Never through a link, never waiting on a FIFO (Claude Code gives Stop 10 s): readConfined throws, the hook logs.
  const changes = countChanges(readConfined(p.changes, ''));
  const changedAt = fs.statSync(p.changes, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const notedAt = fs.statSync(p.discoveries, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (changes <= state.changes || changedAt <= notedAt) return null;
  writeConfined(stateFile, JSON.stringify({ at: c.now.getTime(), changes }));
  log(c, 'reminded Claude to record discoveries');
  return blockStop('cs: files changed since .cs/discoveries.md was last updated. Add a short "## <date> <topic>" section there with what you found or decided (skip if nothing is worth keeping), then stop.');
}

async function preCompact(c: HookContext): Promise<object | null> {
  const { archiveDiscoveries } = await import('./compact.js');
  const r = archiveDiscoveries(c.session);
  if (r) log(c, `archived ${r.movedLines} lines of old discoveries to discoveries.archive.md`);
  return null; // PreCompact stdout would be pasted into the compaction prompt
}

async function sessionEnd(c: HookContext): Promise<object | null> {
  const reason = str(c.input, 'reason') ?? 'unknown';
  const p = c.session.paths;
  log(c, `claude session end (${reason})`);
  if (reason !== 'clear') recordEvent(p.dir, 'SessionEnd', c.now);
  await timeline.sessionEnded(p, c.input, c.now, titleScrub(c));
  if (reason !== 'clear') await archiveArtifacts(c);
  if (!c.session.launchedByCs && !(await heldElsewhere(c, 'the session-end commit'))) {
    // Nobody else will do the end-of-session work for a Claude cs did not start.
    const { afterClaude } = await import('../session/lifecycle.js');
    await afterClaude(p, c.env, (line, _level, o) => o?.logged !== false && log(c, line));
  }
  return null;
}

/** `.cs/archives/artifacts-<time>.tar.gz`, when there is anything to archive. */
async function archiveArtifacts(c: HookContext): Promise<void> {
  const p = c.session.paths;
  const files = fs.existsSync(p.artifacts) ? fs.readdirSync(p.artifacts) : [];
  if (files.filter((f) => f !== 'MANIFEST.json').length === 0) return;
  mkdirConfined(p.archives);
  const name = `artifacts-${c.now.toISOString().replace(/[:.]/g, '-')}.tar.gz`;
  const { run } = await import('../lib/proc.js');
  await run('tar', ['-czf', path.join(p.archives, name), '-C', p.meta, 'artifacts']);
  log(c, `artifacts archived to .cs/archives/${name}`);
}

/** Served over HTTP for PreToolUse and Stop (the sh hooks/status-* do the rest): the session's live status. */
async function status(c: HookContext): Promise<object | null> {
  recordEvent(c.session.paths.dir, str(c.input, 'hook_event_name') ?? '', c.now);
  return null;
}

async function subagentStart(c: HookContext): Promise<object | null> {
  const { sessionContext } = await import('./context.js');
  return additionalContext('SubagentStart', sessionContext(c.session));
}

/**
 * Allows Write/Edit of files inside the session's own .cs/ (where we
 * redirect artifacts); nothing else. A symlink anywhere from `.cs` down,
 * dangling or not, makes the path not ours: Claude would write through it.
 */
async function permissionRequest(c: HookContext): Promise<object | null> {
  const tool = str(c.input, 'tool_name');
  if (!tool || !['Write', 'Edit', 'MultiEdit'].includes(tool)) return null;
  const file = str(obj(c.input, 'tool_input') ?? {}, 'file_path');
  if (!file || !path.isAbsolute(file)) return null;
  // The session directory itself may be reached through a link (an adopted
  // project): the path may spell it either way.
  const abs = path.resolve(file);
  const meta = [path.resolve(c.session.paths.meta), path.join(fs.realpathSync(c.session.paths.dir), '.cs')].find((m) => isInside(abs, m));
  if (!meta || !noLinkFrom(meta, abs)) return null;
  return isInside(realTarget(abs), fs.realpathSync(meta)) ? allowPermission() : null;
}

export const HANDLERS: Record<string, Handler> = {
  'session-start': sessionStart,
  'pre-tool-use': preToolUse,
  'post-tool-use': postToolUse,
  'post-tool': postTool(() => true),
  'post-tool-now': postTool((p) => !p.background),
  'post-tool-background': postTool((p) => p.background === true),
  autosave,
  timeline: toolTimeline,
  'post-tool-use-failure': postToolUseFailure,
  'queue-failure': queueFailure,
  stop,
  'pre-compact': preCompact,
  'session-end': sessionEnd,
  // Nothing: what a hand-over to the resident starts with, recording its spool (settleSpool, resident.ts), is the point.
  spool: async () => null,
  'subagent-start': subagentStart,
  'permission-request': permissionRequest,
  'permission-remote': async (c) => ((await permissionRequest(c)) ? null : (await import('./approval.js')).holdForOwner(c)),
  'notify-turn': async (c) => (await import('./approval.js')).notifyTurn(c),
  status,
};
