// Two "laptops" for the real-Claude tests: two HOMEs with different session
// roots, cs installed in each, sharing one bare git remote.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLAUDE_BIN, offlineClaudeEnv } from './claude.js';
import { runCs } from './cs.js';
import { installedHome } from './installed-home.js';

export interface Laptop {
  name: string;
  home: string;
  root: string;
  env: NodeJS.ProcessEnv;
  cs(args: string[], extra?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** cs <session> -- -p <prompt> with the real Claude Code against the fake API at `url`. */
  claude(session: string, prompt: string, url: string, csFlags?: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function laptop(base: string, name: string, root: string, opts: { install?: boolean } = {}): Laptop {
  const home = path.join(base, name, 'home');
  const env = installedHome(
    base,
    {
      USER: `user-${name}`,
      CS_SESSIONS_ROOT: root,
      CS_SECRETS_BACKEND: 'encrypted',
      CS_SECRETS_PASSWORD: `pw-${name}`,
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: `${name}@example.invalid`,
      GIT_COMMITTER_NAME: name,
      GIT_COMMITTER_EMAIL: `${name}@example.invalid`,
    },
    { install: opts.install, home },
  );
  const cs: Laptop['cs'] = (args, extra = {}) => runCs(args, { env: { ...env, ...extra } });
  const claude: Laptop['claude'] = (session, prompt, url, csFlags = []) =>
    cs([session, ...csFlags, '--', '-p', prompt, '--allowedTools', 'Write,Edit,Bash'], { ...offlineClaudeEnv({ home, configDir: env.CLAUDE_CONFIG_DIR, baseUrl: url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN });
  return { name, home, root, env, cs, claude };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Every text the API saw in a request's messages, joined. */
export function messagesText(body: any): string {
  return JSON.stringify(body?.messages ?? []);
}
