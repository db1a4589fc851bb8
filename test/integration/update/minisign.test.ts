// Signatures made by the real minisign tool, verified by our node:crypto code.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MinisignError, parsePublicKey, parseSignature, verifyMinisign, verifyMinisignFile } from '../../../src/update/minisign.js';

let dir: string;
let pub: string;
let otherPub: string;
const file = () => path.join(dir, 'release.tgz');

function minisign(args: string[]): void {
  execFileSync('minisign', args, { cwd: dir, stdio: 'pipe' });
}

function sign(extra: string[] = [], key = 'sec', out = 'release.tgz.minisig'): string {
  minisign(['-S', '-s', key, '-m', file(), '-x', out, ...extra]);
  return fs.readFileSync(path.join(dir, out), 'utf8');
}

function failure(fn: () => unknown): MinisignError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MinisignError);
    return e as MinisignError;
  }
  throw new Error('expected a MinisignError');
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-minisign-'));
  minisign(['-G', '-p', 'pub', '-s', 'sec', '-W']);
  minisign(['-G', '-p', 'other.pub', '-s', 'other.sec', '-W']);
  pub = fs.readFileSync(path.join(dir, 'pub'), 'utf8');
  otherPub = fs.readFileSync(path.join(dir, 'other.pub'), 'utf8');
  fs.writeFileSync(file(), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7) % 256)));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('verifyMinisign with signatures from the real minisign', () => {
  it('accepts a prehashed (ED) signature and returns the trusted comment', async () => {
    const sig = sign(['-t', 'cs 0.2.0 release']);
    expect(parseSignature(sig).algorithm).toBe('ED');
    expect(verifyMinisign(pub, sig, fs.readFileSync(file()))).toBe('cs 0.2.0 release');
    expect(await verifyMinisignFile(pub, sig, file())).toBe('cs 0.2.0 release');
  });

  it('accepts a legacy (Ed) signature', async () => {
    const sig = sign(['-l']);
    expect(parseSignature(sig).algorithm).toBe('Ed');
    expect(verifyMinisign(pub, sig, fs.readFileSync(file()))).toMatch(/^timestamp:\d+\tfile:release\.tgz/);
    expect(await verifyMinisignFile(pub, sig, file())).toMatch(/file:release\.tgz/);
  });

  it('accepts the bare base64 key as given to minisign -P', () => {
    const sig = sign();
    const bare = pub.trim().split('\n')[1]!;
    expect(verifyMinisign(bare, sig, fs.readFileSync(file()))).toContain('hashed');
  });

  it.each([['ED', []], ['Ed', ['-l']]] as const)('refuses a tampered file (%s)', (_alg, extra) => {
    const sig = sign([...extra]);
    const data = fs.readFileSync(file());
    data[1234] = data[1234]! ^ 1;
    const e = failure(() => verifyMinisign(pub, sig, data));
    expect(e.kind).toBe('bad-signature');
    expect(e.message).toMatch(/does not match the file/);
  });

  it('refuses a modified trusted comment', () => {
    const sig = sign(['-t', 'version 0.2.0']).replace('trusted comment: version 0.2.0', 'trusted comment: version 9.9.9');
    const e = failure(() => verifyMinisign(pub, sig, fs.readFileSync(file())));
    expect(e.kind).toBe('bad-trusted-comment');
    expect(e.message).toMatch(/trusted comment .* modified/);
  });

  it('refuses a signature by another key (key id mismatch)', () => {
    const sig = sign([], 'other.sec', 'other.minisig');
    const e = failure(() => verifyMinisign(pub, sig, fs.readFileSync(file())));
    expect(e.kind).toBe('key-mismatch');
    expect(e.message).toMatch(/^signed with key [0-9A-F]{16}, but the trusted key is [0-9A-F]{16}$/);
    expect(verifyMinisign(otherPub, sig, fs.readFileSync(file()))).toContain('file:release.tgz');
  });

  it('refuses another key even when the key id is forged to match', () => {
    const sig = sign([], 'other.sec', 'other.minisig');
    const lines = sig.split('\n');
    const raw = Buffer.from(lines[1]!, 'base64');
    Buffer.from(pub.trim().split('\n')[1]!, 'base64').copy(raw, 2, 2, 10);
    lines[1] = raw.toString('base64');
    expect(failure(() => verifyMinisign(pub, lines.join('\n'), fs.readFileSync(file()))).kind).toBe('bad-signature');
  });

  it('agrees with minisign -V on what it accepts', () => {
    sign();
    expect(() => minisign(['-V', '-p', 'pub', '-m', file(), '-x', 'release.tgz.minisig', '-q'])).not.toThrow();
  });
});

describe('malformed input', () => {
  const good = () => sign();
  it.each([
    ['empty signature', () => ''],
    ['three lines', () => good().split('\n').slice(0, 3).join('\n')],
    ['no untrusted comment', () => good().replace('untrusted comment:', 'comment:')],
    ['no trusted comment prefix', () => good().replace('trusted comment: ', 'comment: ')],
    ['junk in base64', () => good().split('\n').map((l, i) => (i === 1 ? l.slice(0, 10) + '!' + l.slice(11) : l)).join('\n')],
    ['short signature', () => good().split('\n').map((l, i) => (i === 1 ? l.slice(0, 40) : l)).join('\n')],
    ['unknown algorithm', () => {
      const lines = good().split('\n');
      const raw = Buffer.from(lines[1]!, 'base64');
      raw.write('XX', 0, 'latin1');
      lines[1] = raw.toString('base64');
      return lines.join('\n');
    }],
  ])('%s', (_name, make) => {
    const e = failure(() => verifyMinisign(pub, make(), fs.readFileSync(file())));
    expect(e.kind).toBe('malformed');
  });

  it('accepts CRLF line endings', () => {
    const sig = good().replace(/\n/g, '\r\n');
    expect(verifyMinisign(pub.replace(/\n/g, '\r\n'), sig, fs.readFileSync(file()))).toContain('hashed');
  });

  it.each([
    ['two key lines', () => pub + pub.split('\n')[1] + '\n'],
    ['wrong length', () => 'untrusted comment: x\nRWQAAAA=\n'],
    ['not a key', () => 'hello world\n'],
  ])('public key: %s', (_name, make) => {
    expect(failure(() => parsePublicKey(make())).kind).toBe('malformed');
  });
});
