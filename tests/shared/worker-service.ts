import 'fake-indexeddb/auto';
import { afterEach } from 'vitest';
import * as Y from 'yjs';
import type { MemoryCtx } from '@/lib/doc';
import { LocalStore } from '@/lib/store';
import { metricsDocName, runDocName, workspaceDocName, type FetchLike } from '@/lib/sync';
import { createDataService, withWireErrors } from '@/workers/data-service';

/**
 * The data worker's service driven in Node (fake IndexedDB), as the worker-area unit tests use it: a fresh database
 * name per service, the docs of a memory ctx stored as a previous session would have, services disposed after each
 * test of the file that asked for them.
 */

/** No `/cairn-config.json` next to the app: the service runs local-only unless a test says otherwise. */
export const noConfig: FetchLike = async () => new Response('nope', { status: 404 });

let n = 0;
export const freshDbName = (tag: string) => `cairn-${tag}-test-${process.pid}-${++n}`;

/** Writes the docs of a memory ctx (workspace, run and metrics docs) into the store at `dbName`. */
export async function storeDocs(dbName: string, ctx: MemoryCtx): Promise<void> {
  const store = await LocalStore.open({ name: dbName, mergeUpdates: Y.mergeUpdates });
  await store.appendUpdate(workspaceDocName('default'), Y.encodeStateAsUpdate(ctx.ws));
  for (const [id, d] of ctx.runDocs) await store.appendUpdate(runDocName('default', id), Y.encodeStateAsUpdate(d));
  for (const [id, d] of ctx.metricsDocs) await store.appendUpdate(metricsDocName('default', id), Y.encodeStateAsUpdate(d));
  store.close();
}

export type TestService = ReturnType<typeof withWireErrors<ReturnType<typeof createDataService>>>;

/** Call at a test file's top level: returns `open(dbName)`, an initialised service disposed after each test. */
export function workerServices(): (dbName: string) => Promise<TestService> {
  const services: TestService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.dispose();
  });
  return async (dbName) => {
    const api = withWireErrors(createDataService({ fetch: noConfig, dbName }));
    services.push(api);
    // A test may end a service itself (to open the same database again): it is then not disposed twice.
    const dispose = api.dispose;
    api.dispose = async () => {
      services.splice(services.indexOf(api) >>> 0, 1);
      await dispose();
    };
    await api.init('http://app.test');
    return api;
  };
}
