// Permission requests held for the owner (issue #20). In a hosted session
// with no terminal attached, the PermissionRequest hook (hooks/permission-remote)
// writes the request to `.cs/local/permissions/<id>.json` and waits for
// `<id>.decision`, which `cs -serve` writes when the owner answers on the
// page. The files are the whole protocol: the hook and the server share no
// process, and a server that is not running just means the request times out.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFileAtomic, ensureDir, readdirOr, writeFileAtomic } from '../lib/fsutil.js';
import { pidAlive } from '../lib/lockfile.js';

export const DEFAULT_APPROVAL_TIMEOUT_S = 600;
/**
 * The longest a hook may hold a request: its registered timeout
 * (src/hooks/registry.ts, 660 s) less a margin to answer before Claude Code
 * kills it.
 */
export const MAX_APPROVAL_TIMEOUT_S = 640;

export interface PendingRequest {
  id: string;
  tool: string;
  /** One line about the tool's input, scrubbed of the session's secrets. */
  summary: string;
  /** ISO time the request was held. */
  since: string;
}

export type Decision = 'allow' | 'deny';

export interface DecisionRecord {
  decision: Decision;
  /** Who answered: a signed-in device's id, or "token". */
  by: string;
  at: string;
}

export const permissionsDir = (local: string) => path.join(local, 'permissions');
const ID_RE = /^[0-9a-f]{12}$/;

export function isRequestId(id: string): boolean {
  return ID_RE.test(id);
}

/** CS_APPROVAL_TIMEOUT in seconds (a positive number), else 600; at most MAX_APPROVAL_TIMEOUT_S. */
export function approvalTimeout(env: NodeJS.ProcessEnv): number {
  const n = Number(env.CS_APPROVAL_TIMEOUT);
  const s = Number.isFinite(n) && n > 0 ? n : DEFAULT_APPROVAL_TIMEOUT_S;
  return Math.min(s, MAX_APPROVAL_TIMEOUT_S);
}

/** "10 min" for 600, "90 s" for 90: the words of the timeout reason. */
export function describeTimeout(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/** The message Claude sees when nobody answered in time. */
export function timeoutReason(seconds: number): string {
  return `denied: no answer from the owner within ${describeTimeout(seconds)}`;
}

/** What the pending file holds: the request, and the pid of the hook waiting for its answer. */
interface HeldFile extends PendingRequest {
  pid?: number;
}

/**
 * Holds a request: writes its pending file (0600 in a 0700 folder), naming
 * `waiter` (this hook process by default), the one process that can pass an
 * answer on to Claude.
 */
export function holdRequest(local: string, tool: string, summary: string, now = new Date(), waiter = process.pid): PendingRequest {
  const dir = permissionsDir(local);
  ensureDir(dir, 0o700);
  const req: PendingRequest = { id: randomBytes(6).toString('hex'), tool, summary, since: now.toISOString() };
  const held: HeldFile = { ...req, pid: waiter };
  writeFileAtomic(path.join(dir, `${req.id}.json`), JSON.stringify(held) + '\n', 0o600);
  return req;
}

/**
 * The held file of `id` when its hook still waits for an answer, else null.
 * A hook killed while waiting (Claude ended by cs -stop, a crash, the pane
 * closed) never reaches its `finally`: its request is gone for good, so its
 * files are removed here instead of offering the owner an Allow that nobody
 * would ever read. The permissions folder is machine-local (.cs/local/), so
 * the pid names a process of this host.
 */
function waiting(dir: string, id: string): HeldFile | null {
  let held: HeldFile;
  try {
    held = JSON.parse(fs.readFileSync(path.join(dir, `${id}.json`), 'utf8')) as HeldFile;
  } catch {
    return null; // being written or removed
  }
  if (typeof held.pid === 'number' && !pidAlive(held.pid)) {
    release(path.dirname(dir), id);
    return null;
  }
  return held;
}

/** The requests waiting for an answer, oldest first (those whose hook is gone are dropped). */
export function listPending(local: string): PendingRequest[] {
  const dir = permissionsDir(local);
  const names = readdirOr(dir);
  const out: PendingRequest[] = [];
  for (const n of names) {
    const m = /^([0-9a-f]{12})\.json$/.exec(n);
    if (!m || fs.existsSync(path.join(dir, `${m[1]}.decision`))) continue;
    const held = waiting(dir, m[1]!);
    if (held) out.push({ id: held.id, tool: held.tool, summary: held.summary, since: held.since });
  }
  return out.sort((a, b) => a.since.localeCompare(b.since));
}

/**
 * Records the owner's answer to a pending request. False when there is no
 * such request waiting (answered already, timed out, its hook gone with its
 * session, or never was).
 */
export function decide(local: string, id: string, decision: Decision, by: string, now = new Date()): boolean {
  if (!isRequestId(id)) return false;
  const dir = permissionsDir(local);
  if (fs.existsSync(path.join(dir, `${id}.decision`)) || !waiting(dir, id)) return false;
  const rec: DecisionRecord = { decision, by, at: now.toISOString() };
  // Two servers (or two tabs on two servers) may answer at the same moment: the first answer made stays.
  return createFileAtomic(path.join(dir, `${id}.decision`), JSON.stringify(rec) + '\n', 0o600);
}

/** The answer to a request, if one was given. */
export function readDecision(local: string, id: string): DecisionRecord | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(permissionsDir(local), `${id}.decision`), 'utf8')) as DecisionRecord;
  } catch {
    return null;
  }
}

/** Removes a request's files once the hook has answered Claude. */
export function release(local: string, id: string): void {
  const dir = permissionsDir(local);
  fs.rmSync(path.join(dir, `${id}.json`), { force: true });
  fs.rmSync(path.join(dir, `${id}.decision`), { force: true });
}
