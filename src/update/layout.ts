// Where the installed package lives. install.ts and `cs -update` share this:
//   <dataDir>/versions/<version>/   one unpacked package per version
//   <dataDir>/current  -> versions/<version>   the active one
//   <dataDir>/previous -> versions/<version>   kept for `cs -update --rollback`
// Pure functions of the environment, so tests point everything into a temp dir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { homeDir } from '../session/paths.js';

export function dataDir(env: NodeJS.ProcessEnv): string {
  if (env.CS_DATA_DIR && env.CS_DATA_DIR.trim() !== '') return path.resolve(env.CS_DATA_DIR);
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.trim() !== '' ? env.XDG_DATA_HOME : path.join(homeDir(env), '.local', 'share');
  return path.resolve(base, 'cs');
}

export function versionsDir(env: NodeJS.ProcessEnv): string {
  return path.join(dataDir(env), 'versions');
}

export function versionDir(env: NodeJS.ProcessEnv, version: string): string {
  return path.join(versionsDir(env), version);
}

export function currentLink(env: NodeJS.ProcessEnv): string {
  return path.join(dataDir(env), 'current');
}

export function previousLink(env: NodeJS.ProcessEnv): string {
  return path.join(dataDir(env), 'previous');
}

export interface InstalledVersion {
  version: string;
  /** Real path of the version directory (not the link). */
  dir: string;
}

/** The version a link points at, or undefined when the link or its package.json is missing. */
export function readLinkedVersion(link: string): InstalledVersion | undefined {
  let dir: string;
  try {
    dir = fs.realpathSync(link);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const version = readPackageVersion(dir);
  return version === undefined ? undefined : { version, dir };
}

/** The active installed version (`<dataDir>/current`), if cs is installed. */
export function readInstalled(env: NodeJS.ProcessEnv): InstalledVersion | undefined {
  return readLinkedVersion(currentLink(env));
}

export function readPackageVersion(dir: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const v = (JSON.parse(text) as { version?: unknown }).version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined; // a broken package.json means "not a usable install"
  }
}

/**
 * Points `link` at `target` atomically: a new symlink is made beside it and
 * renamed over the old one, so readers see the old target or the new, never
 * a missing link. The target is stored relative to the link's directory so
 * the data dir can be moved as a whole.
 */
export function replaceSymlink(link: string, target: string): void {
  const dir = path.dirname(link);
  const tmp = path.join(dir, `.${path.basename(link)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.symlinkSync(path.relative(dir, target) || '.', tmp);
    fs.renameSync(tmp, link);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Makes `versionDirPath` the active version (install.ts calls this after copying). */
export function switchCurrent(env: NodeJS.ProcessEnv, versionDirPath: string): void {
  replaceSymlink(currentLink(env), versionDirPath);
}
