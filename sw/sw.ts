/// <reference lib="webworker" />
// The offline service worker. `serwist build` (after `next build`) bundles this file to out/sw.js and injects the
// precache manifest of out/ at `self.__SW_MANIFEST`. Pitfalls 5 and 6 of STACK.md explain the two unusual options.
import { CacheFirst, NetworkFirst, Serwist } from 'serwist';
import type { PrecacheEntry, SerwistGlobalConfig, SerwistPlugin } from 'serwist';

declare global {
  interface WorkerGlobalScope extends SerwistGlobalConfig {
    __SW_MANIFEST: (PrecacheEntry | string)[] | undefined;
  }
}
declare const self: ServiceWorkerGlobalScope;

/**
 * Turbopack compiles `new Worker(new URL(...))` to `turbopack-worker-<hash>.js#params=<json>` and the worker reads its
 * boot config from `location.hash`. A Response from Cache Storage carries the URL it was cached under (no fragment)
 * and the worker adopts it, so offline it fails with "Missing worker bootstrap config". A freshly constructed
 * Response has no URL, so the request URL and its fragment survive.
 */
const keepRequestUrl: SerwistPlugin = {
  cachedResponseWillBeUsed: async ({ cachedResponse }) =>
    cachedResponse &&
    new Response(cachedResponse.body, {
      status: cachedResponse.status,
      statusText: cachedResponse.statusText,
      headers: cachedResponse.headers,
    }),
};

const serwist = new Serwist({
  precacheEntries: self.__SW_MANIFEST,
  precacheOptions: {
    cleanupOutdatedCaches: true,
    plugins: [keepRequestUrl],
    // Routes take their runtime ids from the query string (`/run/?id=...`) and RSC payloads are fetched with
    // `?_rsc=...`; every one of them must hit the precached page, so ignore all parameters when matching.
    ignoreURLParametersMatching: [/.*/],
  },
  skipWaiting: true,
  clientsClaim: true,
  runtimeCaching: [
    {
      // onnxruntime-web's wasm (~13 MB) is not precached: the first model run fetches and keeps it, so a model that
      // ran once runs offline too. Its file names are the installed version's, so cache-first cannot serve a stale one
      // for long (the next build's cleanup drops old precache entries; this cache is keyed by URL).
      matcher: ({ url, sameOrigin }) => sameOrigin && url.pathname.includes('/ort/'),
      handler: new CacheFirst({ cacheName: 'cairn-ort' }),
    },
    {
      // Pages not in the precache (none today, but a host may add some): network first, cached copy offline.
      matcher: ({ request, sameOrigin }) => sameOrigin && request.mode === 'navigate',
      handler: new NetworkFirst({ cacheName: 'cairn-pages', plugins: [keepRequestUrl] }),
    },
  ],
});

serwist.addEventListeners();
