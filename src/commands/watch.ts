// cs -watch [--notify] [--json]: status changes of all sessions as they happen.
import { UsageError } from '../lib/errors.js';
import { run as runProgram } from '../lib/proc.js';
import { which } from '../lib/which.js';
import { sessionsRoot } from '../session/paths.js';
import { watchStatus, type StatusChange } from '../status/watch.js';
import { has, value, type Args } from './argv.js';
import type { Command, Context } from './types.js';

export interface WatchOptions {
  notify: boolean;
  json: boolean;
  intervalMs: number;
}

export function parse(a: Args): WatchOptions {
  const iv = value(a, '--interval') ?? '500';
  if (!/^\d+$/.test(iv) || Number(iv) < 50 || Number(iv) > 60_000) throw new UsageError(`--interval takes milliseconds between 50 and 60000, not '${iv}'`, a.usage);
  return { notify: has(a, '--notify'), json: has(a, '--json'), intervalMs: Number(iv) };
}

const LABEL: Record<string, string> = { working: 'working', 'needs-you': 'NEEDS YOU', idle: 'idle', closed: 'closed' };

export function formatChange(c: StatusChange, color: Context['io']['color']): string {
  const time = new Date(c.at).toTimeString().slice(0, 8);
  const to = c.to === 'needs-you' ? color.yellow(LABEL[c.to]!) : c.to === 'working' ? color.green(LABEL[c.to]!) : LABEL[c.to]!;
  return `${color.dim(time)}  ${color.bold(c.session)}  ${c.from ? `${LABEL[c.from]} → ` : ''}${to}${c.event ? color.dim(`  (${c.event})`) : ''}`;
}

export async function run(opts: WatchOptions, ctx: Context): Promise<number> {
  const { io, env } = ctx;
  const root = sessionsRoot(env);
  const notifier = opts.notify ? which('notify-send', env) : null;
  if (!opts.json) io.err(io.color.dim(`cs: watching sessions in ${root}${opts.notify ? `, ringing${notifier ? ' and notifying' : ''} when one needs you` : ''} (Ctrl-C ends)`));
  const onChange = async (c: StatusChange) => {
    io.out(opts.json ? JSON.stringify(c) : formatChange(c, io.color));
    if (!opts.notify || c.to !== 'needs-you') return;
    io.stderr.write('\x07');
    if (notifier) {
      // A notification that fails is not worth stopping the watch for; say so once per failure.
      const r = await runProgram(notifier, ['--app-name=cs', `cs: ${c.session} needs you`, c.event ? `${c.event} in session ${c.session}` : `session ${c.session}`], { env, allowFailure: true, timeoutMs: 5000 }).catch((e: Error) => ({ code: 1, stderr: e.message }));
      if (r.code !== 0) ctx.warn(`notify-send failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}`);
    }
  };
  await ctx.untilInterrupted((signal) => watchStatus(root, { intervalMs: opts.intervalMs, signal, onChange }));
  return 0;
}

export const command: Command<WatchOptions> = { parse, run };
