// cs <s> -queue add keeps a stored secret's value out of what it writes:
// queue.json, its journal and the timeline are committed with the session.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted' });
});
afterEach(() => sb.cleanup());

it('queues a task with a stored value as [secret: KEY] in every file it writes', async () => {
  const value = 'PermSecretValue-998877';
  expect((await runCs(['p1'], { env: sb.env })).code).toBe(0);
  expect((await runCs(['p1', '-secrets', 'set', 'PTOK'], { env: sb.env, input: value })).code).toBe(0);
  const r = await runCs(['p1', '-queue', 'add', `deploy with ${value}`], { env: sb.env });
  expect(r.code, r.stderr).toBe(0);
  const dir = path.join(sb.root, 'p1');
  for (const f of ['.cs/queue/queue.json', '.cs/queue/journal.jsonl', '.cs/timeline.jsonl']) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    expect(text, f).toContain('deploy with [secret: PTOK]');
    expect(text, f).not.toContain(value);
  }
  const log = await runCs(['p1', '-log'], { env: sb.env });
  expect(log.stdout).toContain('deploy with [secret: PTOK]');
  expect(log.stdout).not.toContain(value);
});
