// The one way a command finds the session it works on: a name (given, or
// CLAUDE_SESSION_NAME), else the session whose directory holds the current
// one (here.ts), to a checked session — or one clear UserError saying what
// to do. What each command accepts (a feature session `base@feature`, the
// stub of a session on another host) comes from its declaration in the
// command table; the refusals are made here, so every command says the same.
import * as fs from 'node:fs';
import { UsageError, UserError } from '../lib/errors.js';
import { parseFeatureRef, validateSessionRef } from '../features/ref.js';
import { readRemoteConf, runThereHint, type RemoteConf } from '../remote/stub.js';
import { sessionAt } from './here.js';
import type { SessionPaths } from './paths.js';
import { findSession } from './find.js';

export interface Session {
  /** As written: `api`, or `api@retry` for a feature. */
  name: string;
  /** created: a workspace cs made; adopted: a project linked into the root; feature: a worktree of a base; remote: the stub of a session on another host. */
  kind: 'created' | 'adopted' | 'feature' | 'remote';
  paths: SessionPaths;
  /** For a feature: its base session's name (whose secrets it shares); the name itself otherwise. */
  base: string;
  /** The stub's settings (kind remote). */
  remote?: RemoteConf;
}

export interface Accept {
  /** Works on `base@feature` (else refused, pointing at the base). */
  feature?: boolean;
  /** Works on the stub of a session on another host (else refused: connect first). */
  stub?: boolean;
}

/** Where the name came from, for the message when none is found. */
export interface Query {
  /** The name given (`cs <s> -x`, an operand, CLAUDE_SESSION_NAME). */
  name?: string;
  /** Take the session whose directory this is when no name is given. */
  cwd?: string;
  /** How the command is spelled in messages, e.g. `-sync push`. */
  command: string;
}

/**
 * Finds and checks a session. Throws UsageError when no session is named
 * (nor found from the directory) or the name breaks the rules; UserError
 * when it does not exist, is broken (an adopted project whose directory or
 * records are gone), or is of a kind the command does not accept.
 */
export function resolveSession(env: NodeJS.ProcessEnv, q: Query, accept: Accept = {}): Session {
  const name = q.name ?? (q.cwd !== undefined ? (sessionAt(env, q.cwd) ?? undefined) : undefined);
  if (name === undefined) throw new UsageError(`${q.command} needs a session`, `name it: cs <name> ${q.command} (or run it inside a session)`);
  const found = checkedSession(env, name, q.command, accept);
  if (!found) {
    const feature = parseFeatureRef(name);
    throw new UserError(`no session named '${name}'`, feature ? `create it with: cs ${name}` : 'see cs -ls');
  }
  return found;
}

/**
 * As resolveSession for a name that may not exist yet (`cs <name>` creates
 * it): null when there is no such session; the same refusals otherwise.
 */
export function checkedSession(env: NodeJS.ProcessEnv, name: string, command: string, accept: Accept = {}): Session | null {
  validateSessionRef(name);
  const feature = parseFeatureRef(name);
  if (feature && !accept.feature) {
    throw new UserError(`'${name}' is a feature session; ${command} works on plain sessions`, `run it on the base: cs ${feature.base} ${command}`);
  }
  const remote = feature ? null : readRemoteConf(env, name);
  if (remote && !accept.stub) {
    throw new UserError(`session '${name}' runs on ${remote.host}: ${command} works on the machine that holds it`, runThereHint(env, name, remote, command));
  }
  const found = findSession(env, name);
  if (!found) return null;
  if (remote) return { name, kind: 'remote', paths: found.paths, base: name, remote };
  // An adopted project is a link to the user's directory: both it and the records in it must still be there.
  if (found.adopted && !fs.statSync(found.paths.meta, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`session '${name}' is adopted from ${found.paths.dir}, which no longer holds its records (.cs/ is gone)`, `adopt it again there (cd ${found.paths.dir} && cs -adopt ${name}), or forget it with: cs -rm ${name}`);
  }
  return { name, kind: feature ? 'feature' : found.adopted ? 'adopted' : 'created', paths: found.paths, base: feature ? feature.base : name };
}
