import type * as doc from '../lib/doc';
import type { IndexRow } from '../lib/run-index';
import type { RunTable } from '../lib/search';
import type { DocHost } from '../lib/sync';
import type { Topics } from './topics';

/**
 * What data-service.ts hands its area modules (table-api.ts, charts-api.ts, manage-api.ts, boards-api.ts,
 * registry-api.ts): each area builds its worker functions on these and returns them as a plain object, which the
 * service spreads into its API.
 * Every function an area returns must be async (withWireErrors wraps them) and must validate its arguments.
 */
export interface ServiceCore {
  /** The open host; waits for init and for a settings switch to finish. */
  ready(): Promise<DocHost>;
  /** The open host, or null while it is still opening. */
  hostNow(): Promise<DocHost | null>;
  /** Runs a workspace-doc command (stored in IndexedDB before it resolves). */
  write<T>(f: (ctx: doc.Ctx) => T): Promise<T>;
  /** Runs a command on one run's doc (stored before it resolves). */
  writeRun<T>(runId: string, f: (ctx: doc.Ctx) => T): Promise<T>;
  /** Change topics: `topics.signal(name)` tells every subscriber of `name` to re-query. */
  topics: Topics;
  /** An experiment's index rows: active ones newest first, deleted count, metric keys (cached per version). */
  rowsOf(h: DocHost, experimentId: string): Promise<{ version: number; active: IndexRow[]; deleted: number; metricKeys: string[] }>;
  /** lib/search's typed-array table over `active` (cached per version). */
  searchTableOf(h: DocHost, experimentId: string, active: IndexRow[]): RunTable;
}
