// The return digest ("while you were away: ...") is marked seen only once the
// open succeeded: a cs <name> whose Claude fails keeps it for the next open.
// Foreground here (no terminal); the hosted opens are in ../host/hosted.test.ts.
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { drainedJournal } from '../../support/host.js';

let sb: Sandbox;
afterEach(() => sb?.cleanup());

it('a failed open shows the digest but keeps it; the next open that works shows it once more, then it is seen', { timeout: 60_000 }, async () => {
  sb = sandbox();
  expect((await runCs(['dg'], { env: sb.env })).code).toBe(0);
  drainedJournal(path.join(sb.root, 'dg'));
  const digest = 'cs: while you were away: 1 task done, queue drained';
  const failed = await runCs(['dg'], { env: { ...sb.env, FAKE_CLAUDE_EXIT: '3' } });
  expect(failed.code).toBe(3);
  expect(failed.stderr).toContain(digest);
  const opened = await runCs(['dg'], { env: sb.env });
  expect(opened.code, opened.stderr).toBe(0);
  expect(opened.stderr).toContain(digest);
  expect((await runCs(['dg'], { env: sb.env })).stderr).not.toContain('while you were away');
});
