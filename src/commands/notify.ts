// cs -notify {set <url> [--token-secret KEY] | test | off | show [--json]}:
// where cs sends notifications (src/notify/notify.ts).
import { expectPositionals, flag, flagValue, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { notify, notifyLogFile, readNotifyConfig, urlProblem, writeNotifyConfig } from '../notify/notify.js';
import { usageLine } from './table.js';
import type { Command, Context } from './types.js';

export const usage = usageLine('-notify');

export type NotifyOptions = { sub: 'set'; url: string; tokenSecret: string | null } | { sub: 'test' } | { sub: 'off' } | { sub: 'show'; json: boolean };

export function parse(args: string[]): NotifyOptions {
  const p = parseArgs(args, { values: ['--token-secret'], booleans: ['--json'] }, '-notify');
  const [sub] = p.positionals;
  if (sub === undefined) return { sub: 'show', json: flag(p, '--json') };
  if (sub === 'set') {
    const [, url] = expectPositionals(p, 2, 2, '-notify', usage);
    const problem = urlProblem(url!);
    if (problem) throw new UsageError(problem, usage);
    const tokenSecret = flagValue(p, '--token-secret') ?? null;
    if (tokenSecret !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenSecret)) throw new UsageError(`--token-secret takes a variable name like NTFY_TOKEN, not '${tokenSecret}' (never the token itself)`, usage);
    return { sub: 'set', url: url!, tokenSecret };
  }
  if (sub === 'test' || sub === 'off' || sub === 'show') {
    expectPositionals(p, 1, 1, '-notify', usage);
    return sub === 'show' ? { sub, json: flag(p, '--json') } : { sub };
  }
  throw new UsageError(`unknown -notify subcommand '${sub}'`, usage);
}

export async function run(opts: NotifyOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  if (opts.sub === 'set') {
    writeNotifyConfig(env, { url: opts.url, ...(opts.tokenSecret ? { tokenSecret: opts.tokenSecret } : {}) });
    io.err(`cs: notifications go to ${opts.url}${opts.tokenSecret ? ` with the token in $${opts.tokenSecret}` : ''} — try it with: cs -notify test`);
    return 0;
  }
  if (opts.sub === 'off') {
    writeNotifyConfig(env, null);
    io.err('cs: notifications are off');
    return 0;
  }
  const config = readNotifyConfig(env);
  if (opts.sub === 'show') {
    if (opts.json) io.out(JSON.stringify(config));
    else if (config) io.out(`${config.url}${config.tokenSecret ? `  (token from $${config.tokenSecret})` : ''}`);
    else io.err('cs: notifications are off — turn them on with: cs -notify set <url>');
    return 0;
  }
  if (!config) throw new UserError('notifications are off', 'turn them on with: cs -notify set <url>');
  if (!(await notify({ name: 'cs' }, { kind: 'test', summary: 'If you can read this, cs can reach you.' }, env))) {
    throw new UserError(`the test notification was not delivered to ${config.url}`, `see why in ${notifyLogFile(env)}`);
  }
  io.err(`cs: sent a test notification to ${config.url}`);
  return 0;
}

export const command: Command<NotifyOptions> = { parse: (a) => parse(a), run: (o, c) => run(o, c) };
