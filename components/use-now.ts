'use client';

import { useEffect, useState } from 'react';

/** Wall-clock time that re-renders every `intervalMs` while `active`; for live durations of RUNNING runs. */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [active, intervalMs]);
  return now;
}
