// `secrets get` latency per backend, next to `node -e 0`.
//
// What runs: the real -secrets command (src/commands/secrets.ts, parse + run)
// bundled by esbuild exactly as scripts/build.mjs bundles the CLI (ESM,
// code splitting, @napi-rs/keyring external), behind a three-line entry. That measures
// the command's own cost as users get it, without tsx's compile-on-load
// (hundreds of ms that no user pays) and without depending on how the
// dispatcher in dist/cs.js is wired. When dist/cs.js already dispatches
// -secrets, its end-to-end time is reported as well.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../scripts/esbuild-options.mjs';
import { median, ratioLine, timeCommand, type Sample } from './harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const ENTRY = `
import { parse, run } from './src/commands/secrets.ts';
import { systemIO } from './src/term/io.ts';
const io = systemIO();
const [session, ...args] = process.argv.slice(2);
try {
  process.exitCode = (await run(parse(args, { session }, process.env), { io, env: process.env, cwd: process.cwd(), now: () => new Date() })) ?? 0;
} catch (e) {
  io.err(String(e && e.message));
  process.exitCode = 1;
}
`;

/** Bundles the command into node_modules/.cache (so `@napi-rs/keyring` resolves from the repo). */
async function bundle(): Promise<string> {
  const outdir = path.join(repo, 'node_modules', '.cache', 'cs-bench-secrets');
  fs.rmSync(outdir, { recursive: true, force: true });
  await build({
    ...bundleOptions,
    stdin: { contents: ENTRY, resolveDir: repo, loader: 'ts', sourcefile: 'bench-secrets-entry.ts' },
    outdir,
    entryNames: 'secrets-get',
  });
  return path.join(outdir, 'secrets-get.js');
}

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

function setSecret(entry: string, session: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [entry, session, 'set', 'BENCH_TOKEN'], { env, input: 'bench-value', stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`setting the bench secret failed: ${r.stderr.toString()}`);
}

export async function benchSecrets(opts: { runs?: number } = {}): Promise<string[]> {
  const runs = opts.runs ?? 25;
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-secrets-')));
  const lines: string[] = [];
  const session = `bench-${process.pid}`;
  const entry = await bundle();
  try {
    const root = path.join(tmp, 'sessions');
    fs.mkdirSync(path.join(root, session, '.cs', 'local'), { recursive: true });
    const base: NodeJS.ProcessEnv = { ...process.env, HOME: tmp, CS_SESSIONS_ROOT: root, NO_COLOR: '1' };
    delete base.CS_SECRETS_PASSWORD;
    delete base.CS_SECRETS_BACKEND;

    const node = timeCommand('node -e 0', process.execPath, ['-e', '0'], { runs });
    lines.push(`baseline: node -e 0 = ${node.medianMs.toFixed(1)} ms (each line below is timed alternately with its own node -e 0 runs)`);

    const encrypted = { ...base, CS_SECRETS_BACKEND: 'encrypted' };
    setSecret(entry, session, encrypted);
    const get = ['get', 'BENCH_TOKEN'];
    lines.push(line('secrets get (encrypted, machine key)', [entry, session, ...get], encrypted, runs, { max: 1.5 }));

    const pwSession = `${session}-pw`;
    fs.mkdirSync(path.join(root, pwSession), { recursive: true });
    const withPassword = { ...encrypted, CS_SECRETS_PASSWORD: 'bench password' };
    setSecret(entry, pwSession, withPassword);
    lines.push(line('secrets get (encrypted, password; scrypt)', [entry, pwSession, ...get], withPassword, runs));

    // The automatic choice when the session already has an encrypted store: no keychain probe.
    lines.push(line('secrets get (automatic, existing .enc)', [entry, session, ...get], base, runs));

    const kcSession = `${session}-kc`;
    fs.mkdirSync(path.join(root, kcSession), { recursive: true });
    const keychain = { ...base, CS_SECRETS_BACKEND: 'keychain' };
    const probe = spawnSync(process.execPath, [entry, kcSession, 'backend'], { env: keychain, stdio: ['ignore', 'pipe', 'pipe'] });
    if (probe.status === 0) {
      setSecret(entry, kcSession, keychain);
      try {
        lines.push(line('secrets get (keychain)', [entry, kcSession, ...get], keychain, runs));
      } finally {
        spawnSync(process.execPath, [entry, kcSession, 'purge', '--yes'], { env: keychain, stdio: 'ignore' });
      }
    } else {
      lines.push(`secrets get (keychain): skipped, ${probe.stderr.toString().trim().split('\n')[0]}`);
    }

    const csBin = path.join(repo, 'dist', 'cs.js');
    const viaCs = fs.existsSync(csBin)
      ? spawnSync(process.execPath, [csBin, session, '-secrets', ...get], { env: encrypted, stdio: ['ignore', 'pipe', 'pipe'] })
      : undefined;
    if (viaCs?.status === 0 && viaCs.stdout.toString() === 'bench-value\n') {
      lines.push(line('cs <s> -secrets get (dist/cs.js, encrypted)', [csBin, session, '-secrets', ...get], encrypted, runs, { max: 1.5 }));
    } else {
      lines.push('cs <s> -secrets get (dist/cs.js): skipped, dist/cs.js is not built or does not dispatch -secrets yet');
    }
    return lines;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of await benchSecrets()) console.log(line);
}
