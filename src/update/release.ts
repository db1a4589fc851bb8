// The release feed: one small JSON document describing the latest release.
//   { "version": "0.2.0",
//     "tarball": "claude-sessions-0.2.0.tgz",
//     "sha256sums": "SHA256SUMS",
//     "minisig": "claude-sessions-0.2.0.tgz.minisig" }
// The three file fields are URLs, absolute or relative to the metadata URL.
import { UserError } from '../lib/errors.js';
import { fetchBytes, type FetchLimits } from './fetch.js';
import { isVersion } from './version.js';

/** Where releases are published (docs/releasing.md). CS_UPDATE_URL overrides it. */
export const DEFAULT_UPDATE_URL = 'https://github.com/claude-sessions/cs/releases/latest/download/release.json';

export function updateUrl(env: NodeJS.ProcessEnv): string {
  const url = env.CS_UPDATE_URL;
  return url && url.trim() !== '' ? url.trim() : DEFAULT_UPDATE_URL;
}

export interface Release {
  version: string;
  tarball: URL;
  /** The file name the checksums file lists the tarball under. */
  tarballName: string;
  sha256sums: URL;
  minisig: URL;
}

export const METADATA_LIMITS: FetchLimits = { timeoutMs: 15_000, maxBytes: 64 * 1024 };

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function parseUrl(text: string, base: string, field: string): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new UserError(`the release metadata has an invalid '${field}' URL: ${text}`);
  }
}

/** Validates the metadata document; `base` resolves relative URLs. */
export function parseRelease(text: string, base: string): Release {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UserError(`the release metadata at ${base} is not JSON`, 'check CS_UPDATE_URL');
  }
  const d = (doc ?? {}) as Record<string, unknown>;
  for (const field of ['version', 'tarball', 'sha256sums', 'minisig']) {
    if (typeof d[field] !== 'string' || d[field] === '') {
      throw new UserError(`the release metadata at ${base} has no '${field}'`, 'check CS_UPDATE_URL');
    }
  }
  const version = d.version as string;
  if (!isVersion(version)) throw new UserError(`the release metadata names an invalid version '${version}'`);
  const tarball = parseUrl(d.tarball as string, base, 'tarball');
  const tarballName = decodeURIComponent(tarball.pathname.split('/').pop() ?? '');
  if (!FILE_NAME.test(tarballName)) throw new UserError(`the release tarball has an unusable file name '${tarballName}'`);
  return {
    version: version.replace(/^v/, ''),
    tarball,
    tarballName,
    sha256sums: parseUrl(d.sha256sums as string, base, 'sha256sums'),
    minisig: parseUrl(d.minisig as string, base, 'minisig'),
  };
}

export async function fetchRelease(url: string, limits: FetchLimits = METADATA_LIMITS): Promise<Release> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`invalid update URL '${url}'`, 'set CS_UPDATE_URL to an https URL of release metadata');
  }
  const body = await fetchBytes(parsed, 'release metadata', limits);
  return parseRelease(body.toString('utf8'), parsed.href);
}
