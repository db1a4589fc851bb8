// Minisign signature verification with node:crypto only.
// Format (https://jedisct1.github.io/minisign/):
//   public key:  base64( "Ed" | key id (8) | Ed25519 public key (32) )
//   signature:   untrusted comment: ...
//                base64( "Ed" or "ED" | key id (8) | signature (64) )
//                trusted comment: <text>
//                base64( global signature (64) over signature || <text> )
// "Ed" signs the file itself (legacy); "ED" signs its BLAKE2b-512 hash.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import { UserError } from '../lib/errors.js';

export type MinisignFailure = 'malformed' | 'key-mismatch' | 'bad-signature' | 'bad-trusted-comment';

export class MinisignError extends UserError {
  override name = 'MinisignError';
  constructor(
    readonly kind: MinisignFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface MinisignPublicKey {
  keyId: Buffer;
  key: KeyObject;
}

export interface MinisignSignature {
  algorithm: 'Ed' | 'ED';
  keyId: Buffer;
  signature: Buffer;
  trustedComment: string;
  globalSignature: Buffer;
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const UNTRUSTED = 'untrusted comment:';
const TRUSTED = 'trusted comment: ';

/** Key ids print as minisign prints them: hex of the little-endian number. */
export function formatKeyId(id: Buffer): string {
  return Buffer.from(id).reverse().toString('hex').toUpperCase();
}

function decodeBase64(text: string, bytes: number, what: string): Buffer {
  // Buffer.from(..., 'base64') skips junk silently; be strict instead.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new MinisignError('malformed', `${what} is not valid base64`);
  }
  const buf = Buffer.from(text, 'base64');
  if (buf.length !== bytes) throw new MinisignError('malformed', `${what} has ${buf.length} bytes, expected ${bytes}`);
  return buf;
}

function lines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Reads a minisign.pub file (or a bare base64 key as given to `minisign -P`). */
export function parsePublicKey(text: string): MinisignPublicKey {
  const body = lines(text)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(UNTRUSTED));
  if (body.length !== 1) throw new MinisignError('malformed', 'the public key file should hold one base64 key line');
  const raw = decodeBase64(body[0]!, 42, 'the public key');
  if (raw.subarray(0, 2).toString('latin1') !== 'Ed') {
    throw new MinisignError('malformed', 'the public key is not an Ed25519 minisign key');
  }
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw.subarray(10)]), format: 'der', type: 'spki' });
  return { keyId: raw.subarray(2, 10), key };
}

/** Reads a .minisig file. */
export function parseSignature(text: string): MinisignSignature {
  const l = lines(text);
  while (l.length > 4 && l[l.length - 1] === '') l.pop();
  if (l.length !== 4 || !l[0]!.startsWith(UNTRUSTED) || !l[2]!.startsWith(TRUSTED)) {
    throw new MinisignError(
      'malformed',
      'the signature file is not in minisign format (untrusted comment, signature, trusted comment, global signature)',
    );
  }
  const sig = decodeBase64(l[1]!.trim(), 74, 'the signature');
  const algorithm = sig.subarray(0, 2).toString('latin1');
  if (algorithm !== 'Ed' && algorithm !== 'ED') {
    throw new MinisignError('malformed', `unsupported signature algorithm '${algorithm}'`);
  }
  return {
    algorithm,
    keyId: sig.subarray(2, 10),
    signature: sig.subarray(10),
    trustedComment: l[2]!.slice(TRUSTED.length),
    globalSignature: decodeBase64(l[3]!.trim(), 64, 'the global signature'),
  };
}

/**
 * Checks a signature over `message` (the file contents for "Ed", or for "ED"
 * its BLAKE2b-512 digest as computed by prehash()). Returns the trusted comment.
 */
function check(pub: MinisignPublicKey, sig: MinisignSignature, signed: Buffer): string {
  if (!pub.keyId.equals(sig.keyId)) {
    throw new MinisignError(
      'key-mismatch',
      `signed with key ${formatKeyId(sig.keyId)}, but the trusted key is ${formatKeyId(pub.keyId)}`,
    );
  }
  if (!verify(null, signed, pub.key, sig.signature)) {
    throw new MinisignError('bad-signature', 'the signature does not match the file (the file was modified or corrupted)');
  }
  const global = Buffer.concat([sig.signature, Buffer.from(sig.trustedComment, 'utf8')]);
  if (!verify(null, global, pub.key, sig.globalSignature)) {
    throw new MinisignError('bad-trusted-comment', 'the trusted comment of the signature was modified');
  }
  return sig.trustedComment;
}

/** Verifies an in-memory message. Returns the trusted comment; throws MinisignError. */
export function verifyMinisign(publicKeyText: string, signatureText: string, message: Uint8Array): string {
  const pub = parsePublicKey(publicKeyText);
  const sig = parseSignature(signatureText);
  const signed = sig.algorithm === 'ED' ? createHash('blake2b512').update(message).digest() : Buffer.from(message);
  return check(pub, sig, signed);
}

/** Verifies a file, hashing it as a stream for prehashed ("ED") signatures. */
export async function verifyMinisignFile(publicKeyText: string, signatureText: string, file: string): Promise<string> {
  const pub = parsePublicKey(publicKeyText);
  const sig = parseSignature(signatureText);
  let signed: Buffer;
  if (sig.algorithm === 'ED') {
    const hash = createHash('blake2b512');
    for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
    signed = hash.digest();
  } else {
    signed = await fs.promises.readFile(file);
  }
  return check(pub, sig, signed);
}
