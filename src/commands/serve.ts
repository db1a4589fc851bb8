// cs -serve [--port N] [--bind ADDR] [--token-file FILE]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectPositionals, flagValue, parseArgs } from '../args.js';
import { UsageError, UserError } from '../errors.js';
import { isLoopback, MIN_TOKEN_LENGTH, newSecret } from '../serve/auth.js';
import { usageLine } from './table.js';
import type { Command, Context } from './types.js';

export const usage = usageLine('-serve');
export const DEFAULT_PORT = 7420;

export interface ServeCommandOptions {
  port: number;
  bind: string;
  /** Where the token comes from: a file, $CS_SERVE_TOKEN, or a random one made now. */
  tokenFile: string | null;
}

export interface ServeRunOptions {
  /** Stops the server (tests); by default SIGINT/SIGTERM do. */
  signal?: AbortSignal;
  /** Called once listening (tests read the URLs from here). */
  onListening?: (info: { url: string; signInUrl: string; token: string }) => void;
}

export function parse(args: string[]): ServeCommandOptions {
  const p = parseArgs(args, { values: ['--port', '--bind', '--token-file'] }, '-serve');
  expectPositionals(p, 0, 0, '-serve', usage);
  const portText = flagValue(p, '--port');
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not '${portText}'`, usage);
    port = Number(portText);
  }
  const bind = flagValue(p, '--bind') ?? '127.0.0.1';
  if (bind === '' || /[\s/]/.test(bind)) throw new UsageError(`--bind takes an address like 127.0.0.1 or 0.0.0.0, not '${bind}'`, usage);
  return { port, bind, tokenFile: flagValue(p, '--token-file') ?? null };
}

/** The configured token, or null when none is: a random one is made then. */
export function configuredToken(opts: ServeCommandOptions, ctx: Pick<Context, 'env' | 'cwd'>): string | null {
  let token: string | undefined;
  let from = '';
  if (opts.tokenFile !== null) {
    const file = path.resolve(ctx.cwd, opts.tokenFile);
    try {
      token = fs.readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new UserError(`cannot read the token file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'make one with: head -c 32 /dev/urandom | base64 > FILE && chmod 600 FILE');
    }
    from = file;
  } else if (ctx.env.CS_SERVE_TOKEN) {
    token = ctx.env.CS_SERVE_TOKEN.trim();
    from = 'CS_SERVE_TOKEN';
  }
  if (token === undefined) return null;
  if (token.length < MIN_TOKEN_LENGTH) throw new UserError(`the token in ${from} is ${token.length} characters long; at least ${MIN_TOKEN_LENGTH} are needed`, 'make one with: head -c 32 /dev/urandom | base64');
  return token;
}

export async function run(opts: ServeCommandOptions, ctx: Context, runOpts: ServeRunOptions = {}): Promise<number> {
  const { io } = ctx;
  const configured = configuredToken(opts, ctx);
  if (!isLoopback(opts.bind) && configured === null) {
    throw new UserError(
      `refusing to serve on ${opts.bind} without a configured token: anyone who can reach it could read your sessions`,
      'set CS_SERVE_TOKEN (or --token-file FILE), or keep the default 127.0.0.1 and use an ssh tunnel: ssh -L 7420:127.0.0.1:7420 <this host>',
    );
  }
  const token = configured ?? newSecret();
  const { startServer } = await import('../serve/server.js');
  let server;
  try {
    server = await startServer({
      env: ctx.env,
      port: opts.port,
      bind: opts.bind,
      token,
      onSignInLink: (url) => io.err(`cs: next one-time sign-in link: ${url}`),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`port ${opts.port} on ${opts.bind} is in use`, 'choose another with --port N (0 picks a free one)');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new UserError(`cannot listen on ${opts.bind}: no such local address`, 'use 127.0.0.1, or an address of this machine');
    if (code === 'EACCES') throw new UserError(`not allowed to listen on port ${opts.port}`, 'use a port above 1023');
    throw e;
  }
  const c = io.color;
  io.err(`cs: serving sessions read-only on ${c.bold(server.url + '/')}`);
  io.err(`cs: open this one-time link to sign in a browser: ${c.bold(server.signInUrl)}`);
  if (configured === null) io.err(`cs: API token for this run: ${token}  (send it as Authorization: Bearer <token>)`);
  else io.err('cs: API token: the one you configured  (send it as Authorization: Bearer <token>)');
  if (!isLoopback(opts.bind)) io.err(c.yellow('cs: listening beyond this machine over plain HTTP: prefer an ssh tunnel to 127.0.0.1'));
  io.err(c.dim('cs: Ctrl-C stops'));
  runOpts.onListening?.({ url: server.url, signInUrl: server.signInUrl, token });

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    if (runOpts.signal) {
      if (runOpts.signal.aborted) stop();
      else runOpts.signal.addEventListener('abort', stop, { once: true });
    } else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await server.close();
  io.err('cs: stopped serving');
  return 0;
}

export const command: Command<ServeCommandOptions> = { parse: (a) => parse(a), run: (o, c) => run(o, c) };
