// Small file helpers whose point is crash safety: nothing is ever left
// half-written (temp file in the same directory, then rename).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crypto } from './lazy-crypto.js';

export function tempSibling(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`);
}

/** Writes a file atomically: readers see the old content or the new, never a mix. */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = tempSibling(file);
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates `file` with `data` unless it exists, atomically: readers never see
 * it half-written, and of two processes creating it at once exactly one
 * succeeds (a hard link fails with EEXIST where a rename would replace).
 * Returns true when this call created it, false when it was there; other
 * errors are thrown.
 */
export function createFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): boolean {
  const tmp = tempSibling(file);
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The file's text (UTF-8), or `fallback` when it does not exist; other errors (EACCES, EISDIR) are thrown. */
export function readFileOr<T = string>(file: string, fallback: T): string | T {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw e;
  }
}

/**
 * The lines of a JSON Lines file (https://jsonlines.org) that `parse` turns
 * into a value, in file order; [] when the file cannot be read. A line
 * `parse` rejects (null) or that throws — a torn last line from a crash — is
 * skipped. Blank lines are skipped before `parse` sees them.
 */
export function readJsonLines<T>(file: string, parse: (line: string) => T | null): T[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = parse(line);
      if (v !== null) out.push(v);
    } catch {
      // a torn or foreign line: skipped
    }
  }
  return out;
}

/** The entry names of `dir`, unsorted; [] when it cannot be read (absent, not a directory). */
export function readdirOr(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function ensureDir(dir: string, mode = 0o755): void {
  fs.mkdirSync(dir, { recursive: true, mode });
}

/**
 * The bytes of `file`, a cache of cs's own: only a regular file, opened
 * without following a link (O_NOFOLLOW) and without waiting on a FIFO
 * (O_NONBLOCK), read up to its size as fstat gives it. A link, a device
 * (/dev/zero never ends), a FIFO or a file that is missing gives null:
 * a cache that cannot be read only costs the time it would have saved.
 */
export function readOwnCache(file: string): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return null;
    const data = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < st.size) {
      const n = fs.readSync(fd, data, at, st.size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === st.size ? data : data.subarray(0, at);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
