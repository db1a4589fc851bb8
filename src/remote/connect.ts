// `cs <s> --on <host>`, `cs <host>:<s>` and `cs <s>` on a stub: run `cs <s>`
// on the host over a terminal connection. cs there hosts the session in its
// own tmux server (src/host/), exactly as on this machine, so a dropped
// connection leaves Claude running and the next call attaches again — and
// there is one tmux between the user and Claude, not two.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { runAttached } from '../lib/proc.js';
import { validateName } from '../session/names.js';
import { sessionsRoot } from '../session/paths.js';
import { ensureRoot } from '../session/workspace.js';
import { findSession } from '../session/find.js';
import type { RunContext } from '../lib/context.js';
import { resolveTarget, type Target } from './hosts.js';
import { probe } from './probe.js';
import { commandLine } from '../lib/shell.js';
import { interactiveArgv, SSH_FAILED, transportConfig } from './ssh.js';
import { readRemoteConf, stubTarget, writeStub, type RemoteConf } from './stub.js';

export interface ConnectOptions {
  name: string;
  /** --on / host: prefix; absent for a plain `cs <s>` on a stub. */
  on?: string;
  force: boolean;
  claudeArgs: string[];
}

/** The words run on the remote: `cs <s> [--force] [-- <claude args>]`. */
export function remoteWords(remoteCs: string, o: Pick<ConnectOptions, 'name' | 'force' | 'claudeArgs'>): string[] {
  return [remoteCs, o.name, ...(o.force ? ['--force'] : []), ...(o.claudeArgs.length ? ['--', ...o.claudeArgs] : [])];
}


export async function connect(opts: ConnectOptions, ctx: RunContext): Promise<number> {
  const { io, env } = ctx;
  const name = validateName(opts.name);
  const cfg = transportConfig(env);
  const conf = readRemoteConf(env, name);
  let target: Target;
  if (opts.on !== undefined) {
    target = resolveTarget(env, opts.on);
    if (!conf && findSession(env, name)) {
      throw new UserError(`session '${name}' is on this machine`, `to run it on ${target.label}, move it there: cs ${name} --move-to ${opts.on}`);
    }
    if (conf && stubTarget(env, conf).spec !== target.spec) {
      throw new UserError(`session '${name}' runs on ${conf.host}, not on ${opts.on}`, `connect with cs ${name}, or forget it here first with cs -rm ${name}`);
    }
  } else if (conf) {
    target = stubTarget(env, conf);
  } else {
    throw new UserError(`session '${name}' is not a remote session`, `run it on a host with cs ${name} --on <host>`);
  }

  const p = await probe(cfg, target, name, { env });
  if (p.claude === false) {
    throw new UserError(`Claude Code is not installed on ${target.label} (cs there looks for ${p.claudeBin ?? 'claude'})`, 'install it there, or set CLAUDE_CODE_BIN for cs on that machine; nothing was changed');
  }
  if (p.session === 'stub') {
    throw new UserError(`'${name}' on ${target.label} is itself a stub for another machine`, `connect to that machine directly; nothing was changed`);
  }
  if (conf?.backup && p.session === 'none') {
    throw new UserError(
      `session '${name}' was moved to ${target.label} but is not there (${p.dir})`,
      `your local copy is at ${conf.backup}; move it back with: mv ${conf.backup} <new place> (the stub is ${path.join(sessionsRoot(env), name)})`,
    );
  }
  if (!conf) {
    const root = sessionsRoot(env);
    ensureRoot(root);
    writeStub(path.join(root, name), { host: opts.on!, address: target.spec });
  }

  const how = interactiveArgv(cfg, target, commandLine(remoteWords(cfg.remoteCs, { ...opts, name })), env);
  io.err(io.color.dim(`cs: ${p.session === 'none' ? 'starting' : 'opening'} '${name}' on ${target.label} (hosted by cs there, via ${how.via})`));
  const result = await runAttached(how.bin, how.args, { env });
  if (result.code === 0) {
    if (conf?.backup) dropBackup(env, name, conf, ctx);
    return 0;
  }
  if (result.signal || (how.via === 'ssh' && result.code === SSH_FAILED)) {
    io.err(io.color.yellow(`cs: connection to ${target.label} ended (${result.signal ?? `exit ${result.code}`}); '${name}' keeps running there — reconnect with: cs ${name}`));
  }
  return result.code;
}

/** After a good connect the copy --move-to left behind is no longer needed. */
function dropBackup(env: NodeJS.ProcessEnv, name: string, conf: RemoteConf, ctx: RunContext): void {
  const root = sessionsRoot(env);
  const backup = conf.backup!;
  // Only ever remove what --move-to created: a .moved-<name>-* folder in the root.
  if (path.dirname(backup) !== root || !path.basename(backup).startsWith(`.moved-${name}-`)) return;
  fs.rmSync(backup, { recursive: true, force: true });
  const { backup: _gone, ...rest } = conf;
  writeStub(path.join(root, name), rest);
  ctx.io.err(ctx.io.color.dim(`cs: removed the local copy kept at ${backup} (the session is safe on ${conf.host})`));
}
