// The transcripts `--move-to` carries to the host: every `.jsonl` file Claude
// Code keeps for the workspace (<CLAUDE_CONFIG_DIR>/projects/<slug>/, with
// subfolders such as a conversation's subagents), read here with the
// workspace's path replaced by the placeholder (as the two-laptop sync does,
// transcripts.ts), sent over ssh on stdin, and installed by the host's cs
// under the host's own project slug with the placeholder set to its path.
// Plain text only ever travels inside the ssh connection; the host never
// overwrites a transcript it already holds with other content.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { claudeProjectDir } from '../session/claude-project.js';
import { claudeConfigDir } from '../session/paths.js';
import { ownsEntry, type Owned } from './owned.js';
import { fromPortable, toPortable, workspaceRealPath } from './transcripts.js';

export interface CarriedFile {
  /** Path under the project directory, "/"-separated (e.g. "<uuid>.jsonl"). */
  path: string;
  /** Content with the workspace path replaced by the placeholder. */
  text: string;
}

export interface Bundle {
  format: 'cs-transcripts';
  version: 1;
  files: CarriedFile[];
}

// One segment of a carried path: what Claude Code names its files and folders
// (uuids, "subagents", "agent-<id>.jsonl"); never "." or "..".
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

function safeRelative(rel: string): boolean {
  const parts = rel.split('/');
  return parts.length <= 8 && parts.every((p) => SEGMENT.test(p) && p !== '..') && rel.endsWith('.jsonl');
}

/**
 * Every transcript Claude Code keeps for the workspace at `sessionDir` on
 * this machine that `owned` takes in (null: the whole project folder; of a
 * folder another session shares, the session's own conversations:
 * src/conversations/owned.ts), portable. Throws when the folder cannot be read.
 */
export function bundleTranscripts(env: NodeJS.ProcessEnv, sessionDir: string, owned: Owned = null): Bundle {
  const here = workspaceRealPath(sessionDir);
  const dir = claudeProjectDir(claudeConfigDir(env), here);
  const files: CarriedFile[] = [];
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no conversation yet
      throw e;
    }
    for (const e of entries) {
      if (!rel && !ownsEntry(owned, e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && safeRelative(r)) files.push({ path: r, text: toPortable(fs.readFileSync(path.join(dir, r), 'utf8'), [here, path.resolve(sessionDir)]) });
    }
  };
  walk('');
  return { format: 'cs-transcripts', version: 1, files };
}

/** Parses what bundleTranscripts made; throws a UserError saying what is wrong. */
export function parseBundle(text: string): Bundle {
  let v: Partial<Bundle>;
  try {
    v = JSON.parse(text) as Partial<Bundle>;
  } catch {
    throw new UserError('the transcripts sent here are not JSON');
  }
  if (v?.format !== 'cs-transcripts' || v.version !== 1 || !Array.isArray(v.files)) throw new UserError('the transcripts sent here are not a cs-transcripts bundle, version 1');
  for (const f of v.files) {
    if (typeof f?.path !== 'string' || !safeRelative(f.path)) throw new UserError(`refusing a transcript path: ${JSON.stringify(String(f?.path).slice(0, 80))}`);
    if (typeof f.text !== 'string') throw new UserError(`the transcript ${f.path} sent here has no text`);
  }
  return v as Bundle;
}

/**
 * Installs a bundle for the workspace that is to be at `sessionDir` (it may
 * not exist yet: its parent's real path is used). Returns the absolute paths
 * written. A file already there with the same content is left alone; one with
 * other content stops everything before anything is written (UserError).
 */
export function installBundle(env: NodeJS.ProcessEnv, sessionDir: string, bundle: Bundle): string[] {
  const parent = path.dirname(path.resolve(sessionDir));
  const there = path.join(fs.existsSync(parent) ? fs.realpathSync(parent) : parent, path.basename(sessionDir));
  const dir = claudeProjectDir(claudeConfigDir(env), there);
  const plan = bundle.files.map((f) => ({ file: path.join(dir, ...f.path.split('/')), text: fromPortable(f.text, there) }));
  const todo = plan.filter(({ file, text }) => {
    if (!fs.existsSync(file)) return true;
    if (fs.readFileSync(file, 'utf8') === text) return false;
    throw new UserError(`${file} already exists here with other content`, 'move or remove it, then move the session again; nothing was changed');
  });
  for (const { file, text } of todo) {
    ensureDir(path.dirname(file), 0o700);
    writeFileAtomic(file, text, 0o600);
  }
  return todo.map((t) => t.file);
}
