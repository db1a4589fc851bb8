// Adopted projects stay their owner's: the built `cs` (with the stand-in
// Claude) against real repositories and bare remotes. cs writes .cs/,
// CLAUDE.local.md and .git/info/{exclude,attributes}, keeps its records on
// refs/cs/session, and syncs only that ref.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';
import * as project from '../../support/adopted-project.js';
import { runHookScript } from '../../support/hooks.js';

const boxes: Sandbox[] = [];
afterEach(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

function box(): Sandbox {
  const sb = sandbox({ GIT_CONFIG_NOSYSTEM: '1' });
  boxes.push(sb);
  return sb;
}

const { git, read, write } = project;
const { busyProject, userState } = project;

describe('cs -adopt', () => {
  it('writes nothing of the user\'s: a session leaves HEAD, branches, index, stash and status as they were', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    const before = userState(project, sb.env);
    const r = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(read(project, 'CLAUDE.local.md')).toMatch(/<!-- cs:protocol:start -->\n# Session: proj\n[\s\S]*<!-- cs:protocol:end -->\n$/);
    expect(read(project, '.git/info/exclude')).toMatch(/^\/\.cs\/$/m);
    expect(read(project, '.git/info/exclude')).toMatch(/^\/CLAUDE\.local\.md$/m);
    expect(read(project, '.git/info/attributes')).toContain('.cs/changes.md merge=union\n');
    expect(read(project, '.git/info/attributes')).toContain('.cs/queue/journal.jsonl merge=union\n');
    expect(userState(project, sb.env)).toEqual(before);

    write(project, '.cs/discoveries.md', read(project, '.cs/discoveries.md') + '\n## 2026-11-30 found\nthe cause\n');
    const open = await runCs(['proj'], { env: sb.env });
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).toContain('recorded .cs/ on refs/cs/session (no commit on your branches)');
    expect(userState(project, sb.env)).toEqual(before);
    expect(git(project, sb.env, 'log', '--branches', '--format=%s')).toBe('initial');
    expect(git(project, sb.env, 'show', 'refs/cs/session:.cs/discoveries.md')).toContain('## 2026-11-30 found');
    expect(git(project, sb.env, 'ls-tree', '-r', '--name-only', 'refs/cs/session')).not.toMatch(/^\.cs\/local\//m);

    // Again: nothing new to record, nothing changes.
    const ref = git(project, sb.env, 'rev-parse', 'refs/cs/session');
    const again = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project });
    expect(again.code).toBe(0);
    expect(userState(project, sb.env)).toEqual(before);
    expect(git(project, sb.env, 'rev-parse', 'refs/cs/session')).toBe(ref);
  });

  it('keeps an existing CLAUDE.local.md and puts its block between markers, once', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'p');
    fs.mkdirSync(project);
    git(project, sb.env, 'init', '-q');
    write(project, 'CLAUDE.local.md', '# My notes\nuse the staging db\n');
    expect((await runCs(['-adopt', 'p'], { env: sb.env, cwd: project })).code).toBe(0);
    const text = read(project, 'CLAUDE.local.md');
    expect(text.startsWith('# My notes\nuse the staging db\n\n<!-- cs:protocol:start -->')).toBe(true);
    expect((await runCs(['-adopt', 'p'], { env: sb.env, cwd: project })).code).toBe(0);
    expect(read(project, 'CLAUDE.local.md')).toBe(text);
  });

  it('leaves a tracked or symlinked CLAUDE.local.md alone, and says so', { timeout: 120_000 }, async () => {
    const sb = box();
    const tracked = path.join(sb.dir, 'tracked');
    fs.mkdirSync(tracked);
    git(tracked, sb.env, 'init', '-q');
    write(tracked, 'CLAUDE.local.md', '# shared on purpose\n');
    git(tracked, sb.env, 'add', '-A');
    git(tracked, sb.env, 'commit', '-qm', 'mine');
    const r1 = await runCs(['-adopt', 't'], { env: sb.env, cwd: tracked });
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stderr).toContain('CLAUDE.local.md is tracked by this project: cs leaves it alone');
    expect(read(tracked, 'CLAUDE.local.md')).toBe('# shared on purpose\n');
    expect(git(tracked, sb.env, 'status', '--porcelain')).toBe('');

    const linked = path.join(sb.dir, 'linked');
    fs.mkdirSync(linked);
    git(linked, sb.env, 'init', '-q');
    write(sb.dir, 'dotfiles/local.md', '# my dotfile\n');
    fs.symlinkSync(path.join(sb.dir, 'dotfiles/local.md'), path.join(linked, 'CLAUDE.local.md'));
    const r2 = await runCs(['-adopt', 'l'], { env: sb.env, cwd: linked });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toContain('CLAUDE.local.md is a symbolic link: cs leaves it alone');
    expect(fs.lstatSync(path.join(linked, 'CLAUDE.local.md')).isSymbolicLink()).toBe(true);
    expect(read(sb.dir, 'dotfiles/local.md')).toBe('# my dotfile\n');
  });

  it('refuses a subdirectory of a repository and names the root to run it in', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'repo');
    fs.mkdirSync(path.join(project, 'src/deep'), { recursive: true });
    git(project, sb.env, 'init', '-q');
    const r = await runCs(['-adopt', 'x'], { env: sb.env, cwd: path.join(project, 'src/deep') });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`cs: ${project}/src/deep is inside the git repository ${project} — adopt the repository as a whole: cd ${project} && cs -adopt x`);
    expect(r.stderr).not.toMatch(/git init/);
    expect(fs.existsSync(path.join(project, 'src/deep/.cs'))).toBe(false);
    expect(fs.existsSync(path.join(sb.root, 'x'))).toBe(false);
  });

  it('refuses a linked worktree of a repository with an adopted checkout (they would share refs/cs/), either way round', { timeout: 120_000 }, async () => {
    const sb = box();
    const main = path.join(sb.dir, 'repo');
    busyProject(main, sb.env);
    expect((await runCs(['-adopt', 'app'], { env: sb.env, cwd: main })).code).toBe(0);
    expect((await runCs(['app'], { env: sb.env })).code).toBe(0);
    const records = git(main, sb.env, 'rev-parse', 'refs/cs/session');
    const wt = path.join(sb.dir, 'repo-wt');
    git(main, sb.env, 'worktree', 'add', '-q', wt, '-b', 'wt');
    const r = await runCs(['-adopt', 'appwt'], { env: sb.env, cwd: wt });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/repo-wt shares its git repository \(.*repo\/\.git\) with a checkout cs adopted already \(.*repo\): their session records would be one — adopt one checkout of a repository only/);
    expect(fs.existsSync(path.join(wt, '.cs'))).toBe(false);
    expect(fs.existsSync(path.join(sb.root, 'appwt'))).toBe(false);
    expect(git(main, sb.env, 'rev-parse', 'refs/cs/session')).toBe(records);
    // Adopting it again where it is adopted is fine.
    expect((await runCs(['-adopt', 'app'], { env: sb.env, cwd: main })).code).toBe(0);
    // The worktree adopted first and never opened (no records yet), then the main checkout: refused too.
    const other = path.join(sb.dir, 'other');
    busyProject(other, sb.env);
    const otherWt = path.join(sb.dir, 'other-wt');
    git(other, sb.env, 'worktree', 'add', '-q', otherWt, '-b', 'wt2');
    expect((await runCs(['-adopt', 'wtfirst'], { env: sb.env, cwd: otherWt })).code).toBe(0);
    expect(() => git(other, sb.env, 'rev-parse', '-q', '--verify', 'refs/cs/session')).toThrow();
    const second = await runCs(['-adopt', 'mainsecond'], { env: sb.env, cwd: other });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/shares its git repository/);
  });

  it('refuses a second name for an adopted project, from its root or below, and writes nothing', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    fs.mkdirSync(path.join(project, 'src'));
    const remote = path.join(sb.dir, 'remote.git');
    git(sb.dir, sb.env, 'init', '-q', '--bare', remote);
    expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);
    // Every file byte for byte (the index through `ls-files -s`: git status refreshes its stat data), every ref, the root's links.
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().filter((f) => f !== '.git/index').map((f) => {
        const p = path.join(dir, f);
        const st = fs.lstatSync(p);
        return st.isSymbolicLink() ? `${f} -> ${fs.readlinkSync(p)}` : st.isFile() ? `${f}\n${fs.readFileSync(p, 'base64')}` : f;
      });
    const state = () => ({ files: files(project), root: files(sb.root), user: userState(project, sb.env), refs: git(project, sb.env, 'for-each-ref') });
    const before = state();

    const hint = `open it with: cs proj, or rename it with: cs -mv proj other`;
    for (const args of [['-adopt', 'other'], ['-adopt', 'other', '--from', remote]]) {
      const r = await runCs(args, { env: sb.env, cwd: project });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`cs: ${project} is already session 'proj' — ${hint}`);
    }
    const below = await runCs(['-adopt', 'other'], { env: sb.env, cwd: path.join(project, 'src') });
    expect(below.code).toBe(1);
    expect(below.stderr.trim()).toBe(`cs: ${project}/src is inside session 'proj' (${project}) — open it with: cs proj`);
    expect(state()).toEqual(before);

    const same = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain(`${project} is already session 'proj'; brought .cs/ and CLAUDE.local.md up to date`);

    // With its link gone (removed by hand), the records are taken under the new name.
    fs.unlinkSync(path.join(sb.root, 'proj'));
    const relink = await runCs(['-adopt', 'other'], { env: sb.env, cwd: project });
    expect(relink.code, relink.stderr).toBe(0);
    expect(fs.readdirSync(sb.root).filter((e) => !e.startsWith('.'))).toEqual(['other']);
    expect(read(project, 'CLAUDE.local.md')).toContain('# Session: other\n');
  });

  it('refuses, before writing anything, a .cs that is a link or a file, a link among its folders, a project tracking .cs/, a bare repository and a .git folder', { timeout: 120_000 }, async () => {
    const sb = box();
    const elsewhere = path.join(sb.dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    write(elsewhere, 'README.md', 'keep\n');
    const made = (name: string, setup: (dir: string) => void): string => {
      const dir = path.join(sb.dir, name);
      busyProject(dir, sb.env);
      setup(dir);
      return dir;
    };
    const cases: Array<[string, string, RegExp]> = [
      [made('linked', (d) => fs.symlinkSync(elsewhere, path.join(d, '.cs'))), 'linked', /\/linked\/\.cs is a symbolic link \(to .*elsewhere\): cs keeps the session's records in a real \.cs\/ folder and never writes through a link — remove the link/],
      [made('file', (d) => write(d, '.cs', 'not a folder\n')), 'file', /\/file\/\.cs is a file, where cs keeps the session's records in a \.cs\/ folder — move it out of the way/],
      [made('local', (d) => (fs.mkdirSync(path.join(d, '.cs')), fs.symlinkSync(elsewhere, path.join(d, '.cs/local')))), 'local', /\/local\/\.cs\/local is a symbolic link/],
      [made('tracks', (d) => (write(d, '.cs/changes.md', 'our own tool\n'), git(d, sb.env, 'add', '-f', '.cs'), git(d, sb.env, 'commit', '-qm', 'tooling'))), 'tracks', /\/tracks tracks files under \.cs\/ \(\.cs\/changes\.md\): cs keeps a session's records there and would edit them — move them out of \.cs\//],
    ];
    for (const [dir, name, message] of cases) {
      const before = { user: userState(dir, sb.env), config: read(dir, '.git/config'), exclude: read(dir, '.git/info/exclude') };
      const r = await runCs(['-adopt', name], { env: sb.env, cwd: dir });
      expect(r.code, name).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr, name).toMatch(message);
      expect({ user: userState(dir, sb.env), config: read(dir, '.git/config'), exclude: read(dir, '.git/info/exclude') }, name).toEqual(before);
      expect(fs.existsSync(path.join(dir, 'CLAUDE.local.md')), name).toBe(false);
    }
    expect(fs.readdirSync(elsewhere)).toEqual(['README.md']);
    // A bare repository, and the .git folder of a checkout: no git init inside them.
    const bare = path.join(sb.dir, 'shared.git');
    git(sb.dir, sb.env, 'clone', '-q', '--bare', path.join(sb.dir, 'file'), bare);
    const bareBefore = fs.readdirSync(bare).sort();
    for (const dir of [bare, path.join(sb.dir, 'file', '.git')]) {
      const r = await runCs(['-adopt', 'inside'], { env: sb.env, cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`cs: ${dir} is a git repository's own folder (a bare repository or inside a .git), not a project — adopt a checkout of it instead: git clone <it> <folder> && cd <folder> && cs -adopt <name>`);
      expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);
      expect(fs.existsSync(path.join(dir, '.cs'))).toBe(false);
    }
    expect(fs.readdirSync(bare).sort()).toEqual(bareBefore);
    expect(fs.readdirSync(sb.root).filter((e) => !e.startsWith('.'))).toEqual([]);
  });

  it('refuses an untracked .cs/ of another tool\'s (files cs did not make), leaving them byte for byte; cs\'s own records whose marker went are taken again', { timeout: 120_000 }, async () => {
    const sb = box();
    const dir = path.join(sb.dir, 'project');
    busyProject(dir, sb.env);
    const theirs: Record<string, string> = { '.cs/README.md': 'other tool readme\n', '.cs/conversations.json': '{"a":1}\n', '.cs/logs/session.log': 'their log\n', '.cs/discoveries.md': 'my notes\n' };
    for (const [f, text] of Object.entries(theirs)) write(dir, f, text);
    const before = { user: userState(dir, sb.env), config: read(dir, '.git/config'), exclude: read(dir, '.git/info/exclude') };
    const r = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/\/project\/\.cs holds files cs did not make \(.*conversations\.json.*\): cs keeps a session's records there and would edit them — move it out of the way \(mv '.*\/project\/\.cs' '.*\/project\/\.cs\.old'\), then adopt again/);
    for (const [f, text] of Object.entries(theirs)) expect(read(dir, f), f).toBe(text);
    expect(fs.readdirSync(path.join(dir, '.cs')).sort()).toEqual(['README.md', 'conversations.json', 'discoveries.md', 'logs']);
    expect({ user: userState(dir, sb.env), config: read(dir, '.git/config'), exclude: read(dir, '.git/info/exclude') }).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'CLAUDE.local.md'))).toBe(false);
    expect(fs.readdirSync(sb.root).filter((e) => !e.startsWith('.'))).toEqual([]);

    // cs's own records, the marker gone (and the link): adopting again takes them, as the README says.
    const mine = path.join(sb.dir, 'mine');
    busyProject(mine, sb.env);
    expect((await runCs(['-adopt', 'mine'], { env: sb.env, cwd: mine })).code).toBe(0);
    fs.unlinkSync(path.join(mine, '.cs', 'adopted'));
    fs.unlinkSync(path.join(sb.root, 'mine'));
    const again = await runCs(['-adopt', 'mine'], { env: sb.env, cwd: mine });
    expect(again.code, again.stderr).toBe(0);
    expect(fs.existsSync(path.join(mine, '.cs', 'adopted'))).toBe(true);
  });

  it('adds its lines to info/exclude in place (mode and hard links kept), refuses a linked one, and a linked worktree\'s go where git reads them', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    const exclude = path.join(project, '.git/info/exclude');
    fs.chmodSync(exclude, 0o600);
    const twin = path.join(sb.dir, 'exclude-twin');
    fs.linkSync(exclude, twin);
    const ino = fs.statSync(exclude).ino;
    expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);
    expect(fs.statSync(exclude).mode & 0o777).toBe(0o600);
    expect(fs.statSync(exclude).ino).toBe(ino);
    expect(fs.readFileSync(twin, 'utf8')).toMatch(/^\/\.cs\/$/m);
    expect(fs.statSync(path.join(project, '.cs/local')).mode & 0o777).toBe(0o700);

    const shared = path.join(sb.dir, 'shared-exclude');
    const other = path.join(sb.dir, 'other');
    busyProject(other, sb.env);
    fs.renameSync(path.join(other, '.git/info/exclude'), shared);
    fs.symlinkSync(shared, path.join(other, '.git/info/exclude'));
    const sharedBefore = fs.readFileSync(shared, 'utf8');
    const configBefore = read(other, '.git/config');
    const r = await runCs(['-adopt', 'other'], { env: sb.env, cwd: other });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${other}/.git/info/exclude is a symbolic link, and cs adds its lines to that file (it never writes through a link) — make it a file of its own`);
    expect(fs.readFileSync(shared, 'utf8')).toBe(sharedBefore);
    expect(read(other, '.git/config')).toBe(configBefore);
    expect(fs.existsSync(path.join(other, '.cs'))).toBe(false);

    // A linked worktree reads info/ of the repository's common folder, not .git/worktrees/<id>/info.
    const base = path.join(sb.dir, 'base');
    busyProject(base, sb.env);
    const wt = path.join(sb.dir, 'base-wt');
    git(base, sb.env, 'worktree', 'add', '-q', wt, '-b', 'wt');
    const wtStatus = git(wt, sb.env, 'status', '--porcelain');
    expect((await runCs(['-adopt', 'wt'], { env: sb.env, cwd: wt })).code).toBe(0);
    expect(git(wt, sb.env, 'status', '--porcelain')).toBe(wtStatus);
    expect(git(wt, sb.env, 'add', '-A', '--dry-run')).not.toMatch(/\.cs\/|CLAUDE\.local\.md/);
    expect(read(base, '.git/info/exclude')).toMatch(/^\/\.cs\/$/m);
  });

  it('takes a moved project back under its name (the old link led nowhere)', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);
    const moved = path.join(sb.dir, 'moved');
    fs.renameSync(project, moved);
    expect((await runCs(['-ls'], { env: sb.env })).stderr).toContain('proj: its adopted project is gone (moved or deleted)');
    const r = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: moved });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.realpathSync(path.join(sb.root, 'proj'))).toBe(fs.realpathSync(moved));
    expect(fs.readdirSync(sb.root).filter((e) => !e.startsWith('.'))).toEqual(['proj']);
    const ls = await runCs(['-ls', '--json'], { env: sb.env });
    expect(ls.stderr).toBe('');
    expect((JSON.parse(ls.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['proj']);
    expect(read(moved, '.cs/logs/session.log')).toMatch(/session adopted: proj \(.*moved\), was at .*project\n$/);
    // A name whose link still leads to another project stays refused.
    const third = path.join(sb.dir, 'third');
    busyProject(third, sb.env);
    const taken = await runCs(['-adopt', 'proj'], { env: sb.env, cwd: third });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/session 'proj' already exists/);
  });

  it('gives a plain directory a repository with no commit', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'plain');
    fs.mkdirSync(project);
    write(project, 'notes.txt', 'mine\n');
    const r = await runCs(['-adopt', 'plain'], { env: sb.env, cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(() => git(project, sb.env, 'rev-parse', '--verify', '-q', 'HEAD')).toThrow();
    expect(git(project, sb.env, 'status', '--porcelain')).toBe('?? notes.txt');
  });
});

describe('two checkouts of an adopted project, through a bare remote', () => {
  it('exchange only the records (refs/cs/session); the user\'s branches on the remote are untouched', { timeout: 180_000 }, async () => {
    const a = box();
    const b = box();
    const remote = path.join(a.dir, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    const pa = path.join(a.dir, 'project');
    busyProject(pa, a.env);
    git(pa, a.env, 'remote', 'add', 'origin', remote);
    git(pa, a.env, 'push', '-q', 'origin', 'main');
    const remoteBranches = () => git(a.dir, a.env, '--git-dir', remote, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/tags');
    const branchesBefore = remoteBranches();
    const stateA = userState(pa, a.env);

    expect((await runCs(['-adopt', 'proj'], { env: a.env, cwd: pa })).code).toBe(0);
    write(pa, '.cs/discoveries.md', read(pa, '.cs/discoveries.md') + '\n## from A\nfirst machine\n');
    const push = await runCs(['proj', '-sync', 'push'], { env: a.env });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain(`to ${remote}; your branches are yours to push`);
    expect(remoteBranches()).toBe(branchesBefore);
    expect(userState(pa, a.env)).toEqual(stateA);

    // The second machine checks the project out itself, then takes the records.
    const pb = path.join(b.dir, 'project');
    execFileSync('git', ['clone', '-q', remote, pb], { env: b.env });
    const clone = await runCs(['-sync', 'clone', remote, 'proj'], { env: b.env, cwd: b.dir });
    expect(clone.code).toBe(1);
    expect(clone.stderr).toContain(`holds the records of an adopted project, not a cs workspace`);
    expect(clone.stderr).toContain(`then in that directory run: cs -adopt proj --from ${remote}`);
    expect(fs.existsSync(path.join(b.root, 'proj'))).toBe(false);

    const adoptB = await runCs(['-adopt', 'proj', '--from', remote], { env: b.env, cwd: pb });
    expect(adoptB.code, adoptB.stderr).toBe(0);
    expect(adoptB.stderr).toContain(`took the session's records from ${remote}`);
    expect(read(pb, '.cs/discoveries.md')).toContain('## from A\nfirst machine');
    expect(git(pb, b.env, 'status', '--porcelain')).toBe('');

    // Both append to the change log; B also adds a discovery. Logs merge line by line.
    fs.appendFileSync(path.join(pb, '.cs/changes.md'), '- [2026-11-30 10:00:00] Write: b.txt\n');
    write(pb, '.cs/discoveries.md', read(pb, '.cs/discoveries.md') + '\n## from B\nsecond machine\n');
    fs.appendFileSync(path.join(pa, '.cs/changes.md'), '- [2026-11-30 10:00:01] Write: a.txt\n');
    expect((await runCs(['proj', '-sync', 'push'], { env: b.env })).code).toBe(0);
    const rejected = await runCs(['proj', '-sync', 'push'], { env: a.env });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('run cs proj -sync pull, then cs proj -sync push');
    // The user's own fetch leaves FETCH_HEAD; cs's pull of the records does not touch it.
    git(pa, a.env, 'fetch', '-q', 'origin');
    const fetchHead = read(pa, '.git/FETCH_HEAD');
    const pull = await runCs(['proj', '-sync', 'pull'], { env: a.env });
    expect(pull.code, pull.stderr).toBe(0);
    expect(read(pa, '.git/FETCH_HEAD')).toBe(fetchHead);
    expect(pull.stderr).toContain("records merged with the remote's");
    expect(read(pa, '.cs/changes.md')).toContain('Write: a.txt');
    expect(read(pa, '.cs/changes.md')).toContain('Write: b.txt');
    expect(read(pa, '.cs/discoveries.md')).toContain('## from B');
    expect((await runCs(['proj', '-sync', 'push'], { env: a.env })).code).toBe(0);
    const pullB = await runCs(['proj', '-sync', 'pull'], { env: b.env });
    expect(pullB.stderr).toContain('records updated from the remote');
    expect(read(pb, '.cs/changes.md')).toContain('Write: a.txt');

    const status = JSON.parse((await runCs(['proj', '-sync', 'status', '--json'], { env: b.env })).stdout);
    expect(status).toMatchObject({ adopted: true, ref: 'refs/cs/session', remote, ahead: 0, behind: 0, unrecorded: false, reachable: true });
    expect(remoteBranches()).toBe(branchesBefore);
    expect(userState(pa, a.env)).toEqual(stateA);
    expect(git(pb, b.env, 'status', '--porcelain')).toBe('');
  });
});

/** A busy project with a bare origin, adopted as 'proj'. */
async function adoptedWithOrigin() {
  const sb = box();
  const remote = path.join(sb.dir, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const project = path.join(sb.dir, 'project');
  busyProject(project, sb.env);
  git(project, sb.env, 'remote', 'add', 'origin', remote);
  expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);
  return { sb, remote, project };
}

describe('a project without the .cs/adopted marker is still the user\'s', () => {
  it('an adopted project whose marker went: cs <name>, -sync push and -sync pull commit, reset and push none of its branches', { timeout: 120_000 }, async () => {
    const { sb, remote, project } = await adoptedWithOrigin();
    // Deleted by hand, by Claude, or taken away by records pulled from elsewhere.
    fs.rmSync(path.join(project, '.cs/adopted'));
    const before = userState(project, sb.env);
    const remoteRefs = () => git(sb.dir, sb.env, '--git-dir', remote, 'for-each-ref', '--format=%(refname)', 'refs/heads');

    const open = await runCs(['proj'], { env: sb.env });
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).not.toMatch(/committed/);
    expect(open.stderr).toContain(`no session commit — ${project} is not a workspace cs made`);
    expect(userState(project, sb.env)).toEqual(before);

    for (const sub of ['push', 'pull']) {
      const r = await runCs(['proj', '-sync', sub], { env: sb.env });
      expect(r.stderr).not.toMatch(/committed|internal error/);
      expect(userState(project, sb.env)).toEqual(before);
    }
    expect(git(project, sb.env, 'log', '--branches', '--format=%s')).toBe('initial');
    expect(remoteRefs()).toBe('');
  });

  it('a Claude with cs\'s hooks in a project holding a .cs/ of another tool\'s: its session end commits nothing there', { timeout: 60_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    write(project, '.cs/tool.json', '{"their": "config"}\n');
    // What git holds of the user's (the hooks' own lines under that .cs/ aside).
    const state = () => {
      const u = userState(project, sb.env);
      return { ...u, status: u.status.split('\n').filter((l) => !l.startsWith('?? .cs/')).join('\n') };
    };
    const before = state();
    const env = { ...sb.env, CLAUDE_PROJECT_DIR: project };
    const input = JSON.stringify({ hook_event_name: 'SessionEnd', reason: 'other', session_id: '4b7f3f0e-0000-4000-8000-000000000001', cwd: project });
    expect((await runHookScript('session-end', input, env)).code).toBe(0);
    expect(git(project, sb.env, 'log', '--all', '--format=%s')).not.toMatch(/Session update/);
    expect(state()).toEqual(before);
    // Not cs's .cs/ (no session log, no adopted marker): no hook writes in it, nothing autosaved.
    for (const script of ['status-prompt', 'post-tool-use', 'pre-compact']) {
      const ev = JSON.stringify({ hook_event_name: 'PostToolUse', session_id: '4b7f3f0e-0000-4000-8000-000000000001', cwd: project, tool_name: 'Write', tool_input: { file_path: path.join(project, 'a.txt'), content: 'x' } });
      expect((await runHookScript(script, ev, env)).code, script).toBe(0);
    }
    expect(fs.readdirSync(path.join(project, '.cs'))).toEqual(['tool.json']);
    expect(git(project, sb.env, 'for-each-ref', 'refs/cs')).toBe('');
  });
});

describe('-sync push of an adopted project\'s records', () => {
  it('runs none of the project\'s own hooks, and a remote that refuses the ref gets one line with what to do', { timeout: 120_000 }, async () => {
    const { sb, remote, project } = await adoptedWithOrigin();
    // The user's pre-push hook checks their code (here: refuses everything, and says it ran).
    const ran = path.join(sb.dir, 'pre-push-ran');
    write(project, '.git/hooks/pre-push', `#!/bin/sh\necho "$@" >> '${ran}'\nexit 1\n`);
    fs.chmodSync(path.join(project, '.git/hooks/pre-push'), 0o755);
    const before = userState(project, sb.env);

    const push = await runCs(['proj', '-sync', 'push'], { env: sb.env });
    expect(push.code, push.stderr).toBe(0);
    expect(fs.existsSync(ran)).toBe(false);
    expect(git(sb.dir, sb.env, '--git-dir', remote, 'rev-parse', 'refs/cs/session')).toBe(git(project, sb.env, 'rev-parse', 'refs/cs/session'));

    // A server-side hook that declines the records.
    write(remote, 'hooks/pre-receive', '#!/bin/sh\necho "no refs/cs here" >&2\nexit 1\n');
    fs.chmodSync(path.join(remote, 'hooks/pre-receive'), 0o755);
    write(project, '.cs/discoveries.md', read(project, '.cs/discoveries.md') + '\n## more\nfound\n');
    const refused = await runCs(['proj', '-sync', 'push'], { env: sb.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(refused.stderr.trim().split('\n').filter((l) => !l.endsWith('records...'))).toEqual([
      `cs: ${remote} refused the session records (refs/cs/session: pre-receive hook declined); nothing was pushed — allow pushes of refs/cs/session there (a server-side hook or ref rule), or push the records elsewhere: cs proj -sync remote <url>`,
    ]);
    expect(fs.existsSync(ran)).toBe(false);
    expect(userState(project, sb.env)).toEqual(before);
  });
});

describe('cs -adopt --from, refused', () => {
  /** Every path of `dir` but git's objects (a refused fetch may leave some, unreferenced) and its index (git status refreshes it), with the bytes of each file. */
  const everything = (dir: string): string[] =>
    fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().filter((f) => !f.startsWith('.git/objects/') && f !== '.git/index').map((f) => {
      const p = path.join(dir, f);
      const st = fs.lstatSync(p);
      return st.isSymbolicLink() ? `${f} -> ${fs.readlinkSync(p)}` : st.isFile() ? `${f}\n${fs.readFileSync(p, 'base64')}` : f;
    });

  /** A bare remote whose records (refs/cs/session) hold `files` (path -> text, or { link: target }). */
  const remoteWithRecords = (sb: Sandbox, name: string, files: Record<string, string | { link: string }>): string => {
    const remote = path.join(sb.dir, `${name}.git`);
    git(sb.dir, sb.env, 'init', '-q', '--bare', remote);
    const src = path.join(sb.dir, `${name}-src`);
    git(sb.dir, sb.env, 'init', '-q', src);
    for (const [f, t] of Object.entries(files)) {
      if (typeof t === 'string') write(src, f, t);
      else (fs.mkdirSync(path.dirname(path.join(src, f)), { recursive: true }), fs.symlinkSync(t.link, path.join(src, f)));
    }
    git(src, sb.env, 'add', '-f', '--', ...Object.keys(files));
    const commit = git(src, sb.env, 'commit-tree', git(src, sb.env, 'write-tree'), '-m', 'records');
    git(src, sb.env, 'push', '-q', remote, `${commit}:refs/cs/session`);
    return remote;
  };

  it('changes nothing in the project when the records hold links or the remote cannot be reached: no .cs/, no ref, no config or info lines, FETCH_HEAD kept', { timeout: 120_000 }, async () => {
    const sb = box();
    const links = remoteWithRecords(sb, 'links', { '.cs/discoveries.md': 'x\n', '.cs/changes.md': { link: '/etc/passwd' }, '.cs/logs': { link: '..' } });
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    git(project, sb.env, 'fetch', '-q', '.', 'main');
    const before = everything(project);
    expect(before).toContain('.git/FETCH_HEAD\n' + fs.readFileSync(path.join(project, '.git/FETCH_HEAD'), 'base64'));
    for (const [from, message] of [
      [links, `cs: the session records on ${links} hold symbolic links (.cs/changes.md, .cs/logs); nothing was changed`],
      [path.join(sb.dir, 'nowhere.git'), `cs: cannot reach remote ${path.join(sb.dir, 'nowhere.git')}`],
    ] as const) {
      const r = await runCs(['-adopt', 'proj', '--from', from], { env: sb.env, cwd: project });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
      // What to do, for adoption (no placeholder, no offer to create what holds nothing to take).
      expect(r.stderr).not.toContain('<session>');
      expect(everything(project)).toEqual(before);
      expect(git(project, sb.env, 'for-each-ref', 'refs/cs', 'refs/cs-*')).toBe('');
    }
    // A plain directory: the repository made for the records goes again. Past three links, the message says how many more.
    const plain = path.join(sb.dir, 'plain');
    write(plain, 'notes.txt', 'mine\n');
    const many = remoteWithRecords(sb, 'many', Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((f) => [`.cs/${f}`, { link: 'x' }])));
    const r = await runCs(['-adopt', 'plain', '--from', many], { env: sb.env, cwd: plain });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`cs: the session records on ${many} hold symbolic links (.cs/a, .cs/b, .cs/c, +2 more); nothing was changed — `);
    expect(fs.readdirSync(plain)).toEqual(['notes.txt']);
    expect(fs.readdirSync(sb.root)).toEqual([]);
  });

  it('a checkout with records of its own that conflict with the remote\'s: refused, and the project (config, info files, refs, .cs) is as it was', { timeout: 120_000 }, async () => {
    const sb = box();
    const remote = remoteWithRecords(sb, 'theirs', { '.cs/README.md': '# proj\n\n## Objective\nthe remote one\n' });
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    // An untracked .cs/ of this checkout's own, with another objective.
    write(project, '.cs/README.md', '# proj\n\n## Objective\nthis checkout\'s\n');
    const before = everything(project);
    const r = await runCs(['-adopt', 'proj', '--from', remote], { env: sb.env, cwd: project });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/pull stopped: \.cs\/README\.md changed differently on both machines; nothing was changed/);
    // What to run again is the adoption: the session does not exist yet.
    expect(r.stderr).toContain(`then run: cs -adopt proj --from ${remote}`);
    expect(everything(project)).toEqual(before);
    expect(git(project, sb.env, 'for-each-ref', 'refs/cs', 'refs/cs-*')).toBe('');
    expect(fs.readdirSync(sb.root)).toEqual([]);
  });

  it('a refusal of prepareRepo (a linked info/exclude) under --from is undone without touching the link', { timeout: 120_000 }, async () => {
    const sb = box();
    const remote = remoteWithRecords(sb, 'fine', { '.cs/README.md': '# proj\n' });
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    const shared = path.join(sb.dir, 'shared-exclude');
    fs.renameSync(path.join(project, '.git/info/exclude'), shared);
    fs.symlinkSync(shared, path.join(project, '.git/info/exclude'));
    const before = everything(project);
    const sharedBefore = fs.readFileSync(shared, 'utf8');
    const r = await runCs(['-adopt', 'proj', '--from', remote], { env: sb.env, cwd: project });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('.git/info/exclude is a symbolic link');
    expect(fs.readlinkSync(path.join(project, '.git/info/exclude'))).toBe(shared);
    expect(fs.readFileSync(shared, 'utf8')).toBe(sharedBefore);
    expect(everything(project)).toEqual(before);
  });

  it('refuses records holding paths cs never syncs (outside .cs/, under .cs/local/), on -adopt --from and on -sync pull, and writes none of them', { timeout: 120_000 }, async () => {
    const sb = box();
    // As a remote someone else can push to could hold: the user's own app.py overwritten, and this machine's allowance for .cs/worktree-setup.
    const evil = remoteWithRecords(sb, 'evil', { '.cs/discoveries.md': 'x\n', 'app.py': 'PWNED\n', '.cs/local/setup-allowed': 'f'.repeat(64) + '\n' });
    const message = `hold paths cs never syncs (.cs/local/setup-allowed, app.py): records are .cs/ without .cs/local/ and .cs/archives/; nothing was changed`;
    const project = path.join(sb.dir, 'project');
    busyProject(project, sb.env);
    const before = everything(project);
    const r = await runCs(['-adopt', 'proj', '--from', evil], { env: sb.env, cwd: project });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`cs: the session records on ${evil} ${message}`);
    expect(everything(project)).toEqual(before);
    // Adopted without --from, its records then pulled from the same remote.
    git(project, sb.env, 'remote', 'add', 'origin', evil);
    expect((await runCs(['-adopt', 'proj'], { env: sb.env, cwd: project })).code).toBe(0);
    const state = userState(project, sb.env);
    const pull = await runCs(['proj', '-sync', 'pull'], { env: sb.env });
    expect(pull.code, pull.stderr).toBe(1);
    expect(pull.stderr).toContain(message);
    expect(read(project, 'app.py')).toBe('print(1)\nprint(2)\n');
    expect(fs.existsSync(path.join(project, '.cs/local/setup-allowed'))).toBe(false);
    expect(read(project, '.cs/discoveries.md')).not.toBe('x\n');
    expect(userState(project, sb.env)).toEqual(state);
  });
});

describe('a project adopted by an older cs', () => {
  const fixture = path.resolve('test/fixtures/old-adopt');

  it('gets its block moved to CLAUDE.local.md and only cs\'s lines removed, uncommitted, with one notice, and history kept', { timeout: 120_000 }, async () => {
    const sb = box();
    const project = path.join(sb.dir, 'project');
    execFileSync('git', ['clone', '-q', '-b', 'feature-x', path.join(fixture, 'project.bundle'), project]);
    // As the old `cs -adopt` left it: the session is a link to the project.
    fs.mkdirSync(sb.root, { recursive: true });
    fs.symlinkSync(project, path.join(sb.root, 'proj'));
    const head = git(project, sb.env, 'rev-parse', 'HEAD');
    const log = git(project, sb.env, 'log', '--format=%s');
    expect(log).toBe(read(fixture, 'log.txt').trimEnd());
    expect(read(project, 'CLAUDE.md')).toContain('<!-- cs:protocol:start -->');

    const r = await runCs(['proj'], { env: sb.env });
    expect(r.code, r.stderr).toBe(0);
    const notice = r.stderr.split('\n').filter((l) => l.includes('adopted by an older cs'));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toContain('edited CLAUDE.md, edited .gitignore, edited .gitattributes');
    expect(notice[0]).toContain('review them with git diff');
    expect(notice[0]).toContain('to stop tracking it: git rm -r --cached .cs');
    for (const f of ['CLAUDE.md', '.gitignore', '.gitattributes']) expect(read(project, f)).toBe(read(path.join(fixture, 'original'), f));
    expect(read(project, 'CLAUDE.local.md')).toMatch(/^<!-- cs:protocol:start -->\n# Session: proj\n/);
    expect(read(project, '.git/info/exclude')).toMatch(/^\/\.cs\/$/m);
    expect(read(project, '.git/info/attributes')).toContain('.cs/logs/* merge=union');
    // Nothing committed or staged; history as it was.
    expect(git(project, sb.env, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(project, sb.env, 'log', '--format=%s')).toBe(log);
    expect(git(project, sb.env, 'diff', '--cached', '--name-only')).toBe('');
    expect(git(project, sb.env, 'diff', '--name-only', '--', 'CLAUDE.md', '.gitignore', '.gitattributes')).toBe('.gitattributes\n.gitignore\nCLAUDE.md'.split('\n').join('\n'));

    const second = await runCs(['proj'], { env: sb.env });
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('adopted by an older cs');
    expect(git(project, sb.env, 'rev-parse', 'HEAD')).toBe(head);
    // The user puts the old .gitignore back on purpose: cs does not fight it, nor say it again.
    git(project, sb.env, 'checkout', '--', '.gitignore');
    const third = await runCs(['proj'], { env: sb.env });
    expect(third.stderr).not.toContain('adopted by an older cs');
    expect(read(project, '.gitignore')).toContain('.cs/local/');
  });
});
