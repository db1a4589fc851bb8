// A damaged `.cs/queue/queue.json` (bad JSON, a sync conflict's markers, a
// file of the wrong shape, an entry that does not validate): the built cs
// says so in one line naming the file relative to the session (never an
// absolute path, never the content: it may hold a secret), and
// `-queue clear` moves it aside and starts an empty queue.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

const SECRET = 'PermSecret-0123456789';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

const DAMAGED: Array<[string, string]> = [
  ['garbage', `garbage{{ ${SECRET}`],
  ['an array', `[${JSON.stringify(SECRET)}]`],
  ['null', 'null'],
  ['no tasks', `{"armed":true,"note":${JSON.stringify(SECRET)}}`],
  ['conflict markers', `<<<<<<< HEAD\n{"armed":false,"tasks":[{"id":1,"text":"${SECRET}","state":"pending","added":"x"}],"nextId":2}\n=======\n{"armed":false,"tasks":[],"nextId":1}\n>>>>>>> theirs\n`],
  ['a bad entry and a negative nextId', `{"tasks":[{"id":"x","text":5},{"id":1,"text":"${SECRET}","state":"pending","added":"x"}],"nextId":-3}`],
  ['a negative nextId', `{"armed":false,"tasks":[],"nextId":-3}`],
];

describe('a damaged queue file', () => {
  it.each(DAMAGED)('%s: one line naming .cs/queue/queue.json; clear moves it aside and the queue works after', { timeout: 30_000 }, async (_what, content) => {
    sb = sandbox();
    const env = sb.env;
    expect((await runCs(['qd'], { env })).code).toBe(0);
    const file = path.join(sb.root, 'qd', '.cs', 'queue', 'queue.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);

    for (const args of [['qd', '-queue'], ['qd', '-queue', 'add', 'more'], ['-spawn', 'qd', '--task', 'more']]) {
      const r = await runCs(args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain('.cs/queue/queue.json is damaged');
      expect(r.stderr, args.join(' ')).toContain('— move it aside and start an empty queue with: cs qd -queue clear');
      expect(r.stderr).not.toContain('internal error');
      expect(r.stderr).not.toContain(sb.dir);
      expect(r.stderr).not.toContain('PermSecret');
      expect(r.stderr).not.toContain('garbage');
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(content);

    const cleared = await runCs(['qd', '-queue', 'clear'], { env });
    expect(cleared.code, cleared.stderr).toBe(0);
    const aside = /moved aside to (\.cs\/queue\/queue\.json\.damaged-\d{8}T\d{6}Z)/.exec(cleared.stderr)?.[1];
    expect(aside, cleared.stderr).toBeDefined();
    expect(cleared.stderr).not.toContain(sb.dir);
    // Kept, byte for byte: the user's tasks are never deleted.
    expect(fs.readFileSync(path.join(sb.root, 'qd', aside!), 'utf8')).toBe(content);

    const added = await runCs(['qd', '-queue', 'add', 'after the clear'], { env });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('queued task 1');
    const list = await runCs(['qd', '-queue', '--json'], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ armed: false, nextId: 2, tasks: [{ id: 1, text: 'after the clear', state: 'pending' }] });
  });

  it('clear on a sound queue keeps its meaning: removes the tasks that are not running, moves nothing aside', { timeout: 30_000 }, async () => {
    sb = sandbox();
    const env = sb.env;
    expect((await runCs(['qc'], { env })).code).toBe(0);
    const dir = path.join(sb.root, 'qc', '.cs', 'queue');
    fs.mkdirSync(dir, { recursive: true });
    const t = (id: number, state: string) => ({ id, text: `task ${id}`, state, added: '2025-01-01T00:00:00.000Z' });
    fs.writeFileSync(path.join(dir, 'queue.json'), JSON.stringify({ armed: true, tasks: [t(1, 'done'), t(2, 'running'), t(3, 'pending')], nextId: 4 }));
    const r = await runCs(['qc', '-queue', 'clear'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('cleared 2 tasks');
    expect(fs.readdirSync(dir).filter((f) => f.includes('damaged'))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'queue.json'), 'utf8'))).toMatchObject({ armed: true, nextId: 4, tasks: [{ id: 2, state: 'running' }] });
  });
});
