// The host registry (`cs -remote add|list|remove`) and the strict reading of
// host strings. A host string is user@host[:port]; it is checked here once
// and then only ever passed to ssh/rsync as separate arguments.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, UserError } from '../lib/errors.js';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { csConfigDir } from '../session/paths.js';

export interface HostSpec {
  user: string;
  host: string;
  port?: number;
}

/** Where a command goes: the resolved address and, when one was used, its alias. */
export interface Target extends HostSpec {
  alias?: string;
  /** user@host[:port], the canonical spelling. */
  spec: string;
  /** What the user calls it: the alias, else the spec. */
  label: string;
}

const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?)*\.?$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/;
const PORT_RE = /^([^:[\]]*|\[[0-9A-Fa-f:.]+\]):(\d+)$/;
const ALIAS_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const HOST_HINT = 'use user@host or user@host:port, e.g. me@build-box.local:2222';

/** Why a host string is unusable, or null. */
export function hostProblem(text: string): string | null {
  if (text === '') return 'host is empty';
  if (text.startsWith('-')) return `host '${text}' starts with "-"`;
  const meta = /[;&|`$()<>\\'"*?{}!#~^,]/.exec(text);
  if (meta) return `host ${JSON.stringify(text)} contains the shell metacharacter "${meta[0]}"`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(text)) return `host ${JSON.stringify(text)} contains whitespace or control characters`;
  const at = text.indexOf('@');
  if (at < 0) return `host '${text}' has no user (expected user@host)`;
  if (text.indexOf('@', at + 1) >= 0) return `host '${text}' has more than one "@"`;
  const user = text.slice(0, at);
  let rest = text.slice(at + 1);
  if (!USER_RE.test(user)) return `user '${user}' in '${text}' is not a valid user name`;
  const port = PORT_RE.exec(rest);
  if (port) {
    const n = Number(port[2]);
    if (!Number.isInteger(n) || n < 1 || n > 65535) return `port ${port[2]} in '${text}' is out of range (1-65535)`;
    rest = port[1]!;
  } else if (rest.includes(':') && !IPV6_RE.test(rest)) {
    return `'${text}' has a malformed port (expected user@host:port)`;
  }
  if (!HOSTNAME_RE.test(rest) && !IPV6_RE.test(rest)) return `host name '${rest}' in '${text}' is not valid`;
  return null;
}

export function parseHostSpec(text: string): HostSpec {
  const problem = hostProblem(text);
  if (problem) throw new UsageError(problem, HOST_HINT);
  const at = text.indexOf('@');
  const user = text.slice(0, at);
  const rest = text.slice(at + 1);
  const port = PORT_RE.exec(rest);
  const host = port ? port[1]! : rest;
  return { user, host: host.replace(/^\[(.*)\]$/, '$1'), ...(port ? { port: Number(port[2]) } : {}) };
}

export function formatSpec(h: HostSpec): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host;
  return `${h.user}@${host}${h.port ? `:${h.port}` : ''}`;
}

export function aliasProblem(alias: string): string | null {
  if (alias.startsWith('-')) return `alias '${alias}' starts with "-"`;
  if (!ALIAS_RE.test(alias)) return `alias '${alias}' must be 1-64 letters, digits, ".", "_" or "-" (no "@" or ":")`;
  return null;
}

// --- registry ------------------------------------------------------------------

export interface HostEntry {
  alias: string;
  host: string;
  added: string;
}

interface RegistryFile {
  version: 1;
  hosts: Record<string, { host: string; added: string }>;
}

export function hostsFile(env: NodeJS.ProcessEnv): string {
  return path.join(csConfigDir(env), 'hosts.json');
}

export function readHosts(env: NodeJS.ProcessEnv): HostEntry[] {
  const file = hostsFile(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  let data: RegistryFile;
  try {
    data = JSON.parse(text) as RegistryFile;
    if (typeof data !== 'object' || data === null || typeof data.hosts !== 'object' || data.hosts === null) throw new Error('no hosts');
  } catch {
    throw new UserError(`${file} is not a valid host registry`, 'fix or remove it, then add hosts again with cs -remote add');
  }
  return Object.entries(data.hosts)
    .filter(([alias, v]) => aliasProblem(alias) === null && typeof v?.host === 'string' && hostProblem(v.host) === null)
    .map(([alias, v]) => ({ alias, host: v.host, added: v.added ?? '' }))
    .sort((a, b) => a.alias.localeCompare(b.alias));
}

function writeHosts(env: NodeJS.ProcessEnv, entries: readonly HostEntry[]): void {
  const file = hostsFile(env);
  ensureDir(path.dirname(file), 0o700);
  const data: RegistryFile = { version: 1, hosts: {} };
  for (const e of entries) data.hosts[e.alias] = { host: e.host, added: e.added };
  writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n', 0o600);
}

/** Adds or replaces an alias; returns the previous address, if any. */
export function addHost(env: NodeJS.ProcessEnv, alias: string, host: string, now: Date): string | null {
  const ap = aliasProblem(alias);
  if (ap) throw new UsageError(ap, 'e.g. cs -remote add mini me@mac-mini.local');
  const spec = formatSpec(parseHostSpec(host));
  const entries = readHosts(env);
  const previous = entries.find((e) => e.alias === alias)?.host ?? null;
  writeHosts(env, [...entries.filter((e) => e.alias !== alias), { alias, host: spec, added: now.toISOString() }]);
  return previous;
}

export function removeHost(env: NodeJS.ProcessEnv, alias: string): HostEntry {
  const entries = readHosts(env);
  const found = entries.find((e) => e.alias === alias);
  if (!found) throw new UserError(`no host alias '${alias}'`, 'cs -remote list shows the registered hosts');
  writeHosts(env, entries.filter((e) => e.alias !== alias));
  return found;
}

/** An alias (no "@") or a user@host[:port] string, resolved to an address. */
export function resolveTarget(env: NodeJS.ProcessEnv, given: string): Target {
  if (given.includes('@') || given.startsWith('-') || hostProblem(given)?.includes('metacharacter')) {
    const h = parseHostSpec(given);
    const spec = formatSpec(h);
    return { ...h, spec, label: spec };
  }
  const ap = aliasProblem(given);
  if (ap) throw new UsageError(ap, HOST_HINT);
  const entry = readHosts(env).find((e) => e.alias === given);
  if (!entry) {
    throw new UserError(`unknown host alias '${given}'`, `register it with cs -remote add ${given} <user@host[:port]>, or give user@host directly`);
  }
  const h = parseHostSpec(entry.host);
  return { ...h, alias: given, spec: formatSpec(h), label: given };
}

/**
 * `cs user@host:session` and `cs alias:session`: session names cannot hold
 * ":" so the last ":" splits; null when the word is not of that form.
 */
export function splitHostSession(word: string): { host: string; session: string } | null {
  const i = word.lastIndexOf(':');
  if (i <= 0 || i === word.length - 1) return null;
  return { host: word.slice(0, i), session: word.slice(i + 1) };
}

/** Syntax check of a --on/--move-to value at parse time (the registry is read later). */
export function validateHostArg(given: string): string {
  if (given.includes('@') || given.startsWith('-')) parseHostSpec(given);
  else {
    const problem = aliasProblem(given) && hostProblem(given);
    if (problem) throw new UsageError(problem, HOST_HINT);
  }
  return given;
}
