// .cs/sync.conf: `key=value` lines (remote=<url>, auto=on|off); `#` starts
// a comment. Unknown keys are kept when we rewrite the file.
import * as path from 'node:path';
import { ensureDir, readFileOr, writeFileAtomic } from '../fsutil.js';

export interface SyncConf {
  remote: string | null;
  auto: boolean;
}

export function syncConfPath(dir: string): string {
  return path.join(dir, '.cs', 'sync.conf');
}

export function parseSyncConf(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    map.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return map;
}

export function readSyncConf(dir: string): SyncConf {
  const map = parseSyncConf(readFileOr(syncConfPath(dir), ''));
  const remote = map.get('remote');
  return { remote: remote ? remote : null, auto: map.get('auto') === 'on' };
}

/** Sets keys, keeping comments, order and keys we do not know. */
export function updateSyncConf(dir: string, changes: Partial<SyncConf>): void {
  const file = syncConfPath(dir);
  const lines = readFileOr(file, '').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const values: Record<string, string> = {};
  if (changes.remote !== undefined) values.remote = changes.remote ?? '';
  if (changes.auto !== undefined) values.auto = changes.auto ? 'on' : 'off';
  for (const [key, value] of Object.entries(values)) {
    const i = lines.findIndex((l) => l.trim().startsWith(`${key}=`) || l.trim().startsWith(`${key} =`));
    if (i >= 0) lines[i] = `${key}=${value}`;
    else lines.push(`${key}=${value}`);
  }
  ensureDir(path.dirname(file));
  writeFileAtomic(file, lines.join('\n') + '\n');
}
