// "Is there a newer cs?" The answer is cached in <csConfigDir>/update-check.json
// so the daily notice costs one small file read; refreshing it happens in a
// detached child process so no command ever waits on the network.
import { spawn as nodeSpawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../lib/errors.js';
import { readFileOr, writeFileAtomic } from '../lib/fsutil.js';
import type { IO } from '../term/io.js';
import { childEnv } from '../lib/proc.js';
import { csConfigDir } from '../session/paths.js';
import { readInstalled } from './layout.js';
import { fetchRelease, updateUrl } from './release.js';
import { compareVersions, isVersion } from './version.js';

export const CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface UpdateCheckCache {
  /** The feed the answer came from (a changed CS_UPDATE_URL makes it stale). */
  url: string;
  /** Last successful check and what it found. */
  checkedAt?: string;
  latest?: string;
  /** Last time a background check was started (success or not). */
  attemptedAt?: string;
}

export function checkCacheFile(env: NodeJS.ProcessEnv): string {
  return path.join(csConfigDir(env), 'update-check.json');
}

export function readCheckCache(env: NodeJS.ProcessEnv): UpdateCheckCache | undefined {
  try {
    const doc = JSON.parse(readFileOr(checkCacheFile(env), 'null')) as UpdateCheckCache | null;
    return doc && typeof doc.url === 'string' ? doc : undefined;
  } catch {
    return undefined; // a corrupt cache is just an old cache; the next check rewrites it
  }
}

export function writeCheckCache(env: NodeJS.ProcessEnv, cache: UpdateCheckCache): void {
  fs.mkdirSync(csConfigDir(env), { recursive: true });
  writeFileAtomic(checkCacheFile(env), JSON.stringify(cache, null, 2) + '\n');
}

/** Records the latest version we know of (after a check or an update). */
export function recordLatest(env: NodeJS.ProcessEnv, url: string, latest: string, now: Date): void {
  const old = readCheckCache(env);
  writeCheckCache(env, { ...(old?.url === url ? old : {}), url, latest, checkedAt: now.toISOString() });
}

export interface CheckResult {
  installed: string;
  latest: string;
  updateAvailable: boolean;
}

/** Fetches the release metadata, compares, and refreshes the cache. */
export async function checkForUpdate(env: NodeJS.ProcessEnv, installedVersion: string, url: string, now: Date): Promise<CheckResult> {
  const release = await fetchRelease(url);
  recordLatest(env, url, release.version, now);
  return {
    installed: installedVersion,
    latest: release.version,
    updateAvailable: compareVersions(release.version, installedVersion) > 0,
  };
}

export function updateChecksDisabled(env: NodeJS.ProcessEnv): boolean {
  return env.CS_NO_UPDATE_CHECK === '1' || Boolean(env.CI);
}

export interface NotifyDeps {
  /** Starts the background refresh; replaced in tests. */
  spawnCheck?: (csScript: string, env: NodeJS.ProcessEnv) => void;
}

function spawnDetachedCheck(csScript: string, env: NodeJS.ProcessEnv): void {
  const child = nodeSpawn(process.execPath, [csScript, '-update', '--check'], {
    detached: true,
    stdio: 'ignore',
    env: { ...childEnv(env), CS_NO_UPDATE_CHECK: '1' },
  });
  // A check that cannot start is retried tomorrow; it must not crash the command.
  child.on('error', () => {});
  child.unref();
}

function time(iso: string | undefined): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Prints a one-line notice on stderr when the cache knows a newer version,
 * and starts a background refresh when the cache is a day old. Never waits
 * on the network and never fails the command it runs in.
 */
export function maybeNotifyUpdate(ctx: { io: Pick<IO, 'err'>; env: NodeJS.ProcessEnv; now: () => Date }, deps: NotifyDeps = {}): void {
  const { env } = ctx;
  if (updateChecksDisabled(env)) return;
  try {
    const installed = readInstalled(env);
    if (!installed) return; // running from a checkout: nothing to update
    const url = updateUrl(env);
    const cached = readCheckCache(env);
    const cache = cached?.url === url ? cached : undefined;
    if (cache?.latest && isVersion(cache.latest) && isVersion(installed.version) && compareVersions(cache.latest, installed.version) > 0) {
      ctx.io.err(`cs ${cache.latest} is available (you have ${installed.version}); run: cs -update`);
    }
    const now = ctx.now().getTime();
    const last = Math.max(time(cache?.checkedAt), time(cache?.attemptedAt));
    if (now - last >= CHECK_INTERVAL_MS || last > now + CHECK_INTERVAL_MS) {
      writeCheckCache(env, { ...(cache ?? { url }), attemptedAt: new Date(now).toISOString() });
      (deps.spawnCheck ?? spawnDetachedCheck)(path.join(installed.dir, 'dist', 'cs.js'), env);
    }
  } catch (e) {
    // The notice is a courtesy: a read-only config dir must not break `cs`.
    if (env.CS_DEBUG === '1') ctx.io.err(`update check skipped: ${errorMessage(e)}`);
  }
}
