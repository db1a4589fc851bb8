// End to end: the real Claude Code (offline, against the scripted fake API of
// test/support/fake-anthropic.ts) runs the same scripted session of 40 tool
// calls (Write, Edit, Read, Bash, and Writes of scripts carrying a secret,
// which cs captures as artifacts, the secret moved to the keychain and read
// from a variable) three ways, in interleaved rounds: bare (no cs at all),
// through `cs <name>` (its hook server answers the hot hooks), and started
// directly in a session directory (command hooks only), each in a new
// conversation (cs: --new). Each way also runs an empty session (one text
// answer) for the fixed cost. Every round checks that the artifacts were
// captured and that the secret is nowhere in the workspace or its git
// history.
//
// Rounds: CS_BENCH_E2E_ROUNDS (default 5: with 3 the per-call figure moved by 10 ms from run to run here). The bash tool cs is compared with
// is not installed here: its fixed cost (0.66 s) and per-call cost (258 ms)
// are the figures measured in issue #25, used as constants.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeAnthropic, type ScriptTurn } from '../test/support/fake-anthropic.js';
import { CLAUDE_BIN, offlineClaudeEnv } from '../test/support/claude.js';
import { installedHome } from '../test/support/installed-home.js';
import { hookSettings } from '../src/hooks/server.js';
import { median } from './harness.js';

const csBin = path.resolve('dist/cs.js');
const BASH_TOOL_FIXED_MS = 660; // issue #25, measured on this machine with the bash tool's own launcher
const TOOLS = 'Write,Edit,Read,Bash';
const ARTIFACTS = 4;

/** The scripted session: 39 tool calls, one per turn, then a closing text. Notes are plain files (not artifacts); the deploy scripts are. */
export function workload(ws: string, secret: string, round: number): ScriptTurn[] {
  const turns: ScriptTurn[] = [];
  const call = (name: string, input: Record<string, unknown>) => turns.push([{ type: 'tool_use', name, input }]);
  for (let i = 0; i < 9; i++) {
    const f = path.join(ws, 'notes', `n${i}.md`);
    call('Write', { file_path: f, content: `# Note ${i}\nfirst version\n` });
    call('Edit', { file_path: f, old_string: 'first version', new_string: `second version ${round}` });
    call('Read', { file_path: f });
    if (i < 8) call('Bash', { command: i % 2 ? `ls ${path.join(ws, 'notes')} | wc -l` : `grep -c version ${f}`, description: 'check' });
    if (i < ARTIFACTS) call('Write', { file_path: path.join(ws, artifactName(round, i)), content: `#!/bin/sh\nAPI_TOKEN=${secret}\ncurl -H "Authorization: $API_TOKEN" https://example.invalid/${i}\n` });
  }
  turns.push('All scripted work is done.');
  return turns;
}
const artifactName = (round: number, i: number) => `deploy-r${round}-${i}.sh`;
export const CALLS = 9 * 3 + 8 + ARTIFACTS;

interface Run {
  ms: number;
  out: string;
}

function timed(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.stderr.on('data', (b: Buffer) => (out += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')}: exit ${code}\n${out.slice(-800)}`));
      else resolve({ ms, out });
    });
  });
}

/**
 * 'hooks': bare Claude Code given cs's own HTTP hook entries (hookSettings:
 * the same events, matchers and timeouts as `cs <name>` registers), each
 * answered at once with nothing by a server that does no work: what Claude
 * Code's HTTP hooks cost it per call, below which cs's endpoint cannot go.
 */
type Mode = 'bare' | 'cs' | 'direct' | 'hooks';

interface Setup {
  tmp: string;
  env: NodeJS.ProcessEnv;
  bareHome: string;
  root: string;
  /** The settings file of the 'hooks' way. */
  noopHooks: string;
}

/** A loopback server answering every request at once with an empty 200 ('hooks'). */
async function noopServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-length': 0 }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs one session of `mode`; `full` runs the workload, else one text answer. Returns wall ms. */
async function runOnce(s: Setup, mode: Mode, full: boolean, round: number, extraArgs: string[] = []): Promise<number> {
  const name = `${mode}-${full ? 'full' : 'empty'}`;
  const plain = mode === 'bare' || mode === 'hooks';
  const ws = plain ? path.join(s.tmp, mode, name) : path.join(s.root, name);
  const secret = `tok${round}x${Math.random().toString(36).slice(2, 12)}`;
  const api = await startFakeAnthropic(full ? workload(ws, secret, round) : ['Nothing to do.']);
  try {
    const home = plain ? s.bareHome : s.env.HOME!;
    const offline = offlineClaudeEnv({ home, baseUrl: api.url });
    const claudeArgs = ['-p', 'do the scripted work', '--allowedTools', TOOLS, ...(mode === 'hooks' ? ['--settings', s.noopHooks] : []), ...extraArgs];
    let r: Run;
    if (mode === 'cs') {
      // A new conversation, as bare and direct start one: `cs <name>` alone resumes the pinned one,
      // whose history grows by the workload each round (Claude's own cost, not cs's: 3.9 s in the
      // first round to 5.0 s in the seventh, measured).
      r = await timed(process.execPath, [csBin, name, '--new', '--no-handoff', '--', ...claudeArgs], { cwd: s.tmp, env: { ...offline, ...s.env, CLAUDE_CODE_BIN: CLAUDE_BIN } });
    } else {
      fs.mkdirSync(ws, { recursive: true });
      r = await timed(CLAUDE_BIN, claudeArgs, { cwd: ws, env: plain ? offline : { ...offline, ...s.env } });
    }
    if (!r.out.includes(full ? 'All scripted work is done.' : 'Nothing to do.') && !r.out.includes('Done.')) throw new Error(`${name}: unexpected output: ${r.out.slice(-500)}`);
    if (full && mode !== 'hooks') check(ws, mode, secret, round);
    return r.ms;
  } finally {
    await api.close();
  }
}

/** The guarantees hold in every round: artifacts captured and redacted, the secret nowhere in the workspace or its git objects. */
function check(ws: string, mode: Mode, secret: string, round: number): void {
  if (mode === 'bare') {
    if (!fs.readFileSync(path.join(ws, artifactName(round, 0)), 'utf8').includes(secret)) throw new Error('bare run did not write its files');
    return;
  }
  // Issue #18: the script is written where Claude put it, reading the secret
  // from its variable (so it still works), and a copy is captured in .cs/artifacts.
  for (let i = 0; i < ARTIFACTS; i++) {
    const name = artifactName(round, i);
    for (const file of [path.join(ws, '.cs/artifacts', name), path.join(ws, name)]) {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      // A new value under a name already stored takes the next free name (API_TOKEN_2, ...).
      if (!/API_TOKEN=\$\{API_TOKEN(_\d+)?\}\n/.test(text)) throw new Error(`${mode}: ${path.relative(ws, file)} not written with the secret moved to its variable`);
    }
  }
  const grep = spawnSync('grep', ['-r', '-l', '-a', '-F', secret, ws], { encoding: 'utf8' });
  if (grep.stdout.trim()) throw new Error(`${mode}: the secret is in ${grep.stdout.trim()}`);
  const revs = spawnSync('git', ['rev-list', '--all'], { cwd: ws, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  const gitGrep = revs.length ? spawnSync('git', ['grep', '-l', '-F', secret, ...revs], { cwd: ws, encoding: 'utf8' }).stdout : '';
  if (gitGrep.trim()) throw new Error(`${mode}: the secret is in git: ${gitGrep.trim()}`);
}

/**
 * Per-hook cost from Claude Code's own debug log (--debug-file, 2.1.330): a
 * command hook logs "Hooks: <Event>:<tool> [<command>] (plugin <name>)
 * finished with status N (<ms>ms)" (the plugin part for a plugin's hook), or "moved to the background (<ms>ms)" when async (what it cost
 * Claude's wall time before running on); an http hook logs "HTTP hook POST to
 * <url>" and later "HTTP hook response status N" (paired in order: an
 * estimate when several are in flight).
 */
async function hookBreakdown(s: Setup, mode: Mode): Promise<string[]> {
  const file = path.join(s.tmp, `debug-${mode}.log`);
  await runOnce(s, mode, true, 99, ['--debug-file', file]);
  return parseDebug(fs.readFileSync(file, 'utf8'), CALLS);
}

export function parseDebug(text: string, calls: number): string[] {
  const by = new Map<string, number[]>();
  const add = (k: string, ms: number) => (by.get(k) ?? by.set(k, []).get(k)!).push(ms);
  const pending: Array<{ handler: string; at: number }> = [];
  for (const line of text.split('\n')) {
    const at = Date.parse(line.slice(0, 24));
    let m = /Hooks: (\w+)(?::\S+)? \[(.+?)\](?: \(plugin [^)]*\))? (finished with status \d+|moved to the background) \((\d+)ms\)/.exec(line);
    if (m) {
      add(`${m[1]} ${path.basename(m[2]!)}${m[3]!.startsWith('moved') ? ' (async)' : ''}`, Number(m[4]));
      continue;
    }
    m = /HTTP hook POST to \S+\/hook\/(\S+)/.exec(line);
    if (m) {
      pending.push({ handler: m[1]!, at });
      continue;
    }
    if (/HTTP hook response status/.test(line) && pending.length) {
      const p = pending.shift()!;
      add(`http ${p.handler}`, at - p.at);
    }
  }
  const rows = [...by].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0));
  return [
    `${'hook'.padEnd(40)} ${'runs'.padStart(5)} ${'median'.padStart(9)} ${'total / call'.padStart(13)}`,
    ...rows.map(([k, v]) => `${k.padEnd(40)} ${String(v.length).padStart(5)} ${`${median(v).toFixed(0)} ms`.padStart(9)} ${`${(v.reduce((x, y) => x + y, 0) / calls).toFixed(1)} ms`.padStart(13)}`),
  ];
}

export async function benchE2e(): Promise<string[]> {
  const rounds = Math.max(1, Number(process.env.CS_BENCH_E2E_ROUNDS ?? 5));
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-e2e-')));
  let noop: Awaited<ReturnType<typeof noopServer>> | undefined;
  try {
    const env = installedHome(tmp, { CS_SECRETS_BACKEND: 'encrypted', CS_HOST: 'foreground', CS_NO_UPDATE_CHECK: '1' });
    // A git identity, as on a developer's machine (without one each commit first fails, then retries with cs's).
    fs.writeFileSync(path.join(env.HOME!, '.gitconfig'), '[user]\n\tname = Bench\n\temail = bench@example.com\n');
    const bareHome = path.join(tmp, 'bare-home');
    fs.mkdirSync(path.join(bareHome, '.claude'), { recursive: true });
    noop = await noopServer();
    const noopHooks = path.join(tmp, 'noop-hooks.json');
    fs.writeFileSync(noopHooks, JSON.stringify(hookSettings(noop.url, 'bench')));
    const s: Setup = { tmp, env, bareHome, root: env.CS_SESSIONS_ROOT!, noopHooks };
    // The sessions exist before timing starts: what is timed is opening one, the everyday case.
    for (const name of ['cs-full', 'cs-empty', 'direct-full', 'direct-empty']) {
      const api = await startFakeAnthropic(['Ready.']);
      try {
        await timed(process.execPath, [csBin, name, '--', '-p', 'hi'], { cwd: tmp, env: { ...offlineClaudeEnv({ home: env.HOME!, baseUrl: api.url }), ...env, CLAUDE_CODE_BIN: CLAUDE_BIN } });
      } finally {
        await api.close();
      }
    }
    const times: Record<string, number[]> = {};
    const order: Array<[Mode, boolean]> = [['bare', true], ['cs', true], ['direct', true], ['hooks', true], ['bare', false], ['cs', false], ['direct', false], ['hooks', false]];
    for (let round = 1; round <= rounds; round++) {
      // Interleaved, starting at a different way each round, so drifting load hits all alike.
      for (let k = 0; k < order.length; k++) {
        const [mode, full] = order[(k + round) % order.length]!;
        (times[`${mode}-${full ? 'full' : 'empty'}`] ??= []).push(await runOnce(s, mode, full, round));
      }
    }
    const m = (k: string) => median(times[k]!);
    // Overheads are taken per round (each round's runs ran close together) and then the median: steadier than a difference of medians on a loaded machine.
    const perRound = (f: (r: number) => number) => median(Array.from({ length: rounds }, (_, r) => f(r)));
    const at = (k: string, r: number) => times[k]![r]!;
    const lines = [`${CALLS} tool calls a session, ${rounds} interleaved round${rounds === 1 ? '' : 's'} (CS_BENCH_E2E_ROUNDS); medians (overheads: per round, then the median); artifacts and redaction checked every round`];
    lines.push(`${'way'.padEnd(34)} ${'session'.padStart(9)} ${'empty'.padStart(9)} ${'per call over bare'.padStart(19)} ${'fixed over bare'.padStart(16)}`);
    const targets: Record<Mode, number> = { bare: 0, cs: 15, direct: 40, hooks: 0 };
    for (const mode of ['bare', 'cs', 'direct', 'hooks'] as const) {
      const full = m(`${mode}-full`);
      const empty = m(`${mode}-empty`);
      const perCall = perRound((r) => (at(`${mode}-full`, r) - at(`${mode}-empty`, r) - (at('bare-full', r) - at('bare-empty', r))) / CALLS);
      const fixed = perRound((r) => at(`${mode}-empty`, r) - at('bare-empty', r));
      const label = { bare: 'bare Claude Code', cs: 'cs <name> (hook server)', direct: 'claude in a session dir (commands)', hooks: "floor: cs's HTTP hooks, no work" }[mode];
      const verdict = mode === 'bare' || mode === 'hooks' ? '' : `  per call ${perCall <= targets[mode] ? 'ok' : 'OVER'} (<= ${targets[mode]} ms)`;
      const fixedVerdict = mode === 'cs' ? `  fixed ${fixed <= 1.2 * BASH_TOOL_FIXED_MS ? 'ok' : 'OVER'} (<= 1.2 x ${BASH_TOOL_FIXED_MS} ms, the bash tool's figure from #25)` : '';
      lines.push(`${label.padEnd(34)} ${`${(full / 1000).toFixed(2)} s`.padStart(9)} ${`${(empty / 1000).toFixed(2)} s`.padStart(9)} ${mode === 'bare' ? ''.padStart(19) : `${perCall.toFixed(1)} ms`.padStart(19)} ${mode === 'bare' ? ''.padStart(16) : `${(fixed / 1000).toFixed(2)} s`.padStart(16)}${verdict}${fixedVerdict}`);
    }
    // What is left of cs's per-call cost once Claude Code's own cost of its HTTP hooks is taken out.
    const own = perRound((r) => (at('cs-full', r) - at('cs-empty', r) - (at('hooks-full', r) - at('hooks-empty', r))) / CALLS);
    lines.push(`cs's own work per call (cs <name> over the floor): ${own.toFixed(1)} ms`);
    for (const mode of ['cs', 'direct'] as const) {
      lines.push(`per-hook wall time seen by Claude Code (${mode}, one traced run; parallel hooks of one event overlap):`);
      for (const l of await hookBreakdown(s, mode)) lines.push(`  ${l}`);
    }
    return lines;
  } finally {
    await noop?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
