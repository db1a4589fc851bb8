// `cs -spawn <name> [--prompt <text>]`: start a hosted session without
// attaching a terminal (src/host/), and say how to attach.
import { expectPositionals, flag, flagValue, parseArgs } from '../args.js';
import { UsageError, UserError } from '../errors.js';
import { validateName } from '../session/names.js';
import { requireClaude } from '../session/claude-bin.js';
import { isUuid } from '../conversations/store.js';
import { usageLine } from './table.js';
import type { Context, Invocation } from './types.js';

export const usage = usageLine('-spawn');

export interface SpawnOptions {
  name: string;
  prompt?: string;
  force: boolean;
  fresh?: boolean;
  resume?: string;
  claudeArgs: string[];
}

export function parse(args: string[], inv: Invocation): SpawnOptions {
  const p = parseArgs(args, { booleans: ['--force', '--new'], values: ['--prompt', '--resume'] }, '-spawn');
  const [name] = expectPositionals(p, inv.session ? 0 : 1, inv.session ? 0 : 1, '-spawn', usage);
  const prompt = flagValue(p, '--prompt');
  if (prompt !== undefined && prompt.trim() === '') throw new UsageError('--prompt is empty', 'give the text Claude should start with: --prompt "fix the failing test"');
  const resume = flagValue(p, '--resume');
  if (resume !== undefined && flag(p, '--new')) throw new UsageError('--new and --resume exclude each other', usage);
  if (resume !== undefined && !/^\d+$/.test(resume) && !isUuid(resume.toLowerCase())) throw new UsageError(`--resume takes a conversation uuid or its number, not '${resume.slice(0, 80)}'`, 'see them with: cs <name> -conversations');
  return {
    name: validateName(inv.session ?? name!),
    force: flag(p, '--force'),
    claudeArgs: p.rest,
    ...(prompt !== undefined ? { prompt } : {}),
    ...(flag(p, '--new') ? { fresh: true } : {}),
    ...(resume !== undefined ? { resume: resume.toLowerCase() } : {}),
  };
}

export async function run(opts: SpawnOptions, ctx: Context): Promise<number> {
  const { env } = ctx;
  const host = await import('../host/open.js');
  if (!host.hasTmux(env)) throw new UserError('-spawn needs tmux, which is not installed', 'install tmux (e.g. apt-get install tmux), or run the session in a terminal: cs <name> --foreground');
  requireClaude(env);
  const { openWorkspace } = await import('./open.js');
  const { paths, created } = await openWorkspace(opts.name, ctx);
  host.reportPostmortem(paths, ctx.io, ctx.now());
  const request = {
    force: opts.force,
    created,
    claudeArgs: opts.claudeArgs,
    ...(opts.prompt !== undefined ? { prompt: opts.prompt } : {}),
    ...(opts.fresh ? { fresh: true } : {}),
    ...(opts.resume ? { resume: opts.resume } : {}),
  };
  return host.spawnHosted({ paths, request }, ctx.io, env);
}
