// Two sessions whose names differ only in '.' and '-' (x.y and x-y): Claude
// Code files both under one project folder (src/conversations/owned.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { claudeProjectDir } from '../../src/session/claude-project.js';
import { runCs } from './cs.js';

/**
 * Starts x.y and x-y with the built cs (each start pins the conversation
 * Claude is given) and returns each one's pinned uuid and the project
 * folder they share, created. `env` needs CS_SESSIONS_ROOT and CLAUDE_CONFIG_DIR.
 */
export async function sessionsSharingAFolder(env: NodeJS.ProcessEnv): Promise<{ dot: string; dash: string; shared: string }> {
  // Each start pins its conversation, kept as Claude Code wrote a transcript for it (the stand-in does so when asked).
  for (const s of ['x.y', 'x-y']) expect((await runCs([s], { env: { ...env, FAKE_CLAUDE_TRANSCRIPT: '1' } })).code).toBe(0);
  const pinned = async (s: string) => (JSON.parse((await runCs([s, '-conversations', '--json'], { env })).stdout) as Array<{ uuid: string }>)[0]!.uuid;
  const root = env.CS_SESSIONS_ROOT!;
  const shared = claudeProjectDir(env.CLAUDE_CONFIG_DIR!, path.join(root, 'x-y'));
  expect(claudeProjectDir(env.CLAUDE_CONFIG_DIR!, path.join(root, 'x.y'))).toBe(shared);
  fs.mkdirSync(shared, { recursive: true });
  return { dot: await pinned('x.y'), dash: await pinned('x-y'), shared };
}
