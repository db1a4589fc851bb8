// The phone page's conversation of a session without a running conversation
// id falls back to the newest transcript of its Claude project folder; where
// two sessions share that folder (x.y and x-y), only among its own.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ownedConversations } from '../../../src/conversations/owned.js';
import { pinConversation } from '../../../src/conversations/store.js';
import { transcriptFile } from '../../../src/serve/conversation.js';
import { claudeProjectDir } from '../../../src/session/claude-project.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-transcript-')));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

it("never shows another session's conversation from a shared project folder", () => {
  const root = path.join(tmp, 'sessions');
  const config = path.join(tmp, '.claude');
  const env = { HOME: tmp, CS_SESSIONS_ROOT: root, CLAUDE_CONFIG_DIR: config };
  const [mine, theirs] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
  const dot = path.join(root, 'x.y');
  const dash = path.join(root, 'x-y');
  for (const d of [dot, dash]) fs.mkdirSync(path.join(d, '.cs'), { recursive: true });
  pinConversation(dot, env, mine, new Date());
  pinConversation(dash, env, theirs, new Date());
  const folder = claudeProjectDir(config, dot);
  expect(claudeProjectDir(config, dash)).toBe(folder); // the collision itself
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, `${mine}.jsonl`), '{}\n');
  fs.writeFileSync(path.join(folder, `${theirs}.jsonl`), '{}\n');
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(folder, `${theirs}.jsonl`), later, later); // theirs is the newest
  const owned = (name: string) => (real: string) => ownedConversations(root, name, real);
  expect(transcriptFile(config, dot, undefined, owned('x.y'))).toBe(path.join(folder, `${mine}.jsonl`));
  expect(transcriptFile(config, dash, undefined, owned('x-y'))).toBe(path.join(folder, `${theirs}.jsonl`));
  // Alone in its folder, a session's newest transcript is shown, pinned or not (as before).
  fs.rmSync(dash, { recursive: true });
  expect(transcriptFile(config, dot, undefined, owned('x.y'))).toBe(path.join(folder, `${theirs}.jsonl`));
});
