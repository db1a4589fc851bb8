// Two "laptops" for the secrets-travel tests: two HOMEs with their own age
// keys (made by the tests) and the encrypted-file backend, so no keychain
// decides anything; and `csOk`, the built cs expected to succeed.
import { expect } from 'vitest';
import { runCs, sandbox, type CsResult, type Sandbox } from './cs.js';

export function encryptedLaptops(): { a: Sandbox; b: Sandbox; cleanup(): void } {
  const a = sandbox({ USER: 'alice', CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw-a' });
  const b = sandbox({ USER: 'bob', CS_SECRETS_BACKEND: 'encrypted', CS_SECRETS_PASSWORD: 'pw-b' });
  return { a, b, cleanup: () => (a.cleanup(), b.cleanup()) };
}

/** `cs <args>` in `sb`, failing the test (with its stderr) unless it exits 0. */
export async function csOk(sb: Sandbox, args: string[], input = ''): Promise<CsResult> {
  const r = await runCs(args, { env: sb.env, input });
  expect(r.code, `cs ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}
