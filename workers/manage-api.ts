import type { ServiceCore } from './service-core';

/** The data worker's functions for experiment and run management, run descriptions, artifacts. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function manageApi(core: ServiceCore) {
  return {};
}
