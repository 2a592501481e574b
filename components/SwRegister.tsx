'use client';

import { useEffect } from 'react';

/**
 * Registers the offline service worker (out/sw.js, built by `serwist build`). Production only, so `next dev`
 * never serves pages from a stale precache.
 */
export default function SwRegister(): null {
  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
      console.warn('service worker registration failed', err);
    });
  }, []);
  return null;
}
