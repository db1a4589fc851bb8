// cs -serve [--port N] [--bind ADDR] [--token-file FILE] [--tls-cert FILE --tls-key FILE]
// cs -serve --link [--json] | --devices [--json] | --revoke <id>
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { relativeTime, table } from '../lib/format.js';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { csConfigDir } from '../session/paths.js';
import { readServeUrl, serveUrlFile } from '../notify/notify.js';
import { readDevices, revokeDevice } from '../serve/devices.js';
import { describeTtl, linkTtlMs, storeLink } from '../serve/links.js';
import { UsageError, UserError } from '../lib/errors.js';
import { newSecret } from '../lib/lazy-crypto.js';
import { bareAddress, isLoopback, MIN_TOKEN_DISTINCT, MIN_TOKEN_LENGTH } from '../serve/auth.js';
import { has, value, type Args } from './argv.js';
import { answeredAsJsonOrEmpty } from './context.js';
import type { Command, Context } from './types.js';

export const DEFAULT_PORT = 7420;

export interface ServeCommandOptions {
  port: number;
  bind: string;
  /** Where the token comes from: a file, $CS_SERVE_TOKEN, or a random one made now. */
  tokenFile: string | null;
  tlsCert: string | null;
  tlsKey: string | null;
  /** List signed-in devices instead of serving. */
  devices: boolean;
  /** End one device's sign-in instead of serving. */
  revoke: string | null;
  /** Print a new one-time sign-in link for the running server instead of serving. */
  link: boolean;
  json: boolean;
}

export interface ServeRunOptions {
  /** Called once listening (tests read the URLs from here). */
  onListening?: (info: { url: string; signInUrl: string; token: string }) => void;
}

export function parse(a: Args): ServeCommandOptions {
  const usage = a.usage;
  const portText = value(a, '--port');
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not '${portText}'`, usage);
    port = Number(portText);
  }
  const bind = value(a, '--bind') ?? '127.0.0.1';
  // Brackets only around a whole IPv6 address, as in a URL ([::1]).
  if (bind === '' || /[\s/]/.test(bind) || bind.startsWith('[') !== bind.endsWith(']') || /.\[|\]./.test(bind)) throw new UsageError(`--bind takes an address like 127.0.0.1, 0.0.0.0 or [::1], not '${bind}'`, usage);
  const tlsCert = value(a, '--tls-cert') ?? null;
  const tlsKey = value(a, '--tls-key') ?? null;
  if ((tlsCert === null) !== (tlsKey === null)) throw new UsageError('--tls-cert and --tls-key go together', usage);
  const revoke = value(a, '--revoke') ?? null;
  if (revoke !== null && !/^[0-9a-f]{8}$/.test(revoke)) throw new UsageError(`--revoke takes a device id as cs -serve --devices lists it (8 hex digits), not '${revoke}'`, usage);
  const devices = has(a, '--devices');
  const link = has(a, '--link');
  if ([devices, revoke !== null, link].filter(Boolean).length > 1) throw new UsageError('use one of --devices, --revoke and --link', usage);
  // Those three work with the server already running (or with none): the options of starting one would be ignored.
  const starting = ['--port', '--bind', '--token-file', '--tls-cert', '--tls-key'].filter((f) => value(a, f) !== undefined);
  const other = link ? '--link' : devices ? '--devices' : revoke !== null ? '--revoke' : null;
  if (other && starting.length) throw new UsageError(`${other} works with the server already running: ${starting.join(', ')} ${starting.length === 1 ? 'is' : 'are'} for starting one`, usage);
  return { port, bind, tokenFile: value(a, '--token-file') ?? null, tlsCert, tlsKey, devices, revoke, link, json: has(a, '--json') };
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
  if (token.length < MIN_TOKEN_LENGTH) throw new UserError(`the token in ${from} is ${token.length} character${token.length === 1 ? '' : 's'} long; at least ${MIN_TOKEN_LENGTH} are needed`, 'make one with: head -c 32 /dev/urandom | base64');
  // Long but guessable (aaaa…, abab…): a token is what stands between the network and Claude's shell.
  const distinct = new Set(token).size;
  if (distinct < MIN_TOKEN_DISTINCT) throw new UserError(`the token in ${from} uses only ${distinct} different characters; at least ${MIN_TOKEN_DISTINCT} are needed`, 'make one with: head -c 32 /dev/urandom | base64');
  return token;
}

/**
 * `--link`: a new one-time sign-in link for the server running on this
 * machine (its address from serve-url), on stdout; `--json`: `{url,
 * expires}`. Throws UserError when no server is running.
 */
async function printLink(opts: ServeCommandOptions, ctx: Context): Promise<number> {
  const base = readServeUrl(ctx.env);
  // The file stays behind when a server is killed (kill -9, a crash): ask the address itself.
  if (!base || !(await listening(base))) throw new UserError('no cs -serve is running on this machine', 'start one with: cs -serve (it prints a link itself)');
  const now = ctx.now().getTime();
  const url = `${base}/login?code=${storeLink(ctx.env, now)}`;
  if (opts.json) {
    ctx.io.out(JSON.stringify({ url, expires: new Date(now + linkTtlMs(ctx.env)).toISOString() }));
    return 0;
  }
  ctx.io.out(url);
  ctx.info(`works once, for ${describeTtl(ctx.env)}, on the cs -serve at ${base}`);
  return 0;
}

/** Whether something accepts TCP connections at `url`'s host and port, within LISTEN_CHECK_MS. Never throws. */
function listening(url: string): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = bareAddress(u.hostname);
    port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(LISTEN_CHECK_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** How long --link waits for the running server's address to accept a connection (ms). */
const LISTEN_CHECK_MS = 1000;

/** How often a running server puts its address back in serve-url when another server that stopped took the file with it (ms). */
const SERVE_URL_CHECK_MS = 2000;

/** `--devices`: the signed-in devices; `--revoke`: ends one. */
function manageDevices(opts: ServeCommandOptions, ctx: Context): number {
  const { io } = ctx;
  if (opts.revoke !== null) {
    if (!revokeDevice(ctx.env, opts.revoke)) throw new UserError(`no signed-in device '${opts.revoke}'`, 'see them with: cs -serve --devices');
    ctx.info(`device ${opts.revoke} is signed out; its cookie and key no longer work`);
    return 0;
  }
  const devices = readDevices(ctx.env).map(({ digest: _d, key: _k, ...d }) => d);
  if (answeredAsJsonOrEmpty(ctx, { json: opts.json, data: devices, count: devices.length, empty: 'no device is signed in' })) return 0;
  const now = ctx.now();
  for (const l of table(['ID', 'SIGNED IN', 'EXPIRES', 'BROWSER'], devices.map((d) => [d.id, relativeTime(new Date(d.created), now), d.expires.slice(0, 10), d.agent || '-']))) io.out(l);
  return 0;
}

function readPem(ctx: Pick<Context, 'cwd'>, file: string, what: string): Buffer {
  const abs = path.resolve(ctx.cwd, file);
  try {
    return fs.readFileSync(abs);
  } catch (e) {
    throw new UserError(`cannot read the TLS ${what} ${abs} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'give PEM files made for this host, e.g. by: tailscale cert <name>');
  }
}

export async function run(opts: ServeCommandOptions, ctx: Context, runOpts: ServeRunOptions = {}): Promise<number> {
  const { io } = ctx;
  if (opts.link) return await printLink(opts, ctx);
  if (opts.devices || opts.revoke !== null) return manageDevices(opts, ctx);
  const configured = configuredToken(opts, ctx);
  // This page can make Claude run commands: beyond loopback it is an ssh-grade endpoint.
  if (!isLoopback(opts.bind) && (configured === null || opts.tlsCert === null)) {
    throw new UserError(
      `refusing to serve on ${opts.bind} ${configured === null ? 'without a configured token' : 'without TLS'}: anyone on the way could read your sessions and steer Claude`,
      'keep the default 127.0.0.1 and reach it through an ssh tunnel (ssh -L 7420:127.0.0.1:7420 <this host>) or a tailnet (tailscale serve 7420); or give CS_SERVE_TOKEN (or --token-file) and --tls-cert/--tls-key',
    );
  }
  const tls = opts.tlsCert !== null && opts.tlsKey !== null ? { cert: readPem(ctx, opts.tlsCert, 'certificate'), key: readPem(ctx, opts.tlsKey, 'key') } : undefined;
  const token = configured ?? newSecret();
  const { startServer } = await import('../serve/server.js');
  let server;
  try {
    server = await startServer({
      env: ctx.env,
      port: opts.port,
      bind: opts.bind,
      token,
      tls,
      onSignInLink: (url) => ctx.info(`next one-time sign-in link: ${url}  (${describeTtl(ctx.env)})`),
      onError: (line) => ctx.info(line),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`port ${opts.port} on ${opts.bind} is in use`, 'choose another with --port N (0 picks a free one)');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new UserError(`cannot listen on ${opts.bind}: no such local address`, 'use 127.0.0.1, or an address of this machine');
    if (code === 'EACCES') throw new UserError(`not allowed to listen on port ${opts.port}`, 'use a port above 1023');
    if (tls && /PEM|key|certificate/i.test((e as Error).message)) throw new UserError(`the TLS certificate or key is not usable: ${(e as Error).message}`, 'give a PEM certificate and its private key');
    throw e;
  }
  // For the click link of notifications (src/notify/notify.ts); removed when serving stops.
  const writeServeUrl = () => {
    ensureDir(csConfigDir(ctx.env), 0o700);
    writeFileAtomic(serveUrlFile(ctx.env), server.url + '\n', 0o600);
  };
  // serve-url names one server: the newest. When that one stops it takes the file with it (or,
  // killed, leaves it naming a dead address), and a server still running puts its own back.
  let checking = false;
  const keepServeUrl = setInterval(() => {
    if (checking) return;
    checking = true;
    void (async () => {
      const named = readServeUrl(ctx.env);
      if (named !== server.url && !(named && (await listening(named)))) writeServeUrl();
    })()
      .catch(() => {
        // best effort, as below
      })
      .finally(() => (checking = false));
  }, SERVE_URL_CHECK_MS);
  keepServeUrl.unref();
  try {
    writeServeUrl();
  } catch {
    // notifications then carry no link
  }
  const c = io.color;
  ctx.info(`serving sessions on ${c.bold(server.url + '/')}`);
  ctx.info(`open this one-time link to sign in a browser: ${c.bold(server.signInUrl)}  (works for ${describeTtl(ctx.env)}; cs -serve --link makes another)`);
  if (configured === null) ctx.info(`API token for this run: ${token}  (send it as Authorization: Bearer <token>)`);
  else io.err('cs: API token: the one you configured  (send it as Authorization: Bearer <token>)');
  io.err(c.dim('cs: Ctrl-C stops'));
  runOpts.onListening?.({ url: server.url, signInUrl: server.signInUrl, token });

  await ctx.untilInterrupted(
    (signal) =>
      new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      }),
  );
  clearInterval(keepServeUrl);
  await server.close();
  // Only our own address: another cs -serve started since then wrote its own, which stays.
  if (readServeUrl(ctx.env) === server.url) fs.rmSync(serveUrlFile(ctx.env), { force: true });
  io.err('cs: stopped serving');
  return 0;
}

export const command: Command<ServeCommandOptions> = { parse, run: (o, c) => run(o, c) };
