// One-time sign-in links of `cs -serve`: each works once, within
// linkTtlMs() of being made (a link left in a terminal's scrollback, a shell
// history or a chat signs nobody in later). The server makes its own (the
// first one it prints, then one after each sign-in) and keeps them in
// memory; `cs -serve --link`, run by the same user in any terminal, makes one
// for the running server and leaves it in `<cs config dir>/serve-links.json`
// (0600, only SHA-256 digests), where the server redeems it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { newSecret } from '../lib/lazy-crypto.js';
import { withLockSync } from '../lib/lockfile.js';
import { csConfigDir } from '../session/paths.js';

/** How long a link works by default (ms). */
const LINK_TTL_MS = 15 * 60_000;

/** How long a sign-in link works (ms): CS_SERVE_LINK_TTL_MS (tests), else 15 minutes. */
export function linkTtlMs(env: NodeJS.ProcessEnv): number {
  const n = Number(env.CS_SERVE_LINK_TTL_MS);
  return Number.isFinite(n) && n > 0 ? n : LINK_TTL_MS;
}

/** "15 minutes", for the lines that print a link. */
export function describeTtl(env: NodeJS.ProcessEnv): string {
  const min = Math.round(linkTtlMs(env) / 60_000);
  return min >= 1 ? `${min} minute${min === 1 ? '' : 's'}` : `${Math.round(linkTtlMs(env) / 1000)} seconds`;
}

export const linksFile = (env: NodeJS.ProcessEnv) => path.join(csConfigDir(env), 'serve-links.json');

/** hex SHA-256 of a code: what is kept, so reading the file or the memory signs nobody in. */
export const codeDigest = (code: string) => createHash('sha256').update(code).digest('hex');

/** A new code: 24 random bytes, base64url (192 bits: not guessed). */
export function newCode(): string {
  return newSecret(24);
}

interface Stored {
  digest: string;
  /** ms since the epoch. */
  expires: number;
}

function readStored(env: NodeJS.ProcessEnv): Stored[] {
  try {
    const all = JSON.parse(fs.readFileSync(linksFile(env), 'utf8')) as unknown;
    return Array.isArray(all) ? all.filter((l): l is Stored => !!l && typeof l.digest === 'string' && typeof l.expires === 'number') : [];
  } catch {
    return []; // none yet, or damaged: no stored link works
  }
}

/** Read, change and write the file under its lock; the expired links are dropped on the way. */
function changeStored(env: NodeJS.ProcessEnv, now: number, fn: (links: Stored[]) => Stored[]): void {
  ensureDir(csConfigDir(env), 0o700);
  withLockSync(`${linksFile(env)}.lock`, () => {
    const before = readStored(env);
    const after = fn(before.filter((l) => l.expires > now));
    if (after.length !== before.length || after.some((l, i) => l !== before[i])) writeFileAtomic(linksFile(env), JSON.stringify(after) + '\n', 0o600);
  });
}

/**
 * Makes a code for the running server (cs -serve --link) and records its
 * digest with its expiry; returns the code. `now` in ms since the epoch.
 * Throws when the config dir cannot be written.
 */
export function storeLink(env: NodeJS.ProcessEnv, now = Date.now()): string {
  const code = newCode();
  changeStored(env, now, (links) => [...links, { digest: codeDigest(code), expires: now + linkTtlMs(env) }]);
  return code;
}

/** Spends a stored link: true when `digest` was there and unexpired at `now` (ms). Never throws: a file it cannot read or write signs nobody in. */
export function redeemStored(env: NodeJS.ProcessEnv, digest: string, now = Date.now()): boolean {
  if (!readStored(env).some((l) => l.digest === digest)) return false; // the usual case: no lock, no write
  let found = false;
  try {
    changeStored(env, now, (links) => {
      found = links.some((l) => l.digest === digest);
      return links.filter((l) => l.digest !== digest);
    });
  } catch {
    return false;
  }
  return found;
}
