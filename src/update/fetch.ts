// HTTP downloads for the updater: Node's fetch with a deadline, a size
// limit, and errors that say which file failed and why in one line.
import * as fs from 'node:fs';
import { UserError } from '../lib/errors.js';

export interface FetchLimits {
  /** Deadline for the whole request including the body. */
  timeoutMs: number;
  maxBytes: number;
}

/** The release server could not be reached, did not answer in time or answered with an error: worth another try later. */
export class DownloadError extends UserError {
  override name = 'DownloadError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https everywhere; plain http only on loopback (tests, local mirrors). */
export function checkUrl(url: URL, what: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return;
  throw new UserError(`${what}: refusing ${url.protocol}// URL ${url.href}`, 'release URLs must use https (plain http only on loopback)');
}

function mb(n: number): string {
  return `${Math.round((n / 1048576) * 10) / 10} MB`;
}

function causeOf(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string; code?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

/**
 * Fetches `url` and hands the body to `sink` chunk by chunk. Resolves with
 * the byte count once the whole body has arrived.
 */
async function fetchInto(url: URL, what: string, limits: FetchLimits, sink: (chunk: Uint8Array) => Promise<void> | void): Promise<number> {
  checkUrl(url, what);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  let received = 0;
  let expected: number | undefined;
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (res.url) checkUrl(new URL(res.url), what);
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new DownloadError(`${what}: the server answered ${res.status} ${res.statusText} for ${url.href}`.trim());
    }
    const length = res.headers.get('content-length');
    if (length !== null && /^\d+$/.test(length)) expected = Number(length);
    if (expected !== undefined && expected > limits.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new UserError(`${what} is ${mb(expected)}, over the ${mb(limits.maxBytes)} limit`);
    }
    if (!res.body) throw new UserError(`${what}: the server sent no body`);
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      if (received > limits.maxBytes) {
        controller.abort();
        throw new UserError(`${what} is over the ${mb(limits.maxBytes)} limit`);
      }
      await sink(chunk);
    }
    if (expected !== undefined && received !== expected) {
      throw new DownloadError(`${what}: the download was cut short (${received} of ${expected} bytes)`, 'try again later');
    }
    return received;
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (controller.signal.aborted) {
      throw new DownloadError(`${what}: no complete answer from ${url.host} within ${limits.timeoutMs / 1000} s`, 'check your connection and try again');
    }
    if (expected !== undefined && received < expected) {
      throw new DownloadError(`${what}: the download was cut short (${received} of ${expected} bytes)`, 'try again later');
    }
    throw new DownloadError(`${what}: could not download ${url.href} (${causeOf(e)})`, 'check your connection and try again');
  } finally {
    clearTimeout(timer);
  }
}

/** Small documents (metadata, checksums, signatures) into memory. */
export async function fetchBytes(url: URL, what: string, limits: FetchLimits): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await fetchInto(url, what, limits, (c) => void parts.push(c));
  return Buffer.concat(parts);
}

/** Streams a download into a new file (mode 0600); the caller removes it on failure. */
export async function downloadToFile(url: URL, file: string, what: string, limits: FetchLimits): Promise<number> {
  const fh = await fs.promises.open(file, 'wx', 0o600);
  try {
    return await fetchInto(url, what, limits, async (c) => {
      await fh.write(c);
    });
  } finally {
    await fh.close();
  }
}
