// cs -sync clone <name|url> [name]: make a session from a remote on this machine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, UserError } from '../../lib/errors.js';
import { nameProblem, validateName } from '../../session/names.js';
import { sessionsRoot } from '../../session/paths.js';
import { Repo } from '../../git/repo.js';
import { cloneSession } from '../../git/sync.js';
import { validateRemoteUrl } from '../../git/remote.js';
import type { Args } from '../argv.js';
import type { Command } from '../types.js';
import { withProgress } from './shared.js';

export interface SyncCloneOptions {
  source: string;
  name: string | null;
}

export const command: Command<SyncCloneOptions> = {
  parse: (a: Args) => ({ source: a.operands[0]!, name: a.operands[1] === undefined ? null : validateName(a.operands[1]) }),
  async run(opts, ctx) {
    const prefix = ctx.env.CS_SYNC_PREFIX;
    let url: string;
    let name: string | null = opts.name;
    const looksLikeName = nameProblem(opts.source) === null && !/[/:]/.test(opts.source);
    if (looksLikeName && prefix) {
      url = `${prefix}${opts.source}.git`;
      name ??= opts.source;
    } else if (looksLikeName && !fs.existsSync(path.resolve(ctx.cwd, opts.source))) {
      throw new UsageError(`CS_SYNC_PREFIX is not set, so '${opts.source}' cannot be turned into an URL`, `cs -sync clone <url> (or export CS_SYNC_PREFIX=git@github.com:you/)`);
    } else {
      url = opts.source;
    }
    url = validateRemoteUrl(url, ctx.cwd);
    if (name === null) {
      const base = url.replace(/[/\\]+$/, '').split(/[/:\\]/).pop() ?? '';
      name = base.replace(/\.git$/, '');
      const problem = nameProblem(name);
      if (problem) throw new UsageError(`cannot name a session after ${url}: ${problem}`, 'give the name: cs -sync clone <url> <name>');
    }
    const target = path.join(sessionsRoot(ctx.env), name);
    // An adopted project's remote is the user's code plus our records: not a workspace to clone.
    const { remoteHasRecords } = await import('../../git/records.js');
    if (await withProgress(ctx.io, `checking ${url}`, () => remoteHasRecords(new Repo(ctx.cwd, { env: ctx.env }), url))) {
      throw new UserError(
        `${url} holds the records of an adopted project, not a cs workspace; cloning it would copy the project itself`,
        `check out the project yourself (git clone ${url} <dir>), then in that directory run: cs -adopt ${name} --from ${url}`,
      );
    }
    await withProgress(ctx.io, `cloning ${url}`, () => cloneSession(url, target, { env: ctx.env }));
    ctx.io.err(`cloned ${url} into session '${name}' (${target}); open it with: cs ${name}`);
    return 0;
  },
};
