// The resident hook helper of a Claude Code that cs did not launch (an IDE,
// or `claude` run in a session directory). Such a Claude runs cs's hooks as
// commands (hooks/), and each hand-over of an sh hook to Node cost a Node
// start of 150–300 ms: a capture of an artifact Write most of all. Its
// SessionStart hook starts one resident Node for that Claude; the sh hooks
// then hand their input to it over a unix socket with curl (cs_node in
// dist/hook.sh), and it answers what `dist/hook.js <event>` would, with the
// same handlers (answerHook, main.ts). It lives as long as that Claude: it goes once
// the Claude's process has gone, when its socket was taken away, or on a
// signal. Where curl or the resident is missing, the sh hooks start Node as
// before; a Claude that cs launches has its hook endpoint instead (server.ts).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { readFileOr } from '../lib/fsutil.js';
import { pidAlive } from '../lib/lockfile.js';
import { runtimeBase } from '../secrets/keys.js';
import { HANDLERS } from './handlers.js';
import { parseHookInput } from './protocol.js';
import { drainSpool, finishSpool, holdsInput, openSpool, releaseSpool, SOCKET_SUFFIX, SPOOL_OWNER, spoolOf } from './spool.js';

/**
 * The socket of the resident serving the Claude Code whose process id is
 * `claudePid`: `<runtimeBase>/hooks/<pid>.sock`. dist/hook.sh names it the
 * same way, from the hook's parent process ($PPID: Claude Code starts hook
 * commands itself, test/e2e/claude/hook-facts.test.ts).
 */
export function residentSocket(env: NodeJS.ProcessEnv, claudePid: number): string {
  return path.join(runtimeBase(env), 'hooks', `${claudePid}${SOCKET_SUFFIX}`);
}

/** Bytes of a socket path a unix socket can hold (sun_path is 108 bytes on Linux, 104 on macOS, with its NUL). */
const MAX_SOCKET_PATH = 103;
/** Bytes of hook input taken in one request: dist/hook.sh sends only inputs it has read whole (16 KB at most). */
const MAX_BODY = 1024 * 1024;
/** How often the resident looks for its Claude and its socket, and in its spool (ms). */
const POLL_MS = 1000;
/** How soon it looks again for a spooled input whose hook was still writing it (ms). */
const SPOOL_RETRY_MS = 20;

export interface Resident {
  socket: string;
  /** Its spool (spool.ts), or null when it could not make one (the hooks then do their own work). */
  spool: string | null;
  /** Records every input waiting in its spool whose hook has ended; resolves when done. */
  drain(): Promise<void>;
  /** Resolves once it has stopped: no longer listening, every request answered, its socket removed. */
  closed: Promise<void>;
  /** Stops it (as when its Claude has gone). */
  close(): Promise<void>;
}

/** What `dist/hook.js <event>` prints for hook input `text` ('' for nothing); never rejects (answerHook, main.ts). */
export type Answer = (event: string, text: string, env: NodeJS.ProcessEnv, now?: Date) => Promise<string>;

export interface ResidentOptions {
  /** How often it looks whether its Claude and its socket are still there (ms). */
  pollMs?: number;
  /** When to load the secret detector (ms after listening). */
  warmUpMs?: number;
  /** True while the Claude runs; by default, whether process `claudePid` is alive (pidAlive: not a zombie). */
  alive?: () => boolean;
}

/** True when `dir` is a real folder of this user's that no one else may write to (nor, for the socket's own folder, enter). */
function privateFolder(dir: string, closed: boolean): boolean {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!st || !st.isDirectory() || (process.getuid && st.uid !== process.getuid())) return false;
  return (st.mode & (closed ? 0o077 : 0o022)) === 0;
}

/** Makes folder `dir` (0700) unless it is there, then privateFolder(dir, closed); false when it cannot. */
function madePrivate(dir: string, closed: boolean): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  return privateFolder(dir, closed);
}

/**
 * Sends one HTTP request to unix socket `socket`: the answer's HTTP status,
 * 'refused' (a socket file is there and nothing listens: ECONNREFUSED), or
 * 'no answer' (no socket, no answer within `timeoutMs`, or another error).
 */
function ask(socket: string, method: 'GET' | 'POST', urlPath: string, body: string, timeoutMs: number): Promise<number | 'refused' | 'no answer'> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: socket, method, path: urlPath, headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : 'no answer'));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

/** True when something answers an HTTP request at unix socket `socket` (a resident, another one of the same Claude). */
export async function residentAnswers(socket: string): Promise<boolean> {
  return typeof (await ask(socket, 'GET', '/', '', 1000)) === 'number';
}

/**
 * Starts the resident of the Claude Code whose process is `claudePid`: it
 * listens at residentSocket(env, claudePid), in a folder of the user's
 * alone (made 0700, no link; the runtime folder it is in the user's, no
 * link, not writable by others; each checked before anything is made in
 * it), so only this user's processes can connect. It answers each
 * `POST /hook/<event>` (the body: the hook input, JSON) with what
 * `dist/hook.js <event>` prints (200; empty for no answer, as `answerHook`
 * gives it), where `<event>` names handlers of HANDLERS, joined by '+'.
 * Anything else is answered 404, a body over 1 MiB 413: the sh hook then
 * starts Node itself. Before it answers, it records every input waiting in
 * its spool (spoolOf(socket), spool.ts: hooks/post-tool-use's), as it does
 * whenever one is written there and once more before it stops. Null when
 * it cannot listen: the folder is not private, the path too long for a
 * socket, or another resident answers there already. `env` is what the
 * handlers get (the Claude's, from its SessionStart hook).
 */
export async function startResident(env: NodeJS.ProcessEnv, claudePid: number, answerHook: Answer, opts: ResidentOptions = {}): Promise<Resident | null> {
  const socket = residentSocket(env, claudePid);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) return null;
  const dir = path.dirname(socket);
  const base = path.dirname(dir);
  // Each folder is checked before anything is made in it; XDG_RUNTIME_DIR
  // (or HOME) itself is the login's to make, not ours.
  if (!fs.existsSync(path.dirname(base)) || !madePrivate(base, false) || !madePrivate(dir, true)) return null;
  if (fs.existsSync(socket)) {
    if (await residentAnswers(socket)) return null;
    fs.rmSync(socket, { force: true }); // left by a resident that was killed
  }
  let closing: Promise<void> | null = null;
  // The spool: one pass at a time, and at most one more waiting (callers share it).
  let spool: string | null = spoolOf(socket);
  let passes: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  let retry: NodeJS.Timeout | null = null;
  // An input's background parts (the autosave: POST_TOOL_PARTS) run on a line of their own,
  // in order: a later hook waits for the records before it, not for git.
  let background: Promise<unknown> = Promise.resolve();
  const record = async (text: string, written: Date) => {
    await answerHook('post-tool-now', text, env, written);
    // A cut input was reported just now (runHook): once is enough.
    if (parseHookInput(text).ok) background = background.then(() => answerHook('post-tool-background', text, env, written));
  };
  const drain = (): Promise<void> => {
    if (!spool) return Promise.resolve();
    const folder = spool;
    return (queued ??= passes = passes.then(async () => {
      queued = null;
      // A failing record (it never rejects: answerHook) or folder costs this pass only.
      const { pending } = await drainSpool(folder, record).catch(() => ({ pending: false }));
      if (pending && !retry && !closing) retry = setTimeout(() => ((retry = null), void drain()), SPOOL_RETRY_MS);
    }));
  };
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const server = http.createServer((req, res) => {
    const answer = (status: number, body = '') => {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const m = /^\/hook\/([a-z-]+(?:\+[a-z-]+)*)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m || !m[1]!.split('+').every((h) => h !== 'resident' && HANDLERS[h])) {
      req.resume();
      return answer(404);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    inFlight++;
    const done = () => {
      if (--inFlight === 0) drained?.();
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('error', done);
    req.on('end', () => {
      if (size > MAX_BODY) {
        answer(413);
        return done();
      }
      // What the hooks before it spooled comes first (Stop counts their change log lines);
      // for 'spool' (settleSpool: a SessionEnd, whose commit follows) their autosaves too.
      void drain()
        .then(() => (m[1] === 'spool' ? background : undefined))
        .then(() => answerHook(m[1]!, Buffer.concat(chunks).toString('utf8'), env))
        .then((out) => {
          answer(200, out);
          done();
        });
    });
  });
  const old = process.umask(0o077); // the socket: 0600
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => resolve());
    });
  } catch {
    return null;
  } finally {
    process.umask(old);
  }
  const ino = fs.statSync(socket).ino;
  // The secret detector (secretlint's preset, a few hundred ms of CPU to
  // load) for the first capture, loaded while Claude waits on its model.
  const warm = setTimeout(() => void import('../secrets/providers.js').then((m) => m.providerSpans('warm-up', '')).catch(() => {}), opts.warmUpMs ?? 500);
  const alive = opts.alive ?? (() => pidAlive(claudePid));
  // The spool, in the folder just checked: hooks/post-tool-use writes there only while it is named its drainer.
  let watcher: fs.FSWatcher | null = null;
  try {
    openSpool(spool);
    watcher = fs.watch(spool, () => void drain());
    watcher.on('error', () => {}); // the poll below still finds what is written
  } catch {
    spool = null;
  }
  void drain(); // what a resident before it (killed) left
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(timer);
      clearTimeout(warm);
      // The hooks first: from here they write their records themselves.
      if (spool) releaseSpool(spool);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      watcher?.close();
      if (retry) clearTimeout(retry);
      if (spool) {
        // What its Claude's last hooks spooled, those still writing included, after the pass under way.
        await passes;
        await finishSpool(spool, record).catch(() => {});
        await background;
      }
      // Only its own socket: a resident started after it may listen at the path now.
      if (fs.statSync(socket, { throwIfNoEntry: false })?.ino === ino) fs.rmSync(socket, { force: true });
      markClosed();
    })());
  const timer = setInterval(() => {
    // Its folders opened to others meanwhile (by hand): the hooks, which check no modes for the spool, must stop using them.
    const private_ = privateFolder(base, false) && privateFolder(dir, true) && (!spool || privateFolder(spool, true));
    if (!alive() || fs.statSync(socket, { throwIfNoEntry: false })?.ino !== ino || !private_) void close();
    else void drain(); // should the watch have missed something
  }, opts.pollMs ?? POLL_MS);
  return { socket, spool, drain, closed, close };
}

/** How long a hook that runs in its own Node waits for the resident to record its spool (ms). */
const SETTLE_MS = 10_000;

/**
 * What Claude Code `claudePid`'s hooks/post-tool-use spooled (spool.ts),
 * recorded before a hook that runs in a Node of its own (SessionEnd: the
 * end-of-session commit must hold every record, and its own lines come
 * after them). A resident that answers records its spool, autosaves
 * included, before it answers a hand-over of nothing ('spool'): waited for
 * up to SETTLE_MS. One killed outright (its socket file is there and
 * refuses; its owner file is still there, where a resident going removes
 * it first and then records the rest itself) left its spool to the next
 * hand-over it would refuse, which a Claude that is ending may never make:
 * that socket (the same file, not one a new resident made meanwhile) and
 * the owner file go, and what the spool holds is recorded here with
 * `answerHook`, as the resident would have, in private folders only. Every
 * post-tool-use script has ended by SessionEnd (Claude waits for them), so
 * a writer's id still alive is another process's. A resident from before
 * the 'spool' hand-over (it answers 404: cs was updated while it ran)
 * records on its own within its poll: waited for, until the spool holds no
 * input, within SETTLE_MS. Does nothing without a spool, or when the
 * resident is there but slow or stopped (it records on its own). Throws
 * only on a file system error (the caller logs it).
 */
export async function settleSpool(env: NodeJS.ProcessEnv, claudePid: number, answerHook: Answer): Promise<void> {
  const socket = residentSocket(env, claudePid);
  const folder = spoolOf(socket);
  const dir = path.dirname(socket);
  if (!fs.lstatSync(folder, { throwIfNoEntry: false })?.isDirectory()) return;
  if (!privateFolder(path.dirname(dir), false) || !privateFolder(dir, true) || !privateFolder(folder, true)) return;
  const before = fs.lstatSync(socket, { throwIfNoEntry: false });
  if (!before?.isSocket()) return;
  // '{}': the session is the resident's own; a cut SessionEnd input is reported once, by session-end.
  const t0 = Date.now();
  const reply = await ask(socket, 'POST', '/hook/spool', '{}', SETTLE_MS);
  // A resident from before the 'spool' hand-over (cs updated while it ran) records its spool on its own, within its poll: waited for.
  if (reply === 404) return void (await spoolEmptied(folder, SETTLE_MS - (Date.now() - t0)));
  if (reply !== 'refused') return;
  const owner = path.join(folder, SPOOL_OWNER);
  if (!fs.lstatSync(owner, { throwIfNoEntry: false })?.isFile()) return;
  if (fs.lstatSync(socket, { throwIfNoEntry: false })?.ino !== before.ino) return; // a new resident listens there now
  // What the killed resident had claimed is recorded too, though another process may have its id by now.
  const killed = Number(readFileOr(owner, '').trim());
  if (!killed) return; // gone meanwhile: a resident going removes it first, then records the rest itself
  fs.rmSync(socket, { force: true });
  fs.rmSync(owner, { force: true });
  await finishSpool(
    folder,
    async (input, written) => {
      await answerHook('post-tool', input, env, written);
    },
    { writing: () => false, drainerAlive: (pid) => pid !== killed && pidAlive(pid) },
  );
}

/** Resolves once spool `folder` holds no input (holdsInput), or is gone, or after `ms`. */
async function spoolEmptied(folder: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (holdsInput(folder) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * `dist/hook.js resident`, started in the background by hooks/session-start
 * with CS_CLAUDE_PID (its $PPID, the Claude): runs the resident until its
 * Claude has gone or a signal ends it. Does nothing without a process id.
 */
export async function residentMain(env: NodeJS.ProcessEnv, answerHook: Answer): Promise<void> {
  const pid = Number(env.CS_CLAUDE_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  // What the handlers get is the Claude's environment, not the SessionStart hook's own.
  const handlerEnv = { ...env };
  delete handlerEnv.CS_CLAUDE_PID;
  delete handlerEnv.CLAUDE_ENV_FILE;
  const resident = await startResident(handlerEnv, pid, answerHook);
  if (!resident) return;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => void resident.close());
  await resident.closed;
}
