// Which conversation `cs <name>` hands to Claude Code: always an exact uuid.
// A new conversation gets `--session-id <uuid>` (made here and pinned in
// conversations.json); a resumed one `--resume <uuid>`. A conversation owned
// by another machine continues here under a new uuid holding the same
// history, so each synced transcript only ever has one writer. When the
// transcript cannot be restored on this machine, Claude starts a fresh
// conversation and the old one stays listed (and its synced file untouched).
import * as fs from 'node:fs';
import { latestTranscript } from '../session/claude-project.js';
import { claudeConfigDir } from '../session/paths.js';
import { addConversation, newUuid, readConversations, resolveConversation, thisMachine, unpinConversation, type Conversation } from './store.js';
import { renameSession, syncedFile, transcriptFile, workspaceRealPath, type Report } from './transcripts.js';

export interface ConversationChoice {
  /** --new */
  fresh?: boolean;
  /** --resume <uuid|index> */
  resume?: string;
  /** With fresh: the handoff the new conversation starts from (src/handoff/offer.ts). */
  handoff?: { rel: string; from?: string; promptFile: string };
}

export interface LaunchPlan {
  args: string[];
  uuid?: string;
  how: 'new' | 'resume' | 'continued-from' | 'continue-latest' | 'own-args';
}

const OWN_FLAGS = ['--continue', '-c', '--resume', '-r', '--session-id', '--fork-session'];

/**
 * Whether Claude's arguments hold one of `names`, spelled `--flag`,
 * `--flag value` or `--flag=value` (Claude Code parses its options with
 * commander, which takes both spellings for a long option).
 */
export function hasClaudeFlag(args: readonly string[], names: readonly string[]): boolean {
  return args.some((a) => names.includes(a) || (a.startsWith('--') && a.includes('=') && names.includes(a.slice(0, a.indexOf('=')))));
}

/** The prompt of `-p <prompt>` among Claude's arguments, as a title. */
export function promptOf(args: readonly string[]): string | undefined {
  const i = args.findIndex((a) => a === '-p' || a === '--print');
  const p = i >= 0 ? args[i + 1] : undefined;
  return p && !p.startsWith('-') ? p : undefined;
}

/** ISO time of the last line of a transcript that carries a timestamp ('' when none). */
export function lastActivity(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const all = [...buf.toString('utf8').matchAll(/"timestamp":"([0-9T:.Z+-]+)"/g)];
    return all.at(-1)?.[1] ?? '';
  } finally {
    fs.closeSync(fd);
  }
}

/** The conversation `cs <name>` resumes: the one with the latest activity on this machine. */
export function latestConversation(env: NodeJS.ProcessEnv, sessionDir: string, list: readonly Conversation[]): Conversation | undefined {
  let best: { c: Conversation; at: string } | undefined;
  for (const c of list) {
    const at = lastActivity(transcriptFile(env, sessionDir, c.uuid)) || c.started;
    if (!best || at >= best.at) best = { c, at };
  }
  return best?.c;
}

export function planConversation(
  p: { dir: string; name: string },
  env: NodeJS.ProcessEnv,
  choice: ConversationChoice,
  opts: { created: boolean; claudeArgs: readonly string[]; now: Date; report: Report },
): LaunchPlan {
  if (hasClaudeFlag(opts.claudeArgs, OWN_FLAGS)) return { args: [], how: 'own-args' };
  const { conversations, problems, exists } = readConversations(p.dir);
  for (const x of problems) opts.report(`.cs/conversations.json: ${x}`, 'warn');
  const me = thisMachine(env);
  const title = promptOf(opts.claudeArgs);
  const fresh = (): LaunchPlan => {
    const uuid = newUuid();
    const h = choice.fresh ? choice.handoff : undefined;
    addConversation(p.dir, { uuid, started: opts.now.toISOString(), machine: me.name, machineId: me.id, ...(title ? { title } : {}), ...(h ? { handoff: h.rel, ...(h.from ? { handoffFrom: h.from } : {}) } : {}) });
    return { args: ['--session-id', uuid, ...(h ? ['--append-system-prompt-file', h.promptFile] : [])], uuid, how: 'new' };
  };
  if (choice.fresh) return fresh();
  // Sessions from before pinned conversations: Claude's own "latest here".
  if (!exists && !choice.resume) {
    const old = !opts.created && latestTranscript(claudeConfigDir(env), workspaceRealPath(p.dir)) !== null;
    return old ? { args: ['--continue'], how: 'continue-latest' } : fresh();
  }
  const c = choice.resume ? resolveConversation(conversations, choice.resume, p.name) : latestConversation(env, p.dir, conversations);
  if (!c) return fresh();
  const file = transcriptFile(env, p.dir, c.uuid);
  if (!fs.existsSync(file)) {
    // Say only what is known here: an import failure was reported on its own line before this one.
    const why =
      c.machineId === me.id
        ? 'Claude ended before saving it'
        : fs.existsSync(syncedFile(p.dir, c.uuid))
          ? 'its synced copy could not be installed here'
          : `${c.machine} never synced it: there is no .cs/conversations/${c.uuid}.jsonl.age`;
    opts.report(`conversation ${c.uuid} has no transcript on this machine (${why}) — starting a new conversation; the old one stays listed in cs ${p.name} -conversations`, 'warn');
    return fresh();
  }
  if (c.machineId === me.id) return { args: ['--resume', c.uuid], uuid: c.uuid, how: 'resume' };
  const uuid = newUuid();
  fs.writeFileSync(transcriptFile(env, p.dir, uuid), renameSession(fs.readFileSync(file, 'utf8'), c.uuid, uuid), { mode: 0o600, flag: 'wx' });
  addConversation(p.dir, { uuid, started: opts.now.toISOString(), machine: me.name, machineId: me.id, from: c.uuid, ...(c.title ? { title: c.title } : {}) });
  opts.report(`continuing conversation ${c.uuid} from ${c.machine} as ${uuid} on this machine`, 'info');
  return { args: ['--resume', uuid], uuid, how: 'continued-from' };
}

/** What one start of Claude in a session asks for: the same for the foreground open (src/commands/open.ts) and the hosted start step (src/host/main.ts). */
export interface LaunchRequest extends ConversationChoice {
  /** The workspace was made by this `cs <name>`. */
  created: boolean;
  claudeArgs: readonly string[];
}

/**
 * The conversation one start of Claude gets, planned the same way however
 * Claude is run: a new feature session (`base@feature`, just created) holds
 * its base's conversation list in its worktree, so it starts its own
 * conversation; otherwise as planConversation decides.
 */
export function planLaunch(p: { dir: string; name: string }, env: NodeJS.ProcessEnv, req: LaunchRequest, now: Date, report: Report): LaunchPlan {
  const fresh = Boolean(req.fresh) || (req.created && p.name.includes('@'));
  const choice: ConversationChoice = { fresh, ...(req.resume !== undefined ? { resume: req.resume } : {}), ...(req.handoff ? { handoff: req.handoff } : {}) };
  return planConversation(p, env, choice, { created: req.created, claudeArgs: req.claudeArgs, now, report });
}

/**
 * After Claude ended, however it ended: a conversation cs pinned as new that
 * Claude never started (no transcript: it failed at once, the user declined
 * the folder-trust question, or left before saying anything, as `/exit` or
 * `cs <name> -stop` right after the start do; Claude Code writes the
 * transcript with the first message) is taken back, so none is left listed
 * as missing (-doctor would call it lost). Returns whether it was.
 */
export function unpinIfNeverStarted(plan: Pick<LaunchPlan, 'how' | 'uuid'>, p: { dir: string }, env: NodeJS.ProcessEnv): boolean {
  if (plan.how !== 'new' || !plan.uuid || fs.existsSync(transcriptFile(env, p.dir, plan.uuid))) return false;
  unpinConversation(p.dir, plan.uuid);
  return true;
}
