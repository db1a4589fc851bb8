// Feature sessions reach the places that show sessions: -watch's status
// watcher and the -serve API answer for `base@feature` like for any name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusWatcher } from '../../../src/status/watch.js';
import { writeStatus } from '../../../src/status/status.js';
import { sandbox, startCs, waitFor, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
afterEach(() => sb?.cleanup());

function featureSession(root: string, name: string): string {
  const dir = path.join(root, '.features', name);
  fs.mkdirSync(path.join(dir, '.cs', 'logs'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.cs', 'logs', 'session.log'), '');
  fs.writeFileSync(path.join(dir, '.cs', 'README.md'), '# Session\n\n## Objective\nretry logic\n');
  return dir;
}

describe('feature sessions in -watch and -serve', () => {
  it('the status watcher reports a feature session by its base@feature name', () => {
    sb = sandbox();
    const dir = featureSession(sb.root, 'app@f');
    const w = new StatusWatcher(sb.root);
    w.poll(true);
    writeStatus(dir, 'needs-you', 'Notification', new Date());
    expect(w.poll().map((c) => [c.session, c.to])).toEqual([['app@f', 'needs-you']]);
  });

  it('the -serve API answers for base@feature and still refuses bad names', { timeout: 30_000 }, async () => {
    sb = sandbox();
    featureSession(sb.root, 'app@f');
    const server = startCs(['-serve', '--port', '0'], { env: sb.env });
    let stderr = '';
    server.stderr!.on('data', (b) => (stderr += b));
    try {
      await waitFor(() => /API token for this run: (\S+)/.test(stderr), 10_000, 'the server to start');
      const base = /serving sessions on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)![1]!;
      const token = /API token for this run: (\S+)/.exec(stderr)![1]!;
      const get = (p: string) => fetch(base + p, { headers: { authorization: `Bearer ${token}` } });
      const r = await get('/api/sessions/app@f');
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ name: 'app@f' });
      expect((await get('/api/sessions/app@f/timeline')).status).toBe(200);
      expect((await get('/api/sessions/app@..%2Fx')).status).toBe(400);
      expect((await get('/api/sessions/app@nope')).status).toBe(404);
    } finally {
      server.kill('SIGTERM');
      await server.done;
    }
  });
});
