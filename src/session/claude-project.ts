// Where Claude Code keeps a workspace's transcripts:
// <CLAUDE_CONFIG_DIR>/projects/<slug of the absolute path>/<session-uuid>.jsonl
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Claude Code's directory name for a workspace path: every non-alphanumeric character becomes "-". */
export function claudeProjectSlug(absPath: string): string {
  return absPath.replace(/[^a-zA-Z0-9]/g, '-');
}

export function claudeProjectDir(configDir: string, absPath: string): string {
  return path.join(configDir, 'projects', claudeProjectSlug(absPath));
}

/** The newest transcript of the workspace, or null when it has none. */
export function latestTranscript(configDir: string, absPath: string): string | null {
  const dir = claudeProjectDir(configDir, absPath);
  let best: { file: string; mtime: number } | null = null;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of entries) {
    if (!name.endsWith('.jsonl')) continue;
    const file = path.join(dir, name);
    const mtime = fs.statSync(file).mtimeMs;
    if (!best || mtime > best.mtime) best = { file, mtime };
  }
  return best?.file ?? null;
}
