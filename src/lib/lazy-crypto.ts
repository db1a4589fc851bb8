// node:crypto, loaded on first use. Importing it costs about 12 ms on the
// machine `npm run bench` runs on (it sets up every algorithm and WebCrypto):
// a price that code importing a module for its other functions should not
// pay (cs -ls reads locks through lockfile.ts, which makes them with it).
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
let loaded: typeof import('node:crypto') | undefined;

/** The node:crypto module (loaded by the first call). */
export function crypto(): typeof import('node:crypto') {
  return (loaded ??= load('node:crypto') as typeof import('node:crypto'));
}

/**
 * A new random secret: `bytes` random bytes (default 32: 256 bits), as
 * base64url (43 characters for 32 bytes). For tokens, codes and keys that
 * travel in URLs and headers.
 */
export function newSecret(bytes = 32): string {
  return crypto().randomBytes(bytes).toString('base64url');
}
