// What `cs <name> -conversations` shows about each pinned conversation.
import * as fs from 'node:fs';
import { lastActivity } from './launch.js';
import { readConversations, thisMachine, type Conversation } from './store.js';
import { syncedFile, transcriptFile } from './transcripts.js';

export interface ConversationRow extends Conversation {
  index: number;
  /** ISO time of the last transcript line on this machine, else ''. */
  lastActivity: string;
  /** The transcript is installed on this machine (Claude Code can resume it). */
  local: boolean;
  /** An encrypted copy is in .cs/conversations/. */
  synced: boolean;
  /** Owned (exported) by this machine. */
  mine: boolean;
}

/** The first prompt of a transcript, from its first user line with plain text. */
export function firstPrompt(file: string): string | undefined {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256 * 1024);
      text = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"type":"user"')) continue;
    try {
      const v = JSON.parse(line) as { message?: { content?: unknown } };
      const c = v.message?.content;
      const s = typeof c === 'string' ? c : Array.isArray(c) ? (c.find((b) => b?.type === 'text')?.text as string | undefined) : undefined;
      if (s && !s.startsWith('<')) return s.replace(/\s+/g, ' ').trim().slice(0, 120);
    } catch {
      // a cut line at the end of the buffer
    }
  }
  return undefined;
}

export function conversationRows(sessionDir: string, env: NodeJS.ProcessEnv): { rows: ConversationRow[]; problems: string[] } {
  const { conversations, problems } = readConversations(sessionDir);
  const me = thisMachine(env);
  const rows = conversations.map((c, i) => {
    const file = transcriptFile(env, sessionDir, c.uuid);
    const local = fs.existsSync(file);
    const title = c.title ?? (local ? firstPrompt(file) : undefined);
    return { ...c, ...(title ? { title } : {}), index: i + 1, lastActivity: local ? lastActivity(file) : '', local, synced: fs.existsSync(syncedFile(sessionDir, c.uuid)), mine: c.machineId === me.id };
  });
  return { rows, problems };
}
