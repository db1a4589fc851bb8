// Runs our hook scripts (hooks/<name>, then dist/hook.js) the way Claude
// Code does: JSON on stdin, the session environment, stdout and exit read back.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createSession } from '../../src/session/workspace.js';
import type { SessionPaths } from '../../src/session/paths.js';
import { AUTOSAVE_STAMP } from '../../src/git/autosave.js';
import * as fs from 'node:fs';
import { repoRoot, sandbox, type Sandbox } from './cs.js';

export interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs hooks/<script> on `input` and resolves once it, and whatever it left
 * running detached (hooks/post-tool-use hands work to a Node it does not
 * wait for), has ended: the child gets one more pipe, as fd 4, which every
 * process it starts inherits and Claude Code does not give. `ms` is that
 * whole time.
 */
export function runHookScript(script: string, input: string | Buffer, env: NodeJS.ProcessEnv): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(path.join(repoRoot, 'hooks', script), [], { env, stdio: ['pipe', 'pipe', 'pipe', 'ignore', 'pipe'] });
    const [stdin, out, err] = [child.stdin!, child.stdout!, child.stderr!];
    let stdout = '';
    let stderr = '';
    out.on('data', (b) => (stdout += b));
    err.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 }));
    stdin.on('error', () => {});
    stdin.end(input);
  });
}

export interface HookSandbox extends Sandbox {
  session: SessionPaths;
  /** The environment cs gives Claude (and so its hooks). */
  hookEnv: NodeJS.ProcessEnv;
}

/** A temp home with one real session and the encrypted-file secrets backend. */
export async function hookSandbox(name = 'hooked'): Promise<HookSandbox> {
  const sb = sandbox({ CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'test-password' });
  const session = await createSession(sb.env, name);
  const hookEnv: NodeJS.ProcessEnv = {
    ...sb.env,
    CLAUDE_SESSION_NAME: name,
    CLAUDE_SESSION_DIR: session.dir,
    CLAUDE_SESSION_META_DIR: session.meta,
    CLAUDE_ARTIFACT_DIR: session.artifacts,
    CLAUDE_PROJECT_DIR: session.dir,
  };
  return { ...sb, session, hookEnv };
}

export function payload(event: string, fields: Record<string, unknown>, cwd: string): string {
  return JSON.stringify({ session_id: '3389759f-023f-48fb-a0ed-21abe8b8c5bf', transcript_path: '/nonexistent/t.jsonl', cwd, hook_event_name: event, ...fields });
}

/** Makes the once-a-minute autosave not due in the session at `dir` (its stamp says one just started): for tests of hooks/post-tool-use's other parts. */
export function noAutosaveDue(dir: string): void {
  fs.mkdirSync(path.join(dir, path.dirname(AUTOSAVE_STAMP)), { recursive: true });
  fs.writeFileSync(path.join(dir, AUTOSAVE_STAMP), String(Date.now()));
}
