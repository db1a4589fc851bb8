// cs -remote {add <alias> <user@host[:port]>|list [--json]|remove <alias>}
// Also the two answers another machine's cs asks for over ssh:
// `-remote probe <name> [--mkroot]` and `-remote digest <dir>` (one JSON line each),
// and `-remote transcripts <dir>`, which installs the transcripts --move-to
// sends on stdin (src/conversations/carry.ts) and prints the files written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { table } from '../lib/format.js';
import { addHost, readHosts, removeHost } from '../remote/hosts.js';
import { validateName } from '../session/names.js';
import type { Command } from './types.js';

export type RemoteOptions =
  | { sub: 'add'; alias: string; host: string }
  | { sub: 'list'; json: boolean }
  | { sub: 'remove'; alias: string }
  | { sub: 'probe'; name: string; mkroot: boolean }
  | { sub: 'digest'; dir: string }
  | { sub: 'transcripts'; dir: string };

const SUBS = ['add', 'list', 'ls', 'remove', 'rm', 'probe', 'digest', 'transcripts'];

export const command: Command<RemoteOptions> = {
  parse(args) {
    const p = parseArgs(args, { booleans: ['--json', '--mkroot'] }, '-remote');
    const [sub, ...rest] = p.positionals;
    if (sub === undefined) throw new UsageError('-remote needs a subcommand', 'cs -remote {add <alias> <user@host[:port]>|list|remove <alias>}');
    if (!SUBS.includes(sub)) throw new UsageError(`unknown -remote subcommand '${sub}'`, 'one of: add, list, remove');
    const onlyFlags = (allowed: string[]) => {
      for (const f of p.flags.keys()) if (!allowed.includes(f)) throw new UsageError(`${f} does not apply to -remote ${sub}`);
    };
    const pos = (min: number, max: number, form: string) => expectPositionals({ ...p, positionals: rest }, min, max, `-remote ${sub}`, form);
    switch (sub) {
      case 'add': {
        onlyFlags([]);
        const [alias, host] = pos(2, 2, 'cs -remote add <alias> <user@host[:port]>');
        return { sub, alias: alias!, host: host! };
      }
      case 'list':
      case 'ls':
        onlyFlags(['--json']);
        pos(0, 0, 'cs -remote list [--json]');
        return { sub: 'list', json: flag(p, '--json') };
      case 'probe': {
        onlyFlags(['--mkroot']);
        const [name] = pos(1, 1, 'cs -remote probe <name> [--mkroot]');
        return { sub, name: validateName(name!), mkroot: flag(p, '--mkroot') };
      }
      case 'digest': {
        onlyFlags([]);
        const [dir] = pos(1, 1, 'cs -remote digest <dir>');
        return { sub, dir: dir! };
      }
      case 'transcripts': {
        onlyFlags([]);
        const [dir] = pos(1, 1, 'cs -remote transcripts <dir>');
        if (!path.isAbsolute(dir!)) throw new UsageError(`-remote transcripts needs an absolute path, not ${dir}`);
        return { sub, dir: dir! };
      }
      default: {
        onlyFlags([]);
        const [alias] = pos(1, 1, 'cs -remote remove <alias>');
        return { sub: 'remove', alias: alias! };
      }
    }
  },

  async run(opts, ctx) {
    const { io, env } = ctx;
    switch (opts.sub) {
      case 'add': {
        const previous = addHost(env, opts.alias, opts.host, ctx.now());
        const now = readHosts(env).find((h) => h.alias === opts.alias)!.host;
        io.err(`cs: host '${opts.alias}' is ${now}${previous && previous !== now ? ` (was ${previous})` : ''} — use it with: cs <session> --on ${opts.alias}`);
        return 0;
      }
      case 'list': {
        const hosts = readHosts(env);
        if (opts.json) {
          io.out(JSON.stringify(hosts.map(({ alias, host }) => ({ alias, host }))));
          return 0;
        }
        if (hosts.length === 0) {
          io.err('cs: no hosts registered — add one with: cs -remote add <alias> <user@host[:port]>');
          return 0;
        }
        const lines = table(['ALIAS', 'HOST'], hosts.map((h) => [h.alias, h.host]));
        io.out(io.color.dim(lines[0]!));
        for (const l of lines.slice(1)) io.out(l);
        return 0;
      }
      case 'remove': {
        const gone = removeHost(env, opts.alias);
        io.err(`cs: forgot host '${gone.alias}' (${gone.host}); sessions there are untouched`);
        return 0;
      }
      case 'probe': {
        const { answerProbe } = await import('../remote/probe.js');
        io.out(JSON.stringify(answerProbe(env, opts.name, opts.mkroot)));
        return 0;
      }
      case 'digest': {
        if (!fs.existsSync(opts.dir)) throw new UserError(`${opts.dir} does not exist`);
        const { digestWorkspace } = await import('../remote/digest.js');
        io.out(JSON.stringify(digestWorkspace(opts.dir)));
        return 0;
      }
      case 'transcripts': {
        const { text } = await import('node:stream/consumers');
        const { installBundle, parseBundle } = await import('../conversations/carry.js');
        io.out(JSON.stringify({ installed: installBundle(env, opts.dir, parseBundle(await text(io.stdin))) }));
        return 0;
      }
    }
  },
};

export default command;
