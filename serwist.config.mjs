// Read by `serwist build serwist.config.mjs`, which runs after `next build` and writes out/sw.js (source: sw/sw.ts).
// Everything in out/ that the app needs offline is precached; see STACK.md pitfalls 5, 6 and 15.

/** @type {import('@serwist/cli').BuildOptions} */
const config = {
  swSrc: 'sw/sw.ts',
  swDest: 'out/sw.js',
  globDirectory: 'out',
  globPatterns: ['**/*.{html,txt,js,css,json,ico,png,svg,webmanifest,woff2,mjs,wasm}'],
  globIgnores: [
    'sw.js',
    '**/*.map',
    // Turbopack also emits the raw worker source; the compiled chunk is what runs.
    '_next/static/media/*.ts',
    // Served by the relay at runtime (per deployment); a precached copy would pin a stale config.
    'cairn-config.json',
    '**/cairn-config.json',
    // onnxruntime-web (~13 MB): cached at runtime the first time a model runs (sw/sw.ts), not on every first visit.
    'ort/**',
  ],
  injectionPoint: 'self.__SW_MANIFEST',
  // Next's static chunks carry a content hash in their names already.
  dontCacheBustURLsMatching: /^_next\/static\//,
  maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
};

export default config;
