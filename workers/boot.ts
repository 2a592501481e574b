import * as Y from 'yjs';
// Modules, not indexes: this is the data worker's first module, and it stays small (CHART-18).
import { EarlySnapshots } from '../lib/relay-client/early-snapshots';
import type { FetchLike } from '../lib/relay-client/snapshot-fetch';
import { metricsRoom, runRoom } from '../lib/relay-client/urls';
import { LocalStore } from '../lib/store/local-store';
import { metricsDocName, runDocName } from '../lib/sync/doc-names';
import { cacheScope, indexCacheKey } from './cache-keys';
import { fetchAppConfig, resolveSettings, type EffectiveSettings } from '../lib/sync/settings';
import { opensCachedView, readPageHint, type PageHint } from './page-hint';

/**
 * What the data worker does before its main module has even loaded (components/charts/SPEC.md CHART-18): it opens the
 * database, resolves the settings, and asks the relay for what the page it was started for opens first
 * (workers/page-hint.ts), when this profile holds nothing of it: the experiment's index (an experiment or compare
 * page), the run and metrics docs of a run page, the metrics docs of a compare page. The data service adopts the store and the settings (its init opens neither again)
 * and hands the early answers to its doc engine, whose first fetch of each of those rooms takes them.
 */
export interface WorkerBoot {
  /** The origin the settings were resolved for (the data service adopts them only for the same one). */
  origin: string | null;
  store: Promise<LocalStore>;
  /** Resolved on the booted store; the data service's first init uses them as they are. */
  settings: Promise<EffectiveSettings>;
  early: EarlySnapshots;
  /** Settles when the early fetches went out (or there were none): tests wait for it. */
  started: Promise<number>;
  /** What the page the worker was started for will open (its name read once: data-main.ts prefetches by it too). */
  hint: PageHint | null;
  /** Whether that page opens with a view the warm cache answers (WRK-12); true when the worker names no page. */
  cachedView: boolean;
}

export interface BootOptions {
  /** The worker's name: `cairn-page:<path and query>` when a page started it (app/layout.tsx). */
  name: string;
  /** The app's origin, where `/cairn-config.json` may be found; null: skip it. */
  origin: string | null;
  fetch: FetchLike;
  /** IndexedDB database name (tests use a fresh one each). */
  dbName?: string;
  /**
   * Called just before the early fetches go out (data.worker.ts starts loading its main module there): a browser
   * opens six connections to a host, and a request made after fifty docs waits for most of them.
   */
  beforeFetches?: () => void;
}

export function bootWorker(o: BootOptions): WorkerBoot {
  // The app config request goes out while IndexedDB opens (it is used when nothing was saved).
  const config = fetchAppConfig(o.origin, o.fetch);
  config.catch(() => null);
  const store = LocalStore.open({ mergeUpdates: Y.mergeUpdates, ...(o.dbName ? { name: o.dbName } : {}) });
  const settings = store.then((s) => resolveSettings(s, o.origin, o.fetch, config));
  // Whoever adopts these sees their failure; until then it is not an unhandled rejection.
  store.catch(() => {});
  settings.catch(() => {});
  const early = new EarlySnapshots(o.fetch);
  const hint = readPageHint(o.name);
  const started = startEarly(o, hint, store, settings, early).catch(() => 0);
  return { origin: o.origin, store, settings, early, started, hint, cachedView: opensCachedView(o.name) };
}

/** What the hinted page opens first, fetched when this profile holds none of it. */
async function startEarly(
  o: BootOptions,
  hint: PageHint | null,
  store: Promise<LocalStore>,
  settings: Promise<EffectiveSettings>,
  early: EarlySnapshots,
): Promise<number> {
  if (!hint) return 0;
  const [s, st] = await Promise.all([store, settings]);
  performance.mark?.('cairn:boot:settings');
  if (!st.relayUrl) return 0;
  const ws = st.workspace;
  // A run page reads its run doc (status, start time) and its metrics; compare has the statuses from the index.
  const docs = hint.runIds.flatMap((id) => [
    ...(hint.experimentId === null ? [{ room: runRoom(ws, id), stored: runDocName(ws, id) }] : []),
    { room: metricsRoom(ws, id), stored: metricsDocName(ws, id) },
  ]);
  // STORE-P1: what the page opens is read now, while the main module still compiles (a warm visit's docs are the
  // megabytes its first view waits for); the doc engine's first load of each takes it.
  s.preloadUpdates(docs.map((d) => d.stored));
  // Something stored locally means a warm visit: the engine asks for just what is missing, with its state vector, and
  // a saved index is caught up with a delta.
  const [held, indexSaved] = await Promise.all([
    s.storedDocs(docs.map((d) => d.stored)),
    hint.experimentId === null ? true : s.hasCache(indexCacheKey(cacheScope(st.relayUrl, ws), hint.experimentId)),
  ]);
  if (indexSaved && docs.every((d) => held.has(d.stored))) return 0;
  o.beforeFetches?.();
  // A turn of the event loop: the request beforeFetches made is on its way before the docs' requests queue up.
  await new Promise((r) => setTimeout(r, 0));
  let n = 0;
  if (!indexSaved) {
    early.startIndex(st.relayUrl, ws, hint.experimentId!, st.token);
    n++;
  }
  for (const d of docs) {
    if (held.has(d.stored)) continue;
    early.start(st.relayUrl, d.room, st.token);
    n++;
  }
  // When the early fetches went out (bench/charts.mjs prints it with the worker's other marks).
  performance.mark?.('cairn:boot:fetching');
  return n;
}
