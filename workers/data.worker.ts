/// <reference lib="webworker" />
/**
 * The data worker (DESIGN.md "Workers"): owns the Y.Docs, the Dexie database and the relay connections. The UI talks
 * to it only through lib/react, which wraps this API with comlink and turns rejected WireErrors back into CairnErrors.
 */
import * as Comlink from 'comlink';
import type { NetworkSignal } from '../lib/sync';
import { createDataService, withWireErrors } from './data-service';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** navigator.onLine plus its events: "offline" in the status machine means the browser knows the network is down. */
const network: NetworkSignal = {
  online: () => scope.navigator.onLine !== false,
  subscribe(cb) {
    scope.addEventListener('online', cb);
    scope.addEventListener('offline', cb);
    return () => {
      scope.removeEventListener('online', cb);
      scope.removeEventListener('offline', cb);
    };
  },
};

const api = withWireErrors(createDataService({ fetch: (input, init) => fetch(input, init), network }));

Comlink.expose(api);

export type DataApi = typeof api;
