/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { NetworkSignal } from '../lib/sync';
import type { WorkerBoot } from './boot';
import { createDataService, withWireErrors } from './data-service';

/**
 * The data worker's main module, loaded by data.worker.ts once its boot is under way (CHART-18): the data service,
 * exposed through comlink on `endpoint` (which hands over the page's messages that arrived while this loaded).
 */
export function startDataWorker(scope: DedicatedWorkerGlobalScope, endpoint: Comlink.Endpoint, boot: WorkerBoot) {
  // When the worker's modules are loaded and evaluated (bench/browser.mjs reads it: the worker's own start-up cost).
  performance.mark?.('cairn:worker:ready');

  /** The page's view of the network, forwarded by DataProvider: Chromium does not always tell workers. */
  let pageOnline = true;
  const networkListeners = new Set<() => void>();

  /** navigator.onLine plus its events: "offline" in the status machine means the browser knows the network is down. */
  const network: NetworkSignal = {
    online: () => scope.navigator.onLine !== false && pageOnline,
    subscribe(cb) {
      scope.addEventListener('online', cb);
      scope.addEventListener('offline', cb);
      networkListeners.add(cb);
      return () => {
        scope.removeEventListener('online', cb);
        scope.removeEventListener('offline', cb);
        networkListeners.delete(cb);
      };
    },
  };

  const api = withWireErrors({
    ...createDataService({ fetch: (input, init) => fetch(input, init), network, broadcast: true, boot }),
    /** The page's online/offline events (DataProvider); going offline drops sockets at once instead of after a timeout. */
    async setOnline(online: boolean): Promise<void> {
      if (pageOnline === online) return;
      pageOnline = online;
      for (const cb of [...networkListeners]) cb();
    },
  });

  Comlink.expose(api, endpoint);
  // Start at once (IndexedDB, settings, the relay's first sync) rather than when the page's init() arrives after React
  // hydrated: init() is idempotent, and the page asks with this same origin.
  void api.init(scope.location.origin).catch(() => {});
  // CHART-14: the page this worker was started for names the runs it will chart; their docs are read now.
  const { hint } = boot;
  if (hint) void api.prefetchRunSeries(hint.experimentId, hint.runIds).catch(() => {});
  return api;
}

export type DataApi = ReturnType<typeof startDataWorker>;
