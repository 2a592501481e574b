import type { ServiceCore } from './service-core';

/** The data worker's functions for dashboards and compare. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function boardsApi(core: ServiceCore) {
  return {};
}
