// A child process for test/integration/session/lock-race.test.ts: waits for a round,
// spins until the agreed instant (so every racer hits the lock together),
// then either takes the lock once ("take") or adds its key to a shared JSON
// file under withLockSync ("add", the -secrets set pattern), and reports.
import * as fs from 'node:fs';
import { tryLock, withLockSync, type LockHandle } from '../../src/lib/lockfile.js';

type Msg = { kind: 'take' | 'add'; lock: string; at: number; key?: string; file?: string } | { kind: 'release' } | { kind: 'exit' };

let held: LockHandle | null = null;
const send = (m: object) => process.send!(m);

process.on('message', (m: Msg) => {
  if (m.kind === 'exit') process.exit(0);
  if (m.kind === 'release') {
    const released = held ? held.release() : false;
    held = null;
    return send({ released });
  }
  // Sleep until just before the instant, then spin to it: start together
  // without twelve processes spinning on two cores for long.
  setTimeout(() => race(m), Math.max(0, m.at - Date.now() - 3));
});

function race(m: Extract<Msg, { at: number }>): void {
  while (Date.now() < m.at) {
    // spin
  }
  try {
    if (m.kind === 'take') {
      const r = tryLock(m.lock, { garbageIsStale: true });
      if (r.ok) held = r.handle;
      send({ ok: r.ok });
      return;
    }
    withLockSync(m.lock, () => {
      const keys = JSON.parse(fs.readFileSync(m.file!, 'utf8')) as string[];
      keys.push(m.key!);
      fs.writeFileSync(m.file!, JSON.stringify(keys));
    });
    send({ ok: true });
  } catch (e) {
    send({ ok: false, error: (e as Error).message });
  }
}

send({ ready: true });
