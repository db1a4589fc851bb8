// `cs -remove <name>`: delete a session's workspace after confirmation. An
// adopted session only loses its link: the project directory is the user's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, UserError, errorMessage } from '../lib/errors.js';
import { parseFeatureRef, validateSessionRef } from '../features/ref.js';
import { readHosts } from '../remote/hosts.js';
import { confirm } from '../term/prompt.js';
import { refuseIfOpen } from '../session/lock.js';
import { validateName } from '../session/names.js';
import { sessionsRoot } from '../session/paths.js';
import { findSession } from '../session/find.js';
import { readRemoteConf, type RemoteConf } from '../remote/stub.js';
import { has, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface RemoveOptions {
  name: string;
  yes: boolean;
  /** A feature (`base@feature`): drop unmerged commits and uncommitted changes too. */
  force?: boolean;
}

export function parse(a: Args): RemoveOptions {
  const name = a.operands[0]!;
  const feature = name.includes('@');
  if (has(a, '--force') && !feature) throw new UsageError('--force applies to feature sessions (cs -rm <base>@<feature> --force)', 'a session is removed with: cs -rm <name> [--yes]');
  return { name: feature ? validateSessionRef(name) : validateName(name), yes: has(a, '--yes'), ...(feature ? { force: has(a, '--force') } : {}) };
}

/**
 * -remove looks the session up itself rather than through
 * src/session/resolve.ts: removing is how a broken session (its adopted
 * directory or records gone) is cleared, so it must not be refused for it.
 */

export async function run(opts: RemoveOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const feature = parseFeatureRef(opts.name);
  if (feature) {
    await (await import('../features/remove.js')).removeFeature(feature, ctx.env, io, { force: opts.force === true, yes: opts.yes });
    return 0;
  }
  const entry = path.join(sessionsRoot(ctx.env), opts.name);
  const stub = readRemoteConf(ctx.env, opts.name);
  if (stub) return forgetStub(opts.name, stub, entry, opts.yes, ctx);
  let found;
  try {
    found = findSession(ctx.env, opts.name);
  } catch (e) {
    // A link whose target is gone: removing the dangling link is all there is to do.
    if (fs.lstatSync(entry, { throwIfNoEntry: false })?.isSymbolicLink()) {
      fs.unlinkSync(entry);
      ctx.info(`removed the dangling link for '${opts.name}'`);
      return 0;
    }
    throw e;
  }
  if (!found) throw new UserError(`no session named '${opts.name}'`, 'see cs -ls');
  const features = (await import('../features/model.js')).featuresOf(ctx.env, opts.name);
  if (features.length) throw new UserError(`session '${opts.name}' has feature sessions: ${features.map((f) => f.name).join(', ')}`, `merge or remove them first (cs ${opts.name} --merge <feature>, or cs -rm ${opts.name}@<feature>)`);
  refuseIfOpen(opts.name, found.paths.lock, 'it cannot be removed');
  const what = found.adopted
    ? `unlink adopted session '${opts.name}' (${found.paths.dir} itself stays)`
    : `delete session '${opts.name}' and everything in ${found.paths.dir}`;
  await confirm(io, { yes: opts.yes, question: `${what}?`, flag: '--yes' });
  if (found.adopted) {
    fs.unlinkSync(entry);
    ctx.info(`unlinked '${opts.name}'; ${found.paths.dir} and its .cs/ are untouched`);
  } else {
    // Chosen while the workspace (and its backend record) still exists.
    const secrets = await secretsOf(opts.name, ctx);
    // Rename first so a crash mid-delete never leaves a half-session under the real name.
    const doomed = path.join(path.dirname(entry), `.removing-${opts.name}-${process.pid}`);
    fs.renameSync(entry, doomed);
    // The secrets before the files: a store that cannot be opened (an encrypted one without its
    // password) puts the session back and refuses, instead of leaving a session half removed.
    let purged = 0;
    try {
      purged = secrets ? await secrets.purge(opts.name) : 0;
    } catch (e) {
      fs.renameSync(doomed, entry);
      throw new UserError(`cannot remove the secrets of '${opts.name}' (${errorMessage(e)}); nothing was removed`, STORE_HINT);
    }
    fs.rmSync(doomed, { recursive: true, force: true });
    io.err(`cs: removed session '${opts.name}'${purged ? ` and its ${purged} secret${purged === 1 ? '' : 's'}` : ''}`);
  }
  return 0;
}

const STORE_HINT = 'make the store readable (for the encrypted file: CS_SECRETS_PASSWORD; CS_SECRETS_BACKEND chooses), then run cs -rm again';

/**
 * A remote session's stub: only the stub goes. The session lives on the host;
 * what is stored here under its name is not this stub's to purge: --move-to
 * leaves the session's secrets on this machine, and cs -rm was the way the
 * 'runs on <host>, not on <other>' hint told to forget a stub, so purging
 * destroyed the only copy. The copy --move-to kept is left too, and named.
 */
async function forgetStub(name: string, conf: RemoteConf, entry: string, yes: boolean, ctx: Context): Promise<number> {
  await confirm(ctx.io, { yes, question: `forget the stub of '${name}' here (the session runs on ${conf.host} and stays there)?`, flag: '--yes' });
  const doomed = path.join(path.dirname(entry), `.removing-${name}-${process.pid}`);
  fs.renameSync(entry, doomed);
  fs.rmSync(doomed, { recursive: true, force: true });
  const kept = conf.backup && fs.existsSync(conf.backup) ? `; the copy kept by --move-to stays at ${conf.backup}` : '';
  // By its alias while that is registered, else by the address the stub recorded (cs -remote remove forgot the alias).
  const again = readHosts(ctx.env).some((h) => h.alias === conf.host) || !conf.address ? conf.host : conf.address;
  ctx.io.err(`cs: forgot '${name}' here; the session stays on ${conf.host} (cs ${name} --on ${again} connects again)${kept}; secrets stored on this machine under '${name}' were kept`);
  return 0;
}

/**
 * The session's secret store, so a deleted session leaves no secrets behind.
 * Throws UserError (nothing removed yet) when it cannot be chosen (a
 * keychain asked for that does not answer, an unknown CS_SECRETS_BACKEND):
 * once the workspace is gone, -secrets purge no longer finds the session.
 */
async function secretsOf(name: string, ctx: Context) {
  try {
    const { selectBackend } = await import('../secrets/backend.js');
    return (await selectBackend(name, ctx.env, { notice: () => {} })).backend;
  } catch (e) {
    throw new UserError(`cannot open the secrets of '${name}' (${errorMessage(e)}); nothing was removed`, STORE_HINT);
  }
}

export const command: Command<RemoveOptions> = { parse, run };
