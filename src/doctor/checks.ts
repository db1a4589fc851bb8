// `cs -doctor`: one check per thing cs depends on, each saying what is wrong
// and how to fix it. Checks never throw; they run one after another so the
// lines come out in a fixed order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAdopted } from '../session/adopted.js';
import { errorMessage } from '../lib/errors.js';
import { firstFew } from '../lib/format.js';
import { run } from '../lib/proc.js';
import { claudeBin } from '../session/claude-bin.js';
import { which } from '../lib/which.js';
import type { SessionPaths } from '../session/paths.js';

export type Level = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  check: string;
  level: Level;
  detail: string;
  fix?: string;
}

export interface DoctorTarget {
  env: NodeJS.ProcessEnv;
  /** The session to check too (remote, transcripts, recipients), if any. */
  session?: SessionPaths;
}

const ok = (check: string, detail: string): CheckResult => ({ check, level: 'ok', detail });
const fail = (check: string, detail: string, fix: string): CheckResult => ({ check, level: 'fail', detail, fix });
const warn = (check: string, detail: string, fix: string): CheckResult => ({ check, level: 'warn', detail, fix });
const skip = (check: string, detail: string): CheckResult => ({ check, level: 'skip', detail });

export async function checkClaude(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const bin = claudeBin(env);
  const found = which(bin, env);
  if (!found) return fail('claude', `${bin} not found on PATH`, 'install Claude Code (npm install -g @anthropic-ai/claude-code) or set CLAUDE_CODE_BIN to its path');
  try {
    const r = await run(found, ['--version'], { env, allowFailure: true, timeoutMs: 15_000 });
    const version = /\d+\.\d+\.\d+\S*/.exec(r.stdout)?.[0];
    if (r.code !== 0 || !version) return fail('claude', `${found} --version ${r.code !== 0 ? `exited ${r.code}` : 'printed no version'}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`, `reinstall Claude Code, or point CLAUDE_CODE_BIN at a working one`);
    return ok('claude', `${version} (${found})`);
  } catch (e) {
    return fail('claude', `${found} could not be run: ${errorMessage(e)}`, 'reinstall Claude Code, or point CLAUDE_CODE_BIN at a working one');
  }
}

/**
 * cs's hooks reach Claude Code through its plugin (src/install/plugin.ts):
 * the user settings must declare the marketplace and enable the plugin, its
 * hooks.json must hold exactly the registry's entries, each script must be
 * executable, and no hook entry of an older cs (or another copy of cs) may
 * remain in settings.json, where it would run beside the plugin's.
 */
export async function checkHooks(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const fix = 'run: cs -install';
  const { hooksDir, settingsPath } = await import('../install/paths.js');
  const { marketplaceDir, pluginFiles, pluginHooksFile, pluginState, PLUGIN_ID } = await import('../install/plugin.js');
  const { HOOKS } = await import('../hooks/registry.js');
  const file = settingsPath(env);
  let settings: { hooks?: Record<string, Array<{ matcher?: string; hooks?: Array<{ command?: string }> }>> };
  try {
    settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return fail('hooks', missing ? `${file} does not exist: no hooks registered` : `${file} is not valid JSON (${errorMessage(e)})`, missing ? fix : `fix the JSON by hand (a backup is beside it: settings.json.cs-backup-*), then ${fix}`);
  }
  const dir = hooksDir(env);
  const ours = new Set<string>();
  const foreign = new Set<string>();
  for (const [event, groups] of Object.entries(settings.hooks ?? {})) {
    if (!Array.isArray(groups)) continue;
    for (const g of groups) {
      for (const h of Array.isArray(g?.hooks) ? g.hooks : []) {
        const cmd = typeof h?.command === 'string' ? h.command.replace(/^'|'$/g, '') : '';
        const script = path.basename(cmd);
        if (cmd.startsWith(dir + '/')) ours.add(`${event} ${script}`);
        else if (HOOKS.some((r) => r.event === event && r.script === script) && /\/hooks\/[a-z-]+$/.test(cmd) && /\bcs\b/.test(cmd)) foreign.add(cmd);
      }
    }
  }
  if (foreign.size) return fail('hooks', `hook entries of another copy of cs in ${file}: ${firstFew([...foreign], 4)}`, `remove them from ${file} (keep cs's own under ${dir}), then ${fix}`);
  const state = pluginState(settings, marketplaceDir(env));
  const enabled = state === 'on';
  // Both: every hook cs does not serve over http would run twice.
  if (ours.size && enabled) return fail('hooks', `hook entries of cs in ${file} beside its plugin's, so they run twice: ${firstFew([...ours], 4)}`, `${fix} (it takes them out)`);
  // An install from before the plugin (cs -update does not re-install): the hooks work.
  if (ours.size) return warn('hooks', `cs's hooks are registered in ${file} itself, as an older cs did it (they work; a Claude that cs launches still starts them only to step aside)`, `${fix} (it moves them into the cs plugin)`);
  if (state === 'none') return fail('hooks', `cs's hooks plugin (${PLUGIN_ID}) is not enabled in ${file}: no hooks registered`, fix);
  // hooks.json does not carry the version.
  const want = pluginFiles(dir, HOOKS, '')[path.relative(marketplaceDir(env), pluginHooksFile(env))];
  let have = '';
  try {
    have = fs.readFileSync(pluginHooksFile(env), 'utf8');
  } catch {
    // missing: reported below
  }
  if (have !== want) return fail('hooks', `${pluginHooksFile(env)} ${have ? 'does not hold the hooks of this cs' : 'is missing'}`, fix);
  const broken = HOOKS.filter((r) => {
    try {
      fs.accessSync(path.join(dir, r.script), fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  }).map((r) => r.script);
  // Without the sh part they all source, every hook exits at once and does nothing.
  const { HOOK_SH } = await import('../hooks/shlib.js');
  if (!fs.existsSync(path.join(dir, '..', 'dist', HOOK_SH))) broken.push(`../dist/${HOOK_SH}`);
  if (broken.length) return fail('hooks', `hook scripts missing or not executable in ${dir}: ${broken.slice(0, 4).join(', ')}`, fix);
  // Switched off in /plugin: the user's choice, which cs -install keeps; a Claude that cs launches still gets every hook.
  if (!enabled) return warn('hooks', `cs's hooks plugin (${PLUGIN_ID}) is switched off in ${file}: a Claude started outside cs (an IDE in a session) runs without cs's hooks; \`cs <name>\` still brings them`, `to turn it on: /plugin in Claude Code, or "${PLUGIN_ID}": true under enabledPlugins in ${file}`);
  return ok('hooks', `${HOOKS.length} hooks registered through the ${PLUGIN_ID} plugin, enabled in ${file}`);
}

export async function checkKeychain(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const forced = env.CS_SECRETS_BACKEND?.trim();
  if (forced === 'encrypted') return ok('keychain', 'not used: CS_SECRETS_BACKEND=encrypted (secrets in ~/.cs-secrets/<session>.enc)');
  const { keychainFix, probeKeychain } = await import('../secrets/keychain.js');
  const probe = await probeKeychain(env);
  if (probe.ok) return ok('keychain', 'the OS keychain answers');
  const fix = keychainFix(probe.fault);
  return forced === 'keychain' ? fail('keychain', `CS_SECRETS_BACKEND=keychain, but the keychain does not answer: ${probe.reason}`, fix) : warn('keychain', `the OS keychain does not answer (${probe.reason}); secrets go to the encrypted file`, fix);
}

export async function checkIdentity(env: NodeJS.ProcessEnv, session?: SessionPaths): Promise<CheckResult> {
  const { readIdentity, listRecipients } = await import('../secrets/age.js');
  const { tildify, ageIdentityPath } = await import('../secrets/keys.js');
  const s = session?.name ?? '<session>';
  let id;
  try {
    id = await readIdentity(env);
  } catch (e) {
    return fail('age identity', errorMessage(e), 'restore ~/.cs-secrets/age.key from a backup, or move it away and run: cs <session> -secrets age init');
  }
  if (!id) {
    // Only a session that travels (age recipients, a sync remote) needs one.
    const needing = await sessionsNeedingIdentity(env, session);
    if (needing.length === 0) return skip('age identity', `none yet: needed once a session has age recipients or a sync remote (then run: cs ${s} -secrets age init)`);
  }
  if (!id) return fail('age identity', `none at ${tildify(ageIdentityPath(env), env)}: secrets and transcripts cannot sync to or from this machine`, `run: cs ${s} -secrets age init, then on a machine that can read the session: cs ${s} -secrets age add <name> <this pubkey>`);
  if (session) {
    let recipients;
    try {
      recipients = listRecipients(session.dir);
    } catch (e) {
      return fail('age identity', errorMessage(e), `fix .cs/age-recipients/ (cs ${s} -secrets age list)`);
    }
    if (!recipients.some((r) => r.recipient === id.recipient)) {
      return fail('age identity', `this machine's key (${id.recipient.slice(0, 16)}…) is not a recipient of '${s}': its synced secrets and transcripts are unreadable here`, `on a machine that can read the session: cs ${s} -secrets age add <name> ${id.recipient}, then sync; or here: cs ${s} -secrets age init`);
    }
  }
  return ok('age identity', `${tildify(id.file, env)}${session ? `, a recipient of '${s}'` : ''}`);
}

/** Sessions (the given one, else all under the root) with age recipients or a sync remote. */
async function sessionsNeedingIdentity(env: NodeJS.ProcessEnv, session?: SessionPaths): Promise<string[]> {
  const { listRecipients } = await import('../secrets/age.js');
  const { readSyncConf } = await import('../git/syncconf.js');
  const travels = (dir: string) => {
    try {
      return listRecipients(dir).length > 0 || Boolean(readSyncConf(dir).remote);
    } catch {
      return true; // unreadable recipients: the identity check below says what is wrong
    }
  };
  if (session) return travels(session.dir) ? [session.name] : [];
  const { listSessions } = await import('../session/summary.js');
  const { sessionsRoot } = await import('../session/paths.js');
  return (await listSessions(sessionsRoot(env))).filter((x) => x.location === 'local' && travels(x.dir)).map((x) => x.name);
}

/**
 * A sync remote URL with a password in .cs/sync.conf (written by an older cs,
 * or pulled): the file is tracked, so the password is in the session's
 * history and on its remotes. Checks the given session, else every local one.
 * Never throws; the password never appears in the result.
 */
export async function checkSyncUrl(env: NodeJS.ProcessEnv, session?: SessionPaths): Promise<CheckResult> {
  const { readSyncConf } = await import('../git/syncconf.js');
  const { maskUrlPassword, urlCredential, urlPassword, urlPasswordFix } = await import('../git/url-password.js');
  let dirs: Array<{ name: string; dir: string }>;
  if (session) dirs = [session];
  else {
    const { listSessions } = await import('../session/summary.js');
    const { sessionsRoot } = await import('../session/paths.js');
    dirs = (await listSessions(sessionsRoot(env))).filter((x) => x.location === 'local' && x.sync !== 'none');
  }
  const found: Array<{ name: string; url: string }> = [];
  for (const d of dirs) {
    try {
      const url = readSyncConf(d.dir).remote;
      if (url && urlCredential(url) !== null) found.push({ name: d.name, url });
    } catch {
      // unreadable sync.conf: the sync commands say what is wrong with it
    }
  }
  if (!found.length) return ok('sync URL', session ? `the sync remote of '${session.name}' holds no password or token` : 'no sync remote holds a password or token');
  const first = found[0]!;
  const where = firstFew(found.map((f) => `'${f.name}' (${maskUrlPassword(f.url)})`));
  const what = found.every((f) => urlPassword(f.url) !== null) ? 'a password' : 'a password or token';
  return fail(
    'sync URL',
    `the sync remote in .cs/sync.conf of ${where} holds ${what}: it is committed with the session and travels to its remotes and clones`,
    `${urlPasswordFix(first.url)}; then set it: cs ${first.name} -sync remote <url without the password>, and change that ${what.slice(2)} (the session's git history still holds it)`,
  );
}

/**
 * The session's sync remote answers: origin for a workspace of cs's; for an
 * adopted project the remote its records go to (.cs/sync.conf, else the
 * project's origin, as -sync uses it: src/commands/sync/shared.ts).
 */
export async function checkRemote(env: NodeJS.ProcessEnv, session: SessionPaths): Promise<CheckResult> {
  const { maskUrlPassword } = await import('../git/url-password.js');
  const records = isAdopted(session.dir) ? (await import('../git/syncconf.js')).readSyncConf(session.dir).remote : undefined;
  const r0 = records ? { code: 0, stdout: records } : await run('git', ['-C', session.dir, 'remote', 'get-url', 'origin'], { env, allowFailure: true }).catch((e: Error) => ({ code: 127, stdout: '', stderr: e.message }));
  const url = maskUrlPassword(r0.stdout.trim());
  if (r0.code !== 0 || !url) return skip('git remote', `'${session.name}' has no remote (set one with: cs ${session.name} -sync remote <url>)`);
  const target = records ?? 'origin';
  const r = await run('git', ['-C', session.dir, 'ls-remote', '--heads', '--', target], { env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes -o ConnectTimeout=10' }, allowFailure: true, timeoutMs: 30_000 }).catch((e: Error) => ({ code: 1, stdout: '', stderr: e.message }));
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `git exited ${r.code}`;
    return fail('git remote', `${url} is not reachable: ${why}`, `check the URL and your access (git -C ${session.dir} ls-remote ${records ? url : 'origin'}), or point it elsewhere: cs ${session.name} -sync remote <url>`);
  }
  return ok('git remote', `${url} answers${records ? " (the session's records)" : ''}`);
}

export async function checkTranscripts(env: NodeJS.ProcessEnv, session: SessionPaths): Promise<CheckResult> {
  const { readConversations } = await import('../conversations/store.js');
  const { syncedFile, transcriptFile } = await import('../conversations/transcripts.js');
  const { conversations, problems, exists } = readConversations(session.dir);
  if (!exists) return skip('transcripts', `'${session.name}' has no pinned conversations yet`);
  const lost: string[] = [];
  let pending = 0;
  for (const c of conversations) {
    if (fs.existsSync(transcriptFile(env, session.dir, c.uuid))) continue;
    if (fs.existsSync(syncedFile(session.dir, c.uuid))) pending++;
    else lost.push(c.uuid);
  }
  if (problems.length) return fail('transcripts', `.cs/conversations.json: ${problems.slice(0, 2).join('; ')}`, `fix or remove those entries in ${path.join(session.dir, '.cs/conversations.json')} (or restore it: git -C ${session.dir} log -- .cs/conversations.json)`);
  if (lost.length) {
    return fail('transcripts', `${lost.length} of ${conversations.length} pinned conversation(s) have no transcript here nor a synced copy: ${firstFew(lost)}`, `pull from the machine that has them (cs ${session.name} -sync pull), or start fresh: cs ${session.name} --new`);
  }
  return ok('transcripts', `${conversations.length} pinned conversation(s), ${conversations.length - pending} installed here${pending ? `, ${pending} restored at the next start` : ''}`);
}

/** Who commits in cs-created workspaces (adopted projects get no commits from cs). */
export async function checkGitIdentity(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const { missingIdentity, identityMessage, SET_IDENTITY_HINT } = await import('../git/identity.js');
  const { homeDir } = await import('../session/paths.js');
  try {
    const missing = await missingIdentity(homeDir(env), env);
    if (missing.length) return warn('git identity', identityMessage(missing).replace(/; set your own with: .*$/, ''), SET_IDENTITY_HINT);
    const name = (await run('git', ['config', 'user.name'], { env, cwd: homeDir(env), allowFailure: true })).stdout.trim();
    return ok('git identity', `session commits are authored as ${name || 'you'} (from your git config or environment)`);
  } catch (e) {
    return warn('git identity', `could not ask git: ${errorMessage(e)}`, 'check that git is installed');
  }
}

/** A `.git/index.lock` left by a killed git stops every session commit. */
export async function checkIndexLock(env: NodeJS.ProcessEnv, session: SessionPaths): Promise<CheckResult> {
  const { inspectIndexLock, STALE_INDEX_LOCK_MS } = await import('../git/index-lock.js');
  const r = await run('git', ['-C', session.dir, 'rev-parse', '--absolute-git-dir'], { env, allowFailure: true }).catch(() => null);
  const gitDir = r?.code === 0 ? r.stdout.trim() : null;
  if (!gitDir) return skip('index lock', `'${session.name}' is not a git repository`);
  const lock = await inspectIndexLock(gitDir, session.dir);
  if (!lock) return ok('index lock', 'no .git/index.lock');
  const age = `${Math.round(lock.ageMs / 1000)} s old`;
  if (lock.held) return warn('index lock', `${lock.file} (${age}) is held by a running git`, `let it finish; if it hangs, stop it, then remove ${lock.file}`);
  if (lock.ageMs < STALE_INDEX_LOCK_MS) return ok('index lock', `${lock.file} is brand new (${age}): a git is at work`);
  // An adopted project's index is the user's: cs commits nothing there and never removes their lock.
  if (isAdopted(session.dir)) return fail('index lock', `${lock.file} (${age}) was left by a git that is no longer running: git in the project fails until it is gone`, `if no git of yours is running there, remove it: rm ${lock.file}`);
  return fail('index lock', `${lock.file} (${age}) was left by a git that is no longer running: commits fail until it is gone`, `remove it: rm ${lock.file} (cs removes it itself at the next session end)`);
}

/** Hosted sessions need tmux; without it cs runs Claude in the foreground (works, but ends with the terminal). */
export async function checkTmux(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const fix = 'install tmux (e.g. apt-get install tmux, brew install tmux) so sessions keep running when the terminal closes';
  if (env.CS_HOST === 'foreground') return skip('tmux', 'CS_HOST=foreground: sessions run in the foreground');
  try {
    const r = await run('tmux', ['-V'], { env, allowFailure: true, timeoutMs: 5_000 });
    if (r.code !== 0) return warn('tmux', `tmux -V exited ${r.code}: sessions run in the foreground`, fix);
    const { tmuxServer } = await import('../host/tmux.js');
    return ok('tmux', `${r.stdout.trim()}; sessions are hosted in cs's server (${tmuxServer(env).socket})`);
  } catch {
    return warn('tmux', 'tmux not found: sessions run in the foreground and end with their terminal', fix);
  }
}

export async function runChecks(t: DoctorTarget): Promise<CheckResult[]> {
  const results = [await checkClaude(t.env), await checkTmux(t.env), await checkHooks(t.env), await checkKeychain(t.env), await checkIdentity(t.env, t.session), await checkGitIdentity(t.env), await checkSyncUrl(t.env, t.session)];
  if (t.session) results.push(await checkRemote(t.env, t.session), await checkTranscripts(t.env, t.session), await checkIndexLock(t.env, t.session));
  return results;
}

