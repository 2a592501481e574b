'use client';

import { useSyncExternalStore } from 'react';

/**
 * Whether the page is in dark mode right now: the `dark` class on <html> (components/theme.ts sets it from the saved
 * choice and the system's preference), watched so charts recolour their axes when it flips. False while prerendering.
 */
export function useDarkMode(): boolean {
  return useSyncExternalStore(subscribe, isDark, () => false);
}

const isDark = () => document.documentElement.classList.contains('dark');

function subscribe(cb: () => void): () => void {
  const mo = new MutationObserver(cb);
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => mo.disconnect();
}
