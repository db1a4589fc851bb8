// `cs -update` as a list of steps: fetch metadata, download, verify SHA-256,
// verify the minisign signature with the key of the INSTALLED version,
// unpack, check the package, move it into versions/<v>, switch `current`.
// Nothing the user runs changes until the final symlink rename; any failure
// before it leaves the installed version as it was and removes temp files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeHolder, tryLock } from '../lib/lockfile.js';
import { errorMessage, UserError } from '../lib/errors.js';
import { readFileOr } from '../lib/fsutil.js';
import { expectedSha256, sha256File } from './checksums.js';
import { extractTarball } from './extract.js';
import { downloadToFile, fetchBytes, type FetchLimits } from './fetch.js';
import {
  currentLink,
  dataDir,
  previousLink,
  readInstalled,
  readLinkedVersion,
  readPackageVersion,
  replaceSymlink,
  versionDir,
  versionsDir,
  type InstalledVersion,
} from './layout.js';
import { parsePublicKey, verifyMinisignFile } from './minisign.js';
import { fetchRelease, METADATA_LIMITS, type Release } from './release.js';
import { compareVersions, isVersion } from './version.js';

export const TARBALL_LIMITS: FetchLimits = { timeoutMs: 120_000, maxBytes: 100 * 1024 * 1024 };
export const SMALL_LIMITS: FetchLimits = { timeoutMs: 15_000, maxBytes: 1024 * 1024 };
export const PUBLIC_KEY_FILE = 'minisign.pub';

export interface UpdateParams {
  env: NodeJS.ProcessEnv;
  url: string;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  limits?: { metadata?: FetchLimits; tarball?: FetchLimits; small?: FetchLimits };
}

export interface UpdateResult {
  updated: boolean;
  /** The version active after the call. */
  installed: string;
  /** The version kept for rollback (after an update: the one replaced). */
  previous?: string;
  latest: string;
  trustedComment?: string;
}

/** The installed version, or a UserError saying how to install. */
export function requireInstalled(env: NodeJS.ProcessEnv): InstalledVersion {
  const installed = readInstalled(env);
  if (!installed) {
    throw new UserError(
      `cs is not installed under ${dataDir(env)} (no '${currentLink(env)}')`,
      'install it: npm i -g claude-sessions (updates then go through npm), or npm run setup from a checkout',
    );
  }
  return installed;
}

/** The public key shipped with the installed version: never one from a download. */
export function readTrustedKey(installed: InstalledVersion): string {
  const file = path.join(installed.dir, PUBLIC_KEY_FILE);
  const text = readFileOr(file, '');
  if (text === '') {
    throw new UserError(`the installed cs ${installed.version} has no release key (${file})`, 'reinstall cs from a signed release');
  }
  try {
    parsePublicKey(text); // a broken key is reported now, not as a signature failure
  } catch (e) {
    throw new UserError(
      `the installed cs ${installed.version} has no usable release key (${file}: ${errorMessage(e)})`,
      'this build was not made from a signed release; reinstall cs from one (see docs/releasing.md)',
    );
  }
  return text;
}

export async function applyUpdate(params: UpdateParams): Promise<UpdateResult> {
  const { env } = params;
  const installedBefore = requireInstalled(env);
  if (!fs.lstatSync(currentLink(env)).isSymbolicLink()) {
    throw new UserError(`${currentLink(env)} is not a link, so it cannot be switched safely`, 'reinstall cs (npm run setup) and try again');
  }
  const key = readTrustedKey(installedBefore);
  return withUpdateLock(env, async () => {
    const installed = requireInstalled(env); // another update may have finished while we waited
    const release = await fetchRelease(params.url, params.limits?.metadata ?? METADATA_LIMITS);
    if (compareVersions(release.version, installed.version) <= 0) {
      return { updated: false, installed: installed.version, latest: release.version };
    }
    fs.mkdirSync(versionsDir(env), { recursive: true });
    removeStaleWork(env);
    const work = fs.mkdtempSync(path.join(versionsDir(env), '.update-'));
    try {
      const staged = await fetchAndVerify(release, key, work, params);
      const comment = staged.comment;
      const dest = placeVersion(env, staged.dir, release.version, work, installed.dir);
      replaceSymlink(previousLink(env), installed.dir);
      replaceSymlink(currentLink(env), dest);
      try {
        pruneVersions(env, params.log);
      } catch (e) {
        // The new version is active; old directories only cost disk space.
        params.log(`could not clean up old versions in ${versionsDir(env)}: ${errorMessage(e)}`);
      }
      return { updated: true, installed: release.version, previous: installed.version, latest: release.version, trustedComment: comment };
    } catch (e) {
      if (e instanceof UserError) {
        throw new UserError(`update to cs ${release.version} refused: ${e.message}`, e.hint ?? `cs ${installed.version} is still installed`);
      }
      if (typeof (e as NodeJS.ErrnoException).code === 'string') {
        // Disk full, permissions: the user can act on these, so say them in one line.
        throw new UserError(`update to cs ${release.version} failed: ${errorMessage(e)}`, `cs ${installed.version} is still installed`);
      }
      throw e;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

/** Downloads the release tarball into `work`, checks SHA-256 and the minisign signature with `key`, unpacks and checks the package. Throws UserError on any mismatch. */
export async function fetchAndVerify(release: Release, key: string, work: string, params: UpdateParams): Promise<{ dir: string; comment: string }> {
  const small = params.limits?.small ?? SMALL_LIMITS;
  const tarball = path.join(work, release.tarballName);
  params.log(`downloading cs ${release.version} from ${release.tarball.host}`);
  await downloadToFile(release.tarball, tarball, `download of ${release.tarballName}`, params.limits?.tarball ?? TARBALL_LIMITS);
  const sums = (await fetchBytes(release.sha256sums, 'download of the checksums file', small)).toString('utf8');
  const sig = (await fetchBytes(release.minisig, 'download of the signature', small)).toString('utf8');

  const want = expectedSha256(sums, release.tarballName);
  const got = await sha256File(tarball);
  if (got !== want) {
    throw new UserError(`SHA-256 of ${release.tarballName} does not match the checksums file (got ${got.slice(0, 12)}…, expected ${want.slice(0, 12)}…)`);
  }
  let comment: string;
  try {
    comment = await verifyMinisignFile(key, sig, tarball);
  } catch (e) {
    throw new UserError(`signature check failed: ${errorMessage(e)}`);
  }
  const signedName = /(?:^|\t)file:([^\t]*)/.exec(comment)?.[1];
  if (signedName !== undefined && signedName !== release.tarballName) {
    throw new UserError(`the signature is for '${signedName}', not ${release.tarballName}`);
  }
  params.log(`verified SHA-256 and signature (${comment})`);

  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  const dir = await extractTarball(tarball, unpacked);
  checkPackage(dir, release.version);
  return { dir, comment };
}

/** The unpacked package must be the advertised version and able to verify the next update. */
function checkPackage(dir: string, version: string): void {
  const found = readPackageVersion(dir);
  if (found === undefined) throw new UserError('the release tarball has no readable package.json');
  if (found.replace(/^v/, '') !== version) {
    throw new UserError(`the release tarball holds version ${found}, but the metadata advertises ${version}`);
  }
  if (!fs.existsSync(path.join(dir, 'dist', 'cs.js'))) throw new UserError('the release tarball has no dist/cs.js');
  const keyFile = path.join(dir, PUBLIC_KEY_FILE);
  if (!fs.existsSync(keyFile)) {
    throw new UserError(`the release has no ${PUBLIC_KEY_FILE}, so later updates could not be verified`);
  }
  parsePublicKey(fs.readFileSync(keyFile, 'utf8'));
}

/** Renames the staged package to versions/<version> (same filesystem, so atomic). */
function placeVersion(env: NodeJS.ProcessEnv, staged: string, version: string, work: string, installedDir: string): string {
  const dest = versionDir(env, version);
  // The native keychain module (not bundled) is not in the tarball; keep the one installed with us.
  const keyring = path.join(installedDir, 'node_modules', '@napi-rs');
  const stagedKeyring = path.join(staged, 'node_modules', '@napi-rs');
  if (fs.existsSync(keyring) && !fs.existsSync(stagedKeyring)) {
    fs.cpSync(keyring, stagedKeyring, { recursive: true, verbatimSymlinks: true });
  }
  if (fs.existsSync(dest)) {
    // Left from an earlier install of this version (e.g. before a rollback):
    // it is not `current`, so it can make way for the copy we just verified.
    fs.renameSync(dest, path.join(work, 'replaced'));
  }
  fs.renameSync(staged, dest);
  return dest;
}

/** Keeps only `current` and `previous`; older versions are removed. */
function pruneVersions(env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  const keep = new Set([readInstalled(env)?.dir, readLinkedVersion(previousLink(env))?.dir].filter(Boolean));
  for (const name of fs.readdirSync(versionsDir(env))) {
    const dir = path.join(versionsDir(env), name);
    if (!isVersion(name) || keep.has(dir)) continue;
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      log(`could not remove the old version ${dir}: ${errorMessage(e)}`); // harmless: only disk space
    }
  }
}

/** Work dirs left by an update that crashed (we hold the lock, so none is in use). */
function removeStaleWork(env: NodeJS.ProcessEnv): void {
  for (const name of fs.readdirSync(versionsDir(env))) {
    if (name.startsWith('.update-')) fs.rmSync(path.join(versionsDir(env), name), { recursive: true, force: true });
  }
}

export interface RollbackResult {
  installed: string;
  previous: string;
}

/** Swaps `current` and `previous` (a second rollback rolls forward again). */
export async function rollback(env: NodeJS.ProcessEnv): Promise<RollbackResult> {
  return withUpdateLock(env, async () => {
    const current = requireInstalled(env);
    const previous = readLinkedVersion(previousLink(env));
    if (!previous || previous.dir === current.dir) {
      throw new UserError(`no previous version to roll back to (cs ${current.version} is installed)`, 'a rollback is possible after cs -update');
    }
    replaceSymlink(previousLink(env), current.dir);
    replaceSymlink(currentLink(env), previous.dir);
    return { installed: previous.version, previous: current.version };
  });
}

export async function withUpdateLock<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const r = tryLock(path.join(dataDir(env), 'update.lock'), { garbageIsStale: true });
  if (!r.ok) {
    const who = r.current.kind === 'held' ? ` (${describeHolder(r.current.info)})` : '';
    throw new UserError(`another cs -update is running${who}`, 'wait for it to finish and try again');
  }
  try {
    return await fn();
  } finally {
    r.handle.release();
  }
}
