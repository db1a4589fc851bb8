// The order inside run({ group: true }) and runAttached: cs listens for
// Ctrl-C, SIGTERM and SIGHUP before it starts the program. The other way
// round, a signal that lands between the two ends cs by default and leaves the
// program running (a detached group: git and its ssh); under load the
// proc-group test once sent its Ctrl-C inside that gap. The gap is too narrow
// to hit on purpose, so spawn is wrapped (it still starts the real program) to
// record which handlers exist at the moment it is called.
import { describe, expect, it, vi } from 'vitest';

const atSpawn = vi.hoisted(() => [] as Array<{ command: string; handlers: Record<string, number> }>);
vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return {
    ...real,
    spawn: (...args: Parameters<typeof real.spawn>) => {
      atSpawn.push({ command: String(args[0]), handlers: Object.fromEntries(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => [s, process.listenerCount(s)])) });
      return real.spawn(...args);
    },
  };
});

const { run, runAttached } = await import('../../../src/lib/proc.js');

describe('signal handlers are in place when the program starts', () => {
  it.each([
    ['run in a process group', () => run('true', [], { group: true })],
    ['runAttached', () => runAttached('true', [])],
  ])('%s', async (_what, start) => {
    const count = () => Object.fromEntries(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => [s, process.listenerCount(s)]));
    const before = count();
    atSpawn.length = 0;
    await start();
    // The program; runAttached then starts its watchdog (an sh), once the program has started.
    expect(atSpawn[0]).toEqual({ command: 'true', handlers: { SIGINT: before.SIGINT! + 1, SIGTERM: before.SIGTERM! + 1, SIGHUP: before.SIGHUP! + 1 } });
    expect(atSpawn.slice(1).map((s) => s.command)).toEqual(_what === 'runAttached' ? ['sh'] : []);
    expect(count()).toEqual(before); // and gone again afterwards
  });
});
