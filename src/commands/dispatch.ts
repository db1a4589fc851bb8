// From a command's declaration and its argv to its exit code: parse against
// the declaration (argv.ts), load the one module that runs it (loaders.ts),
// let it turn the arguments into options, resolve the session the
// declaration asks for (src/session/resolve.ts), then run.
import type { RunContext } from '../lib/context.js';
import type { Session } from '../session/resolve.js';
import { parseArgv, type Args } from './argv.js';
import { commandContext } from './context.js';
import { LOADERS, loaderKey } from './loaders.js';
import { findCommand, OPEN, type CommandSpec } from './table.js';
import type { Command } from './types.js';

export interface Invocation {
  /** Session named before the command (`cs <s> -sync push`), if any. */
  session?: string;
}

/** The module that runs a command (or its subcommand), loaded now. */
export async function loadCommand(spec: CommandSpec, sub: readonly string[], pick = false): Promise<Command<unknown>> {
  const load = LOADERS[pick ? 'pick' : loaderKey(spec.name, sub)];
  if (!load) throw new Error(`internal: no module for cs ${loaderKey(spec.name, sub)}`);
  return (await load()).command as Command<unknown>;
}

/**
 * The session a command works on, per its declaration; undefined when it
 * takes none (or an optional one was not named). The resolver (and the
 * workspace, git and process modules behind it) loads only when a session
 * is to be resolved: `cs -search`, `cs -ls` do without.
 */
export async function sessionFor(a: Args, base: Pick<RunContext, 'env' | 'cwd'>): Promise<Session | undefined> {
  const d = a.sessionDecl;
  if (!d || d.create) return undefined;
  if (a.session === undefined && d.need === 'optional') return undefined;
  const { resolveSession } = await import('../session/resolve.js');
  return resolveSession(base.env, { ...(a.session !== undefined ? { name: a.session } : {}), ...(d.env !== false ? { cwd: base.cwd } : {}), command: a.spec.name }, d);
}

/**
 * Parses, loads and runs one command. `stop` (tests) ends a command that
 * runs until interrupted. Throws UsageError/UserError/CancelError for the
 * caller to report.
 */
export async function dispatch(spec: CommandSpec, argv: readonly string[], inv: Invocation, base: RunContext & { stop?: AbortSignal; pick?: boolean }): Promise<number> {
  const a = parseArgv(spec, argv, inv, base.env);
  if (spec.helpWhenBare && a.sub.length === 0) {
    const { renderCommandHelp } = await import('./help.js');
    base.io.out(renderCommandHelp(spec, base.io.color));
    return 0;
  }
  const command = await loadCommand(spec, a.sub, base.pick);
  const opts = command.parse(a);
  const session = await sessionFor(a, base);
  const { pick: _pick, ...rest } = base;
  const ctx = commandContext({
    ...rest,
    ...(session ? { session } : {}),
    invoke: (name, args, session) => dispatch(name === '' ? OPEN : findCommand(name)!, args, session === undefined ? {} : { session }, rest),
  });
  try {
    return (await command.run(opts, ctx)) ?? 0;
  } catch (e) {
    // A hint from code that knew only the session's folder names it here.
    if (!session) throw e;
    const { namingSession } = await import('../lib/errors.js');
    throw namingSession(e, session.name);
  }
}

/**
 * Parses argv for a command into its subcommand chain and the options its
 * module makes of them, without running anything (tests pin argv → options
 * with it). Throws UsageError as the real parse does.
 */
export async function parseCommand(name: string, argv: readonly string[], inv: Invocation = {}, env: NodeJS.ProcessEnv = {}): Promise<{ sub: string[]; opts: unknown }> {
  const spec = name === '' ? OPEN : findCommand(name);
  if (!spec) throw new Error(`no command ${name}`);
  const a = parseArgv(spec, argv, inv, env);
  return { sub: a.sub, opts: (await loadCommand(spec, a.sub)).parse(a) };
}
