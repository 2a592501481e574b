import type { Experiment, Run } from '../lib/domain';
import * as doc from '../lib/doc';
import { buildIndexes, decodeIndex, encodeIndex, type IndexRow } from '../lib/run-index';
import { searchTable, tableFromRows } from '../lib/search';
import type { RunsPage, RunsQuery } from '../lib/search/runs-page';
import type { LocalStore } from '../lib/store';

/**
 * What the data worker saves to paint the next visit at once (SPEC.md WRK-10): the experiments list and the experiment
 * index (lib/run-index bytes) of each experiment whose runs table was viewed, in IndexedDB's `caches` table. Until the
 * workspace doc is loaded (seconds for a big workspace), queries are answered from here, marked `cached`; then every
 * view re-queries the documents. Derived data only: never written back to any document, rebuilt from the documents.
 */

/** Saves wait this long after the last change: a run logging points must not rewrite a 10k-run index per point. */
export const CACHE_SAVE_DELAY_MS = 2_000;
/** Rows of the saved first page: the runs table's first screen (components/ExperimentView PAGE_ROWS). */
const FIRST_PAGE_ROWS = 100;
/** Largest page a cached answer gives (as the live one, WRK-8). */
const MAX_PAGE_ROWS = 5000;

/** One cache per relay and workspace: another workspace's runs must never show under this one. */
export const cacheScope = (relayUrl: string | null, workspace: string): string => `${relayUrl ?? 'local'}|${workspace}`;

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
    const bytes = await this.store.getCache<Uint8Array>(`index|${this.scope}|${experimentId}`).catch(() => undefined);
    if (!(bytes instanceof Uint8Array)) return undefined;
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
    return { runs: Array.from(found.rows, (i) => runOfRow(active[i]!)), total: found.total, ...base };
  }

  /** Saves the plain first page of an experiment's runs table (the default query), as the page was sent. */
  saveFirstPage(experimentId: string, page: RunsPage): void {
    this.later(`page|${this.scope}|${experimentId}`, () => ({ ...page, runs: page.runs.slice(0, FIRST_PAGE_ROWS) }));
  }

  /** Saves the index of one experiment's runs (read when the save runs, so the latest state is what is kept). */
  saveIndex(experimentId: string, runs: () => Run[]): void {
    this.later(`index|${this.scope}|${experimentId}`, () => {
      const index = buildIndexes(runs()).get(experimentId);
      return index ? encodeIndex(index.snapshot()) : encodeIndex({ epoch: 'local', fromSeq: 0, toSeq: 0, rows: [], removed: [] });
    });
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

/** An index row in the read shape the runs table takes (a Run without artifacts, conflicts or latest steps). */
function runOfRow(r: IndexRow): Run {
  const metrics: Run['metrics'] = {};
  for (const [key, m] of Object.entries(r.metrics)) {
    Object.defineProperty(metrics, key, {
      value: { key, latest: m.latest, min: m.min, max: m.max, count: m.count, latestStep: NaN, latestTimestamp: NaN },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    info: {
      runId: r.runId as Run['info']['runId'],
      runName: r.runName,
      experimentId: r.experimentId as Run['info']['experimentId'],
      userId: r.userId,
      status: r.status,
      startTime: r.startTime,
      endTime: r.endTime,
      lifecycleStage: r.lifecycleStage,
      deletedTime: null,
      artifactUri: r.artifactUri,
    },
    params: r.params,
    tags: r.tags,
    metrics,
    artifacts: [],
    conflicts: [],
  };
}

/** An experiments list of a view, as doc.listExperiments gives it. */
export function experimentsOfView(list: Experiment[], view: doc.ViewType): Experiment[] {
  return list.filter((e) => view === 'ALL' || (view === 'ACTIVE_ONLY' ? e.lifecycleStage === 'active' : e.lifecycleStage === 'deleted'));
}
