/**
 * When the offline service worker may be registered (sw/SPEC.md SW-1). Installing it precaches ~4 MB (116 files, each
 * fetched, stored and compiled): on a 2-core machine that costs the page whatever it is doing meanwhile, so it waits
 * for the page to settle (no long task and no input for `quietMs`) from `earliestMs`, and goes ahead at `latestMs`
 * whatever the page does (a live chart may never go quiet, and offline must not wait forever).
 */
export const SW_SETTLE = {
  /** Never before this: the first data a person waits for comes first. */
  earliestMs: 2_000,
  /** Settled: no long task (> 50 ms) ran and the person scrolled, typed or pointed at nothing for this long. */
  quietMs: 1_000,
  latestMs: 10_000,
} as const;

/**
 * Events that mean the person is using the page: a scroll (any element's: listened for in the capture phase), the
 * wheel, a key, the pointer. A precache install that starts during a scroll costs it frames (bench/README.md).
 */
export const SW_BUSY_EVENTS = ['scroll', 'wheel', 'keydown', 'pointerdown', 'pointermove', 'touchstart'] as const;

/** Times in ms on one clock (performance.now()): when the page started, now, and the end of the last busy moment. */
export interface SettleTimes {
  start: number;
  now: number;
  lastBusy: number;
}

/** Whether the service worker may be registered now (SW-1). */
export function swMayRegister(t: SettleTimes, o: { earliestMs: number; quietMs: number; latestMs: number } = SW_SETTLE): boolean {
  const since = t.now - t.start;
  if (since >= o.latestMs) return true;
  return since >= o.earliestMs && t.now - t.lastBusy >= o.quietMs;
}
