import type { ServiceCore } from './service-core';

/** The data worker's functions for the runs table: windows of rows, columns, grouping, key suggestions, saved views. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function tableApi(core: ServiceCore) {
  return {};
}
