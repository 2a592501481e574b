import { describe, expect, it } from 'vitest';
import { SW_SETTLE, swMayRegister } from '@/components/sw-settle';

describe('[SW-1] the service worker is registered once the page has settled', () => {
  const { earliestMs, quietMs, latestMs } = SW_SETTLE;

  it('[SW-1] not before the earliest time, even on a page that was quiet from the start', () => {
    expect(swMayRegister({ start: 0, now: earliestMs - 1, lastBusy: 0 })).toBe(false);
    expect(swMayRegister({ start: 0, now: earliestMs, lastBusy: 0 })).toBe(true);
  });

  it('[SW-1] a scroll (or any busy moment) holds it back until the page was quiet for quietMs', () => {
    // A person scrolling from 1.3 s to 5.3 s after load: every check in that time says no.
    for (let now = earliestMs; now <= 5_300; now += 250) expect(swMayRegister({ start: 0, now, lastBusy: now - 16 })).toBe(false);
    expect(swMayRegister({ start: 0, now: 5_300 + quietMs - 1, lastBusy: 5_300 })).toBe(false);
    expect(swMayRegister({ start: 0, now: 5_300 + quietMs, lastBusy: 5_300 })).toBe(true);
  });

  it('[SW-1] a page that never goes quiet still gets it at the latest time', () => {
    expect(swMayRegister({ start: 100, now: 100 + latestMs - 1, lastBusy: 100 + latestMs - 2 })).toBe(false);
    expect(swMayRegister({ start: 100, now: 100 + latestMs, lastBusy: 100 + latestMs })).toBe(true);
  });
});
