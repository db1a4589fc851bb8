// Real git in temp dirs: a "laptop" is a temp HOME with its own sessions
// root and no git identity (so the cs@localhost fallback is exercised).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareRepo } from '../../src/git/autosave.js';
import { commitAll, initRepo } from '../../src/git/repo.js';
import type { Context } from '../../src/commands/types.js';
import { testIO, type TestIO } from './io.js';

const made: string[] = [];

export function tempDir(prefix = 'cs-git-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export interface Laptop {
  home: string;
  root: string;
  env: NodeJS.ProcessEnv;
}

export function laptop(extra: Record<string, string> = {}): Laptop {
  const home = tempDir('cs-home-');
  const root = path.join(home, 'sessions');
  fs.mkdirSync(root);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CS_SESSIONS_ROOT: root,
    GIT_CONFIG_NOSYSTEM: '1',
    LANG: 'C',
    ...extra,
  };
  return { home, root, env };
}

/** git for the test's own set-up and assertions (with an identity of its own). */
export function git(dir: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
    cwd: dir,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function write(dir: string, rel: string, text: string): void {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
}

export function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

/** A minimal session workspace: the layout cs creates, committed once. */
export async function makeSession(l: Laptop, name: string): Promise<string> {
  const dir = path.join(l.root, name);
  fs.mkdirSync(dir);
  await initRepo(dir, { env: l.env });
  write(dir, 'CLAUDE.md', '# Session protocol\n');
  write(dir, '.cs/README.md', `# ${name}\n`);
  write(dir, '.cs/discoveries.md', '# Discoveries\n');
  write(dir, '.cs/changes.md', '# Changes\n');
  write(dir, '.gitignore', '.cs/local/\n*.tmp\n');
  await prepareRepo(dir, { env: l.env });
  await commitAll(dir, 'Create session', { env: l.env });
  return dir;
}

export function bareRemote(dir: string, name: string): string {
  const p = path.join(dir, `${name}.git`);
  execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', p]);
  return p;
}

export function ctxFor(l: Laptop, io: TestIO = testIO(), cwd = l.home): Context & { io: TestIO } {
  return { io, env: l.env, cwd, now: () => new Date('2025-01-02T03:04:05Z') };
}
