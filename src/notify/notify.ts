// Notifications to the owner's phone: an ntfy-compatible HTTP POST
// (https://docs.ntfy.sh/publish/: the body is the message; `Title`, `Click`
// and `Tags` headers; `Authorization: Bearer <token>` for protected topics).
// Configured once per user in `<cs config dir>/notify.json` (0600) by
// `cs -notify set`. Sending never throws and never waits longer than
// SEND_TIMEOUT_MS: it runs inside hooks, which must not break Claude Code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { csConfigDir } from '../session/paths.js';
import { runningSessionSecrets, scrubDetected, scrubKnown } from '../secrets/scrub.js';

export const SEND_TIMEOUT_MS = 3000;
/** The longest body sent: a phone shows a few lines. */
export const MAX_BODY = 400;

export interface NotifyConfig {
  url: string;
  /** Name of the variable (or the session's secret) holding the bearer token, never its value. */
  tokenSecret?: string;
}

export type NotifyKind = 'needs-you' | 'turn-done' | 'died' | 'queue-drained' | 'queue-parked' | 'test';

export interface NotifyEvent {
  kind: NotifyKind;
  /** A short summary; scrubbed of the session's secrets before it leaves. */
  summary: string;
}

export interface NotifySession {
  name: string;
}

const TITLES: Record<NotifyKind, string> = { 'needs-you': 'needs you', 'turn-done': 'finished a turn', died: 'died', 'queue-drained': 'queue drained', 'queue-parked': 'queue parked', test: 'test notification' };
const TAGS: Record<NotifyKind, string> = { 'needs-you': 'warning', 'turn-done': 'white_check_mark', died: 'skull', 'queue-drained': 'checkered_flag', 'queue-parked': 'pause_button', test: 'bell' };

export const notifyConfigFile = (env: NodeJS.ProcessEnv) => path.join(csConfigDir(env), 'notify.json');
/** Failures to deliver go here (one line each): a hook has nowhere else to say it. */
export const notifyLogFile = (env: NodeJS.ProcessEnv) => path.join(csConfigDir(env), 'notify.log');
/** `cs -serve` writes its address here while it runs, for click links. */
export const serveUrlFile = (env: NodeJS.ProcessEnv) => path.join(csConfigDir(env), 'serve-url');

/** The address of the newest cs -serve (serve-url, written by src/commands/serve.ts), '' when none is recorded. Never throws. */
export function readServeUrl(env: NodeJS.ProcessEnv): string {
  try {
    return fs.readFileSync(serveUrlFile(env), 'utf8').trim();
  } catch {
    return '';
  }
}

export function readNotifyConfig(env: NodeJS.ProcessEnv): NotifyConfig | null {
  try {
    const c = JSON.parse(fs.readFileSync(notifyConfigFile(env), 'utf8')) as NotifyConfig;
    return typeof c.url === 'string' && c.url ? c : null;
  } catch {
    return null;
  }
}

export function writeNotifyConfig(env: NodeJS.ProcessEnv, c: NotifyConfig | null): void {
  if (c === null) {
    fs.rmSync(notifyConfigFile(env), { force: true });
    return;
  }
  ensureDir(csConfigDir(env), 0o700);
  writeFileAtomic(notifyConfigFile(env), JSON.stringify(c) + '\n', 0o600);
}

/** A usage problem with a notification URL, or null: http(s) only, no credentials in it. */
export function urlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `'${url}' is not a URL`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `the URL must start with https:// (or http://), not ${u.protocol}`;
  if (u.username || u.password) return 'put no credentials in the URL: use --token-secret KEY';
  return null;
}

function logFailure(env: NodeJS.ProcessEnv, line: string): void {
  try {
    ensureDir(csConfigDir(env), 0o700);
    fs.appendFileSync(notifyLogFile(env), `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
  } catch {
    // nowhere left to say it
  }
}

export interface Message {
  title: string;
  body: string;
  tags: string;
  click?: string;
}

/** The message for an event, scrubbed of `secrets` (key -> value). Pure. */
export function compose(session: NotifySession, event: NotifyEvent, secrets: Readonly<Record<string, string>>, serveUrl?: string): Message {
  let body = scrubKnown(event.summary, secrets).text.replace(/\s+/g, ' ').trim();
  if (body.length > MAX_BODY) body = body.slice(0, MAX_BODY - 1) + '…';
  return {
    title: `${session.name}: ${TITLES[event.kind]}`,
    body: body || TITLES[event.kind],
    tags: TAGS[event.kind],
    ...(serveUrl ? { click: `${serveUrl.replace(/\/$/, '')}/#/s/${encodeURIComponent(session.name)}` } : {}),
  };
}

/**
 * Sends `event` about `session` to the configured URL. Resolves to true when
 * delivered, false when not configured or not delivered (the failure is
 * logged to notify.log). Never throws; gives up after SEND_TIMEOUT_MS.
 */
export async function notify(session: NotifySession, event: NotifyEvent, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    const config = readNotifyConfig(env);
    if (!config) return false;
    const secrets = session.name ? runningSessionSecrets(session.name, env) : {};
    // No page running: no click link.
    const serveUrl = readServeUrl(env) || undefined;
    // A value the session does not hold yet (a token in Claude's last message) leaves masked too:
    // the detector's finds become [secret: KEY] (not stored here: a notification is no place to decide that).
    const summary = (await scrubDetected(scrubKnown(event.summary, secrets).text, secrets)).text;
    const m = compose(session, { ...event, summary }, secrets, serveUrl);
    // Header values must be ASCII-safe: the title is a session name (ASCII) and a fixed word.
    const headers: Record<string, string> = { title: m.title, tags: m.tags, 'content-type': 'text/plain; charset=utf-8' };
    if (m.click) headers.click = m.click;
    if (config.tokenSecret) {
      const token = env[config.tokenSecret] ?? secrets[config.tokenSecret];
      if (token) headers.authorization = `Bearer ${token}`;
      else logFailure(env, `${session.name}: ${event.kind}: the token variable ${config.tokenSecret} is not set; sending without it`);
    }
    const res = await fetch(config.url, { method: 'POST', headers, body: m.body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS), redirect: 'error' });
    if (!res.ok) {
      logFailure(env, `${session.name}: ${event.kind}: ${new URL(config.url).host} answered ${res.status}`);
      return false;
    }
    return true;
  } catch (e) {
    logFailure(env, `${session.name}: ${event.kind}: not delivered (${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message})`);
    return false;
  }
}
