// A plain HTTP(S) client for the server tests: what curl, a script or a link
// previewer sends, with the headers given and nothing else (no cookies kept).
import * as http from 'node:http';
import * as https from 'node:https';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** `from`: the loopback address to send from (each address has its own failure limits). */
export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    // The test certificate is self-signed: trust is not what these tests are about.
    const req = mod.request(url, { method: opts.method ?? 'GET', headers: opts.headers, rejectUnauthorized: false, localAddress: opts.from }, (res) => {
      let body = '';
      res.on('data', (b) => (body += b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
