/** Poll interval for waitFor: short, since every wait here is for a local socket or process. */
const POLL_MS = 10;
/** Default ceiling for a condition on loopback; generous so a loaded CI box does not flake. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Resolves when `check` returns a truthy value (returned), rejects with `what` after the timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
