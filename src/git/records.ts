// The records of an adopted session (`.cs/` minus machine-local state) are
// versioned on a private ref, never on a branch of the user's project. A
// snapshot is built in our own index file with plumbing (as autosave does),
// so the user's index, HEAD, branches and stash never move. Sync exchanges
// only that ref with the remote, by URL and explicit refspec: the user's
// remotes and branches are theirs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { confinedPath, writeConfined } from '../lib/confine.js';
import { ADOPTED_MARKER } from '../session/adopted.js';
import { UserError } from '../lib/errors.js';
import { firstFew } from '../lib/format.js';
import { newSecret } from '../lib/lazy-crypto.js';
import { ensureDir } from '../lib/fsutil.js';
import { LOCAL_DIR, isAncestor } from './autosave.js';
import { GitError, explainWriteError, type Repo } from './repo.js';
import { keepSecretsOut, type SecretFile } from './secret-guard.js';
import { explainRemoteError } from './remote.js';
import { maskUrlPassword } from './url-password.js';
import { SECRETS_PATH } from '../secrets/keys.js';
import type { SecretsMergeNotes } from '../secrets/merge.js';

/** Where the records live, locally and on the remote. */
export const RECORDS_REF = 'refs/cs/session';
/** What the remote's records were at the last fetch. */
export const REMOTE_RECORDS_REF = 'refs/cs/remote/session';
const NETWORK_TIMEOUT_MS = 120_000;
// Records are `.cs/` without machine-local state and per-machine tarballs.
const PATHSPEC = ['.cs', `:(exclude)${LOCAL_DIR}`, ':(exclude).cs/archives'];

/** Our own index for the records (under .cs/local/, never through a link: git writes through one; UnsafePathError). */
function recordsIndex(dir: string): string {
  return confinedPath(path.join(dir, LOCAL_DIR, 'records.index'));
}

/**
 * The tree `.cs/` has on disk now (a fresh index each time: `.cs/` is
 * small), but for a changed file that holds a secret value (secret-guard.ts),
 * which keeps the version of the last snapshot `prev` (none: left out).
 */
async function treeOnDisk(repo: Repo, prev: string | null, known: Readonly<Record<string, string>>): Promise<{ tree: string; withSecrets: SecretFile[] }> {
  const index = recordsIndex(repo.dir);
  ensureDir(path.dirname(index));
  fs.rmSync(index, { force: true });
  const env = { GIT_INDEX_FILE: index };
  try {
    await repo.raw(prev ? ['read-tree', prev] : ['read-tree', '--empty'], env);
    // -f: `.cs/` is in .git/info/exclude so that it never shows in the user's status.
    await repo.raw(['add', '-A', '-f', '--', ...PATHSPEC], env);
    const withSecrets = await keepSecretsOut(repo, env, prev, known);
    return { tree: (await repo.raw(['write-tree'], env)).trim(), withSecrets };
  } finally {
    fs.rmSync(index, { force: true });
  }
}

export interface SnapshotResult {
  /** The records commit after the snapshot (null: nothing recorded yet and nothing to record). */
  commit: string | null;
  /** A new commit was made. */
  changed: boolean;
  /** Changed files left as the last snapshot had them, as they hold a secret value (secret-guard.ts). */
  withSecrets?: SecretFile[];
}

/**
 * Commits `.cs/` as it is on disk onto RECORDS_REF when it differs from the
 * last snapshot; a changed file holding a value of `session`'s secrets (or
 * one the detector finds) keeps its last recorded version. Throws a
 * UserError when .git cannot be written.
 */
export async function snapshotRecords(repo: Repo, session?: string, message = 'cs session records'): Promise<SnapshotResult> {
  const known = session === undefined ? {} : await (await import('../secrets/scrub.js')).knownSessionSecrets(session, repo.callerEnv);
  try {
    const [prev, prevTree] = await repo.resolveMany([RECORDS_REF, `${RECORDS_REF}^{tree}`]);
    const { tree, withSecrets } = await treeOnDisk(repo, prev ?? null, known);
    const left = withSecrets.length ? { withSecrets } : {};
    if (prev && tree === prevTree) return { commit: prev, changed: false, ...left };
    const commit = (await repo.commitRaw(['commit-tree', tree, ...(prev ? ['-p', prev] : []), '-m', message])).trim();
    await repo.raw(['update-ref', '-m', message, RECORDS_REF, commit, prev ?? '']);
    return { commit, changed: true, ...left };
  } catch (e) {
    throw explainWriteError(repo.dir, e);
  }
}

/**
 * Writes tree `to` into `.cs/` of the work tree, where `.cs/` now holds tree
 * `from` (a two-way read-tree in a private index: files that went away are
 * removed, nothing outside `.cs/` is touched).
 */
async function checkoutRecords(repo: Repo, from: string | null, to: string): Promise<void> {
  const index = recordsIndex(repo.dir);
  ensureDir(path.dirname(index));
  fs.rmSync(index, { force: true });
  const env = { GIT_INDEX_FILE: index };
  // The adopted marker says what this checkout is: records that lack it (pushed by hand, or by
  // anyone who can push to the remote) do not make the user's project a workspace of cs's.
  const marker = path.join(repo.dir, ADOPTED_MARKER);
  const kept = fs.lstatSync(marker, { throwIfNoEntry: false })?.isFile() ? fs.readFileSync(marker) : null;
  try {
    if (from) {
      await repo.raw(['read-tree', from], env);
      await repo.tryRaw(['update-index', '-q', '--refresh'], env);
      await repo.raw(['read-tree', '-m', '-u', from, to], env);
    } else {
      await repo.raw(['read-tree', to], env);
      await repo.raw(['checkout-index', '-a', '-f'], env);
    }
  } finally {
    fs.rmSync(index, { force: true });
    if (kept && !fs.existsSync(marker)) writeConfined(marker, kept, 0o644);
  }
}

/**
 * What records from another machine may hold: files under `.cs/` and
 * nothing else, none of them a symbolic link (cs's own later writes would
 * land where it points) or a submodule, none under `.cs/local/` or
 * `.cs/archives/` (this machine's own state, never synced: a pushed
 * `.cs/local/setup-allowed` would allow a script to run here). The records
 * are written into the project's work tree, so a path outside `.cs/` would
 * overwrite the user's own files. Throws UserError naming what is wrong;
 * nothing was written yet.
 */
async function assertRecordsTree(repo: Repo, commit: string, url: string): Promise<void> {
  const entries = (await repo.raw(['ls-tree', '-r', '-z', commit])).split('\0').filter(Boolean).map((e) => ({ mode: e.slice(0, 6), path: e.slice(e.indexOf('\t') + 1) }));
  const links = entries.filter((e) => e.mode === '120000').map((e) => e.path);
  if (links.length) {
    throw new UserError(
      `the session records on ${maskUrlPassword(url)} hold symbolic links (${firstFew(links)}); nothing was changed`,
      'cs never follows links in .cs/: remove them on the machine that pushed them, push again, then pull',
    );
  }
  const synced = (p: string) => p.startsWith('.cs/') && !p.startsWith(`${LOCAL_DIR}/`) && !p.startsWith('.cs/archives/');
  const stray = entries.filter((e) => e.mode === '160000' || !synced(e.path)).map((e) => e.path);
  if (stray.length) {
    throw new UserError(
      `the session records on ${maskUrlPassword(url)} hold paths cs never syncs (${firstFew(stray)}): records are .cs/ without .cs/local/ and .cs/archives/; nothing was changed`,
      `check who can push to ${maskUrlPassword(url)}; records pushed by cs (cs <name> -sync push) hold nothing else`,
    );
  }
}

async function fetchRecords(repo: Repo, url: string, into = REMOTE_RECORDS_REF): Promise<string | null> {
  try {
    // FETCH_HEAD is the user's (an adopted project's own fetches leave it there): cs writes only its ref.
    await repo.network(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', url, `+${RECORDS_REF}:${into}`], NETWORK_TIMEOUT_MS);
  } catch (e) {
    // A remote without records yet is not an error.
    if (e instanceof GitError && /couldn't find remote ref/i.test(e.stderr)) return null;
    throw explainWriteError(repo.dir, explainRemoteError(url, e));
  }
  return repo.resolve(into);
}

/**
 * For `cs -adopt <name> --from <url>`, before anything of cs's is written:
 * the remote's records commit (null: it has none yet), checked as a pull
 * checks it (assertRecordsTree), so that a refusal leaves the project as it
 * was. It is fetched onto a ref of this call's own, deleted again before
 * this returns, and without writing FETCH_HEAD (the user's own fetches use
 * it); what stays is unreferenced objects, which git prunes. Hand the answer
 * to receiveRecords or pullRecords.
 */
export async function fetchCheckedRecords(repo: Repo, url: string): Promise<string | null> {
  // Straight under refs/: deleting refs/cs/<x> would leave an empty refs/cs/ folder behind.
  const ref = `refs/cs-adopting-${process.pid}-${newSecret(6)}`;
  let theirs: string | null;
  try {
    theirs = await fetchRecords(repo, url, ref);
  } finally {
    const r = await repo.tryRaw(['update-ref', '-d', ref]);
    if (r.code !== 0 && (await repo.resolve(ref)) !== null) throw new GitError(['update-ref', '-d', ref], r.code, r.stderr);
  }
  if (theirs) await assertRecordsTree(repo, theirs, url);
  return theirs;
}

/** The remote's records commit: `fetched` (fetchCheckedRecords' answer, then recorded as the remote's), or fetched now. */
async function remoteRecords(repo: Repo, url: string, fetched?: string | null): Promise<string | null> {
  if (fetched === undefined) return fetchRecords(repo, url);
  try {
    if (fetched) await repo.raw(['update-ref', REMOTE_RECORDS_REF, fetched]);
  } catch (e) {
    throw explainWriteError(repo.dir, e);
  }
  return fetched;
}

export interface RecordsPushReport {
  commit: string;
  url: string;
  /** The remote already had this commit. */
  upToDate: boolean;
}

/** `-sync push` of an adopted session: snapshot, then push RECORDS_REF (only) to `url`. */
export async function pushRecords(repo: Repo, url: string, session: string): Promise<RecordsPushReport> {
  const { commit } = await snapshotRecords(repo, session);
  if (!commit) throw new UserError(`session '${session}' has no records to push`, `open it once: cs ${session}`);
  const before = await repo.resolve(REMOTE_RECORDS_REF);
  try {
    // --no-verify: the project's pre-push hook is the user's check of their own code, not of cs's ref.
    await repo.network(['push', '--quiet', '--no-verify', '--', url, `${RECORDS_REF}:${RECORDS_REF}`], NETWORK_TIMEOUT_MS);
  } catch (e) {
    if (e instanceof GitError && /\[rejected\]|non-fast-forward|fetch first/i.test(e.stderr)) {
      throw new UserError(`the remote has session records this machine does not have; nothing was pushed`, `run cs ${session} -sync pull, then cs ${session} -sync push`);
    }
    const refused = e instanceof GitError ? /\[remote rejected\][^\n]*\(([^\n]*)\)/.exec(e.stderr) : null;
    if (refused) {
      throw new UserError(
        `${maskUrlPassword(url)} refused the session records (${RECORDS_REF}: ${refused[1]}); nothing was pushed`,
        `allow pushes of ${RECORDS_REF} there (a server-side hook or ref rule), or push the records elsewhere: cs ${session} -sync remote <url>`,
      );
    }
    throw explainWriteError(repo.dir, explainRemoteError(url, e));
  }
  await repo.raw(['update-ref', REMOTE_RECORDS_REF, commit]);
  return { commit, url, upToDate: before === commit };
}

export type RecordsPullResult = 'up-to-date' | 'ahead' | 'fast-forward' | 'merged' | 'no-remote-records';

export interface RecordsPull {
  result: RecordsPullResult;
  /** .cs/secrets.age changed on both machines and was merged per key: what was settled by rule. */
  secrets?: SecretsMergeNotes;
}

/**
 * `-sync pull` of an adopted session: snapshot local records, fetch the
 * remote's, then fast-forward or merge (append-only logs merge as a union
 * through .git/info/attributes, .cs/secrets.age per key: mergeSecretsInTree)
 * and write the result into `.cs/`. A real conflict changes nothing and
 * names both sides. `fetched`: the remote's commit from fetchCheckedRecords
 * (then nothing is fetched).
 */
export async function pullRecords(repo: Repo, url: string, session: string, fetched?: string | null): Promise<RecordsPull> {
  const { commit: ours } = await snapshotRecords(repo, session);
  const theirs = await remoteRecords(repo, url, fetched);
  if (!theirs) return { result: 'no-remote-records' };
  if (ours === theirs) return { result: 'up-to-date' };
  await assertRecordsTree(repo, theirs, url);
  try {
    if (ours && (await isAncestor(repo, theirs, ours))) return { result: 'ahead' };
    const oursTree = ours ? await repo.resolve(`${ours}^{tree}`) : null;
    if (!ours || (await isAncestor(repo, ours, theirs))) {
      await checkoutRecords(repo, oursTree, `${theirs}^{tree}`);
      await repo.raw(['update-ref', RECORDS_REF, theirs, ours ?? '']);
      return { result: 'fast-forward' };
    }
    const m = await repo.tryRaw(['merge-tree', '--write-tree', '--allow-unrelated-histories', '-z', '--no-messages', ours, theirs]);
    if (m.code !== 0 && m.code !== 1) throw new GitError(['merge-tree'], m.code, m.stderr, m.stdout);
    // -z: the tree, then `<mode> <object> <stage>\t<path>` per conflicted stage.
    const [first, ...rest] = m.stdout.split('\0').filter(Boolean);
    let tree = first!.trim();
    let secrets: SecretsMergeNotes | undefined;
    if (m.code === 1) {
      const stages = rest.map((e) => ({ oid: e.split(' ')[1]!, stage: Number(e.slice(0, e.indexOf('\t')).split(' ')[2]), path: e.slice(e.indexOf('\t') + 1) }));
      const files = [...new Set(stages.map((e) => e.path))];
      let why: string | undefined;
      if (files.length === 1 && files[0] === SECRETS_PATH) {
        try {
          ({ tree, notes: secrets } = await mergeSecretsInTree(repo, session, tree, stages));
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          why = e.message;
        }
      }
      if (!secrets) {
        throw new UserError(
          `pull stopped: ${files.join(', ') || 'some records'} changed differently on both machines${why ? ` (${SECRETS_PATH} could not be merged per key here: ${why})` : ''}; nothing was changed (the remote's records: ${theirs.slice(0, 12)})`,
          // `fetched` comes from -adopt --from, which is then what to run again (the session does not exist yet).
          `edit the file(s) under ${path.join(repo.dir, '.cs')} to hold what both sides need (git -C ${repo.dir} show ${theirs.slice(0, 12)}:<file> shows theirs), then run: ${fetched === undefined ? `cs ${session} -sync pull` : `cs -adopt ${session} --from ${maskUrlPassword(url)}`}`,
        );
      }
    }
    const merged = (await repo.commitRaw(['commit-tree', tree, '-p', ours, '-p', theirs, '-m', 'cs session records: merge'])).trim();
    await checkoutRecords(repo, oursTree, tree);
    await repo.raw(['update-ref', RECORDS_REF, merged, ours]);
    return { result: 'merged', ...(secrets ? { secrets } : {}) };
  } catch (e) {
    throw explainWriteError(repo.dir, e);
  }
}

/**
 * merge-tree left `.cs/secrets.age` in conflict, and nothing else: `tree`
 * (merge-tree's, holding one side's bytes there) with the file merged per
 * key instead (src/secrets/merge.ts; stage 2 is this machine's snapshot),
 * encrypted for the recipients of the merged tree. Returns the new tree and
 * what the merge settled by rule. Throws a UserError saying why when this
 * machine cannot merge it.
 */
async function mergeSecretsInTree(repo: Repo, session: string, tree: string, stages: Array<{ oid: string; stage: number }>): Promise<{ tree: string; notes: SecretsMergeNotes }> {
  const { mergeSecretsVersions } = await import('../secrets/merge.js');
  const { parseRecipient } = await import('../secrets/age.js');
  const blobOf = (n: number) => {
    const oid = stages.find((e) => e.stage === n)?.oid;
    return oid ? repo.blob(oid) : Promise.resolve(null);
  };
  const [base, ours, theirs] = await Promise.all([blobOf(1), blobOf(2), blobOf(3)]);
  if (!ours || !theirs) throw new UserError('it was deleted on one side');
  const dir = `${path.posix.dirname(SECRETS_PATH)}/age-recipients/`;
  const names = (await repo.raw(['ls-tree', '-z', '--name-only', tree, dir])).split('\0').filter((p) => p.endsWith('.pub'));
  const recipients = await Promise.all(names.map(async (p) => parseRecipient(path.posix.basename(p), (await repo.blob(`${tree}:${p}`)).toString('utf8'))));
  const { bytes, notes } = await mergeSecretsVersions({ base, ours, theirs, local: 'ours' }, recipients, session, repo.env);
  const blob = (await repo.raw(['hash-object', '-w', '--stdin'], undefined, undefined, Buffer.from(bytes))).trim();
  const index = confinedPath(path.join(repo.dir, LOCAL_DIR, 'secrets-merge.index'));
  fs.rmSync(index, { force: true });
  const env = { GIT_INDEX_FILE: index };
  try {
    await repo.raw(['read-tree', tree], env);
    await repo.raw(['update-index', '--add', '--cacheinfo', `100644,${blob},${SECRETS_PATH}`], env);
    return { tree: (await repo.raw(['write-tree'], env)).trim(), notes };
  } finally {
    fs.rmSync(index, { force: true });
  }
}

/**
 * For `cs -adopt <name> --from <url>` on a checkout with no `.cs/` yet:
 * fetches the remote's records (or takes `fetched`, fetchCheckedRecords'
 * answer) and writes them into `.cs/`. False when the remote has none.
 */
export async function receiveRecords(repo: Repo, url: string, fetched?: string | null): Promise<boolean> {
  const theirs = await remoteRecords(repo, url, fetched);
  if (!theirs) return false;
  await assertRecordsTree(repo, theirs, url);
  try {
    await checkoutRecords(repo, null, `${theirs}^{tree}`);
    await repo.raw(['update-ref', RECORDS_REF, theirs, '']);
  } catch (e) {
    throw explainWriteError(repo.dir, e);
  }
  return true;
}

export interface RecordsStatus {
  /** Commits only this machine / only the remote has (null: not known). */
  ahead: number | null;
  behind: number | null;
  /** `.cs/` differs from the last snapshot. */
  unrecorded: boolean;
  reachable: boolean | null;
}

export async function recordsStatus(repo: Repo, url: string | null, fetch: boolean): Promise<RecordsStatus> {
  let reachable: boolean | null = null;
  if (url && fetch) {
    reachable = await fetchRecords(repo, url).then(
      () => true,
      (e: unknown) => {
        if (e instanceof UserError || e instanceof GitError) return false;
        throw e;
      },
    );
  }
  const [ours, oursTree, theirs] = await repo.resolveMany([RECORDS_REF, `${RECORDS_REF}^{tree}`, REMOTE_RECORDS_REF]);
  let ahead: number | null = null;
  let behind: number | null = null;
  if (ours && theirs) {
    const [a, b] = (await repo.raw(['rev-list', '--left-right', '--count', `${ours}...${theirs}`])).trim().split(/\s+/).map(Number);
    ahead = a ?? 0;
    behind = b ?? 0;
  } else if (ours) {
    ahead = Number((await repo.raw(['rev-list', '--count', ours])).trim());
    behind = reachable ? 0 : null;
  }
  let unrecorded: boolean;
  try {
    unrecorded = (await treeOnDisk(repo, ours ?? null, {})).tree !== oursTree;
  } catch (e) {
    throw explainWriteError(repo.dir, e);
  }
  return { ahead, behind, unrecorded, reachable };
}

/** Does `url` hold an adopted session's records (and so is not a cs workspace to clone)? */
export async function remoteHasRecords(repo: Repo, url: string): Promise<boolean> {
  // Through network(): its own process group, so Ctrl-C stops git and its ssh (exit 130).
  try {
    return (await repo.network(['ls-remote', '--', url, RECORDS_REF], 30_000)).trim() !== '';
  } catch (e) {
    throw explainRemoteError(url, e);
  }
}
