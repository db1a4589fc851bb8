// Updates of an npm install (`npm i -g claude-sessions`): npm owns the files,
// so cs does not replace them itself; it says (or runs) the npm command. When
// the release feed publishes a signature, the release is checked against the
// key shipped with the installed package first, as for the self-managed layout.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFileOr } from '../lib/fsutil.js';
import { fetchAndVerify, PUBLIC_KEY_FILE } from './apply.js';
import { readPackageVersion } from './layout.js';
import { fetchRelease, METADATA_LIMITS } from './release.js';
import { compareVersions } from './version.js';

/** The npm package name users install. */
export const NPM_PACKAGE = 'claude-sessions';

export interface NpmUpdatePlan {
  installed: string;
  latest: string;
  updateAvailable: boolean;
  /** argv of the npm command that installs `latest` (null when up to date). */
  command: string[] | null;
  /** The signature's trusted comment when the release was verified; null when this package ships no key. */
  verified: string | null;
}

/**
 * Reads the release feed at `url` and, when it names a newer version than the
 * package in `pkgDir`, verifies that release (SHA-256 + minisign with the
 * package's own minisign.pub, if it ships one). Throws UserError when the
 * check fails: then no command is offered.
 */
export async function planNpmUpdate(pkgDir: string, url: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<NpmUpdatePlan> {
  const installed = readPackageVersion(pkgDir) ?? '0.0.0';
  const release = await fetchRelease(url, METADATA_LIMITS);
  if (compareVersions(release.version, installed) <= 0) return { installed, latest: release.version, updateAvailable: false, command: null, verified: null };
  const key = readFileOr(path.join(pkgDir, PUBLIC_KEY_FILE), '');
  let verified: string | null = null;
  if (key !== '') {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-update-'));
    try {
      verified = (await fetchAndVerify(release, key, work, { env, url, log })).comment;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  return { installed, latest: release.version, updateAvailable: true, command: ['npm', 'install', '-g', `${NPM_PACKAGE}@${release.version}`], verified };
}
