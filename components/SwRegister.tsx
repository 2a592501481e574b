'use client';

import { useEffect } from 'react';

/** After the page settled: installing precaches ~2.5 MB, which must not compete with the first data a person waits for. */
const REGISTER_AFTER_MS = 2_000;

/**
 * Registers the offline service worker (out/sw.js, built by `serwist build`), a little after the page loaded.
 * Production only, so `next dev` never serves pages from a stale precache.
 */
export default function SwRegister(): null {
  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) return;
    const timer = setTimeout(() => {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
        console.warn('service worker registration failed', err);
      });
    }, REGISTER_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);
  return null;
}
