// SHA256SUMS as written by `sha256sum`: "<64 hex>  <name>" (or " *<name>"
// in binary mode), one file per line.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { UserError } from '../lib/errors.js';

export function expectedSha256(sums: string, name: string): string {
  const found: string[] = [];
  for (const raw of sums.split('\n')) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+?)\r?$/.exec(raw);
    if (m && (m[2] === name || m[2] === `./${name}`)) found.push(m[1]!.toLowerCase());
  }
  if (found.length === 0) throw new UserError(`the checksums file has no line for ${name}`);
  if (new Set(found).size > 1) throw new UserError(`the checksums file lists ${name} with different hashes`);
  return found[0]!;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
