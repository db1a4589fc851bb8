// What `cs <name>` tells a person at a terminal once per machine: hooks not
// registered (with `cs -install`), and no keychain (with the real cause and
// its fix, the same as -doctor's).
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHooks, checkKeychain } from '../../../src/doctor/checks.js';
import { install } from '../../../src/install/install.js';
import { launchNotices } from '../../../src/doctor/launch-notices.js';
import { repoRoot, sandbox, type Sandbox } from '../../support/cs.js';
import { testIO } from '../../support/io.js';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  sb = sandbox();
  env = { ...sb.env, CS_DATA_DIR: path.join(sb.home, '.local/share/cs'), CS_BIN_DIR: path.join(sb.home, '.local/bin'), XDG_CONFIG_HOME: path.join(sb.home, '.config'), CS_TEST_KEYRING_MISSING: '1',
    // A session bus address (its socket need not exist): without one the bus is the cause, and the module is not asked.
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cs-test-bus' };
});
afterEach(() => sb.cleanup());

async function notices(e: NodeJS.ProcessEnv): Promise<string[]> {
  const io = testIO('', { canPrompt: true });
  await launchNotices(e, io);
  return io.stderrText().split('\n').filter(Boolean);
}

describe('launch notices', () => {
  it('hooks missing and no keychain: each said once per machine, with cause and fix', async () => {
    const first = await notices(env);
    expect(first).toHaveLength(2);
    expect(first[0]).toMatch(/^cs: Claude Code hooks are not registered \(.*settings\.json does not exist: no hooks registered\); sessions run without context, status or timeline — run: cs -install/);
    expect(first[1]).toMatch(/^cs: no OS keychain answers \(@napi-rs\/keyring is not installed for linux-\w+\); secrets go to the encrypted file ~\/\.cs-secrets\/ — reinstall cs with npm/);
    // -doctor gives the same cause and fix.
    const doctor = await checkKeychain(env);
    expect(first[1]).toContain(doctor.detail.match(/\(([^)]+)\)/)![1]!);
    expect(first[1]).toContain(doctor.fix!);
    expect((await checkHooks(env)).fix).toBe('run: cs -install');
    // Once per machine.
    expect(await notices(env)).toEqual([]);
    // A different cause is news again.
    const noBus = await notices({ ...env, CS_TEST_KEYRING_MISSING: undefined, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(sb.dir, 'no-bus')}` });
    expect(noBus).toHaveLength(1);
    expect(noBus[0]).toMatch(/^cs: no OS keychain answers \(cannot reach the session bus \(ENOENT\)\); .* — start a Secret Service/);
  });

  it('after cs -install the hooks notice is gone; encrypted by choice means no keychain notice', async () => {
    expect(await notices(env)).toHaveLength(2);
    install(repoRoot, env);
    expect(await notices({ ...env, CS_SECRETS_BACKEND: 'encrypted' })).toEqual([]);
  });
});
