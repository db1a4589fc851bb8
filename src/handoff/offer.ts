// `cs <s> --new`: offer the newest handoff no conversation started from yet.
// On a terminal cs asks; without one only --from-handoff uses it. The chosen
// handoff is redacted again (it may have been written without our hook) and
// handed to Claude Code as an appended system prompt from a 0600 file in
// .cs/local/, so its text never travels in argv.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { ensureDir, writeFileAtomic } from '../lib/fsutil.js';
import type { IO } from '../term/io.js';
import { readConversations } from '../conversations/store.js';
import { latestUnused } from './handoff.js';
import { redactHandoff } from './redact.js';

export type HandoffChoice = 'ask' | 'use' | 'skip';

export interface ChosenHandoff {
  rel: string;
  from?: string;
  promptFile: string;
}

/** The preface Claude reads before the handoff text. */
export function handoffPrompt(rel: string, text: string): string {
  return `This conversation continues the work of an earlier conversation of this cs session, which wrote the handoff below (${rel}) before its context filled. Take it as your starting point: its facts are exact.\n\n${text.trim()}\n`;
}

/** Resolves to the handoff to start from, or null. Throws UserError for --from-handoff without one. */
export async function offerHandoff(session: { dir: string; name: string; local: string }, choice: HandoffChoice, io: IO, env: NodeJS.ProcessEnv): Promise<ChosenHandoff | null> {
  if (choice === 'skip') return null;
  const used = new Set(readConversations(session.dir).conversations.flatMap((c) => (c.handoff ? [c.handoff] : [])));
  const h = latestUnused(session.dir, used);
  if (!h) {
    if (choice === 'use') throw new UserError(`session '${session.name}' has no unused handoff in .cs/handoffs/`, `start without one: cs ${session.name} --new`);
    return null;
  }
  if (choice === 'ask') {
    if (!io.canPrompt) {
      io.err(`cs: ${h.rel} is a handoff no conversation started from yet — cs ${session.name} --new --from-handoff uses it`);
      return null;
    }
    const clack = await import('@clack/prompts');
    const answer = await clack.confirm({ message: `Start from the handoff ${h.rel}?`, initialValue: true, input: io.stdin, output: io.promptOut });
    if (clack.isCancel(answer) || answer !== true) return null;
  }
  const { text } = await redactHandoff(session.name, fs.readFileSync(h.path, 'utf8'), env);
  const promptFile = path.join(session.local, 'handoff-prompt.md');
  ensureDir(session.local, 0o700);
  writeFileAtomic(promptFile, handoffPrompt(h.rel, text), 0o600);
  io.err(`cs: starting from the handoff ${h.rel}`);
  return { rel: h.rel, ...(h.from ? { from: h.from } : {}), promptFile };
}
