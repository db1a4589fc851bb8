// The doctor's findings a person must hear about at launch (src/install/notices.ts
// shows each once per machine).
import { noticeOnce } from '../install/notices.js';
import type { IO } from '../term/io.js';
import { checkHooks } from './checks.js';

/**
 * What `cs <name>` tells a person at a terminal before Claude starts: hooks
 * missing from Claude Code's settings (the session would run without context,
 * status or timeline), and a keychain that does not answer (secrets would go
 * to the encrypted file). Each with its cause and fix, once per machine.
 */
export async function launchNotices(env: NodeJS.ProcessEnv, io: IO): Promise<void> {
  const hooks = await checkHooks(env);
  if (hooks.level === 'fail') {
    noticeOnce(env, io, 'hooks', io.color.yellow(`cs: Claude Code hooks are not registered (${hooks.detail}); sessions run without context, status or timeline — ${hooks.fix}`));
  }
  const forced = env.CS_SECRETS_BACKEND?.trim();
  if (forced === 'encrypted') return;
  const { keychainFix, probeKeychain } = await import('../secrets/keychain.js');
  const probe = await probeKeychain(env);
  if (!probe.ok) {
    noticeOnce(env, io, 'keychain', io.color.yellow(`cs: no OS keychain answers (${probe.reason}); secrets go to the encrypted file ~/.cs-secrets/ — ${keychainFix(probe.fault)}`));
  }
}
