// cs -update [--check] [--rollback] [--json]
import { UsageError } from '../lib/errors.js';
import { applyUpdate, requireInstalled, rollback } from '../update/apply.js';
import { checkForUpdate, recordLatest } from '../update/check.js';
import { updateUrl } from '../update/release.js';
import { DownloadError } from '../update/fetch.js';
import { layoutFor } from './install.js';
import { packageRoot } from '../lib/package-root.js';
import { UserError } from '../lib/errors.js';
import { has, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface UpdateOptions {
  action: 'update' | 'check' | 'rollback';
  json: boolean;
  /** Release metadata URL (CS_UPDATE_URL or the project's feed). */
  url: string;
  /** How this cs was installed: npm's package directory for an npm install, else the self-managed layout. */
  install: { path: 'npm'; dir: string } | { path: 'self-managed' };
}

/** The running package's install path: npm (it sits in a lasting node_modules) or cs's own layout. */
function installPath(): UpdateOptions['install'] {
  const root = packageRoot();
  return layoutFor(root) === 'in-place' ? { path: 'npm', dir: root } : { path: 'self-managed' };
}

/** The release feed comes from the environment (CS_UPDATE_URL) as the command is parsed. */
export function parse(a: Args): UpdateOptions {
  const check = has(a, '--check');
  const back = has(a, '--rollback');
  if (check && back) throw new UsageError('--check and --rollback cannot be combined', `usage: ${a.usage}`);
  return { action: check ? 'check' : back ? 'rollback' : 'update', json: has(a, '--json'), url: updateUrl(a.env), install: installPath() };
}

export async function run(opts: UpdateOptions, ctx: Context): Promise<number> {
  try {
    return await runPath(opts, ctx);
  } catch (e) {
    if (e instanceof DownloadError) throw new UserError(e.message, unreachableHint(opts));
    throw e;
  }
}

/** What to do when the release server cannot be reached, for the install path this cs took. */
function unreachableHint(opts: UpdateOptions): string {
  return opts.install.path === 'npm'
    ? 'cs was installed with npm: check your connection and try again, or update through npm alone (without the signature check): npm install -g claude-sessions@latest'
    : 'cs was installed from a signed release (self-managed): check your connection and try again (CS_UPDATE_URL names another release feed); nothing was changed';
}

async function runPath(opts: UpdateOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const print = (json: object, text: string) => (opts.json ? io.out(JSON.stringify(json)) : io.out(text));
  if (opts.install.path === 'npm') return runNpm(opts, opts.install.dir, ctx);

  if (opts.action === 'rollback') {
    const r = await rollback(env);
    print(r, `switched back to cs ${r.installed} (cs ${r.previous} kept; cs -update --rollback switches again)`);
    return 0;
  }

  if (opts.action === 'check') {
    const installed = requireInstalled(env);
    const r = await checkForUpdate(env, installed.version, opts.url, ctx.now());
    const how = 'self-managed install: cs -update checks SHA-256 and the minisign signature, and keeps the previous version for --rollback';
    print(
      { ...r, path: 'self-managed' },
      r.updateAvailable
        ? `cs ${r.latest} is available (you have ${r.installed}); run: cs -update\n(${how})`
        : `cs ${r.installed} is up to date (latest release: ${r.latest})\n(${how})`,
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

/** An npm install: say which npm command updates it; run it when a person is at the terminal. */
async function runNpm(opts: UpdateOptions, dir: string, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const print = (json: object, text: string) => (opts.json ? io.out(JSON.stringify(json)) : io.out(text));
  if (opts.action === 'rollback') {
    throw new UserError('cs was installed with npm, which keeps no previous version for --rollback', 'install the version you want: npm install -g claude-sessions@<version>');
  }
  if (opts.action === 'check') {
    const r = await checkForUpdate(env, (await import('../update/layout.js')).readPackageVersion(dir) ?? '0.0.0', opts.url, ctx.now());
    const cmd = `npm install -g claude-sessions@${r.latest}`;
    print(
      { ...r, path: 'npm', command: r.updateAvailable ? cmd : null },
      r.updateAvailable ? `cs ${r.latest} is available (you have ${r.installed}); run: cs -update (npm install: it runs ${cmd})` : `cs ${r.installed} is up to date (latest release: ${r.latest}; npm install: updates go through npm)`,
    );
    return 0;
  }
  const { planNpmUpdate } = await import('../update/npm.js');
  const plan = await planNpmUpdate(dir, opts.url, env, (line) => io.err(line));
  recordLatest(env, opts.url, plan.latest, ctx.now());
  if (!plan.command) {
    print({ updated: false, installed: plan.installed, latest: plan.latest, path: 'npm' }, `cs ${plan.installed} is up to date (latest release: ${plan.latest})`);
    return 0;
  }
  const line = plan.command.join(' ');
  if (!plan.verified) ctx.info(`this package ships no release key, so cs ${plan.latest} was not signature-checked; npm checks the registry's own signatures`);
  if (!io.canPrompt || opts.json) {
    // No person to watch npm's output: hand over the command instead.
    print({ updated: false, installed: plan.installed, latest: plan.latest, path: 'npm', command: line, verified: plan.verified !== null }, line);
    io.err(`cs ${plan.latest} is available; run the command above to update (npm install)`);
    return 0;
  }
  ctx.info(`running ${line}`);
  const { runAttached } = await import('../lib/proc.js');
  const r = await runAttached(plan.command[0]!, plan.command.slice(1), { env });
  if (r.code === 0) io.err(`cs ${plan.latest} installed through npm; the hooks follow it (they run from the npm package)`);
  return r.code;
}

export const command: Command<UpdateOptions> = { parse, run };
export default command;
