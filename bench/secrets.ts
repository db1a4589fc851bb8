// `secrets get` latency per backend, next to `node -e 0`: the real command
// as users run it, `node dist/cs.js <session> -secrets get KEY` (the build
// splits the CLI so this loads only what the command needs).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, ratioLine, timeCommand, type Sample } from './harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const csBin = path.join(repo, 'dist', 'cs.js');
/** argv for `cs <session> -secrets <args>`. */
const secrets = (session: string, ...args: string[]) => [csBin, session, '-secrets', ...args];

/**
 * Times `node <args>` alternately with `node -e 0`, so both medians see the
 * same machine load (other work on a shared machine shifts both alike).
 */
function timeAgainstNode(label: string, args: string[], env: NodeJS.ProcessEnv, runs: number): { sample: Sample; node: Sample } {
  const once = (a: string[], e: NodeJS.ProcessEnv) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, a, { env: e, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  once(args, env);
  const mine: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    base.push(once(['-e', '0'], env));
    mine.push(once(args, env));
  }
  return { sample: { label, medianMs: median(mine), runs }, node: { label: 'node -e 0', medianMs: median(base), runs } };
}

function line(label: string, args: string[], env: NodeJS.ProcessEnv, runs: number, target?: { max: number }): string {
  const { sample, node } = timeAgainstNode(label, args, env, runs);
  return ratioLine(sample, node, target);
}

function setSecret(session: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, secrets(session, 'set', 'BENCH_TOKEN'), { env, input: 'bench-value', stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`setting the bench secret failed: ${r.stderr.toString()}`);
}

export async function benchSecrets(opts: { runs?: number } = {}): Promise<string[]> {
  const runs = opts.runs ?? 25;
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-secrets-')));
  const lines: string[] = [];
  const session = `bench-${process.pid}`;
  try {
    const root = path.join(tmp, 'sessions');
    fs.mkdirSync(path.join(root, session, '.cs', 'local'), { recursive: true });
    const base: NodeJS.ProcessEnv = { ...process.env, HOME: tmp, CS_SESSIONS_ROOT: root, NO_COLOR: '1' };
    delete base.CS_SECRETS_PASSWORD;
    delete base.CS_SECRETS_BACKEND;

    const node = timeCommand('node -e 0', process.execPath, ['-e', '0'], { runs });
    lines.push(`baseline: node -e 0 = ${node.medianMs.toFixed(1)} ms (each line below is timed alternately with its own node -e 0 runs)`);

    const encrypted = { ...base, CS_SECRETS_BACKEND: 'encrypted' };
    setSecret(session, encrypted);
    const get = ['get', 'BENCH_TOKEN'];
    lines.push(line('cs <s> -secrets get (encrypted, machine key)', secrets(session, ...get), encrypted, runs, { max: 1.5 }));

    const pwSession = `${session}-pw`;
    fs.mkdirSync(path.join(root, pwSession), { recursive: true });
    const withPassword = { ...encrypted, CS_SECRETS_PASSWORD: 'bench password' };
    setSecret(pwSession, withPassword);
    lines.push(line('secrets get (encrypted, password; scrypt)', secrets(pwSession, ...get), withPassword, runs));

    // The automatic choice when the session already has an encrypted store: no keychain probe.
    lines.push(line('secrets get (automatic, existing .enc)', secrets(session, ...get), base, runs));

    const kcSession = `${session}-kc`;
    fs.mkdirSync(path.join(root, kcSession), { recursive: true });
    const keychain = { ...base, CS_SECRETS_BACKEND: 'keychain' };
    const probe = spawnSync(process.execPath, secrets(kcSession, 'backend'), { env: keychain, stdio: ['ignore', 'pipe', 'pipe'] });
    if (probe.status === 0) {
      setSecret(kcSession, keychain);
      try {
        lines.push(line('secrets get (keychain)', secrets(kcSession, ...get), keychain, runs));
      } finally {
        spawnSync(process.execPath, secrets(kcSession, 'purge', '--yes'), { env: keychain, stdio: 'ignore' });
      }
    } else {
      lines.push(`secrets get (keychain): skipped, ${probe.stderr.toString().trim().split('\n')[0]}`);
    }

    return lines;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of await benchSecrets()) console.log(line);
}
