// What a refused `cs -adopt --from` must put back. Its refusals that come
// after cs has started writing (a merge of this checkout's records with the
// remote's that conflicts, a checkout git refuses) would otherwise leave
// prepareRepo's lines in the project's git config and info files, cs's refs
// and .cs/local behind, under a message that says nothing was changed. The
// state is taken before the first write and restored exactly: files to
// their bytes (or gone again), refs to their values (or gone again), and
// the folders cs made removed with what cs put in them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../lib/fsutil.js';
import type { Repo } from './repo.js';

/** The refs a records pull or receive may set (records.ts). */
const REFS = ['refs/cs/session', 'refs/cs/remote/session'];

export interface UndoPoint {
  /** Files git or cs append to, with their bytes and mode before (null: missing); one that was a link is not in it. */
  files: Map<string, { bytes: Buffer; mode: number } | null>;
  refs: Map<string, string | null>;
  /** Folders that were missing: removed again, with their contents. */
  missingDirs: string[];
  /** The folder of cs's loose refs when it was missing: removed again once it holds no ref (update-ref -d leaves it). */
  refsDir: string | null;
}

/**
 * The state of `repo` (a work tree at `dir`) that adopting changes: the
 * common git config and info/attributes, info/exclude (prepareRepo), cs's
 * refs, and whether `.cs`, `.cs/local` and the info folder exist.
 */
export async function undoPoint(repo: Repo, dir: string): Promise<UndoPoint> {
  const info = await repo.infoDir();
  const files = new Map<string, { bytes: Buffer; mode: number } | null>();
  for (const f of [path.join(path.dirname(info), 'config'), path.join(info, 'attributes'), path.join(info, 'exclude')]) {
    const st = fs.lstatSync(f, { throwIfNoEntry: false });
    // A link or anything but a file is the user's and never cs's to restore (prepareRepo refuses to
    // write through a link, and that refusal is undone too): left out, so never removed.
    if (st && !st.isFile()) continue;
    files.set(f, st ? { bytes: fs.readFileSync(f), mode: st.mode & 0o7777 } : null);
  }
  const ids = await repo.resolveMany(REFS);
  const refs = new Map(REFS.map((r, i) => [r, ids[i] ?? null] as const));
  // Outermost first: a missing .cs takes .cs/local with it.
  const missingDirs = [path.join(dir, '.cs'), path.join(dir, '.cs', 'local'), info].filter((d) => !fs.lstatSync(d, { throwIfNoEntry: false }));
  const refsDir = path.join(path.dirname(info), 'refs', 'cs');
  return { files, refs, missingDirs, refsDir: fs.lstatSync(refsDir, { throwIfNoEntry: false }) ? null : refsDir };
}

/** Puts `repo` back as `point` found it. Best effort, step by step: a step that fails does not stop the others; the first error is thrown at the end. */
export async function undoTo(repo: Repo, point: UndoPoint): Promise<void> {
  let first: unknown;
  const attempt = async (step: () => unknown) => {
    try {
      await step();
    } catch (e) {
      first ??= e;
    }
  };
  for (const [ref, was] of point.refs) {
    const now = await repo.resolve(ref);
    if (now === was) continue;
    await attempt(() => repo.raw(was === null ? ['update-ref', '-d', ref] : ['update-ref', ref, was]));
  }
  for (const [file, was] of point.files) {
    await attempt(() => {
      if (was === null) return fs.rmSync(file, { force: true });
      if (!fs.readFileSync(file).equals(was.bytes)) writeFileAtomic(file, was.bytes, was.mode);
    });
  }
  for (const d of point.missingDirs) {
    if (!fs.existsSync(d)) continue;
    await attempt(() => fs.rmSync(d, { recursive: true, force: true }));
  }
  const refsDir = point.refsDir;
  if (refsDir && fs.existsSync(refsDir) && holdsNoFile(refsDir)) await attempt(() => fs.rmSync(refsDir, { recursive: true, force: true }));
  if (first !== undefined) throw first;
}

/** True when `dir` holds folders at most, at any depth: no ref would go with it. */
function holdsNoFile(dir: string): boolean {
  return fs.readdirSync(dir, { withFileTypes: true }).every((e) => e.isDirectory() && holdsNoFile(path.join(dir, e.name)));
}
