// cs <name> -queue {add <task>|-|list|rm <n>|clear|log|start|stop} [--json]:
// the session's task queue (src/queue/), drained by the Stop hook while armed.
import { expectPositionals, flag, parseArgs } from '../lib/args.js';
import { UsageError, UserError } from '../lib/errors.js';
import { validateName } from '../session/names.js';
import { findSession } from '../session/workspace.js';
import { changeQueue, pendingCount, queueSummary, readJournal, readQueue, runningTask, addTask, type JournalEntry, type Queue, type Task } from '../queue/queue.js';
import { arm } from '../queue/drain.js';
import { usageLine } from './table.js';
import type { Context, Invocation } from './types.js';

export const usage = usageLine('-queue');

const ACTIONS = ['list', 'add', 'rm', 'clear', 'log', 'start', 'stop'] as const;
type Action = (typeof ACTIONS)[number];

export interface QueueOptions {
  session: string;
  action: Action;
  /** add: the task text, or '-' for stdin. */
  text?: string;
  /** rm: the task number. */
  id?: number;
  json: boolean;
}

export function parse(args: string[], inv: Invocation, env: NodeJS.ProcessEnv): QueueOptions {
  const p = parseArgs(args, { booleans: ['--json'] }, '-queue');
  const given = inv.session ?? env.CLAUDE_SESSION_NAME;
  if (!given) throw new UsageError('-queue needs a session', `${usage} (or run it inside a session)`);
  const session = validateName(given);
  const json = flag(p, '--json');
  const [first = 'list', ...rest] = p.positionals;
  if (!(ACTIONS as readonly string[]).includes(first)) throw new UsageError(`unknown -queue action '${first.slice(0, 40)}'`, `usage: ${usage}`);
  const action = first as Action;
  if (action === 'add') {
    const text = rest.join(' ');
    if (text.trim() === '') throw new UsageError('-queue add needs the task', 'give it in quotes, or - to read it from stdin: cs <name> -queue add "fix the flaky test"');
    return { session, action, text, json };
  }
  if (action === 'rm') {
    const [n] = expectPositionals({ ...p, positionals: rest }, 1, 1, '-queue rm', usage);
    if (!/^\d+$/.test(n!)) throw new UsageError(`-queue rm takes a task number, not '${n!.slice(0, 40)}'`, 'see the numbers with: cs <name> -queue');
    return { session, action, id: Number(n), json };
  }
  expectPositionals({ ...p, positionals: rest }, 0, 0, `-queue ${action}`, usage);
  return { session, action, json };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

const hhmm = (iso: string) => new Date(iso).toTimeString().slice(0, 5);

/** One line a task: "  2 running  fix the flaky test (started 14:05)". */
export function taskLine(t: Task): string {
  const when = t.state === 'running' && t.started ? ` (started ${hhmm(t.started)})` : t.ended ? ` (${t.state === 'done' ? 'done' : 'parked'} ${hhmm(t.ended)})` : '';
  const text = t.text.replace(/\s+/g, ' ').trim();
  return `${String(t.id).padStart(3)} ${t.state.padEnd(8)} ${text.length > 100 ? `${text.slice(0, 99)}…` : text}${when}`;
}

/** The journal line as people read it: "14:05 done 2 fix the flaky test". */
export function journalLine(e: JournalEntry): string {
  const what = e.type === 'park' ? String(e.debrief ?? '') : e.text ? `${e.id ?? ''} ${String(e.text).replace(/\s+/g, ' ').slice(0, 100)}` : e.id !== undefined ? String(e.id) : '';
  return `${new Date(e.ts).toLocaleString('sv-SE').slice(0, 16)} ${e.type}${what ? ` ${what}` : ''}`;
}

export async function run(opts: QueueOptions, ctx: Context): Promise<number> {
  const found = findSession(ctx.env, opts.session);
  if (!found) throw new UserError(`no session named '${opts.session}'`, 'see cs -ls');
  const dir = found.paths.dir;
  const now = ctx.now();
  const { io } = ctx;
  switch (opts.action) {
    case 'add': {
      let text = opts.text!;
      if (text === '-') {
        if (io.stdin.isTTY) throw new UsageError('-queue add - reads the task from stdin, which is a terminal', 'pipe it in: echo "fix the test" | cs <name> -queue add -');
        text = (await readAll(io.stdin)).trim();
        if (!text) throw new UsageError('stdin was empty: no task to add', 'pipe the task text in, or give it in quotes');
      }
      const t = changeQueue(dir, (q, journal) => {
        const t = addTask(q, text, now);
        journal({ type: 'add', id: t.id, text: t.text });
        return t;
      }, now);
      if (opts.json) io.out(JSON.stringify(t));
      else io.err(`cs: queued task ${t.id} in '${opts.session}'${readQueue(dir).armed ? '' : ` — start draining with: cs ${opts.session} -queue start`}`);
      return 0;
    }
    case 'rm': {
      const removed = changeQueue(dir, (q) => {
        const t = q.tasks.find((x) => x.id === opts.id);
        if (!t) throw new UserError(`'${opts.session}' has no task ${opts.id}`, `see the tasks with: cs ${opts.session} -queue`);
        if (t.state === 'running') throw new UserError(`task ${opts.id} is running`, `stop the queue after it with: cs ${opts.session} -queue stop`);
        q.tasks = q.tasks.filter((x) => x !== t);
        return t;
      }, now);
      io.err(`cs: removed task ${removed.id}`);
      return 0;
    }
    case 'clear': {
      const n = changeQueue(dir, (q) => {
        const before = q.tasks.length;
        q.tasks = q.tasks.filter((t) => t.state === 'running');
        delete q.parked;
        return before - q.tasks.length;
      }, now);
      io.err(`cs: cleared ${n} task${n === 1 ? '' : 's'}`);
      return 0;
    }
    case 'start': {
      const q = changeQueue(dir, (q, journal) => {
        if (!arm(q, journal)) throw new UserError(`'${opts.session}' has no pending tasks`, `add one with: cs ${opts.session} -queue add "<task>"`);
        return q;
      }, now);
      io.err(`cs: queue armed (${pendingCount(q)} pending): Claude gets the next task each time it stops`);
      return 0;
    }
    case 'stop': {
      const q = changeQueue(dir, (q, journal) => {
        if (!q.armed) return q;
        if (runningTask(q)) q.stopping = true;
        else {
          q.armed = false;
          journal({ type: 'stop' });
        }
        return q;
      }, now);
      io.err(q.stopping ? 'cs: the queue stops after the running task' : 'cs: queue disarmed');
      return 0;
    }
    case 'log': {
      const entries = readJournal(dir);
      if (opts.json) io.out(JSON.stringify(entries));
      else if (entries.length === 0) io.err(`cs: '${opts.session}' has no queue journal yet`);
      else io.out(entries.map(journalLine).join('\n'));
      return 0;
    }
    case 'list': {
      const q: Queue = readQueue(dir);
      if (opts.json) {
        io.out(JSON.stringify(q));
        return 0;
      }
      if (q.tasks.length === 0) io.err(`cs: '${opts.session}' has no queued tasks — add one with: cs ${opts.session} -queue add "<task>"`);
      else io.out(q.tasks.map(taskLine).join('\n'));
      io.err(`cs: queue ${queueSummary(q)}${q.parked ? ` — ${q.parked.debrief}` : ''}`);
      return 0;
    }
  }
}
