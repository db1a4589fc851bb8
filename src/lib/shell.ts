// Quoting for POSIX shells: the remote shell (ssh hands its command to the
// remote login shell as one string), hook commands in settings.json, export
// lines for Claude's env file. Nothing typed by the user ever reaches a shell
// unquoted.

const SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** One word for a POSIX shell: left bare when plainly safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('cannot pass a NUL byte to a shell');
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line for the remote shell from separate words. */
export function commandLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
