// Notices a person sees once per machine on a terminal: something cs cannot
// fix itself (hooks not registered, no keychain) and that every later run
// would otherwise repeat or hide in a log. A marker file per notice in cs's
// config dir holds the text last shown; a different text (a new cause) is
// shown again, and `cs -install` clears the markers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import { csConfigDir } from '../session/paths.js';
import type { IO } from '../term/io.js';

export type NoticeId = 'hooks' | 'keychain';

export function noticesDir(env: NodeJS.ProcessEnv): string {
  return path.join(csConfigDir(env), 'notices');
}

/**
 * Prints `text` on stderr unless this machine has already shown exactly that
 * notice; records it. A config dir we cannot write only means the notice may
 * repeat: never an error.
 */
export function noticeOnce(env: NodeJS.ProcessEnv, io: Pick<IO, 'err'>, id: NoticeId, text: string): boolean {
  const file = path.join(noticesDir(env), id);
  let seen = '';
  try {
    seen = readFileOr(file, '');
  } catch {
    // unreadable marker: show the notice
  }
  if (seen === text) return false;
  io.err(text);
  try {
    ensureDir(noticesDir(env), 0o700);
    writeFileAtomic(file, text, 0o600);
  } catch {
    // a read-only config dir: the notice may come again, which is harmless
  }
  return true;
}

/** Forgets every notice shown (after `cs -install`, so a later fault is reported afresh). */
export function clearNotices(env: NodeJS.ProcessEnv): void {
  fs.rmSync(noticesDir(env), { recursive: true, force: true });
}
