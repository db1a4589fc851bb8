// What the page and the API do to a hosted session, through cs's tmux server
// (src/host/tmux.ts): text arrives as if typed at its terminal, Esc
// interrupts. The text goes through a tmux paste buffer read from stdin (never
// argv, which `ps` shows), pasted with -p (bracketed paste, so newlines in
// the text do not submit early), then Enter submits.
import { randomBytes } from 'node:crypto';
import { findHosted, target, tmux, tmuxServer, type HostedSession } from '../host/tmux.js';

export const MAX_INPUT = 32 * 1024;

/** The hosted session `name` when it is running, else null. */
export function running(env: NodeJS.ProcessEnv, name: string): Promise<HostedSession | null> {
  return findHosted(tmuxServer(env), env, name);
}

/**
 * Types `text` into the hosted session and presses Enter. False when the
 * session is not running. Throws when tmux fails (the message is tmux's).
 */
export async function sendInput(env: NodeJS.ProcessEnv, name: string, text: string): Promise<boolean> {
  const server = tmuxServer(env);
  if (!(await findHosted(server, env, name))) return false;
  const buffer = `cs-input-${randomBytes(6).toString('hex')}`;
  await tmux(server, ['load-buffer', '-b', buffer, '-'], env, false, text);
  // -d: the buffer goes once pasted, so the text does not stay in tmux's memory.
  await tmux(server, ['paste-buffer', '-p', '-d', '-b', buffer, '-t', target(name)], env);
  // Claude's input box takes a moment to settle a bracketed paste before Enter counts as submit.
  await new Promise((r) => setTimeout(r, 150));
  await tmux(server, ['send-keys', '-t', target(name), 'Enter'], env);
  return true;
}

/** Presses Esc in the hosted session (what interrupts Claude at its terminal). False when not running. */
export async function interrupt(env: NodeJS.ProcessEnv, name: string): Promise<boolean> {
  const server = tmuxServer(env);
  if (!(await findHosted(server, env, name))) return false;
  await tmux(server, ['send-keys', '-t', target(name), 'Escape'], env);
  return true;
}
