// One way to find the session (src/session/resolve.ts): every command that
// works on a session gets the same checked session, or the same one-line
// error — a broken adopted session is refused alike everywhere, and what a
// command does not work on (a feature session, the stub of a session on
// another host) is refused with what to do instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'test-password' });
});
afterEach(() => sb.cleanup());

/** Every session command, as `cs <s> <args>` (or with the session as an operand), run against one session name. */
const commands = (s: string): string[][] => [
  [s, '-secrets', 'list'],
  [s, '-log'],
  [s, '-sync', 'status', '--no-fetch'],
  [s, '-tag'],
  [s, '-queue'],
  [s, '-conversations'],
  [s, '-doctor'],
  [s, '-diff', '--stat'],
  [s, '-features'],
  [s, '-stop'],
  [s, '-usage'],
  ['-usage', s],
  ['-search', 'anything', '--session', s],
  ['-archive', s],
  ['-mv', s, `${s}-renamed`],
];

async function adopt(name: string): Promise<string> {
  const project = path.join(sb.dir, 'src', name);
  fs.mkdirSync(project, { recursive: true });
  const r = await runCs(['-adopt', name], { env: sb.env, cwd: project });
  expect(r.code, r.stderr).toBe(0);
  return project;
}

describe('a broken adopted session gets the same answer from every command', () => {
  it('its records (.cs/) are gone', { timeout: 180_000 }, async () => {
    const project = await adopt('dang');
    fs.rmSync(path.join(project, '.cs'), { recursive: true });
    const want = `cs: session 'dang' is adopted from ${project}, which no longer holds its records (.cs/ is gone) — adopt it again there (cd ${project} && cs -adopt dang), or forget it with: cs -rm dang`;
    for (const argv of commands('dang')) {
      const r = await runCs(argv, { env: sb.env });
      // -archive names several sessions and adds that it changed none of them.
      expect({ argv, code: r.code, stderr: r.stderr.trim(), stdout: r.stdout }).toEqual({ argv, code: 1, stderr: argv[0] === '-archive' ? `${want}; nothing was changed` : want, stdout: '' });
    }
    // Removing it is how it is cleared: -rm is not refused.
    expect((await runCs(['-rm', 'dang', '--yes'], { env: sb.env })).code).toBe(0);
    expect(fs.existsSync(path.join(sb.root, 'dang'))).toBe(false);
  });

  it('its directory is gone', { timeout: 180_000 }, async () => {
    const project = await adopt('gone');
    fs.rmSync(project, { recursive: true });
    for (const argv of commands('gone')) {
      const r = await runCs(argv, { env: sb.env });
      expect({ argv, code: r.code, stderr: r.stderr.trim() }).toEqual({ argv, code: 1, stderr: expect.stringMatching(/^cs: session 'gone' links to .*, which no longer exists — remove the link with: cs -rm gone(; nothing was changed)?$/) });
    }
  });

  it('an unknown name is the same one line everywhere', { timeout: 180_000 }, async () => {
    for (const argv of commands('nope')) {
      const r = await runCs(argv, { env: sb.env });
      expect({ argv, code: r.code, stderr: r.stderr.trim() }).toEqual({ argv, code: 1, stderr: expect.stringMatching(/^cs: no session named 'nope' — see cs -ls/) });
    }
  });
});

describe('refusals come from the declaration, with what to do', () => {
  it.each([
    [['api@spike', '-sync', 'status'], "cs: 'api@spike' is a feature session; -sync works on plain sessions — run it on the base: cs api -sync"],
    [['-search', 'x', '--session', 'api@spike'], "cs: 'api@spike' is a feature session; -search works on plain sessions — run it on the base: cs api -search"],
    [['api@spike', '-doctor'], "cs: 'api@spike' is a feature session; -doctor works on plain sessions — run it on the base: cs api -doctor"],
    [['api@spike', '-queue'], "cs: 'api@spike' is a feature session; -queue works on plain sessions — run it on the base: cs api -queue"],
  ])('cs %j', { timeout: 60_000 }, async (argv, want) => {
    const r = await runCs(argv, { env: sb.env });
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 1, stderr: want });
  });

  it('the stub of a session on another host: renaming it here is refused, and so are -sync and -secrets', { timeout: 60_000 }, async () => {
    fs.mkdirSync(path.join(sb.root, 'far', '.cs'), { recursive: true });
    fs.writeFileSync(path.join(sb.root, 'far', '.cs', 'remote.conf'), 'host=mini\naddress=me@mini.local\n');
    fs.mkdirSync(path.join(sb.root, 'farport', '.cs'), { recursive: true });
    fs.writeFileSync(path.join(sb.root, 'farport', '.cs', 'remote.conf'), 'host=box\naddress=me@box.local:2222\n');
    expect((await runCs(['farport', '-sync', 'status'], { env: { ...sb.env, CS_REMOTE_CS: '/opt/cs/bin/cs' } })).stderr.trim()).toBe("cs: session 'farport' runs on box: -sync works on the machine that holds it — run it there: ssh -p 2222 me@box.local /opt/cs/bin/cs farport -sync ...");
    // A command of the whole machine takes the name after it there too.
    expect((await runCs(['-archive', 'farport'], { env: sb.env })).stderr.trim()).toMatch(/— run it there: ssh -p 2222 me@box\.local cs -archive farport \.\.\.(; nothing was changed)?$/);
    const mv = await runCs(['-mv', 'far', 'near'], { env: sb.env });
    expect({ code: mv.code, stderr: mv.stderr.trim() }).toEqual({ code: 1, stderr: "cs: session 'far' lives on another machine (.cs/remote.conf) — rename it there first; a stub renamed here alone would no longer find it" });
    expect(fs.existsSync(path.join(sb.root, 'far', '.cs', 'remote.conf'))).toBe(true);
    expect(fs.existsSync(path.join(sb.root, 'near'))).toBe(false);
    for (const cmd of [['-sync', 'status'], ['-secrets', 'list']]) {
      const r = await runCs(['far', ...cmd], { env: sb.env });
      expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 1, stderr: `cs: session 'far' runs on mini: ${cmd[0]} works on the machine that holds it — run it there: ssh me@mini.local cs far ${cmd[0]} ...` });
    }
  });

  it('a session command without a session says so, and inside a session directory takes that one', { timeout: 120_000 }, async () => {
    const none = await runCs(['-tag'], { env: sb.env, cwd: sb.home });
    expect({ code: none.code, stderr: none.stderr.trim() }).toEqual({ code: 2, stderr: 'cs: -tag needs a session — name it: cs <name> -tag (or run it inside a session)' });
    expect((await runCs(['api'], { env: sb.env })).code).toBe(0);
    expect((await runCs(['api', '-tag', 'add', 'blue'], { env: sb.env })).code).toBe(0);
    const here = await runCs(['-tag'], { env: sb.env, cwd: path.join(sb.root, 'api') });
    expect({ code: here.code, stdout: here.stdout }).toEqual({ code: 0, stdout: '#blue\n' });
  });
});
