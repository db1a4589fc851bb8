// A remote session is represented here by a stub workspace: `<root>/<name>/`
// holding only `.cs/remote.conf` (host=<alias or user@host>, address=<user@host[:port]>,
// and after --move-to backup=<local copy kept until the next good connect>).
// Cheap to check, so `cs <name>` can hand over before doing anything local.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { sessionsRoot } from '../session/paths.js';
import { parseConf } from '../lib/conf.js';
import { findCommand } from '../commands/table.js';
import { resolveTarget, type Target } from './hosts.js';

export interface RemoteConf {
  /** What the user called the host: an alias or user@host[:port]. */
  host: string;
  /** The resolved user@host[:port] when the stub was written. */
  address?: string;
  /** Local copy left by --move-to. */
  backup?: string;
  moved?: string;
}

export function remoteConfPath(env: NodeJS.ProcessEnv, name: string): string {
  return path.join(sessionsRoot(env), name, '.cs', 'remote.conf');
}

/** The stub's settings, or null when `name` is not a remote stub. */
export function readRemoteConf(env: NodeJS.ProcessEnv, name: string): RemoteConf | null {
  let text: string;
  try {
    text = fs.readFileSync(remoteConfPath(env, name), 'utf8');
  } catch {
    return null;
  }
  const c = parseConf(text);
  if (!c.host) return null;
  return { host: c.host, ...(c.address ? { address: c.address } : {}), ...(c.backup ? { backup: c.backup } : {}), ...(c.moved ? { moved: c.moved } : {}) };
}

export function formatRemoteConf(c: RemoteConf): string {
  const lines = ['# This session lives on another machine; `cs <name>` connects to it.', `host=${c.host}`];
  if (c.address) lines.push(`address=${c.address}`);
  if (c.moved) lines.push(`moved=${c.moved}`);
  if (c.backup) lines.push(`backup=${c.backup}`);
  return lines.join('\n') + '\n';
}

/** Writes a stub's .cs/remote.conf into `dir` (a new or existing stub). */
export function writeStub(dir: string, c: RemoteConf): void {
  ensureDir(path.join(dir, '.cs'));
  writeFileAtomic(path.join(dir, '.cs', 'remote.conf'), formatRemoteConf(c));
}

/** For -sync and -secrets: they act on files that are not on this machine. */
export function assertLocalSession(env: NodeJS.ProcessEnv, name: string, command: string): void {
  const conf = readRemoteConf(env, name);
  if (!conf) return;
  throw new UserError(`session '${name}' runs on ${conf.host}: ${command} works on the machine that holds it`, runThereHint(env, name, conf, command));
}

/**
 * How to run `cs <name> <command>` on the host of a stub: over ssh, as the
 * address the stub recorded (connecting with `cs <name>` attaches to Claude,
 * where no command can be typed). CS_REMOTE_CS names cs there, as for cs's own calls.
 */
export function runThereHint(env: NodeJS.ProcessEnv, name: string, conf: RemoteConf, command: string): string {
  const m = /^([^@]+)@(.+?)(?::(\d+))?$/.exec(conf.address ?? conf.host);
  const ssh = m ? `ssh ${m[3] ? `-p ${m[3]} ` : ''}${m[1]}@${m[2]}` : `ssh ${conf.host}`;
  // A command of the whole machine names the session after it (cs -archive <name>); a session command before.
  const words = findCommand(command)?.scope === 'global' ? `${command} ${name}` : `${name} ${command}`;
  return `run it there: ${ssh} ${env.CS_REMOTE_CS?.trim() || 'cs'} ${words} ...`;
}

/** Cheap check for `cs <name>`: one stat before anything local happens. */
export function isRemoteStub(env: NodeJS.ProcessEnv, name: string): boolean {
  return fs.existsSync(remoteConfPath(env, name));
}

/** The target a stub points at: its alias while registered, else the address it recorded. Throws UserError when neither resolves. */
export function stubTarget(env: NodeJS.ProcessEnv, conf: RemoteConf): Target {
  try {
    return resolveTarget(env, conf.host);
  } catch (e) {
    if (!conf.address || conf.address === conf.host) throw e;
    return { ...resolveTarget(env, conf.address), label: conf.host };
  }
}
