'use client';

import { useEffect } from 'react';

/** Never before this: the first data a person waits for comes first. */
const EARLIEST_MS = 2_000;
/** The page counts as settled once its main thread ran no long task (> 50 ms) for this long. */
const QUIET_MS = 1_000;
/** Registered by then whatever the page does (a live chart may never go quiet): offline must not wait forever. */
const LATEST_MS = 10_000;
const CHECK_MS = 250;

/**
 * Registers the offline service worker (out/sw.js, built by `serwist build`) once the page has settled. Installing
 * precaches ~4 MB (106 files, each fetched, stored and compiled on 2 cores): started at a fixed 2 s it landed in the
 * middle of a cold compare page's drawing, so it waits for a quiet main thread (no long task for QUIET_MS), from
 * EARLIEST_MS, and at most until LATEST_MS. Production only, so `next dev` never serves pages from a stale precache.
 */
export default function SwRegister(): null {
  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) return;
    const start = performance.now();
    let lastBusy = start;
    let observer: PerformanceObserver | null = null;
    try {
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) lastBusy = Math.max(lastBusy, e.startTime + e.duration);
      });
      observer.observe({ type: 'longtask', buffered: true });
    } catch {
      // No long-task timing here: the earliest time is the only rule.
      observer = null;
    }
    const timer = setInterval(() => {
      const now = performance.now();
      const settled = now - start >= EARLIEST_MS && (observer === null || now - lastBusy >= QUIET_MS);
      if (!settled && now - start < LATEST_MS) return;
      stop();
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
        console.warn('service worker registration failed', err);
      });
    }, CHECK_MS);
    function stop() {
      clearInterval(timer);
      observer?.disconnect();
    }
    return stop;
  }, []);
  return null;
}
