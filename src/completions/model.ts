// What completion offers, derived from the command table alone. The four
// shell scripts are renderings of this one model (see shells.ts), so a
// command, flag or subcommand added to the table shows up in all of them.
import { COMMANDS, declaredFlags, OPEN, type CommandSpec } from '../commands/table.js';

/** Candidates that are not fixed words: looked up when completing. */
export type Kind = 'session' | 'host' | 'shell' | 'command';

export interface Word {
  word: string;
  help: string;
}

export interface CommandModel {
  /** Stable identifier used inside the scripts: the primary name without dashes; 'open' for `cs <name>`. */
  id: string;
  spellings: string[];
  /** Accepted after a session name (`cs <s> -sync`). */
  sessionScoped: boolean;
  flags: Word[];
  /** Fixed words for the first argument (subcommands). */
  args: Word[];
  /** After a session name (`cs <s> -sync`), when that leaves some out: the subcommands that take no session (-sync clone) are not offered there. */
  sessionArgs?: Word[];
  /** What the first argument names, when it is not a fixed word. */
  operand?: Kind;
  /** Subcommands of a subcommand (`-secrets age <TAB>`: init, pubkey, …), under each spelling of the subcommand; `sessionNone` ones are not offered after a session name. */
  nested?: Array<{ sub: string; words: Word[]; sessionNone: boolean }>;
}

export interface CompletionModel {
  /** `cs <TAB>`: commands (besides session names). */
  top: Word[];
  /** `cs <session> <TAB>`: session commands and the flags of `cs <name>`. */
  afterSession: Word[];
  commands: CommandModel[];
  /** Flags whose value is completed: `--on <TAB>` offers hosts. */
  valueFlags: { flag: string; kind: Kind }[];
  shells: Word[];
}

export const SHELLS: readonly Word[] = [
  { word: 'bash', help: 'Bash (bash-completion)' },
  { word: 'zsh', help: 'Zsh (compsys)' },
  { word: 'fish', help: 'fish' },
  { word: 'powershell', help: 'PowerShell 7' },
];


// `--help`/`--version` are accepted but not advertised, as in the help overview.
const shown = (spec: CommandSpec) => [spec.name, ...spec.aliases.filter((a) => !a.startsWith('--'))];

function completable(value: string | undefined): value is Kind {
  return value === 'session' || value === 'host' || value === 'shell' || value === 'command';
}

/** The `nested` field of a command's model: each visible subcommand with visible subcommands of its own, once per spelling. */
function nestedOf(spec: CommandSpec): Pick<CommandModel, 'nested'> {
  const nested = (spec.subcommands ?? [])
    .filter((s) => !s.hidden && (s.subcommands ?? []).some((n) => !n.hidden))
    .flatMap((s) => [s.name, ...(s.aliases ?? [])].map((sub) => ({ sub, words: s.subcommands!.filter((n) => !n.hidden).map((n) => ({ word: n.name, help: n.summary })), sessionNone: s.session === 'none' })));
  return nested.length ? { nested } : {};
}

export function completionModel(commands: readonly CommandSpec[] = COMMANDS, open: CommandSpec = OPEN): CompletionModel {
  const words = (spec: CommandSpec) => shown(spec).map((word) => ({ word, help: spec.summary }));
  const flagWords = (spec: CommandSpec) => declaredFlags(spec).map((f) => ({ word: f.name, help: f.summary }));
  const model: CommandModel[] = [open, ...commands].map((spec) => ({
    id: spec === open ? 'open' : spec.name.replace(/^-+/, ''),
    spellings: spec === open ? [] : [spec.name, ...spec.aliases],
    sessionScoped: spec !== open && spec.scope !== 'global',
    flags: flagWords(spec),
    args: (spec.subcommands ?? []).filter((s) => !s.hidden).map((s) => ({ word: s.name, help: s.summary })),
    ...(spec !== open && spec.scope !== 'global' && (spec.subcommands ?? []).some((s) => !s.hidden && s.session === 'none')
      ? { sessionArgs: (spec.subcommands ?? []).filter((s) => !s.hidden && s.session !== 'none').map((s) => ({ word: s.name, help: s.summary })) }
      : {}),
    ...(completable(spec.operands?.[0]?.kind) ? { operand: spec.operands[0].kind } : {}),
    ...nestedOf(spec),
  }));
  const help = commands.find((c) => c.name === '-help');
  const valueFlags = new Map<string, Kind>();
  for (const spec of [open, ...commands]) for (const f of declaredFlags(spec)) if (completable(f.value)) valueFlags.set(f.name, f.value);
  return {
    top: commands.filter((c) => c.scope !== 'session').flatMap(words),
    afterSession: [
      ...commands.filter((c) => c.scope !== 'global').flatMap(words),
      ...(help ? words(help) : []),
      ...flagWords(open),
      { word: '--', help: 'pass the rest to Claude Code' },
    ],
    commands: model,
    valueFlags: [...valueFlags].map(([flag, kind]) => ({ flag, kind })),
    shells: [...SHELLS],
  };
}
