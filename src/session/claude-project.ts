// Where Claude Code keeps a workspace's transcripts:
// <CLAUDE_CONFIG_DIR>/projects/<slug>/<session-uuid>.jsonl
//
// Rule (Claude Code 2.1.330, checked against directories made by real runs in
// test/e2e/session/claude-project.test.ts): every UTF-16 code unit of the absolute
// path that is not [a-zA-Z0-9] becomes '-'. When that is longer than 200
// characters, it is cut to 200 and '-' + base36(|javaStringHash(path)|) is
// appended (hash over the original path, 32-bit, like Java's String.hashCode).
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAX_SLUG = 200;

function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return h;
}

/** The directory name Claude Code uses under projects/ for the absolute path `absPath`. */
export function claudeProjectSlug(absPath: string): string {
  const slug = absPath.replace(/[^a-zA-Z0-9]/g, '-');
  if (slug.length <= MAX_SLUG) return slug;
  return `${slug.slice(0, MAX_SLUG)}-${Math.abs(stringHash(absPath)).toString(36)}`;
}

/**
 * <configDir>/projects/<slug>. Claude Code sees its cwd with symlinks
 * resolved, so pass a real path (fs.realpathSync) when the workspace path may
 * contain symlinks.
 */
export function claudeProjectDir(configDir: string, absPath: string): string {
  return path.join(configDir, 'projects', claudeProjectSlug(absPath));
}

/** The newest (by mtime) <session-uuid>.jsonl transcript of the workspace (of those whose file name `accept` takes), or null when there is none. */
export function latestTranscript(configDir: string, absPath: string, accept?: (entry: string) => boolean): string | null {
  const dir = claudeProjectDir(configDir, absPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return null;
  }
  let best: { file: string; mtime: number } | null = null;
  for (const name of names) {
    if (!name.endsWith('.jsonl') || (accept && !accept(name))) continue;
    const file = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    if (!best || st.mtimeMs > best.mtime || (st.mtimeMs === best.mtime && file > best.file)) best = { file, mtime: st.mtimeMs };
  }
  return best ? best.file : null;
}
