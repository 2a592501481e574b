// Copies onnxruntime-web's wasm runtime (the single-threaded SIMD build the model worker loads) into public/ort/, where
// workers/model.worker.ts points `ort.env.wasm.wasmPaths`. Run by `npm run build` before `next build`, so the static
// export (and the service worker's precache) carries it; public/ort/ is kept out of git.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'node_modules', 'onnxruntime-web', 'dist');
const to = join(root, 'public', 'ort');
// The .wasm and its Emscripten loader; the jsep / jspi / asyncify builds (WebGPU, JSPI) are not used.
const FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];
mkdirSync(to, { recursive: true });
for (const f of FILES) copyFileSync(join(from, f), join(to, f));
