// `cs -completions <shell>`: print the completion script for a shell, from
// the command table. `cs -completions --list sessions|hosts` prints the
// dynamic candidates as `word:help` lines; the scripts call it for hosts.
import { expectPositionals, flagValue, parseArgs } from '../lib/args.js';
import { UsageError } from '../lib/errors.js';
import { sessionsRoot } from '../session/paths.js';
import { usageLine } from './table.js';
import type { Context } from './types.js';

const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
const LISTS = ['sessions', 'hosts'] as const;
const USAGE = usageLine('-completions');

export type CompletionsOptions =
  | { kind: 'script'; shell: (typeof SHELLS)[number] }
  | { kind: 'list'; list: (typeof LISTS)[number] };

export function parse(args: string[]): CompletionsOptions {
  const parsed = parseArgs(args, { values: ['--list'] }, '-completions');
  const list = flagValue(parsed, '--list');
  if (list !== undefined) {
    expectPositionals(parsed, 0, 0, '-completions', 'cs -completions --list {sessions|hosts}');
    if (!(LISTS as readonly string[]).includes(list)) throw new UsageError(`--list takes sessions or hosts, not '${list}'`);
    return { kind: 'list', list: list as (typeof LISTS)[number] };
  }
  const [shell] = expectPositionals(parsed, 1, 1, '-completions', USAGE);
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
