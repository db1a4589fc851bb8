// Argument routing and the one place that turns errors into exit codes.
// Everything else is loaded lazily through the command table.
import { CancelError, errorMessage, exitCodeOf, UsageError, UserError } from './lib/errors.js';
import { systemIO, type IO } from './term/io.js';
import { version } from './lib/package-root.js';
import { COMMANDS, findCommand, OPEN, PICK, type CommandSpec } from './commands/table.js';
import { unknownCommandHint } from './commands/suggest.js';
import type { Invocation } from './commands/dispatch.js';

export type Route =
  | { kind: 'version' }
  | { kind: 'help'; topic?: CommandSpec }
  | { kind: 'command'; spec: CommandSpec; args: string[]; inv: Invocation };

const HELP_FLAGS = new Set(['-help', '-h', '--help']);
const VERSION_FLAGS = new Set(['-version', '-v', '--version']);

function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (HELP_FLAGS.has(a)) return true;
  }
  return false;
}

function withHelp(spec: CommandSpec, args: string[], inv: Invocation): Route {
  return wantsHelp(args) ? { kind: 'help', topic: spec } : { kind: 'command', spec, args, inv };
}

/** Pure: argv (without node and script) to what should run. */
export function route(argv: readonly string[]): Route {
  const [first, ...rest] = argv;
  if (first === undefined) {
    return { kind: 'command', spec: findCommand('-list')!, args: [], inv: {} };
  }
  if (VERSION_FLAGS.has(first)) {
    // Help for it as for every command; anything else after it is a mistake, as it is elsewhere.
    if (rest.length === 1 && HELP_FLAGS.has(rest[0]!)) return { kind: 'help', topic: findCommand('-version') ?? undefined };
    if (rest.length > 0) throw new UsageError(`${first} takes no arguments, not '${rest[0]!.slice(0, 40)}'`, 'cs -version');
    return { kind: 'version' };
  }
  // `cs -- <name> [options]`: the name after `--`, as if given first.
  if (first === '--') {
    if (rest[0] === undefined) throw new UsageError('a session name is needed after --', 'cs -- <name>');
    return withHelp(OPEN, rest.slice(1), { session: rest[0] });
  }
  if (HELP_FLAGS.has(first)) {
    const topic = rest[0] === undefined ? undefined : findCommand(rest[0].startsWith('-') ? rest[0] : `-${rest[0]}`);
    if (rest[0] !== undefined && !topic) throw new UsageError(`no help for unknown command '${rest[0]}'`, 'see cs -help');
    return { kind: 'help', topic };
  }
  if (first.startsWith('-')) {
    const spec = findCommand(first);
    if (!spec || spec.builtin) throw new UsageError(`unknown command '${first}'`, unknownCommandHint(first));
    // A session command given without a session (`cs -secrets list` inside a
    // session) takes the session from CLAUDE_SESSION_NAME in its parse step.
    return withHelp(spec, rest, {});
  }
  const session = first;
  const next = rest[0];
  if (next !== undefined && next.startsWith('-') && !next.startsWith('--')) {
    const spec = findCommand(next);
    if (spec && HELP_FLAGS.has(next)) return { kind: 'help', topic: OPEN };
    if (spec && spec.scope !== 'global' && !spec.builtin) return withHelp(spec, rest.slice(1), { session });
    if (!spec) throw new UsageError(`unknown session command '${next}'`, unknownCommandHint(next, `cs ${session}`, 'session'));
    // Asking how a command goes is never wrong, wherever the session name was put.
    if (!spec.builtin && wantsHelp(rest.slice(1))) return { kind: 'help', topic: spec };
    throw new UsageError(`${next} is not a session command`, `run it as: cs ${next} ...`);
  }
  return withHelp(OPEN, rest, { session });
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let io: IO | undefined;
  try {
    const r = route(argv);
    if (r.kind === 'version') {
      process.stdout.write(`cs ${version()}\n`);
      return 0;
    }
    io = systemIO(env);
    const base = { io, env, cwd: process.cwd(), now: () => new Date() };
    if (r.kind === 'help') {
      const { renderHelp } = await import('./commands/help.js');
      io.out(renderHelp(r.topic, io.color));
      return 0;
    }
    // `cs <name>` on a session running in cs's tmux server: attach without loading the open command.
    if (r.spec === OPEN && r.inv.session !== undefined) {
      const attached = await (await import('./host/attach.js')).attachIfRunning(r.inv.session, r.args, env, io);
      if (attached !== null) return attached;
    }
    // `cs` alone where a person can answer: the session whose directory this
    // is, else the picker; without a terminal the list, as before.
    const alone = argv.length === 0 && io.isTTY && io.canPrompt;
    const here = alone ? (await import('./session/here.js')).sessionAt(env, base.cwd) : null;
    const spec = here !== null ? OPEN : alone ? PICK : r.spec;
    const { dispatch } = await import('./commands/dispatch.js');
    return await dispatch(spec, r.args, here !== null ? { session: here } : r.inv, { ...base, pick: spec === PICK });
  } catch (err) {
    return report(err, io ?? systemIO(env), env);
  }
}

function report(err: unknown, io: IO, env: NodeJS.ProcessEnv): number {
  const code = exitCodeOf(err);
  if (err instanceof CancelError) {
    // Empty when what was cancelled has said so itself (the picker's last frame).
    if (err.message) io.err(`cs: ${err.message}`);
    return code;
  }
  const hint = err instanceof UsageError || err instanceof UserError ? err.hint : undefined;
  const known = err instanceof UsageError || err instanceof UserError;
  const message = known ? errorMessage(err) : `internal error: ${errorMessage(err)}`;
  io.err(`${io.color.red('cs:')} ${message}${hint ? ` — ${hint}` : ''}`);
  if (!known && env.CS_DEBUG !== '1') io.err('  (run with CS_DEBUG=1 for details, and please report it)');
  if (env.CS_DEBUG === '1' && err instanceof Error && err.stack) io.err(err.stack);
  return code;
}

export { COMMANDS };
