// Finding the Claude Code binary before we take a lock or print anything.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { missingProgram } from '../proc.js';

export function claudeBin(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CODE_BIN && env.CLAUDE_CODE_BIN.trim() !== '' ? env.CLAUDE_CODE_BIN : 'claude';
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Resolves a program the way execvp would; null when it cannot be run. */
export function which(program: string, env: NodeJS.ProcessEnv): string | null {
  if (program.includes('/')) return isExecutable(program) ? path.resolve(program) : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** The absolute path of Claude Code, or a UserError saying how to get it. */
export function requireClaude(env: NodeJS.ProcessEnv): string {
  const bin = claudeBin(env);
  const found = which(bin, env);
  if (!found) {
    const err = missingProgram(bin);
    throw new UserError(err.message, 'install Claude Code (npm install -g @anthropic-ai/claude-code) or set CLAUDE_CODE_BIN', 127);
  }
  return found;
}
