// dist/host.js: the two Node steps of a hosted session's supervisor (see
// src/host/supervisor.ts), run inside its tmux pane.
//
//   host.js start <name> <dir> <request-file> <supervisor-pid>
//       prints shell words for the supervisor: `export`/`unset` lines and
//       `set -- <claude> <args>`; exit 1 (and last.json says why) when the
//       session cannot start
//   host.js end <name> <dir> <supervisor-pid> <claude-status>
//       the end of the session; exits with Claude's status
//   host.js resume <name> <dir>
//       the queue's reset timer went off (src/queue/resume.ts): re-arm a
//       queue parked on the 5-hour limit and hand the next task to Claude
import * as fs from 'node:fs';
import * as os from 'node:os';
import { errorMessage, UsageError, UserError } from '../lib/errors.js';
import { acquireLock, describeHolder, readLock } from '../session/lock.js';
import { releaseLock } from '../lib/lockfile.js';
import { appendSessionLog } from '../session/log.js';
import { launchTuning, sessionEnv, sessionPaths, type SessionPaths } from '../session/paths.js';
import { requireClaude } from '../session/claude-bin.js';
import { afterClaude, beforeClaude, type Report } from '../session/lifecycle.js';
import { planLaunch, unpinIfNeverStarted } from '../conversations/launch.js';
import { markClosed } from '../status/status.js';
import { shellQuote } from '../lib/shell.js';
import { flushOutput } from '../term/io.js';
import { CS_SECRET_VAR, run } from '../lib/proc.js';
import { describeStatus, lastLines, writePostmortem } from './postmortem.js';
import { readRun, runFile, stopFile, takeRequest, writeLast, writeRun } from './state.js';

/** Variables the pane owns: the supervisor keeps its own values. */
const PANE_OWNED = new Set(['TMUX', 'TMUX_PANE', 'TERM', 'PWD', 'OLDPWD', 'SHLVL', '_']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Shell words that give the supervisor exactly `env` (pane-owned variables
 * aside) and Claude's argv, and set `cs_private` to the names of cs's own
 * secrets in it (CS_SECRET_VAR): the supervisor unsets those for Claude
 * alone (SUPERVISOR_SH), as childEnv does for a Claude cs starts itself,
 * and keeps them for the end of the session.
 */
export function launchWords(env: Record<string, string>, current: NodeJS.ProcessEnv, argv: readonly string[]): string {
  const lines: string[] = [];
  for (const k of Object.keys(current)) if (NAME_RE.test(k) && !PANE_OWNED.has(k) && !(k in env)) lines.push(`unset ${k}`);
  for (const [k, v] of Object.entries(env)) if (NAME_RE.test(k) && !PANE_OWNED.has(k)) lines.push(`export ${k}=${shellQuote(v)}`);
  lines.push(`cs_private=${shellQuote(Object.keys(env).filter((k) => NAME_RE.test(k) && CS_SECRET_VAR.test(k)).join(' '))}`);
  lines.push(`set -- ${argv.map(shellQuote).join(' ')}`);
  return lines.join('\n') + '\n';
}

function reporter(p: SessionPaths, lines: string[]): Report {
  return (line) => {
    lines.push(line);
    try {
      appendSessionLog(p.sessionLog, line);
    } catch {
      // the log is best effort
    }
    try {
      process.stderr.write(`cs: ${line}\n`);
    } catch {
      // the pane may be gone (tmux killed): the work goes on
    }
  };
}

async function start(name: string, dir: string, requestFile: string, pid: number): Promise<number> {
  const p = sessionPaths(dir, name);
  const lines: string[] = [];
  const report = reporter(p, lines);
  let locked = false;
  try {
    const req = takeRequest(requestFile);
    const env = req.env;
    const bin = requireClaude(env);
    const now = new Date();
    const lock = acquireLock(p.lock, { force: req.force, session: name, now, pid });
    locked = true;
    if (lock.tookOver && req.force) report(`took over the lock from ${describeHolder(lock.tookOver)}`, 'warn');
    await beforeClaude(p, env, report);
    // Planned as the foreground open plans it (src/conversations/launch.ts).
    const plan = planLaunch(p, env, req, now, report);
    const about = plan.uuid ? `, conversation ${plan.uuid}${plan.how === 'new' ? ' (new)' : ''}` : '';
    appendSessionLog(p.sessionLog, `session start (hosted, pid ${pid}${about})`);
    writeRun(p, { pid, started: now.toISOString(), ...(plan.uuid ? { conversation: plan.uuid } : {}), ...(plan.how === 'new' ? { conversationNew: true as const } : {}) });
    // A queue parked on the 5-hour limit: this host keeps its reset timer now.
    const { resumeOnStart } = await import('../queue/resume.js');
    const resumes = resumeOnStart(env, name, dir, now);
    if (resumes) appendSessionLog(p.sessionLog, `queue: resumes at ${resumes.toISOString()} (the 5-hour limit resets)`);
    // CS_LAUNCHED: the end step below does the end-of-session work, not the SessionEnd hook.
    // CS_HOSTED: permission requests may be held for the owner's page (src/hooks/approval.ts).
    const launchEnv = { ...env, ...launchTuning(env), ...sessionEnv(p), CS_LAUNCHED: '1', CS_HOSTED: '1' };
    delete (launchEnv as Record<string, string>).CS_HOOK_SERVER;
    // The prompt goes last, after `--`: else one that starts with '-' is read as an option
    // ("--dangerously-skip-permissions"), and one after a variadic option (--allowedTools) as its value.
    const argv = [bin, ...plan.args, ...req.claudeArgs, ...(req.prompt !== undefined ? ['--', req.prompt] : [])];
    // The hooks Claude runs need the store's password, which Claude itself never gets (launchWords).
    (await import('../secrets/store.js')).writeHostedPassword(name, env);
    process.stdout.write(launchWords(launchEnv, process.env, argv));
    return 0;
  } catch (e) {
    const hint = e instanceof UserError || e instanceof UsageError ? e.hint : undefined;
    report(`${errorMessage(e)}${hint ? ` — ${hint}` : ''}`, 'warn');
    // A start that failed is no run that died: the lock goes with it (left, the next open read it as the host killed).
    if (locked) {
      const held = readLock(p.lock);
      if (held.kind === 'held' && held.info.pid === pid && held.info.host === os.hostname()) releaseLock(p.lock, held.info);
    }
    writeLast(p, { status: 1, ended: new Date().toISOString(), lines, startFailed: true });
    return 1;
  }
}

/**
 * The last 200 lines of this pane, read from cs's server while the pane
 * still exists, with the session's secret values (stored or detected: Claude
 * may have printed one) taken out: the postmortem is a file to read and
 * paste into a bug report.
 */
async function paneText(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const socket = process.env.TMUX?.split(',')[0];
  const pane = process.env.TMUX_PANE;
  if (!socket || !pane) return undefined;
  const r = await run('tmux', ['-S', socket, 'capture-pane', '-p', '-J', '-S', '-10000', '-t', pane], { allowFailure: true, timeoutMs: 5_000 });
  if (r.code !== 0) return undefined;
  const { scrubAll } = await import('../secrets/scrub.js');
  return scrubAll(name, env, lastLines(r.stdout, 200));
}

/** A failed run shorter than this failed as Claude started (an unknown option, a bad model name): its last words are passed on. */
const AT_ONCE_MS = 10_000;
/** How many of the pane's last lines such a run passes on. */
const AT_ONCE_LINES = 5;

/**
 * What Claude printed last, from `pane` (scrubbed by paneText): up to
 * AT_ONCE_LINES non-blank lines, cs's own start-up lines left out. Pure.
 */
function lastWords(pane: string): string[] {
  const lines = pane.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() && !l.startsWith('cs: '));
  return lines.slice(-AT_ONCE_LINES);
}

async function end(name: string, dir: string, pid: number, status: number): Promise<number> {
  const p = sessionPaths(dir, name);
  const env = process.env;
  const lines: string[] = [];
  const report = reporter(p, lines);
  const now = new Date();
  markClosed(dir, now);
  appendSessionLog(p.sessionLog, `session end (exit ${status})`, now);
  const stopped = fs.existsSync(stopFile(p));
  fs.rmSync(stopFile(p), { force: true });
  let postmortem: string | undefined;
  const ran = readRun(p);
  if (status !== 0 && !stopped) {
    const pane = await paneText(name, env);
    // Claude that fails as it starts says why on its screen, and the pane closes with it: the
    // attached terminal is back on its own screen and never saw it (the foreground shows it).
    const started = ran?.pid === pid ? Date.parse(ran.started) : NaN;
    if (pane && now.getTime() - started < AT_ONCE_MS) for (const line of lastWords(pane)) report(`Claude Code: ${line}`, 'warn');
    try {
      postmortem = writePostmortem(p, { what: `Claude Code exited with ${describeStatus(status)}`, status, now, pane });
      report(`Claude Code ended unexpectedly (${describeStatus(status)}); postmortem in ${postmortem}`, 'warn');
    } catch (e) {
      report(`postmortem skipped: ${errorMessage(e)}`, 'warn');
    }
  }
  if (status !== 0 && !stopped) {
    // Nobody at the terminal saw it end: tell the owner (never blocks: notify() gives up after 3 s).
    const { attachedTerminals } = await import('../hooks/approval.js');
    if ((await attachedTerminals(env)) === 0) {
      const { notify } = await import('../notify/notify.js');
      await notify({ name }, { kind: 'died', summary: `Claude Code exited with ${describeStatus(status)}` }, env);
    }
  }
  // A conversation pinned for this run that Claude never started is taken back, as in the foreground.
  if (ran?.pid === pid && ran.conversation) unpinIfNeverStarted({ how: ran.conversationNew ? 'new' : 'resume', uuid: ran.conversation }, p, env);
  await afterClaude(p, env, report);
  (await import('../secrets/store.js')).removeHostedPassword(name, env);
  const lock = readLock(p.lock);
  if (lock.kind === 'held' && lock.info.pid === pid && lock.info.host === os.hostname()) releaseLock(p.lock, lock.info);
  if (readRun(p)?.pid === pid) fs.rmSync(runFile(p), { force: true });
  writeLast(p, { status, ended: new Date().toISOString(), lines, ...(stopped ? { stopped } : {}), ...(postmortem ? { postmortem } : {}) });
  return status;
}

/** The reset timer's step: re-arm and hand over, or set the timer again when it woke early. */
async function resume(name: string, dir: string): Promise<number> {
  const p = sessionPaths(dir, name);
  const { resumeAtReset, scheduleResume } = await import('../queue/resume.js');
  const r = await resumeAtReset(process.env, name, dir);
  if (r.resumed) appendSessionLog(p.sessionLog, `queue: resumed at the 5-hour limit's reset${r.handed ? `, handed task ${r.handed.id} to Claude` : ''}`);
  else if (r.why === 'early' && r.at) scheduleResume(process.env, name, dir, r.at);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [step, name, dir, a, b] = argv;
  if (step === 'resume' && name && dir) return resume(name, dir);
  if (step === 'start' && name && dir && a && b) return start(name, dir, a, Number(b));
  if (step === 'end' && name && dir && a && b) return end(name, dir, Number(a), Number(b));
  process.stderr.write('cs host: internal entry point of hosted sessions (see src/host/main.ts)\n');
  return 2;
}

if (process.argv[1] && /host\.(js|ts)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => flushOutput().then(() => process.exit(code)),
    (e) => {
      try {
        process.stderr.write(`cs: internal error in the session host: ${errorMessage(e)}\n`);
      } catch {
        // nowhere to say it
      }
      void flushOutput().then(() => process.exit(1));
    },
  );
}
