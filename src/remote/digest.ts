// What --move-to compares on both sides before it touches the local copy:
// the number of files in the workspace and the SHA-256 of every file in .cs/
// (machine-local .cs/local/ excluded, as rsync excludes it).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Digest {
  files: number;
  /** Relative path under the workspace -> sha256 hex, for files in .cs/. */
  meta: Record<string, string>;
}

const EXCLUDED = path.join('.cs', 'local');

export function digestWorkspace(dir: string): Digest {
  let files = 0;
  const meta: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? path.join(rel, e.name) : e.name;
      if (r === EXCLUDED) continue;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() || e.isSymbolicLink()) {
        files++;
        if (e.isFile() && r.startsWith('.cs' + path.sep)) {
          meta[r.split(path.sep).join('/')] = createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex');
        }
      }
    }
  };
  walk('');
  return { files, meta };
}

/** Empty when equal; else short descriptions of what differs. */
export function compareDigests(local: Digest, remote: Digest): string[] {
  const out: string[] = [];
  if (local.files !== remote.files) out.push(`${local.files} files here, ${remote.files} there`);
  for (const [f, h] of Object.entries(local.meta)) {
    if (!(f in remote.meta)) out.push(`${f} missing there`);
    else if (remote.meta[f] !== h) out.push(`${f} differs`);
  }
  for (const f of Object.keys(remote.meta)) if (!(f in local.meta)) out.push(`${f} only there`);
  return out;
}

export function parseDigest(value: unknown): Digest | null {
  const v = value as Digest | null | undefined;
  if (v && typeof v === 'object' && typeof v.files === 'number' && v.meta && typeof v.meta === 'object') return v;
  return null;
}
