// The machine-local files a hosted session keeps in `.cs/local/host/`:
//   request-<id>.json  what `cs <name>` asked for (environment, Claude's arguments); read
//                      and removed at once by the supervisor in the pane (mode 0600: the
//                      environment may hold API keys, and tmux argv is visible in ps)
//   run.json           the running supervisor: pid, start time, conversation
//   last.json          how the last run ended and what the end-of-session work said,
//                      shown by the `cs <name>` whose terminal was attached
//   stop-requested     `cs <name> -stop` asked for the end: a signal then is expected
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { crypto } from '../lib/lazy-crypto.js';
import type { SessionPaths } from '../session/paths.js';

export function hostDir(p: Pick<SessionPaths, 'local'>): string {
  return path.join(p.local, 'host');
}

export interface StartRequest {
  /** The environment of the `cs` that asked (Claude and the session work run with it). */
  env: Record<string, string>;
  force: boolean;
  /** The workspace was made by this `cs <name>`: its first conversation is new. */
  created: boolean;
  fresh?: boolean;
  resume?: string;
  claudeArgs: string[];
  /** -spawn --prompt: Claude's first prompt. */
  prompt?: string;
  /** With fresh: the handoff chosen on the user's terminal (src/handoff/offer.ts). */
  handoff?: { rel: string; from?: string; promptFile: string };
}

export interface RunInfo {
  pid: number;
  started: string;
  conversation?: string;
  /** The conversation was pinned as new for this run: taken back if Claude never started it. */
  conversationNew?: true;
}

export interface LastRun {
  /** The exit status of Claude as the shell saw it (128+n for signal n). */
  status: number;
  ended: string;
  /** What the end-of-session work reported, in order. */
  lines: string[];
  /** The postmortem file, when the end was unexpected. */
  postmortem?: string;
  /** `cs <name> -stop` asked for this end. */
  stopped?: boolean;
  /** The supervisor could not start Claude (a lock, no Claude): `lines` says why. */
  startFailed?: boolean;
}

/** Writes a request for the supervisor; returns its path. */
export function writeRequest(p: Pick<SessionPaths, 'local'>, req: StartRequest): string {
  const dir = hostDir(p);
  ensureDir(dir, 0o700);
  const file = path.join(dir, `request-${crypto().randomBytes(6).toString('hex')}.json`);
  writeFileAtomic(file, JSON.stringify(req), 0o600);
  return file;
}

/** Reads and removes a request: it holds the caller's environment and must not stay on disk. */
export function takeRequest(file: string): StartRequest {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StartRequest;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export const runFile = (p: Pick<SessionPaths, 'local'>) => path.join(hostDir(p), 'run.json');
export const lastFile = (p: Pick<SessionPaths, 'local'>) => path.join(hostDir(p), 'last.json');
export const stopFile = (p: Pick<SessionPaths, 'local'>) => path.join(hostDir(p), 'stop-requested');

export function writeRun(p: Pick<SessionPaths, 'local'>, info: RunInfo): void {
  ensureDir(hostDir(p), 0o700);
  writeFileAtomic(runFile(p), JSON.stringify(info) + '\n', 0o600);
}

export function readRun(p: Pick<SessionPaths, 'local'>): RunInfo | null {
  return readJson<RunInfo>(runFile(p));
}

export function writeLast(p: Pick<SessionPaths, 'local'>, last: LastRun): void {
  ensureDir(hostDir(p), 0o700);
  writeFileAtomic(lastFile(p), JSON.stringify(last) + '\n', 0o600);
}

export function readLast(p: Pick<SessionPaths, 'local'>): LastRun | null {
  return readJson<LastRun>(lastFile(p));
}
