// A loopback stand-in for an ntfy-style push server: records every POST
// (its Title header, all headers and the body) so tests can read what cs
// sent, as the "local stand-in server for ntfy-style push" asks.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Note {
  title: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface Ntfy {
  /** Every notification received, in order. */
  notes: Note[];
  /** The URL of a topic on this server. */
  url(topic?: string): string;
  close(): Promise<void>;
}

export async function startNtfy(): Promise<Ntfy> {
  const notes: Note[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (b) => (body += b));
    req.on('end', () => {
      notes.push({ title: String(req.headers.title ?? ''), body, headers: req.headers });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    notes,
    url: (topic = 'cs') => `http://127.0.0.1:${port}/${topic}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
