'use client';

import { useEffect } from 'react';
import { SW_BUSY_EVENTS, swMayRegister } from './sw-settle';

const CHECK_MS = 250;

/**
 * Registers the offline service worker (out/sw.js, built by `serwist build`) once the page has settled (sw/SPEC.md
 * SW-1, the rule in sw-settle.ts): started at a fixed 2 s, its install landed in the middle of a cold compare page's
 * drawing; started on a quiet main thread alone, it landed in the middle of a person's first scroll of the runs table
 * (a smooth scroll runs no long task), so input counts as busy too. Production only, so `next dev` never serves pages
 * from a stale precache.
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
      // No long-task timing here: input and the earliest time are the rules left.
      observer = null;
    }
    const busy = () => {
      lastBusy = performance.now();
    };
    const listen = { capture: true, passive: true } as const;
    for (const type of SW_BUSY_EVENTS) window.addEventListener(type, busy, listen);
    const timer = setInterval(() => {
      if (!swMayRegister({ start, now: performance.now(), lastBusy })) return;
      stop();
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
        console.warn('service worker registration failed', err);
      });
    }, CHECK_MS);
    function stop() {
      clearInterval(timer);
      observer?.disconnect();
      for (const type of SW_BUSY_EVENTS) window.removeEventListener(type, busy, listen);
    }
    return stop;
  }, []);
  return null;
}
