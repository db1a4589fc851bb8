// A project in the middle of someone's work, and a picture of everything
// of the user's that cs must leave as it was (tests of adopted projects).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const USER = ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com'];
export function git(dir: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync('git', [...USER, ...args], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');
}
export const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
export const write = (dir: string, f: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
  fs.writeFileSync(path.join(dir, f), text);
};

export const OWN = { 'CLAUDE.md': '# Project rules\n\nBe terse.\n', '.gitignore': '*.pyc\n', '.gitattributes': '*.sh text eol=lf\n' };

/** A project in the middle of someone's work: a branch, a staged and an unstaged change, an untracked file, a stash entry. */
export function busyProject(dir: string, env: NodeJS.ProcessEnv): void {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, env, 'init', '-q', '-b', 'main');
  for (const [f, t] of Object.entries(OWN)) write(dir, f, t);
  write(dir, 'app.py', 'print(1)\n');
  write(dir, 'lib.py', 'X = 1\n');
  write(dir, 'util.py', 'def f():\n    return 1\n');
  git(dir, env, 'add', '-A');
  git(dir, env, 'commit', '-qm', 'initial');
  git(dir, env, 'switch', '-qc', 'feature-x');
  write(dir, 'stashed.py', 'S = 1\n');
  git(dir, env, 'add', 'stashed.py');
  git(dir, env, 'stash', 'push', '-q', '-m', 'parked');
  write(dir, 'lib.py', 'X = 2\n');
  git(dir, env, 'add', 'lib.py');
  write(dir, 'app.py', 'print(1)\nprint(2)\n');
  write(dir, 'wip.txt', 'scratch\n');
}

/** Everything of the user's that cs must leave as it was. */
export function userState(dir: string, env: NodeJS.ProcessEnv) {
  return {
    head: git(dir, env, 'rev-parse', 'HEAD'),
    symbolic: git(dir, env, 'symbolic-ref', 'HEAD'),
    branches: git(dir, env, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/remotes', 'refs/tags'),
    index: git(dir, env, 'ls-files', '-s'),
    staged: git(dir, env, 'diff', '--cached'),
    stash: git(dir, env, 'stash', 'list', '--format=%H %gs'),
    status: git(dir, env, 'status', '--porcelain', '--untracked-files=all'),
    own: Object.fromEntries(Object.keys(OWN).map((f) => [f, read(dir, f)])),
  };
}

