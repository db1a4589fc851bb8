// A live stream whose client stops reading (a phone that put the tab to
// sleep) must not make cs -serve hold memory without bound: past the limit
// the stream is ended, and the EventSource reconnects. Real server socket,
// real client socket that never reads.
import * as http from 'node:http';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { streamWriter } from '../../../src/serve/server.js';

let server: http.Server | null = null;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = null;
});

describe('a live stream nobody reads', () => {
  it('is ended once its backlog passes the limit, the backlog never past the limit and one chunk', { timeout: 30_000 }, async () => {
    const LIMIT = 1024 * 1024;
    const chunk = 'data: ' + 'x'.repeat(64 * 1024) + '\n\n';
    let most = 0;
    const ended = new Promise<{ wrote: number }>((resolve) => {
      server = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const write = streamWriter(res, LIMIT);
        let wrote = 0;
        const pump = () => {
          most = Math.max(most, res.writableLength);
          if (!write(chunk)) return resolve({ wrote });
          wrote += chunk.length;
          setImmediate(pump);
        };
        pump();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server!.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    client.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    client.pause(); // reads nothing: what the server writes waits in the kernel's buffers, then in Node's
    const { wrote } = await ended;
    // More went out than the limit (the kernel took its share), and Node's own backlog stayed bounded.
    expect(wrote).toBeGreaterThan(LIMIT);
    expect(most).toBeLessThanOrEqual(LIMIT + chunk.length);
    const closed = new Promise<void>((r) => client.on('close', () => r()));
    client.resume();
    await closed;
    client.destroy();
  });
});
