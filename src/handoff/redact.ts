// Handoffs go through the same secret redaction as captured files
// (src/secrets/detect.ts): values found are stored in the session's secrets
// and replaced by their ${KEY} references. Values stored already are taken
// out too, whatever words surround them: a handoff is written from what the
// conversation knows, which includes values the detector has no shape for
// (a password said in a sentence).
import { redact } from '../secrets/detect.js';

/**
 * Resolves to the text with secrets replaced (new ones stored) and the keys
 * taken out; the same text and no keys when there are none. Reading the
 * stored values asks the keychain (a D-Bus round trip or two): handoffs are
 * written once in a long conversation.
 */
export async function redactHandoff(session: string, text: string, env: NodeJS.ProcessEnv): Promise<{ text: string; keys: string[] }> {
  const { knownAsReferences, knownSessionSecrets } = await import('../secrets/scrub.js');
  const known = await knownSessionSecrets(session, env);
  const { text: scrubbed, keys: storedKeys } = knownAsReferences(text, known);
  const r = redact('handoff.md', scrubbed, { stored: known });
  if (r.secrets.length === 0) return { text: scrubbed, keys: storedKeys };
  const { storeSecrets } = await import('../secrets/store.js');
  await storeSecrets(session, r.secrets, env);
  return { text: r.content, keys: [...new Set([...storedKeys, ...r.secrets.map((s) => s.key)])] };
}
