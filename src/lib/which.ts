// Finding a program on PATH the way execvp(3) does, without running it.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when `file` is a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves `program` (a bare name searched on env.PATH, or a path with a
 * slash) to an absolute path of an executable file; null when it cannot be run.
 */
export function which(program: string, env: NodeJS.ProcessEnv): string | null {
  if (program.includes('/')) return isExecutable(program) ? path.resolve(program) : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}
