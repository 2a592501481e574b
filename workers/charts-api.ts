import type { ServiceCore } from './service-core';

/** The data worker's functions for charts: series of many runs, zoomed ranges. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function chartsApi(core: ServiceCore) {
  return {};
}
