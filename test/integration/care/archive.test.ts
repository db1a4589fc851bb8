// Archive: hidden from -ls, -search, the serve list (and the picker, through
// the same visible()), until asked for; opening one unarchives it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../../../src/serve/server.js';
import { visible } from '../../../src/session/marks.js';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

const names = (stdout: string) => (JSON.parse(stdout) as Array<{ name: string }>).map((s) => s.name).sort();

describe('visible()', () => {
  const list = [
    { name: 'a', archived: false, tags: ['x'] },
    { name: 'b', archived: true, tags: ['x'] },
    { name: 'c', archived: false, tags: [] },
  ];
  it.each([
    [{}, ['a', 'c']],
    [{ archived: true }, ['b']],
    [{ all: true }, ['a', 'b', 'c']],
    [{ tag: 'x' }, ['a']],
    [{ tag: 'x', all: true }, ['a', 'b']],
  ])('%j → %j', (v, want) => expect(visible(list, v).map((s) => s.name)).toEqual(want));
});

describe('cs -archive / -unarchive', () => {
  it('hides archived sessions from -ls, -search and the serve list until asked; opening one unarchives it', { timeout: 120_000 }, async () => {
    for (const s of ['api', 'old', 'older']) expect((await runCs([s], { env: sb.env })).code).toBe(0);
    for (const s of ['api', 'old']) fs.appendFileSync(path.join(sb.root, s, '.cs/discoveries.md'), '\n## zebrafish finding\n');

    let r = await runCs(['-archive', 'old', 'older'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("archived 'old'");
    expect(fs.readFileSync(path.join(sb.root, 'old/.cs/archived'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT.*Z\n$/);

    expect(names((await runCs(['-ls', '--json'], { env: sb.env })).stdout)).toEqual(['api']);
    expect(names((await runCs(['-ls', '--archived', '--json'], { env: sb.env })).stdout)).toEqual(['old', 'older']);
    expect(names((await runCs(['-ls', '--all', '--json'], { env: sb.env })).stdout)).toEqual(['api', 'old', 'older']);

    const hits = async (...args: string[]) => [...new Set((JSON.parse((await runCs(['-search', 'zebrafish', '--json', ...args], { env: sb.env })).stdout) as Array<{ session: string }>).map((h) => h.session))].sort();
    expect(await hits()).toEqual(['api']);
    expect(await hits('--all')).toEqual(['api', 'old']);
    expect(await hits('--archived')).toEqual(['old']);
    // Naming the session searches it whatever its marker says.
    expect(await hits('--session', 'old')).toEqual(['old']);

    const server = await startServer({ env: sb.env, port: 0, bind: '127.0.0.1', token: 't'.repeat(24) });
    try {
      const get = async (q: string) => names(await (await fetch(`${server.url}/api/sessions${q}`, { headers: { authorization: `Bearer ${'t'.repeat(24)}` } })).text());
      expect(await get('')).toEqual(['api']);
      expect(await get('?all=1')).toEqual(['api', 'old', 'older']);
      expect(await get('?archived=1')).toEqual(['old', 'older']);
    } finally {
      await server.close();
    }

    // Opening an archived session unarchives it, with one line saying so.
    r = await runCs(['old'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('archived'))).toEqual(["cs: 'old' was archived; opening it unarchived it (cs -archive old to archive it again)"]);
    expect(fs.existsSync(path.join(sb.root, 'old/.cs/archived'))).toBe(false);
    r = await runCs(['-unarchive', 'older'], { env: sb.env });
    expect(r.stderr).toContain("unarchived 'older'");
    expect(names((await runCs(['-ls', '--json'], { env: sb.env })).stdout)).toEqual(['api', 'old', 'older']);
  });

  it('refuses a session open in a terminal (a live lock), changing nothing; -unarchive is allowed', { timeout: 120_000 }, async () => {
    for (const s of ['api', 'open']) expect((await runCs([s], { env: sb.env })).code).toBe(0);
    // A live holder on this host: this test's own process, as a foreground cs <name> would be.
    fs.writeFileSync(path.join(sb.root, 'open', '.cs', 'local', 'lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z' }) + '\n');
    const r = await runCs(['-archive', 'api', 'open'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`cs: session 'open' is open in pid ${process.pid} on ${os.hostname()} since 2026-01-01T00:00:00.000Z; it cannot be archived while Claude runs in it — end Claude there first (/exit), then try again; nothing was changed`);
    for (const s of ['api', 'open']) expect(fs.existsSync(path.join(sb.root, s, '.cs', 'archived'))).toBe(false);
    expect((await runCs(['-unarchive', 'open'], { env: sb.env })).code).toBe(0);
  });

  it('changes nothing when one of the names does not exist', { timeout: 120_000 }, async () => {
    await runCs(['api'], { env: sb.env });
    const r = await runCs(['-archive', 'api', 'nope'], { env: sb.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^cs: no session named 'nope'.*nothing was changed$/);
    expect(fs.existsSync(path.join(sb.root, 'api/.cs/archived'))).toBe(false);
    expect((await runCs(['-archive'], { env: sb.env })).code).not.toBe(0);
  });
});
