// One ssh round trip before anything else: is the host reachable, are tmux,
// rsync and cs there, where is its sessions root, does the session exist?
// Failures become one-line UserErrors, and nothing local has changed yet.
import * as fs from 'node:fs';
import { UserError } from '../lib/errors.js';
import { version } from '../lib/package-root.js';
import { claudeBin as claudeBinOf } from '../session/claude-bin.js';
import { which } from '../lib/which.js';
import { sessionsRoot } from '../session/paths.js';
import type { Target } from './hosts.js';
import { lastMeaningfulLine, runRemote, type TransportConfig } from './ssh.js';

/** What `cs -remote probe <name>` prints (one JSON line) on the remote. */
export interface ProbeAnswer {
  probe: 1;
  root: string;
  version: string;
  /** none: no such session; local: a real workspace; stub: a stub pointing elsewhere. */
  session: 'none' | 'local' | 'stub';
  dir: string;
  /** Whether Claude Code can be found there (absent from older cs). */
  claude?: boolean;
  claudeBin?: string;
}

export interface Probe extends ProbeAnswer {
  tmux: boolean;
  rsync: boolean;
}

/** The remote half: runs inside `cs -remote probe`. */
export function answerProbe(env: NodeJS.ProcessEnv, name: string, mkroot: boolean): ProbeAnswer {
  const root = sessionsRoot(env);
  if (mkroot) fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const dir = `${root}/${name}`;
  let session: ProbeAnswer['session'] = 'none';
  if (fs.existsSync(`${dir}/.cs/remote.conf`)) session = 'stub';
  else if (fs.existsSync(dir)) session = 'local';
  const claudeBin = claudeBinOf(env);
  return { probe: 1, root, version: version(), session, dir, claude: which(claudeBin, env) !== null, claudeBin };
}

// Runs under `sh -c` so the user's login shell (bash, zsh, fish...) only has
// to parse quoted words.
const SCRIPT = [
  'cs=$1; shift',
  'for p in tmux rsync; do if command -v "$p" >/dev/null 2>&1; then echo "have=$p"; fi; done',
  'if ! command -v "$cs" >/dev/null 2>&1; then echo no-cs; exit 0; fi',
  'exec "$cs" -remote probe "$@"',
].join('\n');

export async function probe(cfg: TransportConfig, t: Target, name: string, opts: { env: NodeJS.ProcessEnv; mkroot?: boolean }): Promise<Probe> {
  const r = await runRemote(cfg, t, ['sh', '-c', SCRIPT, 'sh', cfg.remoteCs, name, ...(opts.mkroot ? ['--mkroot'] : [])], { env: opts.env, timeoutMs: 30_000 });
  const lines = r.stdout.split('\n').map((l) => l.trim());
  if (lines.includes('no-cs')) {
    throw new UserError(
      `cs is not installed on ${t.label}${cfg.remoteCs !== 'cs' ? ` (looked for ${cfg.remoteCs})` : ''}`,
      `install cs there first (or set CS_REMOTE_CS to its path); nothing was changed`,
    );
  }
  const json = lines.filter((l) => l.startsWith('{')).pop();
  let answer: ProbeAnswer | null = null;
  try {
    answer = json ? (JSON.parse(json) as ProbeAnswer) : null;
  } catch {
    answer = null;
  }
  if (r.code !== 0 || !answer || answer.probe !== 1 || typeof answer.root !== 'string') {
    const why = lastMeaningfulLine(r.stderr) || `exit ${r.code}`;
    throw new UserError(`cs on ${t.label} did not answer the probe: ${why}`, `make sure it is this cs, version ${version()} or newer (cs -version there); nothing was changed`);
  }
  const probed: Probe = { ...answer, tmux: lines.includes('have=tmux'), rsync: lines.includes('have=rsync') };
  if (!probed.tmux) throw new UserError(`tmux is not installed on ${t.label}`, 'install it there (e.g. apt-get install tmux); nothing was changed');
  return probed;
}
