// Moving Claude Code transcripts between machines through the session's git
// history. A pinned conversation's transcript
// (<CLAUDE_CONFIG_DIR>/projects/<slug>/<uuid>.jsonl) is written to
// `.cs/conversations/<uuid>.jsonl.age`: the workspace's absolute path
// replaced by a placeholder, gzipped, and age-encrypted to the session's
// recipients (transcripts hold secrets: never plain text in the workspace).
// On start the newer synced transcripts are decrypted, the placeholder set to
// this machine's path, and installed under this machine's project slug.
//
// Only the machine that owns a conversation (conversations.json machineId)
// writes its synced file, so two machines never change the same file; a
// conversation picked up elsewhere continues under a new uuid there (see
// launch.ts). Nothing is overwritten that holds lines the other side lacks:
// a local transcript that diverged stays, and the synced version is installed
// beside it under a new uuid.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { errorMessage } from '../lib/errors.js';
import { writeConfined } from '../lib/confine.js';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { claudeProjectDir } from '../session/claude-project.js';
import { claudeConfigDir } from '../session/paths.js';
import { hasRecipientFiles } from '../secrets/keys.js';
import { addConversation, isUuid, newUuid, readConversations, syncedDir, thisMachine, type Conversation } from './store.js';

export const PLACEHOLDER = '@@CS_WORKSPACE@@';

export type Report = (line: string, level: 'info' | 'warn') => void;

/** The workspace as Claude Code sees it (symlinks resolved). */
export function workspaceRealPath(sessionDir: string): string {
  try {
    return fs.realpathSync(sessionDir);
  } catch {
    return path.resolve(sessionDir);
  }
}

export function transcriptFile(env: NodeJS.ProcessEnv, sessionDir: string, uuid: string): string {
  if (!isUuid(uuid)) throw new Error(`not a conversation uuid: ${uuid.slice(0, 60)}`);
  return path.join(claudeProjectDir(claudeConfigDir(env), workspaceRealPath(sessionDir)), `${uuid}.jsonl`);
}

export function syncedFile(sessionDir: string, uuid: string): string {
  if (!isUuid(uuid)) throw new Error(`not a conversation uuid: ${uuid.slice(0, 60)}`);
  return path.join(syncedDir(sessionDir), `${uuid}.jsonl.age`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The workspace path (and its spelling through a symlink) → the placeholder, only where a whole path component ends. */
export function toPortable(text: string, workspaceDirs: readonly string[]): string {
  let out = text;
  for (const dir of [...new Set(workspaceDirs)].sort((a, b) => b.length - a.length)) {
    if (dir === '/' || dir === '') continue;
    out = out.replace(new RegExp(`${escapeRe(dir)}(?![A-Za-z0-9._-])`, 'g'), PLACEHOLDER);
  }
  return out;
}

export function fromPortable(text: string, workspaceDir: string): string {
  return text.split(PLACEHOLDER).join(workspaceDir);
}

/** The same transcript under another conversation uuid (Claude Code stores the id on every line). */
export function renameSession(text: string, from: string, to: string): string {
  return text.split(`"sessionId":"${from}"`).join(`"sessionId":"${to}"`);
}

/** One key per transcript line: its message uuid when it has one, else the line itself. */
function lineKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /"uuid":"([0-9a-f-]{36})"/.exec(line);
    keys.add(m ? `u:${m[1]}` : `t:${line}`);
  }
  return keys;
}

function missingFrom(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const k of a) if (!b.has(k)) n++;
  return n;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

// --- bookkeeping (machine-local) -----------------------------------------------

interface Marks {
  /** uuid → SHA-256 of the .age file this machine last wrote or imported, and of the plain text exported. */
  [uuid: string]: { file?: string; plain?: string };
}

function marksFile(sessionDir: string): string {
  return path.join(sessionDir, '.cs', 'local', 'conversations-sync.json');
}

function readMarks(sessionDir: string): Marks {
  try {
    const v = JSON.parse(fs.readFileSync(marksFile(sessionDir), 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Marks) : {};
  } catch {
    return {};
  }
}

function writeMarks(sessionDir: string, marks: Marks): void {
  writeConfined(marksFile(sessionDir), JSON.stringify(marks) + '\n', 0o600);
}

// --- keys ------------------------------------------------------------------------

interface Keys {
  identity: string;
  recipients: string[];
}

/** Identity and recipients, or a one-line reason why transcripts are not synced. */
async function syncKeys(sessionDir: string, session: string, env: NodeJS.ProcessEnv): Promise<Keys | string> {
  const none = `transcripts not synced: the session has no age recipients — run: cs ${session} -secrets age init`;
  if (!hasRecipientFiles(sessionDir)) return none;
  const { listRecipients, readIdentity } = await import('../secrets/age.js');
  const recipients = listRecipients(sessionDir);
  if (recipients.length === 0) return none;
  const id = await readIdentity(env);
  if (!id) return `transcripts not synced: no age identity on this machine — run: cs ${session} -secrets age init, then add it on a machine that can read the session`;
  return { identity: id.identity, recipients: recipients.map((r) => r.recipient) };
}

// age-encryption (with its curve code, ~300 KB) is loaded only when a
// transcript is encrypted or decrypted: `cs <name>` reads this module's path
// helpers on every launch.
export async function encryptTranscript(portable: string, recipients: readonly string[]): Promise<Uint8Array> {
  const { Encrypter } = await import('age-encryption');
  const enc = new Encrypter();
  for (const r of recipients) enc.addRecipient(r);
  return enc.encrypt(gzipSync(Buffer.from(portable, 'utf8')));
}

/** Decrypts a synced transcript; throws an Error whose message says what is wrong with the file. */
export async function decryptTranscript(bytes: Uint8Array, identity: string): Promise<string> {
  const { Decrypter } = await import('age-encryption');
  const d = new Decrypter();
  d.addIdentity(identity);
  let plain: Uint8Array;
  try {
    plain = await d.decrypt(bytes);
  } catch (e) {
    const msg = errorMessage(e);
    throw new Error(/no identity matched/.test(msg) ? "it is not encrypted to this machine's age key" : `it is damaged or not an age file (${msg})`);
  }
  const buf = Buffer.from(plain);
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf).toString('utf8');
    } catch (e) {
      throw new Error(`it decrypted, but its content is damaged (${errorMessage(e)})`);
    }
  }
  return buf.toString('utf8');
}

// --- import (before Claude) ---------------------------------------------------------

export interface SyncTarget {
  sessionDir: string;
  session: string;
  env: NodeJS.ProcessEnv;
  now: Date;
}

export interface ImportResult {
  installed: string[];
  /** uuid → the new uuid its synced version was installed under, beside a diverged local one. */
  forked: Array<{ uuid: string; as: string }>;
  failed: Array<{ uuid: string; reason: string }>;
  skipped?: string;
}

/** Installs synced transcripts that are newer than this machine's copies. Never throws for one bad file. */
export async function importTranscripts(t: SyncTarget, report: Report): Promise<ImportResult> {
  const result: ImportResult = { installed: [], forked: [], failed: [] };
  const { conversations, problems } = readConversations(t.sessionDir);
  for (const p of problems) report(`.cs/conversations.json: ${p}`, 'warn');
  const pending = conversations.filter((c) => fs.existsSync(syncedFile(t.sessionDir, c.uuid)));
  if (pending.length === 0) return result;
  const marks = readMarks(t.sessionDir);
  const changed = pending.filter((c) => marks[c.uuid]?.file !== sha256(fs.readFileSync(syncedFile(t.sessionDir, c.uuid))));
  if (changed.length === 0) return result;
  const keys = await syncKeys(t.sessionDir, t.session, t.env);
  if (typeof keys === 'string') {
    result.skipped = keys;
    report(keys, 'warn');
    return result;
  }
  for (const c of changed) {
    try {
      await importOne(t, c, keys, marks, result, report);
    } catch (e) {
      result.failed.push({ uuid: c.uuid, reason: errorMessage(e) });
      report(`conversation ${c.uuid} not restored: .cs/conversations/${c.uuid}.jsonl.age ${errorMessage(e)}; the file was left as it is`, 'warn');
    }
  }
  writeMarks(t.sessionDir, marks);
  return result;
}

async function importOne(t: SyncTarget, c: Conversation, keys: Keys, marks: Marks, result: ImportResult, report: Report): Promise<void> {
  const bytes = fs.readFileSync(syncedFile(t.sessionDir, c.uuid));
  const portable = await decryptTranscript(bytes, keys.identity);
  const here = workspaceRealPath(t.sessionDir);
  const theirs = fromPortable(portable, here);
  const file = transcriptFile(t.env, t.sessionDir, c.uuid);
  const ours = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  const mark = (plain?: string) => (marks[c.uuid] = { ...marks[c.uuid], file: sha256(bytes), ...(plain ? { plain } : {}) });
  if (ours === null) {
    install(file, theirs);
    result.installed.push(c.uuid);
    mark();
    return;
  }
  const oursKeys = lineKeys(ours);
  const theirsKeys = lineKeys(theirs);
  const onlyOurs = missingFrom(oursKeys, theirsKeys);
  const onlyTheirs = missingFrom(theirsKeys, oursKeys);
  if (onlyTheirs === 0) {
    mark(); // this machine has all of it already
    return;
  }
  if (onlyOurs === 0) {
    install(file, theirs);
    result.installed.push(c.uuid);
    mark();
    return;
  }
  // Both sides have lines the other lacks: keep ours, install theirs beside it.
  const as = newUuid();
  install(transcriptFile(t.env, t.sessionDir, as), renameSession(theirs, c.uuid, as));
  const me = thisMachine(t.env);
  addConversation(t.sessionDir, { uuid: as, started: t.now.toISOString(), machine: me.name, machineId: me.id, from: c.uuid, ...(c.title ? { title: c.title } : {}) });
  result.forked.push({ uuid: c.uuid, as });
  mark();
  report(
    `conversation ${c.uuid} went on differently here (${onlyOurs} line(s)) and on ${c.machine} (${onlyTheirs} line(s)): kept this machine's, installed the other as ${as} — resume it with: cs ${t.session} --resume ${as}`,
    'warn',
  );
}

function install(file: string, text: string): void {
  ensureDir(path.dirname(file), 0o700);
  writeFileAtomic(file, text, 0o600);
}

// --- export (after Claude) ----------------------------------------------------------

export interface ExportResult {
  exported: string[];
  skipped?: string;
}

/** Writes this machine's pinned transcripts that changed since the last export to .cs/conversations/. */
export async function exportTranscripts(t: SyncTarget, report: Report): Promise<ExportResult> {
  const result: ExportResult = { exported: [] };
  const { conversations } = readConversations(t.sessionDir);
  if (conversations.length === 0) return result;
  const me = thisMachine(t.env);
  const mine = conversations.filter((c) => c.machineId === me.id && fs.existsSync(transcriptFile(t.env, t.sessionDir, c.uuid)));
  if (mine.length === 0) return result;
  const keys = await syncKeys(t.sessionDir, t.session, t.env);
  if (typeof keys === 'string') {
    result.skipped = keys;
    // Only worth saying for a session that travels (a git remote is set);
    // a local-only session would hear it on every exit.
    const { readSyncConf } = await import('../git/syncconf.js');
    if (readSyncConf(t.sessionDir).remote) report(keys, 'info');
    return result;
  }
  const dirs = [workspaceRealPath(t.sessionDir), path.resolve(t.sessionDir)];
  // What travels never holds the session's secret values (issue #18).
  const { scrubKnown, sessionSecrets } = await import('../secrets/scrub.js');
  // A feature's values are its base's (secretsOwner); a store that cannot be read throws: nothing goes out unscrubbed.
  const secrets = await sessionSecrets((await import('../features/ref.js')).secretsOwner(t.session), t.env);
  for (const c of mine) {
    const target = syncedFile(t.sessionDir, c.uuid);
    // A synced file this machine has not seen (restored from history, another
    // HOME with the same id) is taken in first, so exporting cannot drop its lines.
    if (fs.existsSync(target) && readMarks(t.sessionDir)[c.uuid]?.file !== sha256(fs.readFileSync(target))) {
      const r = await importTranscripts(t, report);
      if (r.failed.some((f) => f.uuid === c.uuid)) {
        report(`conversation ${c.uuid} not exported: the synced copy could not be read, and it is kept as it is`, 'warn');
        continue;
      }
    }
    const marks = readMarks(t.sessionDir);
    const portable = scrubKnown(toPortable(fs.readFileSync(transcriptFile(t.env, t.sessionDir, c.uuid), 'utf8'), dirs), secrets).text;
    const plain = sha256(portable);
    if (marks[c.uuid]?.plain === plain && fs.existsSync(target)) continue;
    const bytes = await encryptTranscript(portable, keys.recipients);
    writeConfined(target, bytes, 0o644);
    marks[c.uuid] = { file: sha256(bytes), plain };
    writeMarks(t.sessionDir, marks);
    result.exported.push(c.uuid);
  }
  return result;
}

export interface LocalScrubResult {
  /** Transcripts rewritten. */
  files: number;
  /** Secret values replaced in them. */
  values: number;
}

/**
 * After Claude exits: replaces the session's known secret values with
 * `[secret: KEY]` in this machine's transcripts of the session's
 * conversations (Claude Code's own copies), in place with temp file +
 * rename and the file's mode kept. CS_KEEP_TRANSCRIPT_SECRETS=1 turns it off.
 */
export async function scrubLocalTranscripts(t: SyncTarget): Promise<LocalScrubResult> {
  const result = { files: 0, values: 0 };
  if (t.env.CS_KEEP_TRANSCRIPT_SECRETS === '1') return result;
  const me = thisMachine(t.env);
  const files = readConversations(t.sessionDir)
    .conversations.filter((c) => c.machineId === me.id)
    .map((c) => transcriptFile(t.env, t.sessionDir, c.uuid))
    .filter((f) => fs.existsSync(f));
  if (files.length === 0) return result;
  const { scrubKnown, sessionSecrets } = await import('../secrets/scrub.js');
  // A feature's values are its base's (secretsOwner); a store that cannot be read throws: nothing goes out unscrubbed.
  const secrets = await sessionSecrets((await import('../features/ref.js')).secretsOwner(t.session), t.env);
  if (Object.keys(secrets).length === 0) return result;
  for (const file of files) {
    const r = scrubKnown(fs.readFileSync(file, 'utf8'), secrets);
    if (r.count === 0) continue;
    writeFileAtomic(file, r.text, fs.statSync(file).mode & 0o777);
    result.files++;
    result.values += r.count;
  }
  return result;
}
