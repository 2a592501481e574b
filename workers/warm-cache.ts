import type { Experiment } from '../lib/domain';
import type * as doc from '../lib/doc';
import { decodeIndex, type IndexRow } from '../lib/run-index';
import { searchTable, tableFromRows } from '../lib/search';
import type { RunsPage, RunsQuery } from '../lib/search/runs-page';
import type { LocalStore } from '../lib/store';
import { indexCacheKey } from './cache-keys';
import { viewOfRow } from './run-rows';

/**
 * What the data worker saves to paint the next visit at once (SPEC.md WRK-10): the experiments list, the first page of
 * each runs table viewed, and the relay's experiment index of each (lib/run-index bytes: lib/sync's ExperimentRuns
 * saves and reloads it here, then catches up with deltas), in IndexedDB's `caches` table. Until the workspace is open,
 * queries are answered from here, marked `cached`; then every view re-queries. Derived data only: never written back
 * to any document, rebuilt from the documents.
 */

/** Saves wait this long after the last change: a run logging points must not rewrite a 10k-run index per point. */
export const CACHE_SAVE_DELAY_MS = 2_000;
/** Rows of the saved first page: the runs table's first screen (components/ExperimentView PAGE_ROWS). */
const FIRST_PAGE_ROWS = 100;
/** Largest page a cached answer gives (as the live one, WRK-8). */
const MAX_PAGE_ROWS = 5000;

export { cacheScope } from './cache-keys';

export class WarmCache {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly latest = new Map<string, () => unknown>();
  private stopped = false;

  constructor(
    private readonly store: LocalStore,
    private readonly scope: string,
    private readonly delayMs = CACHE_SAVE_DELAY_MS,
  ) {}

  /** Whether anything was saved for this relay and workspace (the experiments list is saved first). */
  async hasSaved(): Promise<boolean> {
    return (await this.experiments()) !== undefined;
  }

  async experiments(): Promise<Experiment[] | undefined> {
    const list = await this.store.getCache<Experiment[]>(`experiments|${this.scope}`).catch(() => undefined);
    return Array.isArray(list) ? list : undefined;
  }

  saveExperiments(read: () => Experiment[]): void {
    this.later(`experiments|${this.scope}`, () => read());
  }

  /**
   * The runs page from what was saved: the saved first page itself when it answers the question (no filter, no order,
   * no more rows than it holds: a small read, the fastest paint), else the saved index; undefined when neither is there.
   */
  async runsPage(experimentId: string, limit: number, query: RunsQuery): Promise<RunsPage | undefined> {
    if (!query.filter?.trim() && !query.orderBy?.length) {
      const first = await this.store.getCache<RunsPage>(`page|${this.scope}|${experimentId}`).catch(() => undefined);
      if (first && Array.isArray(first.runs) && (first.runs.length >= limit || first.runs.length === first.total)) {
        return { ...first, runs: first.runs.slice(0, Math.max(0, Math.floor(limit))), cached: true };
      }
    }
    const bytes = await this.index(experimentId);
    if (!bytes) return undefined;
    let rows: IndexRow[];
    try {
      rows = decodeIndex(bytes).rows;
    } catch {
      return undefined;
    }
    const active = rows.filter((r) => r.lifecycleStage === 'active');
    const keys = new Set<string>();
    for (const r of active) for (const k in r.metrics) keys.add(k);
    const n = Math.max(0, Math.min(Math.floor(limit), MAX_PAGE_ROWS));
    const base = { deleted: rows.length - active.length, metricKeys: [...keys].sort(), cached: true };
    // MLflow's default order (start_time DESC, run_id) whether or not there is a query: the same as the live page.
    const found = searchTable(tableFromRows(active), { filter: query.filter ?? null, orderBy: query.orderBy ?? null, maxResults: n });
    if (!found.ok) return { runs: [], total: 0, ...base, error: found.error };
    return { runs: Array.from(found.rows, (i) => viewOfRow(active[i]!)), total: found.total, ...base };
  }

  /** Saves the plain first page of an experiment's runs table (the default query), as the page was sent. */
  saveFirstPage(experimentId: string, page: RunsPage): void {
    this.later(`page|${this.scope}|${experimentId}`, () => ({ ...page, runs: page.runs.slice(0, FIRST_PAGE_ROWS) }));
  }

  /** The saved index of one experiment (what ExperimentRuns saved), or undefined. */
  async index(experimentId: string): Promise<Uint8Array | undefined> {
    const bytes = await this.store.getCache<Uint8Array>(indexCacheKey(this.scope, experimentId)).catch(() => undefined);
    return bytes instanceof Uint8Array ? bytes : undefined;
  }

  /** Saves the index of one experiment (produced when the save runs, so the latest state is what is kept). */
  saveIndex(experimentId: string, bytes: () => Uint8Array): void {
    this.later(indexCacheKey(this.scope, experimentId), bytes);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Saves `value()` of the latest call for `key`, once, `delayMs` after the first call since the last save. */
  private later(key: string, value: () => unknown): void {
    if (this.stopped) return;
    this.latest.set(key, value);
    if (this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        const produce = this.latest.get(key);
        this.latest.delete(key);
        if (this.stopped || !produce) return;
        // A cache that cannot be saved (the database upgraded in another tab, quota) costs a slower next visit only.
        void Promise.resolve()
          .then(() => this.store.putCache(key, produce()))
          .catch(() => undefined);
      }, this.delayMs),
    );
  }
}

/** An experiments list of a view, as doc.listExperiments gives it. */
export function experimentsOfView(list: Experiment[], view: doc.ViewType): Experiment[] {
  return list.filter((e) => view === 'ALL' || (view === 'ACTIVE_ONLY' ? e.lifecycleStage === 'active' : e.lifecycleStage === 'deleted'));
}
