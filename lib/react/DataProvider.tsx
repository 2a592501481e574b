'use client';

import * as Comlink from 'comlink';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { DataApi } from '../../workers/data.worker';
import { createDataClient, type DataClient } from './data-client';

/**
 * Starts the data worker for the app and provides its client to the hooks. The worker is started as soon as this
 * module runs in a browser (while React still hydrates: the worker's script, IndexedDB and the relay's first sync
 * take a few hundred ms that need not wait for the page), never during the static export's prerender; the provider
 * adopts it in an effect, and hooks report `loading` until then.
 */

const DataContext = createContext<DataClient | null>(null);

interface Started {
  worker: Worker;
  client: DataClient;
}

function startWorker(): Started {
  // The production page started it already (app/layout.tsx); else (next dev, or that failed) it starts here. Turbopack
  // (and webpack) bundle this exact `new Worker(new URL(..., import.meta.url))` form as a worker chunk.
  const started = (window as { __cairnWorker?: Worker }).__cairnWorker;
  (window as { __cairnWorker?: Worker }).__cairnWorker = undefined;
  const worker = started ?? new Worker(new URL('../../workers/data.worker.ts', import.meta.url), { type: 'module' });
  const client = createDataClient(Comlink.wrap<DataApi>(worker));
  // Messages are handled in order, so queries sent after init() wait for it inside the worker.
  void client.init(window.location.origin).catch(() => {
    // Surfaced by every query (the worker rejects them with the same error); nothing else to do here.
  });
  return { worker, client };
}

/** The worker started at module load, for the first provider to adopt (later mounts start their own). */
let early: Started | null = typeof window !== 'undefined' && typeof Worker !== 'undefined' ? startWorker() : null;

export function useDataClient(): DataClient | null {
  return useContext(DataContext);
}

export function DataProvider({ children }: { children: ReactNode }) {
  const [client, setClient] = useState<DataClient | null>(null);

  useEffect(() => {
    const { worker, client: c } = early ?? startWorker();
    early = null;
    // Another tab upgraded the database schema: this tab's code is old; reloading fetches the new one.
    const offReload = c.watch('reload', () => window.location.reload());
    // Workers do not reliably see the page's network events; forward them so sockets drop and return promptly.
    const onNetwork = () => void c.setOnline(navigator.onLine).catch(() => {});
    window.addEventListener('online', onNetwork);
    window.addEventListener('offline', onNetwork);
    if (!navigator.onLine) onNetwork();
    setClient(c);
    return () => {
      window.removeEventListener('online', onNetwork);
      window.removeEventListener('offline', onNetwork);
      offReload();
      c.close();
      setClient(null);
      worker.terminate();
    };
  }, []);

  return <DataContext.Provider value={client}>{children}</DataContext.Provider>;
}
