// `cs -live [--json]`: the sessions running in cs's tmux server, with their
// state from the hook-driven status, since when, how many terminals are
// attached and which conversation; plus any session whose last run ended
// unexpectedly and nobody has been told yet.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { relativeTime, table } from '../lib/format.js';
import { sessionPaths, sessionsRoot } from '../session/paths.js';
import { nameProblem } from '../session/names.js';
import { readStatus } from '../status/status.js';
import { shownState } from '../status/shown.js';
import { unseenPostmortem } from '../host/postmortem.js';
import { readRun } from '../host/state.js';
import { listHosted, tmuxServer } from '../host/tmux.js';
import { liveHolder } from '../session/lock.js';
import { has, type Args } from './argv.js';
import { answeredAsJsonOrEmpty } from './context.js';
import type { Command, Context } from './types.js';

export interface LiveOptions {
  json: boolean;
}

export interface LiveRow {
  name: string;
  /** working | needs-you | idle (hook-driven; idle too before the first event), starting (Claude not launched yet), or ended-unexpectedly. */
  state: string;
  /** ISO time the state was entered. */
  since: string;
  /** Terminals attached now. */
  attached: number;
  conversation: string | null;
  running: boolean;
  dir: string;
  /** One line about an unexpected end nobody has been told about yet. */
  postmortem?: string;
}

export function parse(a: Args): LiveOptions {
  return { json: has(a, '--json') };
}

export async function liveRows(env: NodeJS.ProcessEnv): Promise<LiveRow[]> {
  const rows: LiveRow[] = [];
  const seen = new Set<string>();
  for (const h of await listHosted(tmuxServer(env), env)) {
    const p = sessionPaths(h.dir, h.name);
    const status = readStatus(h.dir);
    const run = readRun(p);
    const pm = unseenPostmortem(p);
    const shown = shownState({ status, hosted: { started: run?.started ?? null }, postmortem: pm !== null })!;
    seen.add(h.name);
    rows.push({
      name: h.name,
      state: shown.state,
      since: shown.fromStatus ? status!.at : (run?.started ?? h.created.toISOString()),
      attached: h.attached,
      conversation: run?.conversation ?? null,
      running: true,
      dir: h.dir,
      ...(pm ? { postmortem: pm.line } : {}),
    });
  }
  // Sessions that ended unexpectedly: one existsSync each.
  const root = sessionsRoot(env);
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    // no sessions yet
  }
  for (const name of names) {
    if (seen.has(name) || nameProblem(name) !== null) continue;
    let dir = path.join(root, name);
    try {
      dir = fs.realpathSync(dir);
    } catch {
      continue;
    }
    const p = sessionPaths(dir, name);
    const pm = unseenPostmortem(p);
    if (!pm) continue;
    rows.push({ name, state: shownState({ status: null, hosted: null, postmortem: true })!.state, since: fs.statSync(pm.file).mtime.toISOString(), attached: 0, conversation: null, running: false, dir, postmortem: pm.line });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Names of the sessions of the root that a live process holds open outside cs's tmux server (`cs <name>` in a terminal), sorted. */
function openInTerminals(env: NodeJS.ProcessEnv): string[] {
  const root = sessionsRoot(env);
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((name) => nameProblem(name) === null && liveHolder(sessionPaths(path.join(root, name), name).lock) !== null).sort();
}

export async function run(opts: LiveOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const rows = await liveRows(ctx.env);
  // Sessions open in a terminal are not cs's to show here, but "none is running" would be untrue.
  const open = rows.length || opts.json ? [] : openInTerminals(ctx.env);
  const empty = open.length ? `no session is running in cs's tmux server (open in a terminal: ${open.join(', ')}) — host one with: cs -spawn <name>` : 'no session is running — start one with: cs <name>, or cs -spawn <name>';
  if (answeredAsJsonOrEmpty(ctx, { json: opts.json, data: rows, count: rows.length, empty })) return 0;
  const now = ctx.now();
  const lines = table(
    ['NAME', 'STATE', 'SINCE', 'ATTACHED', 'CONVERSATION'],
    rows.map((r) => [r.name, r.state, relativeTime(new Date(r.since), now), String(r.attached), r.conversation ?? '-']),
    (col, cell, padded) => (col === 0 ? io.color.bold(padded) : col === 1 && (cell === 'needs-you' || cell === 'ended-unexpectedly') ? io.color.yellow(padded) : padded),
  );
  io.out(io.color.dim(lines[0]!));
  for (const l of lines.slice(1)) io.out(l);
  for (const r of rows) if (r.postmortem) ctx.warn(`${r.name}: last run: ${r.postmortem}`);
  return 0;
}

export const command: Command<LiveOptions> = { parse, run };
