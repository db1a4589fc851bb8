import { UsageError } from '../lib/errors.js';

export const NAME_RULE = '1–64 characters of letters, digits, ".", "_" or "-", not starting with "." or "-"';
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** Returns why a session name is unusable, or null when it is fine. */
export function nameProblem(name: string): string | null {
  if (NAME_RE.test(name)) return null; // the usual answer in one test (cs -ls asks it for every session)
  if (name === '') return 'session name is empty';
  if (name.length > 64) return `session name is ${name.length} characters long (64 at most)`;
  if (/[\x00-\x1f\x7f]/.test(name)) return 'session name contains control characters';
  if (name.startsWith('-')) return `session name '${name}' starts with "-"`;
  if (name.startsWith('.')) return `session name '${name}' starts with "."`;
  if (!NAME_RE.test(name)) return `session name '${name}' contains characters other than letters, digits, ".", "_" and "-"`;
  return null;
}

/** Throws a UsageError naming the rule when the session name is unusable. */
export function validateName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new UsageError(problem, `use ${NAME_RULE}`);
  return name;
}
