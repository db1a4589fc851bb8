// Whether a D-Bus session bus can be reached at all, in a module of its own:
// where none can, the keychain module (src/secrets/keychain.ts, with the
// D-Bus client and the native keyring binding behind it) need not load.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * True on Linux when no session bus can be reached at all: no
 * DBUS_SESSION_BUS_ADDRESS, and no socket where the keyring module's D-Bus
 * client (zbus) looks without one, $XDG_RUNTIME_DIR/bus or
 * /run/user/<uid>/bus. A headless server or an ssh login is the usual case;
 * then the Secret Service is certainly out of reach, and asking the keyring
 * module (loading it, then a failed connect: about 50 ms) can be skipped.
 */
export function noSessionBus(env: NodeJS.ProcessEnv): boolean {
  if (process.platform !== 'linux' || env.DBUS_SESSION_BUS_ADDRESS) return false;
  const places = [env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'bus') : undefined, process.getuid ? `/run/user/${process.getuid()}/bus` : undefined];
  return places.every((p) => p === undefined || !fs.existsSync(p));
}

/** The reason a keychain probe gives when noSessionBus(). */
export const NO_BUS_REASON = 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, and there is no $XDG_RUNTIME_DIR/bus)';
