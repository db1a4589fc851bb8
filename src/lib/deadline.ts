// Waiting for a promise with a time limit: one race against a timer that
// never keeps the process alive and is cleared as soon as either settles.

/** What within() gives when the time ran out first. */
export const TIMED_OUT = Symbol('timed out');

/**
 * `p`'s value (or its rejection), or TIMED_OUT when it has not settled
 * within `ms` milliseconds. `p` itself runs on: the caller decides what a
 * late answer means.
 */
export function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
