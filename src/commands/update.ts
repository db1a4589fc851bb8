// cs -update [--check] [--rollback] [--json]
import { expectPositionals, flag, parseArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { applyUpdate, requireInstalled, rollback } from '../update/apply.js';
import { checkForUpdate, recordLatest } from '../update/check.js';
import { updateUrl } from '../update/release.js';
import { usageLine } from './table.js';
import type { Command, Context, Invocation } from './types.js';

export interface UpdateOptions {
  action: 'update' | 'check' | 'rollback';
  json: boolean;
  /** Release metadata URL (CS_UPDATE_URL or the project's feed). */
  url: string;
}

export const usage = usageLine('-update');


export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): UpdateOptions {
  if (inv.session !== undefined) throw new UsageError('-update does not take a session name', `usage: ${usage}`);
  const parsed = parseArgs(args, { booleans: ['--check', '--rollback', '--json'] }, '-update');
  expectPositionals(parsed, 0, 0, '-update', usage);
  const check = flag(parsed, '--check');
  const back = flag(parsed, '--rollback');
  if (check && back) throw new UsageError('--check and --rollback cannot be combined', `usage: ${usage}`);
  return { action: check ? 'check' : back ? 'rollback' : 'update', json: flag(parsed, '--json'), url: updateUrl(env) };
}

export async function run(opts: UpdateOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const print = (json: object, text: string) => (opts.json ? io.out(JSON.stringify(json)) : io.out(text));

  if (opts.action === 'rollback') {
    const r = await rollback(env);
    print(r, `switched back to cs ${r.installed} (cs ${r.previous} kept; cs -update --rollback switches again)`);
    return 0;
  }

  if (opts.action === 'check') {
    const installed = requireInstalled(env);
    const r = await checkForUpdate(env, installed.version, opts.url, ctx.now());
    print(
      r,
      r.updateAvailable
        ? `cs ${r.latest} is available (you have ${r.installed}); run: cs -update`
        : `cs ${r.installed} is up to date (latest release: ${r.latest})`,
    );
    return 0;
  }

  const r = await applyUpdate({ env, url: opts.url, log: (line) => io.err(line) });
  recordLatest(env, opts.url, r.latest, ctx.now());
  print(
    { updated: r.updated, installed: r.installed, previous: r.previous ?? null, latest: r.latest },
    r.updated
      ? `cs ${r.installed} installed (cs ${r.previous} kept; cs -update --rollback to go back)`
      : `cs ${r.installed} is up to date (latest release: ${r.latest})`,
  );
  return 0;
}

export const command: Command<UpdateOptions> = { parse, run };
export default command;
