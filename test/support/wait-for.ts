/** Waits until `cond` returns a truthy value, polling; fails with `what` after `timeoutMs`. Never a bare sleep. */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<NonNullable<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const tail = lastError
        ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`
        : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${tail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
