// Processes a test started, found through /proc so teardown can wait for
// every one of them (a killed parent's children are re-parented and would
// otherwise go on writing into the temp dir being removed).
import * as fs from 'node:fs';
import { pidAlive } from '../../src/lib/lockfile.js';

/** `pid` and every process below it, read from /proc (proc(5): field 4 of stat is the parent). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid !== null) parent.set(ppid, [...(parent.get(ppid) ?? []), Number(entry)]);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(parent.get(out[i]!) ?? []));
  return out;
}


/** Waits (bounded) until none of `pids` is alive (zombies count as gone); resolves either way. */
export async function waitGone(pids: readonly number[], timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (pids.some(pidAlive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}

/** The parent pid of `pid` from /proc (its name may hold spaces or parentheses); null once it is gone. */
export function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null; // gone meanwhile
  }
}
