import { describe, expect, it } from 'vitest';
import { PAGE_HINT_PREFIX, opensCachedView, readPageHint } from '@/workers/page-hint';

describe('page hint', () => {
  it('[CHART-14] [CHART-18] names the runs of a run or compare URL, the experiment of an experiment page; anything else is no hint', () => {
    expect(readPageHint(`${PAGE_HINT_PREFIX}/run/?id=abc`)).toEqual({ experimentId: null, runIds: ['abc'] });
    expect(readPageHint(`${PAGE_HINT_PREFIX}/run?id=abc`)).toEqual({ experimentId: null, runIds: ['abc'] });
    expect(readPageHint(`${PAGE_HINT_PREFIX}/compare/?experiment=7&runs=a,,b`)).toEqual({ experimentId: '7', runIds: ['a', 'b'] });
    expect(readPageHint(`${PAGE_HINT_PREFIX}/experiment/?id=1`)).toEqual({ experimentId: '1', runIds: [] });
    const many = Array.from({ length: 150 }, (_, i) => `r${i}`).join(',');
    expect(readPageHint(`${PAGE_HINT_PREFIX}/compare/?runs=${many}`)!.runIds).toHaveLength(100);
    // Ids become relay paths: malformed ones (a path walk, an encoded one) are dropped, or void the hint.
    expect(readPageHint(`${PAGE_HINT_PREFIX}/compare/?experiment=7&runs=a,../x,%2e%2e,b`)).toEqual({ experimentId: '7', runIds: ['a', 'b'] });
    for (const bad of [`/run/?id=..%2Fx`, `/run/?id=-a`, `/experiment/?id=a/b`, `/compare/?experiment=../1&runs=a`]) {
      expect(readPageHint(`${PAGE_HINT_PREFIX}${bad}`), bad).toBeNull();
    }
    for (const name of ['', 'data-worker', `${PAGE_HINT_PREFIX}/`, `${PAGE_HINT_PREFIX}/run/`, `${PAGE_HINT_PREFIX}/compare/?experiment=7`, `${PAGE_HINT_PREFIX}/experiment/`, `${PAGE_HINT_PREFIX}/experiments/?id=1`, '/run/?id=abc']) {
      expect(readPageHint(name), name).toBeNull();
    }
  });
});

describe('[WRK-12] pages that open with a cached view', () => {
  it('[WRK-12] the experiments list, an experiment and its dashboards do; run, compare, model and settings pages do not', () => {
    for (const page of ['/', '', '/experiment/?id=0', '/experiment?id=0', '/dashboards/?experiment=0']) expect(opensCachedView(PAGE_HINT_PREFIX + page), page).toBe(true);
    for (const page of ['/run/?id=abc', '/compare/?runs=a,b', '/models/', '/model/?name=m', '/settings/', '/embed/?runs=a&metric=m']) expect(opensCachedView(PAGE_HINT_PREFIX + page), page).toBe(false);
    // A worker not named for a page (next dev, tests): not known, so it waits as before.
    expect(opensCachedView('')).toBe(true);
    expect(opensCachedView('cairn-train')).toBe(true);
  });
});
