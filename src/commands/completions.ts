// `cs -completions <shell>`: print the completion script for a shell, from
// the command table. `cs -completions --list sessions|hosts` prints the
// dynamic candidates as `word:help` lines; the scripts call it for hosts.
import { UsageError } from '../lib/errors.js';
import { sessionsRoot } from '../session/paths.js';
import { value, type Args } from './argv.js';
import type { Command, Context } from './types.js';

const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
const LISTS = ['sessions', 'hosts'] as const;

export type CompletionsOptions =
  | { kind: 'script'; shell: (typeof SHELLS)[number] }
  | { kind: 'list'; list: (typeof LISTS)[number] };

export function parse(a: Args): CompletionsOptions {
  const list = value(a, '--list');
  if (list !== undefined) {
    if (a.operands.length) throw new UsageError(`-completions: unexpected argument '${a.operands[0]}'`, 'usage: cs -completions --list {sessions|hosts}');
    if (!(LISTS as readonly string[]).includes(list)) throw new UsageError(`--list takes sessions or hosts, not '${list}'`);
    return { kind: 'list', list: list as (typeof LISTS)[number] };
  }
  const [shell] = a.operands;
  if (shell === undefined) throw new UsageError('-completions: missing argument <shell>', `usage: ${a.spec.usage[0]}`);
  const name = shell === 'pwsh' ? 'powershell' : shell!;
  if (!(SHELLS as readonly string[]).includes(name)) throw new UsageError(`no completions for '${shell}'`, `one of: ${SHELLS.join(', ')}`);
  return { kind: 'script', shell: name as (typeof SHELLS)[number] };
}

export async function run(opts: CompletionsOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  if (opts.kind === 'list') {
    const { hostCandidates, sessionCandidates } = await import('../completions/candidates.js');
    if (opts.list === 'sessions') for (const n of sessionCandidates(sessionsRoot(env))) io.out(`${n}:session`);
    else for (const h of hostCandidates(env)) io.out(`${h.alias}:${h.host || 'remote host'}`);
    return 0;
  }
  const { completionScript } = await import('../completions/shells.js');
  io.stdout.write(completionScript(opts.shell));
  return 0;
}

export const command: Command<CompletionsOptions> = { parse, run };
