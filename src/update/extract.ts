// Unpacking a release tarball with the system tar, after reading its table
// of contents: only regular files and directories, all under one top-level
// directory, no absolute paths, no `..`. tar itself also strips such names,
// but a package that needed them is not one we want to install.
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { run } from '../lib/proc.js';

export interface TarEntry {
  name: string;
  /** First character of `tar -tv`: '-' file, 'd' directory, 'l' symlink, 'h' hard link, ... */
  type: string;
}

export async function listTarball(file: string): Promise<TarEntry[]> {
  const names = await tarLines(['-tzf', file]);
  const verbose = await tarLines(['-tvzf', file]);
  if (names.length !== verbose.length) throw new UserError('the release tarball has an unreadable table of contents');
  return names.map((name, i) => ({ name, type: verbose[i]!.charAt(0) }));
}

async function tarLines(args: string[]): Promise<string[]> {
  const r = await run('tar', args, { allowFailure: true });
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').pop() ?? `exit code ${r.code}`;
    throw new UserError(`the release tarball could not be read (${detail})`);
  }
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** Returns the single top-level directory name; throws on anything unsafe. */
export function checkEntries(entries: readonly TarEntry[]): string {
  if (entries.length === 0) throw new UserError('the release tarball is empty');
  let top: string | undefined;
  for (const { name, type } of entries) {
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
      throw new UserError(`the release tarball has an absolute path '${name}'; refusing to install it`);
    }
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..') || name.includes('\\')) {
      throw new UserError(`the release tarball has an entry outside its directory '${name}'; refusing to install it`);
    }
    if (type !== '-' && type !== 'd') {
      throw new UserError(`the release tarball has a link or special file '${name}'; refusing to install it`);
    }
    if (parts.length === 0) continue;
    if (top === undefined) top = parts[0];
    else if (parts[0] !== top) {
      throw new UserError(`the release tarball has more than one top-level directory ('${top}', '${parts[0]}')`);
    }
    if (parts.length === 1 && type !== 'd') {
      throw new UserError(`the release tarball should hold one directory (as npm pack makes), not a file '${name}'`);
    }
  }
  if (top === undefined) throw new UserError('the release tarball is empty');
  return top;
}

/** Checks and extracts `file` into the existing empty `dest`; returns the package directory. */
export async function extractTarball(file: string, dest: string): Promise<string> {
  const top = checkEntries(await listTarball(file));
  const r = await run('tar', ['-xzf', file, '-C', dest, '--no-same-owner', '--no-same-permissions'], {
    allowFailure: true,
  });
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').pop() ?? `exit code ${r.code}`;
    throw new UserError(`the release tarball could not be unpacked (${detail})`);
  }
  return path.join(dest, top);
}
