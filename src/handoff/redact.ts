// Handoffs go through the same secret redaction as captured files
// (src/secrets/detect.ts): values found are stored in the session's secrets
// and replaced by `[REDACTED: stored in keychain as KEY]`.
import { redact } from '../secrets/detect.js';

/** Resolves to the text with secrets replaced (and stored); the same text when there are none. */
export async function redactHandoff(session: string, text: string, env: NodeJS.ProcessEnv): Promise<{ text: string; keys: string[] }> {
  const r = redact('handoff.md', text);
  if (r.secrets.length === 0) return { text, keys: [] };
  const { storeSecrets } = await import('../secrets/store.js');
  await storeSecrets(session, r.secrets, env);
  return { text: r.content, keys: r.secrets.map((s) => s.key) };
}
