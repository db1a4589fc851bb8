// A fast, non-cryptographic hash of numbers (file stats) and short texts
// (paths), for cache keys: node:crypto costs a command that only lists or
// searches a tenth of its start-up (it sets up every algorithm and WebCrypto).
const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/**
 * Two 32-bit FNV-1a-style lanes (different primes) over the bits of each
 * number: kept as two numbers, so no stat and no hash is ever turned into
 * text (ten thousand sessions' stats made that a tenth of -ls). A change of
 * one number always changes the first lane: each step is a bijection of it.
 */
export class StatHash {
  a = 0x811c9dc5;
  b = 0x01000193 ^ 0x5bd1e995;

  add(x: number): this {
    f64[0] = x;
    for (let i = 0; i < 2; i++) {
      const w = f64Words[i]!;
      this.a = Math.imul(this.a ^ w, 0x01000193);
      this.b = Math.imul(this.b ^ w, 0x5bd1e995) ^ (this.b >>> 15);
    }
    return this;
  }
}

/**
 * 16 hex characters naming `text` (a path) in a cache folder: the two lanes
 * of a StatHash over its UTF-16 code units. Not for secrets: two texts
 * that share a key only take turns with one cache file, which callers
 * check against what they read.
 */
export function textKey(text: string): string {
  const h = new StatHash();
  for (let i = 0; i < text.length; i++) h.add(text.charCodeAt(i));
  return `${(h.a >>> 0).toString(16).padStart(8, '0')}${(h.b >>> 0).toString(16).padStart(8, '0')}`;
}
