// cs -search asks the OS keychain only about the sessions listed in
// ~/.cs-secrets/keychain-sessions (src/secrets/keychain-index.ts), and the
// list is made complete from the keychain itself before it is trusted: a
// value stored before the list existed is still never shown, nor one stored
// after. The built cs against the real gnome-keyring of the test bus.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeKeychain } from '../../../src/secrets/keychain.js';
import { runCs, sandbox, type Sandbox } from '../../support/cs.js';

// A generous probe: on a busy machine the keychain's first answer can take more than 1.5 s.
const PROBE = { CS_KEYCHAIN_PROBE_MS: '10000' };
const probe = await probeKeychain({ ...process.env, ...PROBE });

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, ...PROBE });
});
afterEach(() => sb.cleanup());

describe.runIf(probe.ok)('cs -search with secrets in the OS keychain', () => {
  it('lists the sessions holding keychain secrets, completes the list from the keychain once, and never shows a value', { timeout: 120_000 }, async () => {
    // Unique names: the keyring is shared by every test on the bus.
    const u = randomBytes(3).toString('hex');
    const [early, late, plain] = [`early-${u}`, `late-${u}`, `plain-${u}`];
    for (const s of [early, late, plain]) expect((await runCs([s], { env: sb.env })).code).toBe(0);
    const index = path.join(sb.home, '.cs-secrets', 'keychain-sessions');
    const say = (s: string, text: string) => fs.appendFileSync(path.join(sb.root, s, '.cs/discoveries.md'), `${text}\n`);
    try {
      // Stored as an older cs did, before the list existed.
      expect((await runCs([early, '-secrets', 'set', 'API_TOKEN'], { env: sb.env, input: `early-value-${u}` })).code).toBe(0);
      expect(fs.readFileSync(index, 'utf8').split('\n')).toContain(early);
      fs.rmSync(index);
      say(early, `the header carries early-value-${u} on every call`);
      say(plain, 'the header carries nothing secret');
      const first = await runCs(['-search', 'header carries', '--json'], { env: sb.env });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).not.toContain(`early-value-${u}`);
      expect(JSON.parse(first.stdout).find((h: { session: string }) => h.session === early).snippet).toBe('the header carries [secret: API_TOKEN] on every call');
      // The list is now complete for this root, from the keychain: names only.
      const lines = fs.readFileSync(index, 'utf8').split('\n');
      expect(lines).toContain(early);
      expect(lines).not.toContain(plain);
      expect(lines).toContain(`COMPLETE ${sb.root}`);
      expect(fs.statSync(index).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(index, 'utf8')).not.toContain('value');
      // Stored after: listed as it is stored, so the complete list still covers it.
      expect((await runCs([late, '-secrets', 'set', 'DB_PASSWORD'], { env: sb.env, input: `late-value-${u}` })).code).toBe(0);
      say(late, `the header carries late-value-${u} too`);
      const second = await runCs(['-search', 'header carries', '--json'], { env: sb.env });
      expect(second.stdout).not.toMatch(/(early|late)-value-/);
      expect(JSON.parse(second.stdout).map((h: { session: string; snippet: string }) => [h.session, h.snippet]).sort()).toEqual(
        [
          [early, 'the header carries [secret: API_TOKEN] on every call'],
          [late, 'the header carries [secret: DB_PASSWORD] too'],
          [plain, 'the header carries nothing secret'],
        ].sort(),
      );
      // A value never decides a match, listed or not.
      expect((await runCs(['-search', `late-value-${u}`, '--json'], { env: sb.env })).code).toBe(1);
    } finally {
      for (const s of [early, late]) await runCs([s, '-secrets', 'purge', '--yes'], { env: sb.env });
    }
  });
});
