// What the -secrets subcommands share: whose secrets they are (a feature
// session shares its base's), the backend, and the questions they ask.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelError, UsageError, UserError } from '../../lib/errors.js';
import { readAll } from '../../lib/read-all.js';
import type { IO } from '../../term/io.js';
import { resolveSession } from '../../session/resolve.js';
import { selectBackend, type Selection } from '../../secrets/backend.js';
import { sessionOf, type Context } from '../types.js';

export interface Owner {
  /** The session whose secrets these are: the base of a feature session. */
  name: string;
  /** Its workspace. */
  dir: string;
}

/** The secrets' owner of the session the dispatcher resolved (a feature's base, itself checked). */
export function owner(ctx: Context): Owner {
  const s = sessionOf(ctx);
  if (s.kind !== 'feature') return { name: s.name, dir: s.paths.dir };
  const base = resolveSession(ctx.env, { name: s.base, command: '-secrets' });
  return { name: base.name, dir: base.paths.dir };
}

/** The owner's backend, notices on stderr. */
export function select(o: Owner, ctx: Context): Promise<Selection> {
  return selectBackend(o.name, ctx.env, { notice: (line) => ctx.io.err(line) });
}

/** The value for `set` without VALUE: a hidden prompt on a terminal, else stdin. */
export async function readValue(key: string, io: IO): Promise<string> {
  if (io.canPrompt) {
    const { password, isCancel } = await import('@clack/prompts');
    const v = await password({ message: `Value for ${key}`, input: io.stdin, output: io.promptOut });
    if (isCancel(v)) throw new CancelError();
    return v;
  }
  const text = await readAll(io.stdin);
  return text.replace(/\r?\n$/, '');
}

/** `set` over a different value: a question on a terminal, else a refusal naming --force. */
export async function confirmReplace(session: string, key: string, io: IO): Promise<void> {
  if (!io.canPrompt) {
    throw new UsageError(`${key} already holds a different value in session '${session}'; nothing was stored`, `pass --force to replace it (cs ${session} -secrets set --force ${key}), or choose another name`);
  }
  const { confirm, isCancel } = await import('@clack/prompts');
  const ok = await confirm({ message: `${key} already holds a different value in '${session}'. Replace it?`, initialValue: false, input: io.stdin, output: io.promptOut });
  if (isCancel(ok) || ok !== true) throw new CancelError('nothing was stored');
}

/** A running session's Bash commands see a changed value at once (see the session env file). */
export async function refreshEnvFile(session: string, backend: { getAll(s: string): Promise<Record<string, string>> }, env: NodeJS.ProcessEnv): Promise<void> {
  const [{ sessionEnvFilePath }, store] = await Promise.all([import('../../secrets/keys.js'), import('../../secrets/store.js')]);
  if (fs.existsSync(sessionEnvFilePath(session, env))) store.writeSessionEnvFile(session, await backend.getAll(session), env);
}

/** For `list`: key -> the files captured with a reference to it (Claude's paths, relative to the workspace), from MANIFEST.json. */
export function filesByKey(sessionDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let entries: { original_path?: string; name?: string; secrets?: string[] }[] = [];
  try {
    const v = JSON.parse(fs.readFileSync(path.join(sessionDir, '.cs', 'artifacts', 'MANIFEST.json'), 'utf8')) as unknown;
    if (Array.isArray(v)) entries = v;
  } catch {
    return out; // no captures yet
  }
  for (const e of entries) {
    const shown = e.original_path ? path.relative(sessionDir, e.original_path) : (e.name ?? '?');
    for (const k of e.secrets ?? []) {
      const list = out.get(k) ?? [];
      if (!list.includes(shown)) list.push(shown);
      out.set(k, list);
    }
  }
  return out;
}

export async function confirmPurge(session: string, count: number, io: IO): Promise<void> {
  const { confirm, isCancel } = await import('@clack/prompts');
  const ok = await confirm({ message: `Remove all ${count} secrets of session '${session}'?`, initialValue: false, input: io.stdin, output: io.promptOut });
  if (isCancel(ok) || ok !== true) throw new CancelError('nothing was removed');
}

/** After a recipient change: re-encrypt an existing secrets.age when we can; say so when we cannot. */
export async function reexport(o: Owner, ctx: Context, age: typeof import('../../secrets/age.js')): Promise<boolean> {
  if (!fs.existsSync(age.secretsFilePath(o.dir))) return false;
  try {
    const { backend } = await select(o, ctx);
    const r = await age.exportSecretsFile({ session: o.name, sessionDir: o.dir, env: ctx.env, backend });
    ctx.io.err(`re-encrypted .cs/secrets.age for ${r.recipients.join(', ')}`);
    return true;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    ctx.io.err(`note: .cs/secrets.age was not re-encrypted for the new recipient: ${e.message}`);
    return false;
  }
}
