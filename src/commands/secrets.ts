// cs <session> -secrets {set|get|list|rm|purge|export|export-file|import-file|backend|migrate-backend|age}
// Per-session secrets in the OS keychain or the encrypted file, and their
// age-encrypted copy in the workspace for other machines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectPositionals, flag, parseArgs, type ParsedArgs } from '../lib/args.js';
import { CancelError, UsageError, UserError } from '../lib/errors.js';
import type { IO } from '../term/io.js';
import { validateName } from '../session/names.js';
import { secretsOwner, validateSessionRef } from '../features/ref.js';
import { selectBackend, type Selection } from '../secrets/backend.js';
import { BACKEND_NAMES, type BackendName } from '../secrets/backend-types.js';
import { existingSessionDir, tildify, validateKey } from '../secrets/keys.js';
import type { Command, Context, Invocation } from './types.js';

export type SecretsOptions =
  | { sub: 'help' }
  | { sub: 'set'; session: string; key: string; value?: string; force: boolean }
  | { sub: 'render'; session: string; file: string }
  | { sub: 'exec'; session: string; command: string[] }
  | { sub: 'get' | 'rm'; session: string; key: string }
  | { sub: 'list'; session: string; json: boolean }
  | { sub: 'purge'; session: string; yes: boolean }
  | { sub: 'export' | 'backend'; session: string }
  | { sub: 'export-file'; session: string; file?: string; force: boolean }
  | { sub: 'import-file'; session: string; file?: string }
  | { sub: 'migrate-backend'; session: string; to: BackendName }
  /** No session: the machine's identity only (laptop B makes its key before it has a session). */
  | { sub: 'age-init' | 'age-pubkey'; session?: string }
  | { sub: 'age-list'; session: string; json: boolean }
  | { sub: 'age-add'; session: string; name: string; pubkey: string }
  | { sub: 'age-remove'; session: string; name: string };

const USAGE = 'cs <name> -secrets {set|get|list|rm|purge|export|render|exec|export-file|import-file|backend|migrate-backend|age} …';
const FLAGS = { booleans: ['--json', '--yes', '-y', '--force', '-help', '--help', '-h'] };

function allowOnly(p: ParsedArgs, sub: string, allowed: string[]): void {
  for (const name of p.flags.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`${name} does not apply to -secrets ${sub}`, `see cs -secrets -help`);
  }
}

function sessionFrom(inv: Invocation, env: NodeJS.ProcessEnv): string {
  const name = inv.session ?? (env.CLAUDE_SESSION_NAME || undefined);
  if (name === undefined) {
    throw new UsageError('-secrets needs a session', 'name it (cs <name> -secrets list) or run it inside a session');
  }
  // A feature session (base@feature) shares its base's secrets.
  return validateName(secretsOwner(validateSessionRef(name)));
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): SecretsOptions {
  const p = parseArgs(args, FLAGS, '-secrets');
  if (flag(p, '-help', '--help', '-h') || p.positionals.length === 0 || p.positionals[0] === 'help') return { sub: 'help' };
  const [sub, ...rest] = p.positionals;
  const pos = { ...p, positionals: [...rest, ...p.rest] };
  // The age identity is per machine: `age init` and `age pubkey` need no session.
  if (sub === 'age' && (rest[0] === 'init' || rest[0] === 'pubkey') && inv.session === undefined && !env.CLAUDE_SESSION_NAME) {
    allowOnly(p, `age ${rest[0]}`, []);
    expectPositionals({ ...p, positionals: rest.slice(1) }, 0, 0, `-secrets age ${rest[0]}`, `cs [<name>] -secrets age ${rest[0]}`);
    return { sub: `age-${rest[0]}` };
  }
  const session = sessionFrom(inv, env);
  const want = (min: number, max: number, usage: string) => expectPositionals(pos, min, max, `-secrets ${sub}`, `cs <name> -secrets ${usage}`);
  switch (sub) {
    case 'set': {
      allowOnly(p, sub, ['--force']);
      const [key, value] = want(1, 2, 'set [--force] KEY [VALUE]');
      return { sub, session, key: validateKey(key!), value, force: flag(p, '--force') };
    }
    case 'render': {
      allowOnly(p, sub, []);
      const [file] = want(1, 1, 'render FILE');
      return { sub, session, file: file! };
    }
    case 'exec': {
      allowOnly(p, sub, []);
      const command = pos.positionals;
      if (command.length === 0) throw new UsageError('-secrets exec needs a command', `usage: cs ${session} -secrets exec -- <command> [args]`);
      return { sub, session, command };
    }
    case 'get':
    case 'rm': {
      allowOnly(p, sub, []);
      const [key] = want(1, 1, `${sub} KEY`);
      return { sub, session, key: validateKey(key!) };
    }
    case 'list':
      allowOnly(p, sub, ['--json']);
      want(0, 0, 'list [--json]');
      return { sub, session, json: flag(p, '--json') };
    case 'purge':
      allowOnly(p, sub, ['--yes', '-y']);
      want(0, 0, 'purge [--yes]');
      return { sub, session, yes: flag(p, '--yes', '-y') };
    case 'export':
    case 'backend':
      allowOnly(p, sub, []);
      want(0, 0, sub);
      return { sub, session };
    case 'export-file': {
      allowOnly(p, sub, ['--force']);
      const [file] = want(0, 1, 'export-file [--force] [FILE]');
      return { sub, session, file, force: flag(p, '--force') };
    }
    case 'import-file': {
      allowOnly(p, sub, []);
      const [file] = want(0, 1, 'import-file [FILE]');
      return { sub, session, file };
    }
    case 'migrate-backend': {
      allowOnly(p, sub, []);
      const [to] = want(1, 1, 'migrate-backend {keychain|encrypted}');
      if (!BACKEND_NAMES.includes(to as BackendName)) {
        throw new UsageError(`unknown backend '${to}'`, 'use keychain or encrypted');
      }
      return { sub, session, to: to as BackendName };
    }
    case 'age':
      return parseAge(p, pos.positionals, session);
    default:
      throw new UsageError(`unknown -secrets command '${sub}'`, `usage: ${USAGE}`);
  }
}

function parseAge(p: ParsedArgs, args: string[], session: string): SecretsOptions {
  const [verb, ...rest] = args;
  const pos = { ...p, positionals: rest };
  const want = (min: number, max: number, usage: string) => expectPositionals(pos, min, max, `-secrets age ${verb}`, `cs <name> -secrets age ${usage}`);
  switch (verb) {
    case 'init':
    case 'pubkey':
      allowOnly(p, `age ${verb}`, []);
      want(0, 0, verb);
      return { sub: `age-${verb}`, session };
    case 'list':
      allowOnly(p, 'age list', ['--json']);
      want(0, 0, 'list [--json]');
      return { sub: 'age-list', session, json: flag(p, '--json') };
    case 'add': {
      allowOnly(p, 'age add', []);
      const [name, pubkey] = want(2, 2, 'add <recipient> <age1…>');
      return { sub: 'age-add', session, name: name!, pubkey: pubkey! };
    }
    case 'remove':
    case 'rm': {
      allowOnly(p, 'age remove', []);
      const [name] = want(1, 1, 'remove <recipient>');
      return { sub: 'age-remove', session, name: name! };
    }
    case undefined:
      throw new UsageError('-secrets age needs a command', 'usage: cs <name> -secrets age {init|pubkey|add|list|remove}');
    default:
      throw new UsageError(`unknown -secrets age command '${verb}'`, 'usage: cs <name> -secrets age {init|pubkey|add|list|remove}');
  }
}

// --- run ----------------------------------------------------------------------

async function readAll(stream: IO['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The value for `set` without VALUE: a hidden prompt on a terminal, else stdin. */
async function readValue(key: string, io: IO): Promise<string> {
  if (io.canPrompt) {
    const { password, isCancel } = await import('@clack/prompts');
    const v = await password({ message: `Value for ${key}`, input: io.stdin, output: io.stderr });
    if (isCancel(v)) throw new CancelError();
    return v;
  }
  const text = await readAll(io.stdin);
  return text.replace(/\r?\n$/, '');
}

/** `set` over a different value: a question on a terminal, else a refusal naming --force. */
async function confirmReplace(session: string, key: string, io: IO): Promise<void> {
  if (!io.canPrompt) {
    throw new UsageError(`${key} already holds a different value in session '${session}'; nothing was stored`, `pass --force to replace it (cs ${session} -secrets set --force ${key}), or choose another name`);
  }
  const { confirm, isCancel } = await import('@clack/prompts');
  const ok = await confirm({ message: `${key} already holds a different value in '${session}'. Replace it?`, initialValue: false, input: io.stdin, output: io.stderr });
  if (isCancel(ok) || ok !== true) throw new CancelError('nothing was stored');
}

/** A running session's Bash commands see a changed value at once (see the session env file). */
async function refreshEnvFile(session: string, backend: { getAll(s: string): Promise<Record<string, string>> }, env: NodeJS.ProcessEnv): Promise<void> {
  const [{ sessionEnvFilePath }, store] = await Promise.all([import('../secrets/keys.js'), import('../secrets/store.js')]);
  if (fs.existsSync(sessionEnvFilePath(session, env))) store.writeSessionEnvFile(session, await backend.getAll(session), env);
}

/** For `list`: key -> the files captured with a reference to it (Claude's paths, relative to the workspace), from MANIFEST.json. */
function filesByKey(sessionDir: string): Map<string, string[]> {
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

async function confirmPurge(session: string, count: number, io: IO): Promise<void> {
  const { confirm, isCancel } = await import('@clack/prompts');
  const ok = await confirm({ message: `Remove all ${count} secrets of session '${session}'?`, initialValue: false, input: io.stdin, output: io.stderr });
  if (isCancel(ok) || ok !== true) throw new CancelError('nothing was removed');
}

export async function run(opts: SecretsOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  if (opts.sub === 'help') {
    const [{ renderCommandHelp }, { findCommand }] = await Promise.all([import('./help.js'), import('./table.js')]);
    io.out(renderCommandHelp(findCommand('-secrets')!, io.color));
    return 0;
  }
  if ((opts.sub === 'age-init' || opts.sub === 'age-pubkey') && opts.session === undefined) return machineIdentity(opts.sub, ctx);
  (await import('../remote/stub.js')).assertLocalSession(env, opts.session!, '-secrets');
  const sessionDir = existingSessionDir(opts.session!, env);
  const select = (): Promise<Selection> => selectBackend(opts.session, env, { notice: (line) => io.err(line) });
  const s = opts.session!;

  switch (opts.sub) {
    case 'set': {
      const { backend } = await select();
      if (opts.value !== undefined && io.canPrompt) {
        io.err('note: a value typed as an argument stays in shell history and shows in ps; leave it out to be asked for it');
      }
      const value = opts.value ?? (await readValue(opts.key, io));
      if (value === '') throw new UserError(`no value given for ${opts.key}; nothing was stored`, `pass it on stdin: printf %s "$VALUE" | cs ${s} -secrets set ${opts.key}`);
      const old = await backend.get(s, opts.key);
      if (old === value) {
        io.err(`${opts.key} already holds this value in session '${s}'; nothing changed`);
        return 0;
      }
      if (old !== undefined && !opts.force) await confirmReplace(s, opts.key, io);
      await backend.set(s, opts.key, value);
      await refreshEnvFile(s, backend, env);
      io.err(`${old === undefined ? 'stored' : 'replaced'} ${opts.key} for session '${s}' (${backend.name})`);
      return 0;
    }
    case 'render': {
      const { backend } = await select();
      const file = path.resolve(ctx.cwd, opts.file);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new UserError(`cannot read ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'name a file Claude wrote in the session');
      }
      const { render } = await import('../secrets/references.js');
      io.out(render(file, text, await backend.getAll(s)).replace(/\n$/, ''));
      return 0;
    }
    case 'exec': {
      const { backend } = await select();
      const secrets = await backend.getAll(s);
      const { runAttached } = await import('../lib/proc.js');
      // The values travel in the child's environment, never in argv.
      const [command, ...args] = opts.command;
      const r = await runAttached(command!, args, { cwd: ctx.cwd, env: { ...env, ...secrets } });
      return r.code;
    }
    case 'get': {
      const { backend } = await select();
      const value = await backend.get(s, opts.key);
      if (value === undefined) throw new UserError(`secret ${opts.key} is not set in session '${s}'`, `see the names with: cs ${s} -secrets list`);
      io.out(value);
      return 0;
    }
    case 'list': {
      const { backend } = await select();
      const keys = await backend.list(s);
      const files = filesByKey(sessionDir);
      if (opts.json) io.out(JSON.stringify({ session: s, backend: backend.name, keys, files: Object.fromEntries(keys.map((k) => [k, files.get(k) ?? []])) }));
      else if (keys.length === 0) io.err(`no secrets in session '${s}'`);
      else for (const k of keys) io.out(files.has(k) ? `${k}\t${files.get(k)!.join(', ')}` : k);
      return 0;
    }
    case 'rm': {
      const { backend } = await select();
      if (!(await backend.delete(s, opts.key))) throw new UserError(`secret ${opts.key} is not set in session '${s}'`, `see the names with: cs ${s} -secrets list`);
      io.err(`removed ${opts.key} from session '${s}'`);
      return 0;
    }
    case 'purge': {
      const { backend } = await select();
      const keys = await backend.list(s);
      if (keys.length === 0) {
        io.err(`no secrets in session '${s}'`);
        return 0;
      }
      if (!opts.yes) {
        if (!io.canPrompt) throw new UsageError(`purge removes all ${keys.length} secrets of '${s}' and needs confirmation`, `pass --yes: cs ${s} -secrets purge --yes`);
        await confirmPurge(s, keys.length, io);
      }
      const n = await backend.purge(s);
      io.err(`removed ${n} secrets from session '${s}'`);
      return 0;
    }
    case 'export': {
      const { backend } = await select();
      const { exportLines } = await import('../secrets/store.js');
      for (const line of exportLines(await backend.getAll(s))) io.out(line);
      return 0;
    }
    case 'backend': {
      const { backend, reason } = await select();
      io.out(backend.name);
      io.err(`${tildify(backend.location(s), env)}: ${reason}`);
      return 0;
    }
    case 'migrate-backend': {
      const { migrateBackend } = await import('../secrets/store.js');
      const { backend } = await select();
      const r = await migrateBackend(s, backend, opts.to, env);
      io.err(`moved ${r.moved.length} secrets of '${s}' from ${r.from} to ${r.to}`);
      if (env.CS_SECRETS_BACKEND && env.CS_SECRETS_BACKEND.trim() !== opts.to) {
        io.err(`note: CS_SECRETS_BACKEND=${env.CS_SECRETS_BACKEND} still overrides the session's backend; unset it`);
      }
      return 0;
    }
    case 'export-file': {
      const age = await import('../secrets/age.js');
      const { backend } = await select();
      const r = await age.exportSecretsFile({ session: s, sessionDir, env, backend }, { force: opts.force, file: opts.file && path.resolve(ctx.cwd, opts.file) });
      if (r.adopted.length > 0) io.err(`kept ${r.adopted.length} secrets that only the previous file had: ${r.adopted.join(', ')}`);
      io.err(`wrote ${r.file}: ${r.count} secrets for ${r.recipients.length} recipients (${r.recipients.join(', ')})`);
      return 0;
    }
    case 'import-file': {
      const age = await import('../secrets/age.js');
      const { backend } = await select();
      const r = await age.importSecretsFile({ session: s, sessionDir, env, backend }, { file: opts.file && path.resolve(ctx.cwd, opts.file) });
      io.err(`imported ${r.count} secrets into '${s}' (${backend.name}); ${r.changed.length} new or changed${r.changed.length ? ': ' + r.changed.join(', ') : ''}`);
      return 0;
    }
    default:
      return runAge(opts, sessionDir, ctx);
  }
}

async function runAge(
  opts: Extract<SecretsOptions, { sub: 'age-init' | 'age-pubkey' | 'age-list' | 'age-add' | 'age-remove' }>,
  sessionDir: string,
  ctx: Context,
): Promise<number> {
  const { io, env } = ctx;
  const age = await import('../secrets/age.js');
  const s = opts.session!; // run() handles the session-less age init/pubkey
  switch (opts.sub) {
    case 'age-init': {
      const { created, id } = await age.initIdentity(env, ctx.now());
      io.err(created ? `created ${tildify(id.file, env)}` : `using the existing ${tildify(id.file, env)}`);
      const recipients = age.listRecipients(sessionDir);
      const known = recipients.find((r) => r.recipient === id.recipient);
      if (known) io.err(`this machine is recipient '${known.name}' of session '${s}'`);
      else {
        // Another machine may have the same user@host name: never replace its key.
        const base = age.localRecipientName(env);
        const taken = new Set(recipients.map((r) => r.name));
        let name = base;
        for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
        age.addRecipient(sessionDir, name, id.recipient);
        io.err(`added this machine as recipient '${name}' of session '${s}'`);
      }
      io.out(id.recipient);
      return 0;
    }
    case 'age-pubkey': {
      const id = await age.requireIdentity(env);
      io.out(id.recipient);
      return 0;
    }
    case 'age-list': {
      const id = await age.readIdentity(env);
      const list = age.listRecipients(sessionDir).map((r) => ({ ...r, self: r.recipient === id?.recipient }));
      if (opts.json) io.out(JSON.stringify(list));
      else if (list.length === 0) io.err(`session '${s}' has no age recipients; add this machine with: cs ${s} -secrets age init`);
      else for (const r of list) io.out(`${r.name}\t${r.recipient}${r.self ? '\t(this machine)' : ''}`);
      return 0;
    }
    case 'age-add': {
      const { replaced, existing } = age.addRecipient(sessionDir, opts.name, opts.pubkey);
      if (existing) {
        io.err(`that key is already recipient '${existing}' of session '${s}'; nothing added (to rename it: cs ${s} -secrets age remove ${existing}, then add it again)`);
        return 0;
      }
      io.err(`${replaced ? 'replaced' : 'added'} recipient '${opts.name}' of session '${s}'`);
      await reexport(s, sessionDir, ctx, age);
      io.err(`'${opts.name}' receives the secrets and the transcripts with the next push: cs ${s} -sync push (with auto-sync on, at the end of the session)`);
      return 0;
    }
    case 'age-remove': {
      // Check first that secrets.age can be re-encrypted, so a removal never
      // leaves a file the removed key can still read without saying so.
      if (!age.listRecipients(sessionDir).some((r) => r.name === opts.name)) {
        throw new UserError(`no recipient named '${opts.name}' in session '${s}'`, `see the names with: cs ${s} -secrets age list`);
      }
      const file = age.secretsFilePath(sessionDir);
      if (fs.existsSync(file)) await age.decryptSecretsFile(file, await age.requireIdentity(env), '.cs/secrets.age');
      age.removeRecipient(sessionDir, opts.name);
      io.err(`removed recipient '${opts.name}' of session '${s}'`);
      if (fs.existsSync(file)) {
        if (age.listRecipients(sessionDir).length === 0) {
          fs.rmSync(file);
          io.err('no recipients left: removed .cs/secrets.age');
        } else {
          const { backend } = await selectBackend(s, env, { notice: (line) => io.err(line) });
          const r = await age.exportSecretsFile({ session: s, sessionDir, env, backend });
          io.err(`re-encrypted .cs/secrets.age for ${r.recipients.join(', ')}`);
        }
        io.err('note: older copies in git history stay readable by the removed key; rotate secrets it should no longer know');
      }
      return 0;
    }
  }
}

/** After adding a recipient: re-encrypt an existing secrets.age when we can; say so when we cannot. */
async function reexport(s: string, sessionDir: string, ctx: Context, age: typeof import('../secrets/age.js')): Promise<boolean> {
  const { io, env } = ctx;
  if (!fs.existsSync(age.secretsFilePath(sessionDir))) return false;
  try {
    const { backend } = await selectBackend(s, env, { notice: (line) => io.err(line) });
    const r = await age.exportSecretsFile({ session: s, sessionDir, env, backend });
    io.err(`re-encrypted .cs/secrets.age for ${r.recipients.join(', ')}`);
    return true;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    io.err(`note: .cs/secrets.age was not re-encrypted for the new recipient: ${e.message}`);
    return false;
  }
}

export const command: Command<SecretsOptions> = { parse, run };

/** `cs -secrets age init|pubkey` outside any session: this machine's identity, made or shown. */
async function machineIdentity(sub: 'age-init' | 'age-pubkey', ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const age = await import('../secrets/age.js');
  if (sub === 'age-pubkey') {
    io.out((await age.requireIdentity(env)).recipient);
    return 0;
  }
  const { created, id } = await age.initIdentity(env, ctx.now());
  io.err(created ? `created ${tildify(id.file, env)}` : `using the existing ${tildify(id.file, env)}`);
  io.err('add it to a session from a machine that can read it: cs <name> -secrets age add <name> <this pubkey>');
  io.out(id.recipient);
  return 0;
}
