// Where everything lives. Pure functions of the environment so tests can
// point every path into a temp HOME.
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

/**
 * Where sessions live: CS_SESSIONS_ROOT, else ~/.claude-sessions. Throws a
 * UserError for a relative CS_SESSIONS_ROOT: it would name another folder
 * from every directory cs runs in (and `~` is not expanded inside quotes).
 */
export function sessionsRoot(env: NodeJS.ProcessEnv): string {
  const root = env.CS_SESSIONS_ROOT;
  if (!root || root.trim() === '') return path.join(path.resolve(homeDir(env)), '.claude-sessions');
  if (!path.isAbsolute(root)) {
    throw new UserError(`CS_SESSIONS_ROOT is a relative path ('${root}'), which names another folder from every directory`, `set it to an absolute one, e.g. export CS_SESSIONS_ROOT="$PWD/${root.replace(/^\.\//, '')}"`);
  }
  return path.resolve(root);
}

/** Claude Code's config dir: CLAUDE_CONFIG_DIR or ~/.claude. */
export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.CLAUDE_CONFIG_DIR || path.join(homeDir(env), '.claude'));
}

/** Our own per-user caches: XDG_CACHE_HOME/cs or ~/.cache/cs. */
export function csCacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homeDir(env), '.cache'), 'cs');
}

/** Our own per-user config and state (hosts, install record, update check). */
export function csConfigDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(homeDir(env), '.config');
  return path.join(base, 'cs');
}

export interface SessionPaths {
  name: string;
  dir: string;
  meta: string;
  readme: string;
  discoveries: string;
  discoveriesArchive: string;
  changes: string;
  artifacts: string;
  manifest: string;
  archives: string;
  logs: string;
  sessionLog: string;
  local: string;
  lock: string;
  syncConf: string;
  remoteConf: string;
  claudeMd: string;
}

export function sessionPaths(dir: string, name: string): SessionPaths {
  const meta = path.join(dir, '.cs');
  return {
    name,
    dir,
    meta,
    readme: path.join(meta, 'README.md'),
    discoveries: path.join(meta, 'discoveries.md'),
    discoveriesArchive: path.join(meta, 'discoveries.archive.md'),
    changes: path.join(meta, 'changes.md'),
    artifacts: path.join(meta, 'artifacts'),
    manifest: path.join(meta, 'artifacts', 'MANIFEST.json'),
    archives: path.join(meta, 'archives'),
    logs: path.join(meta, 'logs'),
    sessionLog: path.join(meta, 'logs', 'session.log'),
    local: path.join(meta, 'local'),
    lock: path.join(meta, 'local', 'lock'),
    syncConf: path.join(meta, 'sync.conf'),
    remoteConf: path.join(meta, 'remote.conf'),
    claudeMd: path.join(dir, 'CLAUDE.md'),
  };
}

export function sessionDir(env: NodeJS.ProcessEnv, name: string): string {
  return path.join(sessionsRoot(env), name);
}

/** The environment a session's Claude Code (and its hooks) runs with. */
/**
 * Claude Code ends a turn once its Stop hooks have blocked it this many times
 * in a row (CLAUDE_CODE_STOP_HOOK_BLOCK_CAP, default 8; 0 or less: no cap;
 * read off 2.1.332). The queue hands each task over by blocking Stop, so a
 * queue of short tasks that use no tool stopped at the ninth, the task it had
 * handed over left "running". cs's own blocks never loop (each hand-over
 * consumes a task; its reminders never block twice in a row): for the Claude
 * it launches it raises the cap to this, unless the user set one.
 */
export const STOP_BLOCK_CAP = 1000;

/** The variables cs sets for a Claude it launches, besides sessionEnv: the Stop-hook cap (STOP_BLOCK_CAP) where `env` has none. */
export function launchTuning(env: NodeJS.ProcessEnv): Record<string, string> {
  return env.CLAUDE_CODE_STOP_HOOK_BLOCK_CAP === undefined ? { CLAUDE_CODE_STOP_HOOK_BLOCK_CAP: String(STOP_BLOCK_CAP) } : {};
}

export function sessionEnv(p: SessionPaths): Record<string, string> {
  return {
    CLAUDE_SESSION_NAME: p.name,
    CLAUDE_SESSION_DIR: p.dir,
    CLAUDE_SESSION_META_DIR: p.meta,
    CLAUDE_ARTIFACT_DIR: p.artifacts,
    CLAUDE_CODE_TASK_LIST_ID: p.name,
  };
}
