// Long-running commands (-log --follow, -watch) end on Ctrl-C or SIGTERM,
// or on a signal their caller passes (tests), and then return normally.

export async function untilStopped<T>(work: (signal: AbortSignal) => Promise<T>, external?: AbortSignal): Promise<T> {
  if (external) return work(external);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
