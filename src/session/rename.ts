// Renaming a session (cs -mv): everything keyed by the name moves together.
//
//   <root>/<old>                  the workspace (an adopted project stays where it is: only its link is renamed)
//   secrets                       every backend that holds some: ~/.cs-secrets/<old>.enc and keychain items cs:<old>:*
//   Claude Code transcripts       <config>/projects/<slug of the old path>/ → the new path's folder, paths inside rewritten,
//                                 so `cs <new>` resumes the same conversation; from a folder another session
//                                 shares (`x.y` and `x-y`: src/conversations/owned.ts) only the conversations
//                                 the session pins, and the folder stays
//   tags, archive marker, status, sync and remote settings, conversations.json, backend choice
//                                 all inside `.cs/`: they move with the workspace
//
// Steps run so that a failure leaves the old session whole: the session is
// locked (refused while Claude runs in it), every backend is checked for
// clashes before anything is written, secrets and transcripts are copied to
// the new name, the workspace is renamed (the one step that switches), and
// only then are the old copies deleted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { exists, readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import { releaseLock, tryLock } from '../lib/lockfile.js';
import { openRefusal } from './lock.js';
import type { SecretBackend } from '../secrets/backend-types.js';
import { ownedConversations, ownsEntry, type Owned } from '../conversations/owned.js';
import { claudeProjectDir } from './claude-project.js';
import { appendSessionLog } from './log.js';
import { validateName } from './names.js';
import { recordSessionName } from './session-name.js';
import { claudeConfigDir, sessionPaths, sessionsRoot } from './paths.js';
import { resolveSession } from './resolve.js';

export type Report = (line: string, level: 'info' | 'warn') => void;

export interface RenameResult {
  from: string;
  to: string;
  dir: string;
  adopted: boolean;
  /** Secrets moved, per backend. */
  secrets: Array<{ backend: string; keys: string[] }>;
  /** Transcript files moved to the new path's Claude Code project folder. */
  transcripts: number;
}

/**
 * Every backend that can hold this session's secrets here; the keychain only
 * when it answers. Its silence is worth a warning only where secrets could
 * be there: not when CS_SECRETS_BACKEND chose the encrypted file (cs then
 * never uses the keychain), nor without a session bus unless migrate-backend
 * recorded the keychain for this session (a server without a desktop has
 * never had one, and heard it on every rename).
 */
async function backendsWith(session: string, env: NodeJS.ProcessEnv, report: Report): Promise<SecretBackend[]> {
  const { EncryptedFileBackend } = await import('../secrets/encrypted.js');
  const out: SecretBackend[] = [];
  const file = new EncryptedFileBackend(env);
  if (file.hasStore(session)) out.push(file);
  if (env.CS_SECRETS_BACKEND?.trim() === 'encrypted') return out;
  const { KeychainBackend, probeKeychain } = await import('../secrets/keychain.js');
  const probe = await probeKeychain(env);
  if (probe.ok) {
    out.push(new KeychainBackend(probe.api, env));
    return out;
  }
  const { noSessionBus } = await import('../secrets/bus.js');
  const { backendMarkerPath } = await import('../secrets/backend.js');
  const recorded = readFileOr(backendMarkerPath(session, env), '').trim();
  if (!noSessionBus(env) || recorded === 'keychain') report(`the OS keychain did not answer (${probe.reason}): secrets kept there under '${session}', if any, were not moved`, 'warn');
  return out;
}

interface SecretMove {
  backend: SecretBackend;
  values: Record<string, string>;
}

/** Reads each backend's secrets of `from` and checks `to` holds none of its own there. */
async function planSecrets(from: string, to: string, backends: readonly SecretBackend[]): Promise<SecretMove[]> {
  const moves: SecretMove[] = [];
  for (const backend of backends) {
    const values = await backend.getAll(from);
    if (Object.keys(values).length === 0) continue;
    const there = await backend.list(to);
    if (there.length) {
      throw new UserError(
        `the ${backend.name} backend already holds secrets for '${to}' (${there.join(', ')}); nothing was renamed`,
        `remove them first (cs ${to} -secrets purge needs a session '${to}'), or choose another name`,
      );
    }
    moves.push({ backend, values });
  }
  return moves;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The old workspace path → the new one, where a whole path component ends (as in transcripts.ts toPortable). */
export function rewritePaths(text: string, fromDirs: readonly string[], toDir: string): string {
  let out = text;
  for (const dir of [...new Set(fromDirs)].sort((a, b) => b.length - a.length)) {
    if (dir === '/' || dir === '' || dir === toDir) continue;
    out = out.replace(new RegExp(`${escapeRe(dir)}(?![A-Za-z0-9._-])`, 'g'), () => toDir);
  }
  return out;
}

interface Copied {
  /** Files written under the new folder. */
  files: string[];
  /** Folders made for them. */
  made: string[];
  /** Top-level entries of the old folder that were copied, to delete once the workspace is renamed. */
  tops: string[];
}

/**
 * Copies Claude Code's project folder of `fromDir` to that of `toDir`, with
 * the workspace path rewritten in `.jsonl` files: every entry when `owned` is
 * null, else only the owned conversations' (ownsEntry). Returns what it
 * wrote. Refuses (UserError, before writing) when a file of the same name
 * exists there.
 */
function copyTranscripts(src: string, dest: string, fromDirs: readonly string[], toDir: string, owned: Owned): Copied {
  const files: string[] = [];
  const made: string[] = [];
  if (!fs.existsSync(src)) return { files, made, tops: [] };
  const walk = (rel: string): Array<{ rel: string; dir: boolean }> =>
    fs.readdirSync(path.join(src, rel), { withFileTypes: true }).flatMap((d) => {
      if (rel === '' && !ownsEntry(owned, d.name)) return [];
      const r = path.join(rel, d.name);
      return d.isDirectory() ? [{ rel: r, dir: true }, ...walk(r)] : d.isFile() ? [{ rel: r, dir: false }] : [];
    });
  const entries = walk('');
  const tops = entries.filter((e) => !e.rel.includes(path.sep)).map((e) => e.rel);
  const clash = entries.find((e) => !e.dir && fs.existsSync(path.join(dest, e.rel)));
  if (clash) throw new UserError(`Claude Code already has ${path.join(dest, clash.rel)}; nothing was renamed`, 'move that file away, or choose another name');
  if (!fs.existsSync(dest)) {
    fs.mkdirSync(dest, { recursive: true, mode: 0o700 });
    made.push(dest);
  }
  for (const e of entries) {
    const to = path.join(dest, e.rel);
    if (e.dir) {
      if (!fs.existsSync(to)) fs.mkdirSync(to, { mode: 0o700 });
      continue;
    }
    const from = path.join(src, e.rel);
    const mode = fs.statSync(from).mode & 0o777;
    if (e.rel.endsWith('.jsonl')) writeFileAtomic(to, rewritePaths(fs.readFileSync(from, 'utf8'), fromDirs, toDir), mode);
    else fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    files.push(to);
  }
  return { files, made, tops };
}

/** Renames session `from` to `to`; see the top of this file. Throws UserError (nothing changed) when it cannot. */
export async function renameSession(env: NodeJS.ProcessEnv, from: string, to: string, now: Date, report: Report): Promise<RenameResult> {
  validateName(from);
  validateName(to);
  if (from === to) throw new UserError(`'${from}' already has that name`);
  const found = resolveSession(env, { name: from, command: '-mv' }, { stub: true });
  const root = sessionsRoot(env);
  const oldEntry = path.join(root, from);
  const newEntry = path.join(root, to);
  if (exists(newEntry)) throw new UserError(`a session named '${to}' already exists`, 'choose another name, or remove that one first (cs -rm)');
  if (found.kind === 'remote') {
    throw new UserError(`session '${from}' lives on another machine (.cs/remote.conf)`, `rename it there first; a stub renamed here alone would no longer find it`);
  }
  // Its features' worktrees and names hang on the base's folder and name (src/features/): refused, as -rm refuses.
  const features = (await import('../features/model.js')).featuresOf(env, from);
  if (features.length) throw new UserError(`session '${from}' has feature sessions: ${features.map((f) => f.name).join(', ')}; nothing was renamed`, `merge or remove them first (cs ${from} --merge <feature>, or cs -rm ${from}@<feature>)`);
  const lock = tryLock(found.paths.lock, { now });
  if (!lock.ok) {
    if (lock.current.kind === 'held') throw openRefusal(from, found.paths.lock, lock.current.info, 'it cannot be renamed');
    throw new UserError(`session '${from}' has an unreadable lock (${found.paths.lock}); nothing was renamed`, `if no Claude runs in it, remove that file and try again`);
  }
  let switched = false;
  let newSecrets: SecretMove[] = [];
  let copied: Copied = { files: [], made: [], tops: [] };
  let owned: Owned = null;
  const oldDir = found.paths.dir;
  const newDir = (found.kind === 'adopted') ? oldDir : newEntry;
  const config = claudeConfigDir(env);
  const oldReal = fs.realpathSync(oldDir);
  const oldProject = claudeProjectDir(config, oldReal);
  try {
    const moves = await planSecrets(from, to, await backendsWith(from, env, report));
    // Copy first: until the workspace is renamed, the old session is whole.
    for (const m of moves) {
      await m.backend.setMany(to, m.values);
      newSecrets.push(m);
      const back = await m.backend.getAll(to);
      const lost = Object.keys(m.values).filter((k) => back[k] !== m.values[k]);
      if (lost.length) throw new UserError(`the ${m.backend.name} backend did not keep ${lost.join(', ')} under '${to}'; nothing was renamed`);
    }
    if (!(found.kind === 'adopted')) {
      // The path Claude Code sees after the rename: the new entry under the root's real path.
      const newReal = path.join(fs.realpathSync(root), to);
      owned = ownedConversations(root, from, oldReal);
      copied = copyTranscripts(oldProject, claudeProjectDir(config, newReal), [oldReal, oldDir], newReal, owned);
      fs.renameSync(oldEntry, newEntry);
    } else {
      fs.symlinkSync(fs.readlinkSync(oldEntry), newEntry);
      fs.unlinkSync(oldEntry);
    }
    switched = true;
  } catch (e) {
    // Undo the copies; the old session was never touched.
    for (const m of newSecrets) await m.backend.purge(to).catch(() => 0);
    for (const f of copied.files) fs.rmSync(f, { force: true });
    for (const d of copied.made.reverse()) fs.rmSync(d, { recursive: true, force: true });
    throw e;
  } finally {
    const lockNow = switched ? sessionPaths(newDir, to).lock : found.paths.lock;
    releaseLock(lockNow, lock.handle.info);
  }
  if (found.kind === 'adopted') {
    // The name its hooks file things under when Claude is started some other way (src/session/session-name.ts).
    try {
      recordSessionName(oldDir, to);
    } catch (e) {
      report(`could not record the new name in ${sessionPaths(oldDir, to).local}: ${(e as Error)?.message ?? String(e)}; open it once with cs ${to}`, 'warn');
    }
  }
  // Switched: from here on only the old copies go.
  for (const m of newSecrets) {
    await m.backend.purge(from).catch((e: Error) => report(`the secrets under the old name '${from}' could not be deleted from the ${m.backend.name} backend: ${e.message}`, 'warn'));
  }
  if (copied.files.length) {
    // A shared folder keeps the other session's conversations: only what was copied goes.
    if (owned === null) fs.rmSync(oldProject, { recursive: true, force: true });
    else for (const top of copied.tops) fs.rmSync(path.join(oldProject, top), { recursive: true, force: true });
  }
  const p = sessionPaths(newDir, to);
  retitle(p.claudeMd, from, to, (found.kind === 'adopted'));
  appendSessionLog(p.sessionLog, `session renamed: ${from} → ${to}`, now);
  return {
    from,
    to,
    dir: newDir,
    adopted: (found.kind === 'adopted'),
    secrets: newSecrets.map((m) => ({ backend: m.backend.name, keys: Object.keys(m.values).sort() })),
    transcripts: copied.files.filter((f) => f.endsWith('.jsonl')).length,
  };
}

/** The `# Session: <name>` title our template put in CLAUDE.md (a user's own CLAUDE.md in an adopted project is left alone). */
function retitle(claudeMd: string, from: string, to: string, adopted: boolean): void {
  if (adopted) return;
  let text: string;
  try {
    text = fs.readFileSync(claudeMd, 'utf8');
  } catch {
    return;
  }
  const next = text.replace(new RegExp(`^# Session: ${escapeRe(from)}$`, 'm'), `# Session: ${to}`);
  if (next !== text) writeFileAtomic(claudeMd, next, fs.statSync(claudeMd).mode & 0o777);
}
