// What happens around a Claude Code run, in one place for both callers: the
// `cs` process that launched Claude, and the SessionStart/SessionEnd hooks
// for Claude sessions started some other way. No step may keep Claude from
// starting or lose work: failures are reported and the next step runs.
import * as fs from 'node:fs';
import type { SessionPaths } from './paths.js';
import { firstFew } from '../lib/format.js';
import { hasRecipientFiles, secretsFilePath } from '../secrets/keys.js';

/**
 * Tells the user (terminal when there is one) and the session log. A line
 * with `logged: false` goes to the terminal only: it comes after the session
 * commit, and a log line written then would leave the tree dirty.
 */
export type Report = (line: string, level: 'info' | 'warn', opts?: { logged?: boolean }) => void;

/** Shows that slow work is going on (a spinner on a terminal, a line otherwise); the hooks, with nobody watching, pass none. */
export type Busy = <T>(message: string, work: () => Promise<T>) => Promise<T>;

const quietly: Busy = (_message, work) => work();

/**
 * Whether auto-sync is on, and the remote it talks to (for "pulling from
 * <remote>…"; a password in it masked; null when the session's git origin
 * is used).
 */
async function autoSync(dir: string): Promise<{ on: boolean; remote: string | null }> {
  const [{ readSyncConf }, { maskUrlPassword }] = await Promise.all([import('../git/syncconf.js'), import('../git/url-password.js')]);
  const conf = readSyncConf(dir);
  return { on: conf.auto, remote: conf.auto && conf.remote ? maskUrlPassword(conf.remote) : null };
}

async function step(report: Report, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    report(`${what} skipped: ${(e as Error)?.message ?? String(e)}`, 'warn');
  }
}

/** Before Claude starts: recover a crash's autosave, pull when auto-sync is on, import synced secrets and transcripts. */
export async function beforeClaude(p: SessionPaths, env: NodeJS.ProcessEnv, report: Report, busy: Busy = quietly): Promise<void> {
  // A feature session (base@feature) uses its base's secrets, stored under the base's name: the base syncs them.
  const feature = p.name.includes('@');
  // What cs <name> -diff counts from (HEAD, which the recovery does not
  // move): alongside the recovery, so their two git processes overlap.
  const startCommit = step(report, 'start commit', async () => (await import('../features/diff.js')).recordStartCommit(p.dir, env));
  await step(report, 'autosave recovery', async () => {
    const { recoverFromAutosave } = await import('../git/recover.js');
    const r = await recoverFromAutosave(p.dir, { env });
    if (r.restored.length) report(`recovered ${r.restored.length} file(s) from the last autosave: ${firstFew(r.restored, 5)}`, 'info');
    // Our own logs are appended to on every start: not news to the user.
    const skipped = r.skipped.filter((f) => !f.startsWith('.cs/logs/'));
    if (skipped.length) report(`left ${skipped.length} file(s) that changed after the autosave alone: ${skipped.slice(0, 5).join(', ')}`, 'warn');
    if (r.backupDir) report(`copies of the overwritten files are in ${r.backupDir}`, 'info');
    if (r.takenOn !== undefined && r.autosave) {
      report(`the last autosave (${r.autosave}) was taken on ${r.takenOn ? `commit ${r.takenOn.slice(0, 12)}` : 'no commit'} and HEAD has moved since: nothing restored from it — see what it holds with: git -C ${p.dir} diff HEAD ${r.autosave}`, 'warn');
    }
  });
  await startCommit;
  await step(report, 'auto-sync pull', async () => {
    // Off (the default): the sync code (git/sync.ts and what it loads) stays off the launch path.
    const { on, remote } = await autoSync(p.dir);
    if (!on) return;
    const { sessionStartPull } = await import('../git/sync.js');
    const r = remote ? await busy(`pulling from ${remote}`, () => sessionStartPull(p.dir, p.name, { env })) : await sessionStartPull(p.dir, p.name, { env });
    if (r.pulled) report('pulled the latest session from its remote', 'info');
    if (r.secrets) report((await import('../secrets/merge.js')).describeSecretsMerge(r.secrets), 'info');
    if (r.error) report(`pull failed: ${r.error}${r.hint ? ` — ${r.hint}` : ''}; starting Claude with this machine's copy`, 'warn');
  });
  // The age code is loaded only when there is a file to import or a recipient to export for (keys.ts).
  if (!feature && fs.existsSync(secretsFilePath(p.dir))) await step(report, 'secrets import', async () => {
    const { importIfNewer, unreadableAdvice } = await import('../secrets/age.js');
    const r = await importIfNewer({ session: p.name, sessionDir: p.dir, env });
    if (r.status === 'imported') {
      report(
        `imported ${r.changed.length} secret(s) from .cs/secrets.age${r.removed.length ? `; removed ${r.removed.join(', ')} (removed on another machine)` : ''}${r.keptLocal?.length ? `; kept ${r.keptLocal.join(', ')} as changed here` : ''}${r.conflicts?.length ? `; ${r.conflicts.join(', ')} changed here and on another machine: took the other machine's value (set it again to keep yours)` : ''}`,
        'info',
      );
    }
    if (r.status === 'not-recipient' || r.status === 'no-identity') report(await unreadableAdvice(p.name, p.dir, env), 'warn');
  });
  await step(report, 'transcript import', async () => {
    const { importTranscripts } = await import('../conversations/transcripts.js');
    const r = await importTranscripts({ sessionDir: p.dir, session: p.name, env, now: new Date() }, report);
    if (r.installed.length) report(`restored ${r.installed.length} conversation transcript(s) from .cs/conversations/`, 'info');
  });
}

/** After Claude exits: export secrets and transcripts for the other machines, then one commit (and a push with auto-sync). */
export async function afterClaude(p: SessionPaths, env: NodeJS.ProcessEnv, report: Report, busy: Busy = quietly): Promise<void> {
  await step(report, 'queue', async () => {
    // A task Claude was working on when it ended: parked, never finished by a later turn's Stop.
    const debrief = (await import('../queue/drain.js')).parkInterrupted(p.dir, p.name, new Date());
    if (debrief) report(`queue ${debrief}`, 'warn');
  });
  await step(report, 'secrets env file removal', async () => {
    // The plain-text copy for Claude's Bash commands outlives no session.
    (await import('../secrets/store.js')).removeSessionEnvFile(p.name, env);
  });
  if (!p.name.includes('@') && hasRecipientFiles(p.dir)) await step(report, 'secrets export', async () => {
    const { exportIfChanged } = await import('../secrets/age.js');
    const r = await exportIfChanged({ session: p.name, sessionDir: p.dir, env });
    if (r.status === 'exported') report(`exported ${r.count} secret(s) to .cs/secrets.age${r.removed?.length ? `; removed ${r.removed.join(', ')} here (removed on another machine)` : ''}`, 'info');
    if (r.conflicts?.length) report(`${r.conflicts.join(', ')} changed here and on another machine: took the other machine's value (set it again to keep yours)`, 'warn');
  });
  await step(report, 'transcript export', async () => {
    const { exportTranscripts } = await import('../conversations/transcripts.js');
    const r = await exportTranscripts({ sessionDir: p.dir, session: p.name, env, now: new Date() }, report);
    if (r.exported.length) report(`saved ${r.exported.length} conversation transcript(s) to .cs/conversations/ (age-encrypted)`, 'info');
  });
  await step(report, 'transcript scrub', async () => {
    const { scrubLocalTranscripts } = await import('../conversations/transcripts.js');
    const r = await scrubLocalTranscripts({ sessionDir: p.dir, session: p.name, env, now: new Date() });
    if (r.values) report(`removed ${r.values} secret value(s) from ${r.files} local transcript(s) (CS_KEEP_TRANSCRIPT_SECRETS=1 keeps them)`, 'info');
  });
  await step(report, 'session-end commit', async () => {
    const { sessionEndCommit } = await import('../git/session-end.js');
    const { remote } = await autoSync(p.dir);
    const end = () => sessionEndCommit(p.dir, { env, session: p.name });
    const r = remote ? await busy(`committing and pushing to ${remote}`, end) : await end();
    // No commit: the tree is not clean anyway, and the log is where a later look finds out why.
    if (r.reason) report(`no session commit — ${r.reason}; ${r.hint ?? `then run: cs ${p.name} -sync push`}. The work stays in the tree and in refs/cs/auto`, 'warn');
    const after = { logged: r.reason !== undefined };
    for (const n of r.notices ?? []) report(n, 'info', after);
    for (const w of r.warnings ?? []) report(w, 'warn', after);
    if (r.commit) report(`committed ${r.message}${r.pushed ? ' and pushed' : ''}`, 'info', after);
    if (r.records?.changed) report(`recorded .cs/ on refs/cs/session${r.pushed ? ' and pushed it' : ''} (no commit on your branches)`, 'info', after);
    if (r.pushError) report(`push failed (${r.pushError}); ${r.records ? 'the records are kept' : 'your commit is kept'} — ${r.pushHint ?? `run: cs ${p.name} -sync push`}`, 'warn', after);
  });
}
