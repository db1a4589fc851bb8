// PreToolUse on Write: scripts and configs Claude writes in the workspace
// stay at Claude's path with each secret replaced by a reference to an
// environment variable in the file's language (the values go to the
// session's secret store and its env file, so the script still runs), and a
// copy goes to `.cs/artifacts/` (a free name: deploy.sh, deploy_2.sh, …) with
// its MANIFEST entry. An adopted repo gets the references but no copy.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirConfined, readConfined, writeConfined } from '../lib/confine.js';
import { exists } from '../lib/fsutil.js';
import { withLock } from '../lib/lockfile.js';
import { appendSessionLog } from '../session/log.js';
import { secretsOwner } from '../features/ref.js';
import type { HookInput } from './protocol.js';
import { obj, redirectInput, str } from './protocol.js';
import { isInside, realTarget, type HookSession } from './session.js';
import { MAX_KEPT_STRING, omittedBytes } from './skim.js';

export const TRACKED_EXTENSIONS = new Set(['sh', 'bash', 'zsh', 'py', 'js', 'ts', 'rb', 'pl', 'conf', 'config', 'json', 'yaml', 'yml', 'toml', 'ini', 'env']);
/** A file name holding one of these (any case) is captured whatever its extension. */
export const SECRET_NAME_WORDS = ['key', 'secret', 'password', 'token', 'credential', 'auth'] as const;
const SECRET_NAME = new RegExp(`(${SECRET_NAME_WORDS.join('|')})`, 'i');

export function isTrackedFile(fileName: string): boolean {
  const base = path.basename(fileName);
  if (base === '.env' || base.endsWith('.env')) return true;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
  return TRACKED_EXTENSIONS.has(ext) || SECRET_NAME.test(base);
}

export interface ManifestEntry {
  name: string;
  original_path: string;
  captured_at: string;
  sha256: string;
  secrets: string[];
  /** Set when the Write was too big to scan for secrets: it stayed at its path, unscanned. */
  not_scanned?: string;
}

export function readManifest(file: string): ManifestEntry[] {
  try {
    const v = JSON.parse(readConfined(file, '[]')) as unknown;
    return Array.isArray(v) ? (v as ManifestEntry[]) : [];
  } catch {
    return []; // a corrupt manifest is rebuilt from here on; the old one is kept aside
  }
}

/** name, name_2, name_3…: the first not on disk and not in the manifest. */
export function freeName(base: string, taken: (n: string) => boolean): string {
  if (!taken(base)) return base;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const ext = dot > 0 ? base.slice(dot) : '';
  for (let i = 2; ; i++) {
    const candidate = `${stem}_${i}${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

export interface Capture {
  /** The PreToolUse answer: the Write with references instead of values, or null to let it go ahead unchanged. */
  answer: object | null;
  /** The copy in .cs/artifacts/ (null in an adopted repo) and the secret keys the file refers to. */
  artifact: { name: string; secrets: string[] } | null;
}

/**
 * Captures one Write (see the head of this file); null when the Write is
 * not ours (outside the workspace, inside .cs/, an untracked kind of file).
 */
export async function captureWrite(session: HookSession, input: HookInput, env: NodeJS.ProcessEnv, now: Date): Promise<Capture | null> {
  const toolInput = obj(input, 'tool_input');
  const filePath = toolInput && str(toolInput, 'file_path');
  const content = toolInput && str(toolInput, 'content');
  const tooBig = toolInput && omittedBytes(toolInput.content);
  if (!toolInput || !filePath || (content === undefined && tooBig === undefined)) return null;
  const p = session.paths;
  const target = realTarget(path.isAbsolute(filePath) ? filePath : path.join(str(input, 'cwd') ?? p.dir, filePath));
  const workspace = fs.realpathSync(p.dir);
  // Outside the workspace, or already inside .cs/: not ours to capture.
  if (!isInside(target, workspace) || isInside(target, path.join(workspace, '.cs'))) return null;
  if (!isTrackedFile(target)) return null;
  const shown = path.relative(workspace, target);
  const log = (line: string) => appendSessionLog(p.sessionLog, line, now);
  // Judged before the lock (the check loads the scrubber): the lock is held by one capture at a time.
  const pathHolds = await mayHoldSecret(p.name, shown, env);
  const recordedPath = async () => (pathHolds ? (await import('../secrets/scrub.js')).scrubForRecord(p.name, env, shown, "a captured file's path", log) : shown);
  if (content === undefined) return recordUnscanned(p, workspace, await recordedPath(), tooBig!, now);
  const adopted = fs.existsSync(path.join(p.meta, 'adopted'));

  const { detectAndRedact } = await import('../secrets/providers.js');
  const base = path.basename(target);
  let result = await detectAndRedact(base, content);
  if (result.secrets.length === 0 && adopted) return { answer: null, artifact: null };
  mkdirConfined(p.local);
  // One lock for naming, storing and the manifest, so two Writes at once
  // can neither pick the same name nor give one key two values.
  let recorded = shown;
  const name = await withLock(path.join(p.local, 'manifest.lock'), async () => {
    if (result.secrets.length > 0) result = await storeFound(p.name, base, content, env, log);
    recorded = await recordedPath();
    if (adopted) return null;
    mkdirConfined(p.artifacts);
    const entries = readManifest(p.manifest);
    const listed = new Set(entries.map((e) => e.name));
    const chosen = freeName(copyName(recorded), (n) => listed.has(n) || exists(path.join(p.artifacts, n)));
    writeConfined(path.join(p.artifacts, chosen), result.content);
    entries.push({
      name: chosen,
      original_path: path.join(workspace, recorded),
      captured_at: now.toISOString(),
      sha256: createHash('sha256').update(result.content).digest('hex'),
      secrets: result.secrets.map((x) => x.key),
    });
    writeConfined(p.manifest, JSON.stringify(entries, null, 2) + '\n');
    return chosen;
  });
  const keys = result.secrets.map((x) => x.key);
  if (name) log(`artifact captured: ${name} (from ${recorded})${keys.length ? `; secrets stored: ${keys.join(', ')}` : ''}`);
  else log(`secrets replaced by environment references in ${recorded}: ${keys.join(', ')}`);
  const artifact = name ? { name, secrets: keys } : null;
  if (keys.length === 0) return { answer: null, artifact }; // the Write goes ahead as Claude asked
  return { answer: redirectInput({ ...toolInput, content: result.content }, secretsNote(p.name, shown, result)), artifact };
}

/**
 * Reads the session's stored secrets, names what the file holds against
 * them (never over another value), stores the new ones and refreshes the
 * session's env file. Runs under the manifest lock.
 */
async function storeFound(session: string, base: string, content: string, env: NodeJS.ProcessEnv, notice: (line: string) => void) {
  const [{ detectAndRedact }, { selectBackend }, { writeSessionEnvFile }] = await Promise.all([
    import('../secrets/providers.js'),
    import('../secrets/backend.js'),
    import('../secrets/store.js'),
  ]);
  // A feature session (base@feature) keeps its secrets in its base's store; the env file is its own.
  const owner = secretsOwner(session);
  const { backend } = await selectBackend(owner, env, { notice });
  const stored = await backend.getAll(owner);
  const result = await detectAndRedact(base, content, { stored });
  if (result.fresh.length > 0) {
    const entries = Object.fromEntries(result.fresh.map((x) => [x.key, x.value]));
    await backend.setMany(owner, entries);
    writeSessionEnvFile(session, { ...stored, ...entries }, env);
  }
  return result;
}

/**
 * Whether the file's path in the workspace (`shown`) holds a value of the
 * running session or one the detector finds (a token as a folder or file
 * name). Such a path is kept in the capture's records (the copy's name,
 * MANIFEST.json, the session log) only scrubbed (scrubForRecord: `[secret:
 * KEY]`, a new value stored as a tool call's are): those records are
 * committed and synced, and one holding a value is left out of every
 * snapshot from then on. Reads no store: a capture of a plain path pays
 * nothing more than this check.
 */
async function mayHoldSecret(session: string, shown: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { runningSessionSecrets, scrubDetected, scrubKnown } = await import('../secrets/scrub.js');
  const running = runningSessionSecrets(session, env);
  return scrubKnown(shown, running).count > 0 || (await scrubDetected(shown, running)).count > 0;
}

/** The copy's name in .cs/artifacts/ for a recorded path: its base name, a value's marker as the bare key (deploy-GITHUB_TOKEN.sh), no ':' or blank in a file name. */
function copyName(recorded: string): string {
  return path.basename(recorded).replace(/\[secret: ([A-Za-z_][A-Za-z0-9_]*)\]/g, '$1');
}

/** What Claude is told after a capture: which variables now hold the secrets, and how to run the file. */
export function secretsNote(session: string, shown: string, r: { secrets: { key: string }[]; renamed: { from: string; to: string }[] }): string {
  const keys = r.secrets.map((x) => x.key);
  const lines = [
    `cs: ${shown} holds no secret values: cs stored them for session "${session}" and the file reads them from environment variable${keys.length > 1 ? 's' : ''} ${keys.join(', ')}.`,
    `Your later Bash commands in this session have ${keys.length > 1 ? 'these variables' : 'this variable'} set; elsewhere run \`cs ${session} -secrets exec -- <command>\`. Refer to the variables, never write the values into files.`,
  ];
  for (const { from, to } of r.renamed) lines.push(`${from} already holds a different value in this session, so the new value is ${to}.`);
  return lines.join('\n');
}

/**
 * A Write whose content was too big to read (skim.ts) cannot be scanned for
 * secrets: it stays at its path, and the session log and the MANIFEST say
 * it was not scanned, so nobody takes it for checked.
 */
async function recordUnscanned(p: HookSession['paths'], workspace: string, recorded: string, bytes: number, now: Date): Promise<Capture> {
  const why = `too big to scan for secrets (${bytes} bytes, over ${MAX_KEPT_STRING})`;
  appendSessionLog(p.sessionLog, `not scanned: ${recorded} is ${why}; it was written in place`, now);
  mkdirConfined(p.local);
  await withLock(path.join(p.local, 'manifest.lock'), () => {
    const entries = readManifest(p.manifest);
    entries.push({ name: copyName(recorded), original_path: path.join(workspace, recorded), captured_at: now.toISOString(), sha256: '', secrets: [], not_scanned: why });
    writeConfined(p.manifest, JSON.stringify(entries, null, 2) + '\n');
  });
  return { answer: null, artifact: null };
}
