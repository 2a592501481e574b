import * as Comlink from 'comlink';
import * as Y from 'yjs';
import { z } from 'zod';
import * as doc from '../lib/doc';
import { CairnError, asExperimentId, asRunId, parseInput, type ExperimentId, type ParamConflict, type RunId } from '../lib/domain';
import type { IndexRow } from '../lib/run-index';
import { prepareDefaultOrder, searchTable, tableFromRows, type RunTable } from '../lib/search';
import type { RunRow, RunsPage, RunsQuery } from '../lib/search/runs-page';
import { LocalStore } from '../lib/store';
import {
  DocHost,
  fetchAppConfig,
  resolveSettings,
  saveSettings,
  type ConnectionSettings,
  type EffectiveSettings,
  type FetchLike,
  type NetworkSignal,
  type PeerView,
  type SyncStatusView,
} from '../lib/sync';
import { chartSeries, seriesBuffers, type ChartSeries } from './metric-series';
import { byStartDesc, viewOfRow } from './run-rows';
import { boardsApi } from './boards-api';
import { chartsApi } from './charts-api';
import { loggingApi } from './logging-api';
import { manageApi } from './manage-api';
import { registryApi } from './registry-api';
import type { ServiceCore } from './service-core';
import { tableApi } from './table-api';
import { Topics, type TopicCallback } from './topics';
import type { WorkerBoot } from './boot';
import { WarmCache, cacheScope, experimentsOfView } from './warm-cache';

/**
 * The data worker's API, built as a plain object so unit tests can drive it in Node without a Worker
 * (data.worker.ts exposes it through comlink). Every function is async and rejects with a plain
 * `{ code, message, details }` (WireError), never an Error: comlink would strip the code.
 */

export interface Platform {
  fetch: FetchLike;
  network?: NetworkSignal;
  /** Share docs with other tabs over BroadcastChannel (browser only). */
  broadcast?: boolean;
  WebSocketPolyfill?: unknown;
  /** IndexedDB database name (tests use a fresh one each). */
  dbName?: string;
  /** Tuning overrides for tests. */
  runDocs?: { idleCloseMs?: number; maxLiveSockets?: number; pollMs?: number; indexPollMs?: number };
  /** Delay before saving the warm cache (WRK-10); tests shorten it. */
  cacheSaveDelayMs?: number;
  /** Longest wait of the workspace load for the page's first cached answers (WRK-10, WRK-12); tests change it. */
  cacheFirstWaitMs?: number;
  /** What the worker's first module opened and asked for already (workers/boot.ts, CHART-18). */
  boot?: WorkerBoot;
}

type ViewType = doc.ViewType;
/** What the page may ask of the runs table (checked here: the worker boundary is a boundary). */
const RunsQuerySchema = z.object({ filter: z.string().optional(), orderBy: z.array(z.string()).optional() }).strict();
/** At most this long the workspace load waits for the page's first cached answers (WRK-10). */
const CACHE_FIRST_PAINT_MS = 400;
/** Largest runs page one query returns: past this, rows cost more to clone and render than anyone scrolls. */
const MAX_PAGE_ROWS = 5000;
/** Runs tables this big get their search table built ahead of the first filter, this long after the first page. */
const PREBUILD_MIN_ROWS = 1000;
const PREBUILD_DELAY_MS = 100;
/** A chart of a run not held here waits this long for the relay's points before drawing what there is. */
const METRICS_SYNC_WAIT_MS = 5_000;

/** Times a step as a `performance.measure` named `name` (read by bench/browser.mjs; free when nobody reads them). */
async function measured<T>(name: string, f: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await f();
  } finally {
    performance.measure?.(name, { start, end: performance.now() });
  }
}

export function createDataService(platform: Platform) {
  let store: LocalStore | null = null;
  let host: DocHost | null = null;
  let origin: string | null = null;
  let initPromise: Promise<void> | null = null;
  /** Serialises host switches (settings changes) with each other and with init. */
  let switching: Promise<void> = Promise.resolve();
  let hostCleanup: (() => void)[] = [];
  /**
   * Subscriptions that hold something open: `run:<id>` its run doc, `metrics:<id>` its metrics doc, `runs:<exp>` the
   * experiment's index caught up. Taken again on the new host after a switch.
   */
  const holds = new Map<number, { topic: string; release: () => void }>();
  const topics = new Topics();
  /** Saved answers for the seconds before the workspace doc is loaded (WRK-10); one per relay and workspace. */
  let warm: WarmCache | null = null;
  let settled: Promise<void> | null = null;
  /** Some view was answered from the cache: when the documents are loaded, every view re-queries. */
  let servedCached = false;
  /** Cached answers being computed right now. */
  let cacheInflight = 0;

  /**
   * Loading the workspace doc ends in one synchronous Y.applyUpdate that blocks this worker (small in format 2, but a
   * format-1 store being upgraded is big); the page's first queries must get their cached answers before it starts.
   * Waits until some cached answer went out and none is in flight, at most CACHE_FIRST_PAINT_MS, and not at all when
   * there is nothing saved for this workspace.
   */
  async function letCachedAnswersGoFirst(): Promise<void> {
    if (!warm || !(await warm.hasSaved())) return;
    const until = Date.now() + (platform.cacheFirstWaitMs ?? CACHE_FIRST_PAINT_MS);
    while (Date.now() < until && !(servedCached && cacheInflight === 0)) await new Promise((r) => setTimeout(r, 10));
  }

  async function fromCache<T>(answer: () => Promise<T | undefined>): Promise<T | undefined> {
    cacheInflight++;
    try {
      const v = await answer();
      if (v !== undefined) servedCached = true;
      return v;
    } finally {
      cacheInflight--;
    }
  }

  /** The open host, or null while it is still opening (the caller may answer from the cache). */
  async function hostNow(): Promise<DocHost | null> {
    if (!settled) throw new CairnError('INVALID_STATE', 'data worker used before init()');
    await settled;
    return host;
  }

  async function ready(): Promise<DocHost> {
    if (!initPromise) throw new CairnError('INVALID_STATE', 'data worker used before init()');
    await initPromise;
    await switching;
    if (!host) throw new CairnError('INVALID_STATE', 'data worker has no open workspace');
    return host;
  }

  /**
   * The search table of an experiment's active rows, kept while its rows are unchanged (ExperimentRuns' version):
   * typing filters into a 10k-run table re-searches, it does not rebuild.
   */
  const tables = new Map<string, { version: number; rows: IndexRow[]; table: RunTable }>();
  function searchTableOf(h: DocHost, experimentId: string, active: IndexRow[]): RunTable {
    const version = h.runs.version(experimentId);
    const hit = tables.get(experimentId);
    if (hit && hit.version === version && hit.rows.length === active.length) return hit.table;
    const t0 = performance.now();
    const table = tableFromRows(active);
    prepareDefaultOrder(table);
    performance.measure?.('cairn:table:build', { start: t0, end: performance.now() });
    tables.set(experimentId, { version, rows: active, table });
    return table;
  }

  /**
   * After a runs table's first page went out, its search table is built while the person reads it: the first filter
   * they type then only searches. Once per experiment (a live experiment's later versions are built when searched).
   */
  const prebuilt = new Set<string>();
  function prebuildTable(h: DocHost, experimentId: string, active: IndexRow[]): void {
    if (prebuilt.has(experimentId) || active.length < PREBUILD_MIN_ROWS) return;
    prebuilt.add(experimentId);
    setTimeout(() => {
      if (host === h) searchTableOf(h, experimentId, active);
    }, PREBUILD_DELAY_MS);
  }

  /** An experiment's rows: active ones newest first, and how many are deleted (kept per version). */
  const sorted = new Map<string, { version: number; active: IndexRow[]; deleted: number; metricKeys: string[] }>();
  async function rowsOf(h: DocHost, experimentId: string) {
    const rows = await h.runs.rows(experimentId);
    const version = h.runs.version(experimentId);
    const hit = sorted.get(experimentId);
    if (hit && hit.version === version) return hit;
    const active = rows.filter((r) => r.lifecycleStage === 'active').sort(byStartDesc);
    const keys = new Set<string>();
    for (const r of active) for (const k in r.metrics) keys.add(k);
    const entry = { version, active, deleted: rows.length - active.length, metricKeys: [...keys].sort() };
    sorted.set(experimentId, entry);
    return entry;
  }

  /** What a subscription holds open on the host `h`. */
  function hold(h: DocHost, topic: string): () => void {
    if (topic.startsWith('run:')) return h.acquireRun(asRunId(topic.slice('run:'.length))).release;
    if (topic.startsWith('metrics:')) return h.acquireMetrics(asRunId(topic.slice('metrics:'.length))).release;
    if (topic.startsWith('runs:')) return h.runs.watch(asExperimentId(topic.slice('runs:'.length)));
    return () => {};
  }
  const holdsSomething = (topic: string) => topic.startsWith('run:') || topic.startsWith('metrics:') || topic.startsWith('runs:');

  async function startHost(settings: EffectiveSettings): Promise<void> {
    const h = await DocHost.open({
      store: store!,
      settings,
      fetch: platform.fetch,
      ...(platform.network ? { network: platform.network } : {}),
      ...(platform.broadcast ? { broadcast: true } : {}),
      ...(platform.WebSocketPolyfill ? { WebSocketPolyfill: platform.WebSocketPolyfill } : {}),
      ...(platform.runDocs ? { runDocs: platform.runDocs } : {}),
      ...(platform.boot ? { early: platform.boot.early } : {}),
      savedIndexes: {
        load: async (exp) => warm?.index(exp),
        save: (exp, bytes) => warm?.saveIndex(exp, bytes),
      },
    });
    host = h;
    const opened = performance.now();
    let synced = false;
    hostCleanup = [
      h.onStatus((st) => {
        if (!synced && st.state === 'synced') {
          synced = true;
          performance.measure?.('cairn:host:first-sync', { start: opened, end: performance.now() });
        }
        topics.signal('status');
      }),
      h.onPresence(() => topics.signal('presence')),
      h.onMetrics((runId) => topics.signal(`metrics:${runId}`)),
      h.runs.onChange((exp) => topics.signal(`runs:${exp}`)),
      h.onWorkspaceChange((c) => {
        if (c.experiments) topics.signal('experiments');
        for (const runId of c.runIds) {
          topics.signal(`run:${runId}`);
          topics.signal('conflicts');
        }
      }),
    ];
    for (const [id, held] of holds) holds.set(id, { topic: held.topic, release: hold(h, held.topic) });
  }

  async function stopHost(): Promise<void> {
    for (const c of hostCleanup.splice(0)) c();
    tables.clear();
    sorted.clear();
    prebuilt.clear();
    for (const held of holds.values()) held.release();
    const h = host;
    host = null;
    await h?.destroy();
  }

  /** A new relay or workspace: the old host goes (its writes stored first), a new one opens, every view re-queries. */
  function restart(): Promise<void> {
    const next = switching.then(async () => {
      // No cached answers while switching: the old workspace's must not show under the new one.
      warm?.stop();
      warm = null;
      await stopHost();
      const settings = await resolveSettings(store!, origin, platform.fetch);
      warm = new WarmCache(store!, cacheScope(settings.relayUrl, settings.workspace), platform.cacheSaveDelayMs);
      await startHost(settings);
      topics.signalAll();
    });
    switching = next.catch(() => {});
    return next;
  }

  const write = async <T>(f: (ctx: doc.Ctx) => T): Promise<T> => (await ready()).command(f);
  const writeRun = async <T>(runId: string, f: (ctx: doc.Ctx) => T): Promise<T> => (await ready()).runCommand(asRunId(runId), f);
  /** What the area modules (table-api, charts-api, manage-api, boards-api, registry-api) build their functions on. */
  const core: ServiceCore = { ready, hostNow, write, writeRun, topics, rowsOf, searchTableOf };

  const api = {
    /** Opens the database and the workspace. `appOrigin` is where `/cairn-config.json` may be found (null: skip). */
    async init(appOrigin: string | null): Promise<void> {
      if (!initPromise) {
        origin = appOrigin;
        let markSettled: () => void = () => {};
        settled = new Promise<void>((resolve) => (markSettled = resolve));
        initPromise = (async () => {
          try {
            // The worker's first module opened the store and resolved the settings already (CHART-18), for this origin.
            const boot = platform.boot?.origin === origin ? platform.boot : undefined;
            // The app config request goes out while IndexedDB opens (it is used when nothing was saved).
            const config = boot ? null : fetchAppConfig(origin, platform.fetch);
            config?.catch(() => null);
            store = await measured('cairn:init:store', () => boot?.store ?? LocalStore.open({ mergeUpdates: Y.mergeUpdates, ...(platform.dbName ? { name: platform.dbName } : {}) }));
            store.onUpgradeNeeded(() => topics.signal('reload'));
            const settings = await measured('cairn:init:settings', () => boot?.settings ?? resolveSettings(store!, origin, platform.fetch, config ?? undefined));
            warm = new WarmCache(store, cacheScope(settings.relayUrl, settings.workspace), platform.cacheSaveDelayMs);
            markSettled();
            // WRK-12: only a page that opens with a cached view waits for its cached answers.
            if (boot?.cachedView !== false) await measured('cairn:init:cache-first', () => letCachedAnswersGoFirst());
            await measured('cairn:init:host', () => startHost(settings));
          } finally {
            markSettled();
          }
          if (servedCached) topics.signalAll();
        })();
        // A failed init (e.g. IndexedDB refused) stays failed: every query rejects with its error, which the UI shows.
        initPromise.catch(() => {});
      }
      await initPromise;
    },

    // ---- queries --------------------------------------------------------------------------------------------

    async getStatus(): Promise<SyncStatusView> {
      return (await ready()).status();
    },
    async getPresence(): Promise<PeerView[]> {
      return (await ready()).peers();
    },
    async getSettings(): Promise<ConnectionSettings> {
      const { relayUrl, workspace, token, userName } = (await ready()).settings;
      return { relayUrl, workspace, token, userName };
    },
    async listExperiments(view: ViewType = 'ACTIVE_ONLY') {
      if (!(await hostNow())) {
        const saved = await fromCache(async () => warm?.experiments());
        if (saved) return experimentsOfView(saved, view);
      }
      const h = await ready();
      warm?.saveExperiments(() => doc.listExperiments(h.ws, 'ALL'));
      return doc.listExperiments(h.ws, view);
    },
    async getExperiment(experimentId: string) {
      if (!(await hostNow())) {
        const saved = await fromCache(async () => (await warm?.experiments())?.find((e) => e.experimentId === experimentId));
        if (saved) return saved;
      }
      const h = await ready();
      warm?.saveExperiments(() => doc.listExperiments(h.ws, 'ALL'));
      return doc.getExperiment(h.ws, experimentId) ?? null;
    },
    async listRuns(experimentId: string, view: ViewType = 'ACTIVE_ONLY'): Promise<RunRow[]> {
      const h = await ready();
      const rows = (await h.runs.rows(asExperimentId(experimentId))).filter(
        (r) => view === 'ALL' || (view === 'ACTIVE_ONLY') === (r.lifecycleStage === 'active'),
      );
      return rows.sort(byStartDesc).map(viewOfRow);
    },
    async listRunsPage(experimentId: string, limit: number, raw: RunsQuery = {}): Promise<RunsPage> {
      const query = parseInput(RunsQuerySchema, raw, 'runs query');
      const expId = asExperimentId(experimentId);
      if (!(await hostNow())) {
        const saved = await fromCache(async () => warm?.runsPage(expId, limit, query));
        if (saved) return saved;
      }
      const h = await ready();
      const { active, deleted, metricKeys } = await rowsOf(h, expId);
      const n = Math.max(0, Math.min(Math.floor(limit), MAX_PAGE_ROWS));
      const base = { deleted, metricKeys };
      if (!query.filter?.trim() && !query.orderBy?.length) {
        const page: RunsPage = { runs: active.slice(0, n).map(viewOfRow), total: active.length, ...base };
        warm?.saveFirstPage(expId, page);
        prebuildTable(h, expId, active);
        return page;
      }
      // Filter and order on lib/search's typed-array table, here in the worker; only the page crosses to the page.
      const t0 = performance.now();
      const found = searchTable(searchTableOf(h, expId, active), {
        filter: query.filter ?? null,
        orderBy: query.orderBy ?? null,
        maxResults: n,
      });
      performance.measure?.('cairn:runs:search', { start: t0, end: performance.now() });
      if (!found.ok) return { runs: [], total: 0, ...base, error: found.error };
      return { runs: Array.from(found.rows, (i) => viewOfRow(active[i]!)), total: found.total, ...base };
    },
    async getRun(runId: string) {
      return (await (await ready()).getRun(asRunId(runId))) ?? null;
    },
    /** The param conflicts of the runs open here (each run page shows its own: `run.conflicts`). */
    async listConflicts(): Promise<ParamConflict[]> {
      const h = await ready();
      return doc.listConflicts(h.heldRuns());
    },
    /** Bucketed series of every metric key of a run; the typed arrays are transferred, not copied. */
    async getRunMetrics(runId: string, buckets?: number): Promise<ChartSeries[]> {
      const h = await ready();
      const handle = h.acquireMetrics(asRunId(runId));
      try {
        await handle.loaded;
        if (doc.metricChunks(handle.doc).length === 0) await handle.whenSynced(METRICS_SYNC_WAIT_MS);
        const series = chartSeries(handle.doc, buckets);
        return Comlink.transfer(series, seriesBuffers(series));
      } finally {
        handle.release();
      }
    },

    // ---- subscriptions --------------------------------------------------------------------------------------

    /**
     * `cb(topic)` is called (debounced) when the topic's data changed; the caller re-queries. Topics: experiments,
     * runs:<expId>, run:<runId>, metrics:<runId> (holds the run doc open), status, presence, settings, conflicts,
     * reload (the database was upgraded by another tab: reload the page). Returns an id for `unsubscribe`.
     */
    async subscribe(topic: string, cb: TopicCallback): Promise<number> {
      const id = topics.add(topic, cb);
      if (holdsSomething(topic)) {
        const h = await ready();
        // unsubscribe() may have run while we waited for the host
        if (topics.has(id)) holds.set(id, { topic, release: hold(h, topic) });
      }
      return id;
    },
    async unsubscribe(id: number): Promise<void> {
      topics.remove(id);
      holds.get(id)?.release();
      holds.delete(id);
    },

    // ---- commands (contract.ts Commands) ----------------------------------------------------------------------

    async createExperiment(name: string, tags?: Record<string, string>): Promise<ExperimentId> {
      return write((c) => doc.createExperiment(c, { name, ...(tags ? { tags } : {}) }));
    },
    async renameExperiment(experimentId: string, newName: string): Promise<void> {
      await write((c) => doc.renameExperiment(c, { experimentId: asExperimentId(experimentId), newName }));
    },
    async deleteExperiment(experimentId: string): Promise<void> {
      await write((c) => doc.deleteExperiment(c, experimentId));
    },
    async restoreExperiment(experimentId: string): Promise<void> {
      await write((c) => doc.restoreExperiment(c, experimentId));
    },
    async startRun(experimentId: string, runName?: string): Promise<RunId> {
      const h = await ready();
      const info = await h.startRun({ experimentId: asExperimentId(experimentId), ...(runName !== undefined ? { runName } : {}), userId: h.settings.userName });
      return info.runId;
    },
    async deleteRun(runId: string): Promise<void> {
      await writeRun(runId, (c) => doc.deleteRun(c, runId));
    },
    async restoreRun(runId: string): Promise<void> {
      await writeRun(runId, (c) => doc.restoreRun(c, runId));
    },
    async setRunTag(runId: string, key: string, value: string): Promise<void> {
      await writeRun(runId, (c) => doc.setTag(c, { runId, key, value }));
    },
    async deleteRunTag(runId: string, key: string): Promise<void> {
      await writeRun(runId, (c) => doc.deleteTag(c, { runId, key }));
    },
    async renameRun(runId: string, runName: string): Promise<void> {
      await writeRun(runId, (c) => doc.updateRun(c, { runId, runName }));
    },
    async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
      await write((c) => doc.setExperimentTag(c, { experimentId, key, value }));
    },
    async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
      await write((c) => doc.deleteExperimentTag(c, { experimentId, key }));
    },
    /** Saves, then reconnects when relay, workspace, token or name changed (a new DocHost; views re-query). */
    async saveSettings(patch: Partial<ConnectionSettings>): Promise<void> {
      const h = await ready();
      await saveSettings(store!, patch);
      const next = await resolveSettings(store!, origin, platform.fetch);
      const cur = h.settings;
      topics.signal('settings');
      if (next.relayUrl !== cur.relayUrl || next.workspace !== cur.workspace || next.token !== cur.token) {
        await restart();
      } else if (next.userName !== cur.userName) {
        h.setUserName(next.userName); // presence only: no reconnect
      }
    },

    // ---- testing and shutdown -------------------------------------------------------------------------------

    /** Resolves when the relay has persisted everything (e2e and SDK-parity tests). */
    async flushToRelay(): Promise<void> {
      await (await ready()).flushToRelay();
    },
    async dispose(): Promise<void> {
      topics.clear();
      await switching;
      await stopHost();
      store?.close();
    },
  };
  return { ...api, ...tableApi(core), ...chartsApi(core), ...manageApi(core), ...boardsApi(core), ...loggingApi(core), ...registryApi(core) };
}

export type DataService = ReturnType<typeof createDataService>;

export { withWireErrors } from './wire-errors';

