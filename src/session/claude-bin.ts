// Finding the Claude Code binary before we take a lock or print anything.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { missingProgram } from '../lib/proc.js';
import { isExecutable, which } from '../lib/which.js';

export function claudeBin(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CODE_BIN && env.CLAUDE_CODE_BIN.trim() !== '' ? env.CLAUDE_CODE_BIN : 'claude';
}

/** The absolute path of Claude Code, or a UserError saying how to get it. */
export function requireClaude(env: NodeJS.ProcessEnv): string {
  const bin = claudeBin(env);
  const found = which(bin, env);
  // A path that exists but cannot be run (a directory, a plain file) is not "missing".
  if (!found && bin.includes('/') && fs.existsSync(bin)) throw badClaudeBin(bin);
  if (!found) {
    const err = missingProgram(bin);
    throw new UserError(err.message, 'install Claude Code (npm install -g @anthropic-ai/claude-code) or set CLAUDE_CODE_BIN', 127);
  }
  return found;
}

/** Why CLAUDE_CODE_BIN cannot be run, said the way the user can fix it. */
function badClaudeBin(bin: string): UserError {
  if (fs.statSync(bin).isDirectory()) {
    const inside = path.join(bin, 'claude');
    return new UserError(`CLAUDE_CODE_BIN names a directory, not a program: ${bin}`, `set it to the claude program itself${isExecutable(inside) ? `: CLAUDE_CODE_BIN=${inside}` : ' (the file, e.g. .../bin/claude)'}`, 127);
  }
  return new UserError(`CLAUDE_CODE_BIN is not an executable program: ${bin}`, `make it executable (chmod +x ${bin}) or point CLAUDE_CODE_BIN at the claude program`, 126);
}
