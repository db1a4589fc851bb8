// The installer's completion step: one script per shell found on PATH, in
// the place that shell looks for per-user completions, for each name cs was
// linked under (not `cs` when another program owns that name). Files are
// written only when their content changes, so a second install changes
// nothing; the returned paths go into the install record for -uninstall.
// The installer leaves a same-named file of the user's alone (splitOwned).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import { which } from '../lib/which.js';
import { homeDir } from '../session/paths.js';
import { completionModel } from './model.js';
import { completionScript, type Shell } from './shells.js';

interface Placement {
  shell: Shell;
  /** The program that says this shell is in use. */
  program: string;
  /** Files to write; `names` are the commands the file completes. */
  files(env: NodeJS.ProcessEnv, names: readonly string[]): Array<{ file: string; names: readonly string[] }>;
}

const dataHome = (env: NodeJS.ProcessEnv) => env.XDG_DATA_HOME || path.join(homeDir(env), '.local', 'share');
const configHome = (env: NodeJS.ProcessEnv) => env.XDG_CONFIG_HOME || path.join(homeDir(env), '.config');

// bash-completion and fish load a command's completions lazily from a file
// named after the command, so each name gets its own file there.
export const PLACEMENTS: readonly Placement[] = [
  {
    shell: 'bash',
    program: 'bash',
    files: (env, names) => {
      const dir = env.BASH_COMPLETION_USER_DIR ? path.join(env.BASH_COMPLETION_USER_DIR, 'completions') : path.join(dataHome(env), 'bash-completion', 'completions');
      return names.map((n) => ({ file: path.join(dir, n), names: [n] }));
    },
  },
  { shell: 'zsh', program: 'zsh', files: (env, names) => [{ file: path.join(homeDir(env), '.zsh', 'completions', '_cs'), names }] },
  { shell: 'fish', program: 'fish', files: (env, names) => names.map((n) => ({ file: path.join(configHome(env), 'fish', 'completions', `${n}.fish`), names: [n] })) },
  { shell: 'powershell', program: 'pwsh', files: (env, names) => [{ file: path.join(configHome(env), 'powershell', 'completions', 'cs.ps1'), names }] },
];

/** A completion script to write: `to` the file, `text` its content. */
export interface CompletionFile {
  to: string;
  text: string;
}

/** The scripts for every shell found on PATH, for the names cs is installed under; writes nothing. */
export function plannedCompletions(env: NodeJS.ProcessEnv, names: readonly string[]): CompletionFile[] {
  if (names.length === 0) return [];
  const model = completionModel();
  const out: CompletionFile[] = [];
  for (const p of PLACEMENTS) {
    if (!which(p.program, env)) continue;
    for (const { file, names: forNames } of p.files(env, names)) out.push({ to: file, text: completionScript(p.shell, model, forNames) });
  }
  return out;
}

/** Writes the scripts whose content differs; returns every path (for the install record). */
export function installCompletions(files: readonly CompletionFile[]): string[] {
  for (const { to, text } of files) {
    ensureDir(path.dirname(to));
    let current: string | null = null;
    try {
      current = fs.readFileSync(to, 'utf8');
    } catch {
      // not there yet
    }
    if (current !== text) writeFileAtomic(to, text);
  }
  return files.map((f) => f.to);
}

// Where bash-completion's loader is installed (Linux distributions, BSD and
// source installs, Homebrew's bash-completion@2). Without one, nothing reads
// ~/.local/share/bash-completion/completions.
export const BASH_COMPLETION_LOADERS = [
  '/usr/share/bash-completion/bash_completion',
  '/etc/bash_completion',
  '/usr/local/share/bash-completion/bash_completion',
  '/opt/homebrew/etc/profile.d/bash_completion.sh',
  '/usr/local/etc/profile.d/bash_completion.sh',
];

const tilde = (env: NodeJS.ProcessEnv, file: string) => {
  const home = homeDir(env);
  return file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
};

const readOr = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/**
 * What the user still has to do for the placed scripts to load, one line per
 * shell: zsh reads ~/.zsh/completions only once ~/.zshrc puts it on fpath,
 * and bash reads its folder only through bash-completion. A shell already set
 * up (its rc file names the folder or the script) gets no line, nor does a
 * shell other than the login shell ($SHELL) when that is known.
 */
export function completionHints(env: NodeJS.ProcessEnv, placed: readonly string[], exists: (file: string) => boolean = fs.existsSync): string[] {
  const hints: string[] = [];
  const login = env.SHELL ? path.basename(env.SHELL) : null;
  const used = (shell: string) => login === null || login === shell;
  const zsh = used('zsh') ? placed.find((f) => path.basename(f) === '_cs') : undefined;
  if (zsh) {
    const rcFile = path.join(env.ZDOTDIR || homeDir(env), '.zshrc');
    const rc = readOr(rcFile);
    const dir = tilde(env, path.dirname(zsh));
    if (!rc.includes(dir.replace(/^~/, ''))) {
      const setUp = /compinit|oh-my-zsh\.sh/.test(rc);
      const line = setUp ? `fpath=(${dir} $fpath)` : `fpath=(${dir} $fpath); autoload -Uz compinit && compinit`;
      hints.push(`zsh loads cs's completions once ${tilde(env, rcFile)} has${setUp ? ', before compinit runs' : ''}: ${line}`);
    }
  }
  const bash = used('bash') ? placed.find((f) => f.includes(`bash-completion${path.sep}completions${path.sep}`)) : undefined;
  if (bash && !BASH_COMPLETION_LOADERS.some((f) => exists(f))) {
    const rc = readOr(path.join(homeDir(env), '.bashrc'));
    const file = tilde(env, bash);
    if (!rc.includes(file.replace(/^~/, '')) && !rc.includes('cs -completions bash')) {
      hints.push(`bash-completion is not installed, so bash loads cs's completions once ~/.bashrc has: [ -r ${file} ] && . ${file}`);
    }
  }
  return hints;
}
