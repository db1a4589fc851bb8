// The one argument parser: reads a command's declaration in the table
// (table.ts) and checks argv against exactly that — subcommands, unknown
// flags, missing values, operand counts, `--`. Usage lines in its errors
// are made from the same declaration. Commands see only the result (Args)
// and keep the checks that need meaning (a port number's range, on|off).
import { UsageError } from '../lib/errors.js';
import type { CommandSpec, Decl, FlagDecl, OperandDecl, SessionDecl, SubcommandDecl } from './table.js';

export interface Args {
  spec: CommandSpec;
  /** The subcommand chain by primary name, e.g. ['age', 'add']; [] for a command without. */
  sub: string[];
  /** Flags given, by primary name: true for a boolean, the value (or every value, when repeatable). */
  flags: ReadonlyMap<string, true | string | string[]>;
  operands: string[];
  /** After `--` for a passthrough command (Claude Code's arguments). */
  rest: string[];
  /** The session named before the command (`cs <s> -x`), or CLAUDE_SESSION_NAME where the declaration takes it. */
  session?: string;
  /** What this command/subcommand takes as a session (undefined: none). */
  sessionDecl?: SessionDecl;
  /** The usage line of this command/subcommand, for semantic errors. */
  usage: string;
  /** `cs -x sub`: how messages name it. */
  label: string;
  /** The environment, for the few options that default from it (CS_UPDATE_URL). */
  env: NodeJS.ProcessEnv;
}

export function has(a: Pick<Args, 'flags'>, name: string): boolean {
  return a.flags.has(name);
}

export function value(a: Pick<Args, 'flags'>, name: string): string | undefined {
  const v = a.flags.get(name);
  return typeof v === 'string' ? v : Array.isArray(v) ? v[v.length - 1] : undefined;
}

/** Every flag the declaration tree knows (for tokenizing: which ones take a value). */
function allFlags(d: Decl, into = new Map<string, FlagDecl>()): Map<string, FlagDecl> {
  for (const f of d.flags ?? []) for (const n of [f.name, ...(f.aliases ?? [])]) into.set(n, f);
  for (const s of d.subcommands ?? []) allFlags(s, into);
  return into;
}

function findSub(d: Decl, word: string): SubcommandDecl | undefined {
  return d.subcommands?.find((s) => s.name === word || (s.aliases ?? []).includes(word));
}

function visibleSubs(d: Decl): string {
  return (d.subcommands ?? [])
    .filter((s) => !s.hidden)
    .map((s) => s.name)
    .join(', ');
}

function operandText(o: OperandDecl): string {
  const word = /^[A-Z]|[|@<]/.test(o.name) && !o.name.startsWith('<') ? o.name : `<${o.name}>`;
  const many = o.variadic ? `${word}...` : word;
  return o.optional ? `[${many}]` : many;
}

/** What a flag's value is called in usage: its placeholder, else N for a number, else its kind. */
export function flagPlaceholder(f: FlagDecl): string {
  return f.placeholder ?? (f.value === 'number' ? 'N' : f.value!);
}

function flagText(f: FlagDecl): string {
  return `[${f.name}${f.value ? ` <${flagPlaceholder(f)}>` : ''}]`;
}

/**
 * The usage line of a command or subcommand, from its declaration:
 * `cs <name> -sync status [--json] [--no-fetch]`.
 */
export function usageOf(spec: CommandSpec, chain: readonly SubcommandDecl[], sessionGiven: boolean): string {
  const leaf: Decl = chain[chain.length - 1] ?? spec;
  const session = sessionOf(spec, chain);
  const prefix = spec.name === '' ? 'cs <name>' : session?.need === 'required' || (session && sessionGiven) ? `cs <name> ${spec.name}` : `cs ${spec.name}`;
  const flags = [...(spec.flags ?? []), ...chain.flatMap((s) => s.flags ?? [])].filter((f) => !f.hidden);
  const parts = [prefix, ...chain.map((s) => s.name)];
  if (leaf.subcommands?.length) parts.push(`{${visibleSubs(leaf).replace(/, /g, '|')}}`);
  parts.push(...flags.map(flagText), ...(leaf.operands ?? []).map(operandText));
  if (leaf.passthrough) parts.push('[-- <claude args>...]');
  return parts.join(' ');
}

/** The session declaration in force for a subcommand chain: the innermost one given. */
export function sessionOf(spec: CommandSpec, chain: readonly SubcommandDecl[]): SessionDecl | undefined {
  let d: SessionDecl | 'none' | undefined = spec.session;
  for (const s of chain) if (s.session !== undefined) d = s.session;
  return d === 'none' ? undefined : d;
}

/**
 * argv after the command word (or after `cs <name>` for the open command)
 * to Args, checked against the declaration. Throws UsageError naming what
 * is wrong and the usage line to follow.
 */
export function parseArgv(spec: CommandSpec, argv: readonly string[], given: { session?: string }, env: NodeJS.ProcessEnv): Args {
  const label0 = spec.name || (given.session ?? '<name>');
  const known = allFlags(spec);
  const found: Array<{ spelled: string; value: string | true }> = [];
  const words: string[] = [];
  let after: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      after = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const decl = known.get(name);
    const help = `see cs ${spec.name || '<name>'} -help`;
    if (decl && !decl.value && eq > 0) throw new UsageError(`${name} takes no value, not '${arg.slice(eq + 1).slice(0, 40)}'`, `write ${name} alone; ${help}`);
    // Text that starts with a dash (a task, a search) reads as an option unless it comes after --.
    if (!decl) throw new UsageError(`unknown option '${name.slice(0, 60)}' for ${label0}`, /\s/.test(arg) ? `text that starts with '-' goes after --: cs ${given.session ? `${given.session} ` : ''}${[spec.name, ...words].filter(Boolean).join(' ')} -- '${arg.replace(/'/g, "'\\''")}'` : help);
    if (decl.value) {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`, help);
      found.push({ spelled: name, value: v });
    } else found.push({ spelled: name, value: true });
  }

  // The subcommand chain: each level's first word names one of its subcommands.
  const chain: SubcommandDecl[] = [];
  let decl: Decl = spec;
  while (decl.subcommands?.length) {
    const label = [spec.name, ...chain.map((s) => s.name)].join(' ');
    const word = words[0];
    const sub = word === undefined ? (decl.defaultSubcommand ? findSub(decl, decl.defaultSubcommand) : undefined) : findSub(decl, word);
    if (!sub) {
      if (word === undefined && chain.length === 0 && spec.helpWhenBare) return bare(spec, given, env, found);
      if (word === undefined) throw new UsageError(`${label} needs a subcommand`, `one of: ${visibleSubs(decl)} (see cs ${spec.name} -help)`);
      throw new UsageError(`unknown ${label} subcommand '${word.slice(0, 40)}'`, `one of: ${visibleSubs(decl)}`);
    }
    if (word !== undefined) words.shift();
    chain.push(sub);
    decl = sub;
  }
  const label = [spec.name || label0, ...chain.map((s) => s.name)].join(' ');
  const sessionDecl = sessionOf(spec, chain);
  const usage = usageOf(spec, chain, given.session !== undefined);

  // Flags: only those of this command and its chain.
  const allowed = new Map<string, FlagDecl>();
  for (const f of [...(spec.flags ?? []), ...chain.flatMap((s) => s.flags ?? [])]) for (const n of [f.name, ...(f.aliases ?? [])]) allowed.set(n, f);
  const flags = new Map<string, true | string | string[]>();
  for (const f of found) {
    const d = allowed.get(f.spelled);
    if (!d) throw new UsageError(`${f.spelled} does not apply to ${label}`, `usage: ${usage}`);
    const prev = flags.get(d.name);
    if (d.repeatable && typeof f.value === 'string') flags.set(d.name, [...(Array.isArray(prev) ? prev : []), f.value]);
    else flags.set(d.name, f.value);
  }

  // Operands: after `--` they are operands too, unless the words go to Claude Code.
  const operands = decl.passthrough ? words : [...words, ...after];
  const rest = decl.passthrough ? after : [];
  const ops = decl.operands ?? [];
  const min = ops.filter((o) => !o.optional).length;
  const max = ops.some((o) => o.variadic) ? Infinity : ops.length;
  if (operands.length < min) throw new UsageError(`${label}: missing argument ${operandText(ops[operands.length]!)}`, `usage: ${usage}`);
  if (operands.length > max) {
    const extra = operands[max]!;
    const hint = spec.name === '' ? `to pass arguments to Claude Code put them after --: cs ${given.session ?? '<name>'} -- ${extra}` : `usage: ${usage}`;
    throw new UsageError(`${spec.name === '' ? '' : `${label}: `}unexpected argument '${extra.slice(0, 80)}'`, hint);
  }

  // The session: named before the command, else where the declaration takes it from the environment.
  if (given.session !== undefined && !sessionDecl) {
    throw new UsageError(`${label} does not take a session name`, `usage: ${usage}`);
  }
  const fromEnv = sessionDecl && sessionDecl.env !== false ? env.CLAUDE_SESSION_NAME || undefined : undefined;
  const session = given.session ?? fromEnv;
  return { spec, sub: chain.map((s) => s.name), flags, operands, rest, ...(session !== undefined ? { session } : {}), ...(sessionDecl ? { sessionDecl } : {}), usage, label, env };
}

/** `cs -secrets` alone: no subcommand; the dispatcher shows the command's help (flags still checked). */
function bare(spec: CommandSpec, given: { session?: string }, env: NodeJS.ProcessEnv, found: Array<{ spelled: string }>): Args {
  const usage = usageOf(spec, [], given.session !== undefined);
  const own = new Set((spec.flags ?? []).flatMap((f) => [f.name, ...(f.aliases ?? [])]));
  for (const f of found) if (!own.has(f.spelled)) throw new UsageError(`${f.spelled} does not apply to ${spec.name}`, `usage: ${usage}`);
  return { spec, sub: [], flags: new Map(), operands: [], rest: [], usage, label: spec.name, env };
}
