/// <reference lib="webworker" />
/**
 * The data worker (DESIGN.md "Workers"): owns the Y.Docs, the Dexie database and the relay connections. The UI talks
 * to it only through lib/react, which wraps this API with comlink and turns rejected WireErrors back into CairnErrors.
 *
 * This first module is small on purpose (CHART-18): it opens the database, resolves the settings and asks the relay
 * for the docs a cold page opens first (workers/boot.ts) while the main module (data-main.ts: the data service, most
 * of the worker's code) is still being fetched, compiled and evaluated. The page's messages that arrive meanwhile are
 * held and handed to comlink in order once the service is exposed.
 */
import type * as Comlink from 'comlink';
import { bootWorker } from './boot';

const scope = self as unknown as DedicatedWorkerGlobalScope;
performance.mark?.('cairn:worker:boot');

let main: Promise<typeof import('./data-main')> | null = null;
const loadMain = () => (main ??= import('./data-main'));
const boot = bootWorker({ name: scope.name, origin: scope.location.origin, fetch: (input, init) => fetch(input, init), beforeFetches: loadMain });

/** Messages that came before the main module listened: replayed, in order, to its first listener. */
let held: MessageEvent[] | null = [];
const hold = (e: MessageEvent) => held?.push(e);
scope.addEventListener('message', hold);

const endpoint: Comlink.Endpoint = {
  postMessage: (message: unknown, transfer?: Transferable[]) => scope.postMessage(message, transfer ?? []),
  addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
    scope.addEventListener(type, listener);
    if (type !== 'message' || held === null) return;
    const queued = held;
    held = null;
    scope.removeEventListener('message', hold);
    const call = typeof listener === 'function' ? listener : (e: Event) => listener.handleEvent(e);
    for (const e of queued) call(e);
  },
  removeEventListener: (type: string, listener: EventListenerOrEventListenerObject) => scope.removeEventListener(type, listener),
};

// The main module loads when the early fetches go out (its request ahead of theirs), or once the boot found nothing
// to fetch: its evaluation holds this thread for a few hundred ms, and the boot's IndexedDB answers would wait behind
// it. A boot that takes long does not hold it back past BOOT_WAIT_MS.
const BOOT_WAIT_MS = 1_000;
void Promise.race([boot.started, new Promise((r) => setTimeout(r, BOOT_WAIT_MS))])
  .then(loadMain)
  .then(({ startDataWorker }) => startDataWorker(scope, endpoint, boot));

export type { DataApi } from './data-main';
