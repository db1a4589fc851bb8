// A release feed on 127.0.0.1 for update tests: serves files from a
// directory, with switches to answer with a server error, cut a body short
// or never finish one.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface ReleaseFaults {
  /** Answer this status (e.g. 500) for requests whose path ends with `statusFor` (all when unset). */
  status?: number;
  statusFor?: string;
  /** Send the full Content-Length but only half the body, then drop the connection. */
  truncate?: string;
  /** Send headers and part of the body, then stall until the client gives up. */
  hang?: string;
}

export interface ReleaseServer {
  /** Base URL ending in '/'. */
  base: string;
  url(file: string): string;
  faults: ReleaseFaults;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

const matches = (p: string, suffix: string | undefined) => suffix !== undefined && p.endsWith(suffix);

export async function startReleaseServer(root: string): Promise<ReleaseServer> {
  const faults: ReleaseFaults = {};
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(p);
    if (faults.status !== undefined && (faults.statusFor === undefined || p.endsWith(faults.statusFor))) {
      res.writeHead(faults.status, { 'content-type': 'text/plain' }).end('injected failure\n');
      return;
    }
    const file = path.join(root, path.normalize(p));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
    if (matches(p, faults.truncate)) {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    } else if (matches(p, faults.hang)) {
      res.write(body.subarray(0, 10));
    } else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}/`;
  return {
    base,
    url: (file) => new URL(file, base).href,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
