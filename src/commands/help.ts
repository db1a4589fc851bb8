// Help text from the command table: one overview, and one page per command.
import type { Colors } from '../term/io.js';
import { COMMANDS, commandLine, declaredFlags, OPEN, type CommandSpec } from './table.js';

function usageLines(spec: CommandSpec): string[] {
  return spec.usage.map((u) => `  ${u}`);
}

export function renderCommandHelp(spec: CommandSpec, c: Colors): string {
  const lines = [c.bold(spec.name ? `cs ${spec.name}` : 'cs <name>') + ` — ${spec.summary}`, '', c.bold('Usage:'), ...usageLines(spec)];
  if (spec.aliases.length) lines.push('', `Aliases: ${spec.aliases.join(', ')}`);
  const subs = (spec.subcommands ?? []).filter((s) => !s.hidden);
  if (subs.length) {
    lines.push('', c.bold('Subcommands:'));
    const w = Math.max(...subs.map((s) => s.name.length));
    for (const s of subs) lines.push(`  ${s.name.padEnd(w)}  ${s.summary}`);
  }
  // The command's flags and its subcommands', as parsing accepts them.
  const flags = declaredFlags(spec).map((f) => ({ names: [f.name, ...(f.aliases ?? []).filter((a) => a.startsWith('-') && !a.startsWith('--'))].join(', '), summary: f.summary }));
  if (flags.length) {
    lines.push('', c.bold('Options:'));
    const w = Math.max(...flags.map((f) => f.names.length));
    for (const f of flags) lines.push(`  ${f.names.padEnd(w)}  ${f.summary}`);
  }
  if (spec.notes?.length) lines.push('', ...spec.notes);
  lines.push('', c.bold('Examples:'), ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

export function renderOverview(c: Colors): string {
  const rows: Array<[string, string]> = [
    ['cs', 'list sessions (an interactive picker on a terminal)'],
    ['cs <name>', OPEN.summary],
  ];
  for (const spec of COMMANDS) {
    const aliases = spec.aliases.filter((a) => !a.startsWith('--'));
    rows.push([[commandLine(spec), ...aliases].join(', '), spec.summary]);
  }
  const w = Math.max(...rows.map(([l]) => l.length));
  return [
    `${c.bold('cs')} — a home for every Claude Code task: workspaces that remember, protect and carry your work.`,
    '',
    c.bold('Usage:'),
    ...rows.map(([l, r]) => `  ${l.padEnd(w)}  ${c.dim(r)}`),
    '',
    c.bold('Environment:'),
    '  CS_SESSIONS_ROOT   where sessions live (default ~/.claude-sessions)',
    '  CLAUDE_CODE_BIN    the Claude Code binary to launch (default claude)',
    '  NO_COLOR           disable colours',
    '  CS_DEBUG=1         show stack traces on internal errors',
    '',
    `Run ${c.bold('cs <command> -help')} for details of one command.`,
  ].join('\n');
}

export function renderHelp(topic: CommandSpec | undefined, c: Colors): string {
  return topic ? renderCommandHelp(topic, c) : renderOverview(c);
}
