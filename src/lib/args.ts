// A small argument reader shared by commands: flags may come anywhere,
// `--` ends flag parsing. Unknown flags are usage errors, never ignored.
import { UsageError } from './errors.js';

export interface FlagSpec {
  /** Flags that take no value, e.g. ['--json', '--yes', '-y']. */
  booleans?: readonly string[];
  /** Flags that take a value, e.g. ['--port']; `--port=80` also works. */
  values?: readonly string[];
}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
  /** Everything after `--`. */
  rest: string[];
}

export function parseArgs(args: readonly string[], spec: FlagSpec, command: string): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const booleans = new Set(spec.booleans ?? []);
  const values = new Set(spec.values ?? []);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return { flags, positionals, rest: args.slice(i + 1) };
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      if (booleans.has(name) && eq < 0) flags.set(name, true);
      else if (values.has(name)) {
        const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`, `see cs ${command} -help`);
        flags.set(name, value);
      } else throw new UsageError(`unknown option '${name}' for ${command}`, `see cs ${command} -help`);
    } else positionals.push(arg);
  }
  return { flags, positionals, rest: [] };
}

export function flag(parsed: ParsedArgs, ...names: string[]): boolean {
  return names.some((n) => parsed.flags.get(n) === true);
}

export function flagValue(parsed: ParsedArgs, name: string): string | undefined {
  const v = parsed.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function expectPositionals(parsed: ParsedArgs, min: number, max: number, command: string, usage: string): string[] {
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`${command}: missing argument`, `usage: ${usage}`);
  if (n > max) throw new UsageError(`${command}: unexpected argument '${parsed.positionals[max]}'`, `usage: ${usage}`);
  return parsed.positionals;
}
