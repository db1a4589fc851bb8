// Every file cs writes for itself lives under a session's `.cs/`, and that
// tree travels through git: a session cloned or pulled from someone else's
// remote can carry `.cs/changes.md -> ~/.bashrc` or `.cs/logs -> /etc`. So
// cs never writes through a symlink there: each directory from `.cs` down is
// checked with lstat (missing ones are created as real directories), and the
// file itself is opened with O_NOFOLLOW or replaced by rename, which never
// follows a link. The session directory above `.cs` is the user's own choice
// (an adopted project is reached through a link) and is not checked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors.js';
import { tempSibling } from './fsutil.js';

export const META_DIR = '.cs';

/**
 * A write cs refused because its target is not plainly inside a session's
 * `.cs/`. A UserError: what is in the way (a link, a file where a folder
 * belongs) was put there by someone, and the message names it.
 */
export class UnsafePathError extends UserError {
  override name = 'UnsafePathError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`refusing to write ${file}: ${reason}`, 'cs keeps its files only in real folders under the session\'s .cs/: move what is in the way, then run the command again');
  }
}


/**
 * Makes sure every directory from `.cs` down to `file`'s parent is a real
 * directory (creating missing ones with `mode`), and that `file` itself is
 * not a symlink. Returns the absolute path. Throws UnsafePathError when a
 * component is a symlink or not a directory, or when `file` has no `.cs`
 * component (a programming error: cs only confines its own files).
 */
export function confinedPath(file: string, dirMode = 0o755): string {
  const abs = path.resolve(file);
  for (const dir of metaDirs(abs)) {
    let st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) {
      try {
        fs.mkdirSync(dir, { mode: dirMode });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      st = fs.lstatSync(dir);
    }
    if (st.isSymbolicLink()) throw new UnsafePathError(abs, `${dir} is a symlink`);
    if (!st.isDirectory()) throw new UnsafePathError(abs, `${dir} is not a directory`);
  }
  if (fs.lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink()) throw new UnsafePathError(abs, 'it is a symlink');
  return abs;
}

/**
 * Makes sure folder `dir` (under a session's `.cs/`, or `.cs` itself) and
 * every folder from `.cs` down to it are real directories, never links:
 * missing ones are made, `dir` itself with `mode` and those above it with
 * 0755 (a recursive mkdir would make them inside wherever a link leads).
 * Returns the absolute path. Throws UnsafePathError as confinedPath does.
 */
export function confinedDir(dir: string, mode = 0o755): string {
  const abs = path.resolve(dir);
  const dirs = path.basename(abs) === META_DIR ? [abs] : metaDirs(path.join(abs, '_'));
  for (const d of dirs) {
    let st = fs.lstatSync(d, { throwIfNoEntry: false });
    if (!st) {
      try {
        fs.mkdirSync(d, { mode: d === abs ? mode : 0o755 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      st = fs.lstatSync(d);
    }
    if (st.isSymbolicLink()) throw new UnsafePathError(abs, `${d} is a symlink`);
    if (!st.isDirectory()) throw new UnsafePathError(abs, `${d} is not a directory`);
  }
  return abs;
}

/**
 * The directories from the last `.cs` of absolute path `abs` down to its
 * parent, outermost first (the session directory's own path may hold a
 * `.cs` further up). Throws UnsafePathError when there is none.
 */
function metaDirs(abs: string): string[] {
  const parts = abs.split(path.sep);
  const at = parts.slice(0, -1).lastIndexOf(META_DIR);
  if (at < 0) throw new UnsafePathError(abs, `not inside a ${META_DIR}/ directory`);
  const dirs: string[] = [];
  for (let i = at; i < parts.length - 1; i++) dirs.push(parts.slice(0, i + 1).join(path.sep) || path.sep);
  return dirs;
}

/**
 * Removes a file of cs's own under a `.cs/` (nothing when it is absent),
 * never through a directory that is a symlink or not a directory: then
 * nothing is removed and false is returned. A symlink at `file` itself is
 * removed as the link it is (unlink never follows one).
 */
export function removeConfined(file: string): boolean {
  const abs = path.resolve(file);
  for (const dir of metaDirs(abs)) {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) return true;
    if (!st.isDirectory()) return false;
  }
  fs.rmSync(abs, { force: true });
  return true;
}

/**
 * True when `file` is inside `root` and nothing from `root` down to `file`
 * (both included) is a symlink, dangling or not; missing parts are fine.
 */
export function noLinkFrom(root: string, file: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  let p = path.resolve(root);
  for (const part of ['', ...rel.split(path.sep)]) {
    p = part ? path.join(p, part) : p;
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return true;
    if (st.isSymbolicLink()) return false;
  }
  return true;
}

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
// A FIFO planted by hand would block an open for writing: don't wait for it.
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/**
 * The text of `file` under a session's `.cs/`, never read through a symlink:
 * what cs reads there it may write back elsewhere under `.cs/` (PreCompact
 * moves discoveries.md's old sections to the archive, which git takes), so a
 * `.cs/discoveries.md -> ~/notes.md` must not bring the linked file in.
 * `fallback` when the file or a directory on the way is missing; throws
 * UnsafePathError for a link or something other than a regular file (a FIFO
 * or a device would never end).
 */
export function readConfined<T = string>(file: string, fallback: T): string | T {
  const abs = path.resolve(file);
  for (const dir of metaDirs(abs)) {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) return fallback;
    if (st.isSymbolicLink()) throw new UnsafePathError(abs, `${dir} is a symlink`);
    if (!st.isDirectory()) throw new UnsafePathError(abs, `${dir} is not a directory`);
  }
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fallback;
    if (code === 'ELOOP') throw new UnsafePathError(abs, 'it is a symlink');
    throw e;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new UnsafePathError(abs, 'it is not a regular file');
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Appends `text` to `file` under a session's `.cs/` as one write(2), never
 * through a symlink. An append-only file whose last line was cut off (a
 * crash mid-write) first gets a newline, so the torn line does not swallow
 * this record. `text` should end with a newline.
 */
export function appendConfined(file: string, text: string, mode = 0o644): void {
  const abs = confinedPath(file);
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENXIO') throw new UnsafePathError(abs, code === 'ELOOP' ? 'it is a symlink' : 'it is not a regular file');
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UnsafePathError(abs, 'it is not a regular file');
    let prefix = '';
    if (st.size > 0) {
      const last = Buffer.alloc(1);
      const rfd = fs.openSync(abs, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      try {
        fs.readSync(rfd, last, 0, 1, st.size - 1);
      } finally {
        fs.closeSync(rfd);
      }
      if (last[0] !== 0x0a) prefix = '\n';
    }
    fs.writeSync(fd, prefix + text);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `file` under a session's `.cs/` atomically (temp file in the same
 * directory, created exclusively, then rename): readers see the old content
 * or the new, and a symlink at `file` is replaced, never followed. A file
 * that exists keeps no more permission than it had: the new one gets
 * `mode` and the old mode's bits both (0600 stays 0600, 0444 stays 0444).
 */
export function writeConfined(file: string, data: string | Uint8Array, mode = 0o644): void {
  const abs = confinedPath(file);
  const tmp = tempSibling(abs);
  const before = fs.lstatSync(abs, { throwIfNoEntry: false });
  const keep = before?.isFile() ? mode & before.mode & 0o7777 : mode;
  try {
    fs.writeFileSync(tmp, data, { mode: keep, flag: 'wx' });
    // The mode given at creation passes through the umask; a kept one is set as it was.
    if (before?.isFile()) fs.chmodSync(tmp, keep);
    fs.renameSync(tmp, abs);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Creates `dir` (a directory under a session's `.cs/`) and its missing parents as real directories. */
export function mkdirConfined(dir: string, mode = 0o755): void {
  confinedPath(path.join(dir, '.probe'), mode);
}
