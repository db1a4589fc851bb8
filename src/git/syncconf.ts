// .cs/sync.conf: `key=value` lines (remote=<url>, auto=on|off); `#` starts
// a comment. Unknown keys are kept when we rewrite the file.
import * as path from 'node:path';
import { parseConf } from '../lib/conf.js';
import { writeConfined } from '../lib/confine.js';
import { ensureDir, readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import { refuseUrlPassword } from './url-password.js';

export interface SyncConf {
  remote: string | null;
  auto: boolean;
}

export function syncConfPath(dir: string): string {
  return path.join(dir, '.cs', 'sync.conf');
}

/** What a sync.conf's text says (pure: -ls reads the text itself). */
export function syncConfFrom(text: string): SyncConf {
  const c = parseConf(text);
  return { remote: c.remote ? c.remote : null, auto: c.auto === 'on' };
}

export function readSyncConf(dir: string): SyncConf {
  return syncConfFrom(readFileOr(syncConfPath(dir), ''));
}

/**
 * Sets keys, keeping comments, order and keys we do not know.
 * @throws UserError for a remote URL with a password: the file is tracked, so it would be committed
 */
export function updateSyncConf(dir: string, changes: Partial<SyncConf>): void {
  if (changes.remote) refuseUrlPassword(changes.remote);
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
  writeConfined(file, lines.join('\n') + '\n');
}
