// The first SessionStart of a Claude that `cs <name>` launches, answered
// without Node. Claude Code does not send SessionStart to http hooks (see
// SERVED in server.ts), and the command hook sits on Claude's start-up
// path: a Node start there cost 174–228 ms of every launch. So cs works out
// the answer before it starts Claude (the session context, the env file of
// secrets for Bash commands, the line that sources it), and hooks/session-
// start, seeing CS_HOOK_SERVER and these files, prints the answer, appends
// the line to CLAUDE_ENV_FILE and leaves the hook input for the hook server,
// which records it (log, timeline, conversation pinned) as the Node handler
// does. Used once: a later SessionStart (/clear, a compaction) goes to Node
// for a context that is current.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { noLinkFrom, removeConfined, writeConfined } from '../lib/confine.js';
import { appendSessionLog } from '../session/log.js';
import type { SessionPaths } from '../session/paths.js';
import { sessionContext } from './context.js';
import { recordSessionStart, secretsForBash } from './handlers.js';
import { additionalContext, parseHookInput } from './protocol.js';

/** Relative to the session directory (dist/hook.sh gets them from here). */
export const PREPARED_ANSWER = '.cs/local/session-start.json';
export const PREPARED_ENV_LINE = '.cs/local/session-start.env';
/** Hook inputs the sh hook leaves, each followed by a line holding only RS (0x1e), which JSON text cannot hold raw. */
export const STARTS_LEFT = '.cs/local/session-start.inputs';
export const RECORD_SEPARATOR = '\n\x1e\n';

/**
 * Writes the prepared answer and env-file line (0600, never through a
 * symlink); the session env file itself is written by secretsForBash.
 */
export async function prepareSessionStart(paths: SessionPaths, env: NodeJS.ProcessEnv, now: Date): Promise<void> {
  // Whatever an earlier launch left (killed before it could clear up) is never served.
  clearPrepared(paths);
  const say = (line: string) => appendSessionLog(paths.sessionLog, line, now);
  const line = await secretsForBash(paths, env, say);
  writeConfined(path.join(paths.dir, PREPARED_ENV_LINE), line, 0o600);
  // The answer last: the sh hook takes the fast path only when it is there.
  writeConfined(path.join(paths.dir, PREPARED_ANSWER), JSON.stringify(additionalContext('SessionStart', sessionContext({ paths, launchedByCs: true }))) + '\n', 0o600);
}

/** Removes a prepared answer Claude never took (it exited before its SessionStart); never through a linked `.cs/local`. */
export function clearPrepared(paths: SessionPaths): void {
  for (const rel of [PREPARED_ANSWER, PREPARED_ENV_LINE]) removeConfined(path.join(paths.dir, rel));
}

/**
 * Records every hook input the sh hook left (oldest first) as the Node
 * SessionStart handler would, at the time the file was last written (the
 * sh hook writes no time: it would cost a process), then removes them. The
 * file is claimed by a rename first, so an input appended meanwhile waits
 * for the next call. Nothing is read through a symlink under the session.
 */
export async function recordLeftStarts(paths: SessionPaths, env: NodeJS.ProcessEnv): Promise<void> {
  const file = path.join(paths.dir, STARTS_LEFT);
  const claimed = `${file}.${process.pid}`;
  let now: Date;
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || !noLinkFrom(paths.meta, file)) return;
    now = st.mtime;
    fs.renameSync(file, claimed);
  } catch {
    return; // none left
  }
  try {
    for (const text of fs.readFileSync(claimed, 'utf8').split(RECORD_SEPARATOR)) {
      if (!text.trim()) continue;
      const parsed = parseHookInput(text);
      if (parsed.ok) await recordSessionStart({ session: { paths, launchedByCs: true }, input: parsed.input, env, now });
      else appendSessionLog(paths.sessionLog, `hook problem: session-start: ${parsed.problem}`, now);
    }
  } finally {
    fs.rmSync(claimed, { force: true });
  }
}
