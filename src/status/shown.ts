// The one state cs shows for a session, in `cs -live` and `cs -ls` (and the
// picker, which lists what -ls lists): the hook-driven status (status.ts)
// read against whether a hosted run is going on and whether the last run
// ended unexpectedly with nobody told yet (src/host/postmortem.ts).
import type { Status } from './status.js';

/** working | needs-you | idle | closed (status.ts), starting (hosted, Claude not launched yet), ended-unexpectedly. */
export type ShownState = Status['state'] | 'starting' | 'ended-unexpectedly';

export interface StateInputs {
  status: Pick<Status, 'state' | 'ms'> | null;
  /** A hosted run is going on; `started`: when its Claude was launched (run.json), null before. */
  hosted: { started: string | null } | null;
  /** The last run ended unexpectedly and nobody has been told. */
  postmortem: boolean;
}

/**
 * The state, and whether it is the status's own (its time is then the
 * state's; else the caller dates it). A hosted run's status counts only when
 * written during this run: until Claude's first hook event it still holds the
 * last run's (closed, or whatever a crash left), and Claude is waiting for
 * input. Null when nothing was ever recorded.
 */
export function shownState(o: StateInputs): { state: ShownState; fromStatus: boolean } | null {
  const { status, hosted } = o;
  if (hosted) {
    const fresh = status !== null && status.state !== 'closed' && (hosted.started === null || status.ms >= Date.parse(hosted.started) - 1000);
    if (fresh) return { state: status.state, fromStatus: true };
    return { state: hosted.started ? 'idle' : 'starting', fromStatus: false };
  }
  if (o.postmortem) return { state: 'ended-unexpectedly', fromStatus: false };
  return status ? { state: status.state, fromStatus: true } : null;
}
