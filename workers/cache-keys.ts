/**
 * Keys of the warm cache (warm-cache.ts, WRK-10) in IndexedDB's `caches` table: one home, since the worker's first
 * module (boot.ts) also asks whether an experiment's index is saved, without loading the cache's code.
 */

/** One cache per relay and workspace: another workspace's runs must never show under this one. */
export const cacheScope = (relayUrl: string | null, workspace: string): string => `${relayUrl ?? 'local'}|${workspace}`;

/** Where the relay's index of one experiment is saved (what ExperimentRuns saved). */
export const indexCacheKey = (scope: string, experimentId: string): string => `index|${scope}|${experimentId}`;
