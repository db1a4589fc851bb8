// `cs -ls --remote`: this machine's sessions plus each registered host's own
// `cs -ls --json`, asked in parallel with a timeout. A host that does not
// answer is reported and the listing goes on.
import { escapeControls, relativeTime, statusCell, table } from '../lib/format.js';
import { nameProblem } from '../session/names.js';
import type { SessionSummary } from '../session/summary.js';
import type { RunContext } from '../lib/context.js';
import { UserError, errorMessage } from '../lib/errors.js';
import { readHosts, resolveTarget, type Target } from './hosts.js';
import { readRemoteConf, stubTarget } from './stub.js';
import { lastMeaningfulLine, remoteJson, runRemote, transportConfig } from './ssh.js';

export interface HostListing {
  alias?: string;
  host: string;
  reachable: boolean;
  error?: string;
  sessions: SessionSummary[];
}

export function listTimeoutMs(env: NodeJS.ProcessEnv): number {
  const s = Number(env.CS_REMOTE_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 8000;
}

/** The hosts to ask: every registered alias, plus hosts stubs point at directly. */
export function hostsToAsk(env: NodeJS.ProcessEnv, local: readonly SessionSummary[]): Target[] {
  // One question per address, under its alias when it has one.
  const out = new Map<string, Target>();
  for (const h of readHosts(env)) {
    const t = resolveTarget(env, h.alias);
    if (!out.has(t.spec)) out.set(t.spec, t);
  }
  for (const s of local) {
    const t = s.location === 'local' ? null : targetOf(env, s.name);
    if (t && !out.has(t.spec)) out.set(t.spec, t);
  }
  return [...out.values()];
}

/** Where the stub `name` points (stubTarget: its alias, else the address it recorded when the alias is gone), or null. */
function targetOf(env: NodeJS.ProcessEnv, name: string): Target | null {
  const conf = readRemoteConf(env, name);
  try {
    return conf ? stubTarget(env, conf) : null;
  } catch {
    return null; // an alias that is gone and no address recorded: nothing to ask
  }
}

/**
 * One host's `cs -ls --json`, without its stubs (sessions held elsewhere). `scrub`: its objectives must come with that
 * host's stored secret values replaced (`-ls --scrub`, for a page); a host
 * whose cs predates the flag (a usage error, exit 2) is asked again without
 * it and its objectives are left out. Never throws: an unreachable host or a
 * failed listing is a HostListing with `error`.
 */
export async function askHost(t: Target, ctx: Pick<RunContext, 'env'>, timeoutMs: number, opts: { scrub?: boolean } = {}): Promise<HostListing> {
  const cfg = transportConfig(ctx.env);
  const base = { ...(t.alias ? { alias: t.alias } : {}), host: t.spec };
  try {
    const ls = (scrub: boolean) => runRemote(cfg, t, [cfg.remoteCs, '-ls', '--json', ...(scrub ? ['--scrub'] : [])], { env: ctx.env, timeoutMs, batch: true, bounded: true });
    let r = await ls(opts.scrub === true);
    let scrubbed = opts.scrub === true;
    if (scrubbed && r.code === 2 && /--scrub/.test(r.stderr)) {
      r = await ls(false);
      scrubbed = false;
    }
    if (r.code !== 0) return { ...base, reachable: true, error: `cs -ls failed there (exit ${r.code}): ${lastMeaningfulLine(r.stderr) || 'no message'}`, sessions: [] };
    const sessions = remoteJson(r.stdout) as SessionSummary[] | undefined;
    if (!Array.isArray(sessions)) {
      return { ...base, reachable: true, error: `cs -ls --json there printed no list${lastMeaningfulLine(r.stdout) ? ` (its last line: ${JSON.stringify(lastMeaningfulLine(r.stdout).slice(0, 80))})` : ''}; check CS_REMOTE_CS (cs -version there)`, sessions: [] };
    }
    // A stub there is no session there: it points elsewhere (often back here, after a move and
    // back), and shown under this host it would stand for a second copy that does not exist.
    const held = (s: SessionSummary) => s.location === undefined || s.location === 'local';
    const kept = sessions.filter((s) => s && typeof s.name === 'string' && nameProblem(s.name) === null && held(s)).map((s) => ({ ...shownSafely(s), location: t.label }));
    return { ...base, reachable: true, sessions: opts.scrub && !scrubbed ? kept.map((s) => ({ ...s, objective: '' })) : kept };
  } catch (e) {
    // A host key problem has one fix, which only the hint names (ssh-keygen -R, or accepting the key once).
    const keyHint = e instanceof UserError && /host key/.test(e.message) && e.hint ? ` — ${e.hint}` : '';
    return { ...base, reachable: false, error: `${errorMessage(e)}${keyHint}`, sessions: [] };
  }
}

/** `cs -ls --remote`: `local` (scrubbed already with --scrub) and every host's list, asked with --scrub too when `scrub`. */
/**
 * `local` without the stubs whose host answered for their session: a stub
 * and the session it stands for are one row, the host's (it is current).
 * A stub is matched to its host as it connects (stubTarget: its alias, or
 * the address it recorded once the alias is gone).
 */
export function unansweredLocal(env: NodeJS.ProcessEnv, local: readonly SessionSummary[], hosts: readonly HostListing[]): SessionSummary[] {
  const answered = new Set(hosts.flatMap((h) => h.sessions.map((s) => `${h.host}\0${s.name}`)));
  return local.filter((s) => s.location === 'local' || !answered.has(`${targetOf(env, s.name)?.spec}\0${s.name}`));
}

export async function listWithRemote(local: SessionSummary[], opts: { json: boolean; scrub?: boolean }, ctx: RunContext): Promise<number> {
  const { io } = ctx;
  const targets = hostsToAsk(ctx.env, local);
  const timeoutMs = listTimeoutMs(ctx.env);
  const hosts = await Promise.all(targets.map((t) => askHost(t, ctx, timeoutMs, { scrub: opts.scrub === true })));
  const rows = [...unansweredLocal(ctx.env, local, hosts), ...hosts.flatMap((h) => h.sessions)];
  if (opts.json) {
    io.out(JSON.stringify({ sessions: rows, hosts: hosts.map(({ sessions, ...h }) => ({ ...h, count: sessions.length })) }, null, 2));
    for (const h of hosts) if (h.error) io.err(`cs: ${h.alias ?? h.host}: ${h.error}`);
    return 0;
  }
  const now = ctx.now();
  const c = io.color;
  if (rows.length) {
    // A stub whose host did not answer has no status or time of its own to show.
    const unknown = (s: SessionSummary) => s.location !== 'local' && !hosts.some((h) => h.sessions.includes(s));
    const lines = table(
      ['NAME', 'STATUS', 'LAST USED', 'DISCOVERIES', 'ARTIFACTS', 'SYNC', 'LOCATION'],
      rows.map((s) => [
        s.name + (s.open ? ' ●' : '') + (s.adopted ? ' ↗' : ''),
        unknown(s) ? '-' : statusCell(s.status),
        unknown(s) ? '-' : relativeTime(new Date(s.lastUsed), now),
        String(s.discoveries),
        String(s.artifacts),
        s.sync === 'none' ? '-' : s.sync,
        s.location,
      ]),
      (col, cell, padded) => (col === 0 ? c.bold(padded) : col === 1 && cell === 'needs-you' ? c.yellow(padded) : padded),
    );
    io.out(c.dim(lines[0]!));
    for (const l of lines.slice(1)) io.out(l);
  } else {
    io.err('cs: no sessions here or on the registered hosts');
  }
  for (const h of hosts) {
    // An unreachable host's error already says so ("cannot reach <host>: ...").
    if (h.error) io.err(c.yellow(`cs: ${h.reachable ? `${h.alias ?? h.host} answered with an error: ` : ''}${h.error}`));
  }
  if (targets.length === 0) io.err(c.dim('cs: no hosts registered — add one with cs -remote add <alias> <user@host[:port]>'));
  return 0;
}

/**
 * A session as another host described it, with every text in it made safe
 * to show on a terminal (escapeControls, in lists too: tags): the host may
 * run another cs, or be someone else's.
 */
function shownSafely(s: SessionSummary): SessionSummary {
  const safe = (v: unknown): unknown => (typeof v === 'string' ? escapeControls(v) : Array.isArray(v) ? v.map(safe) : v);
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, safe(v)])) as unknown as SessionSummary;
}
