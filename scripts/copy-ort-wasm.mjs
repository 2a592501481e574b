// Copies onnxruntime-web's wasm runtime (the single-threaded SIMD build the model worker loads) into public/ort/<version>/, where
// workers/model.worker.ts points `ort.env.wasm.wasmPaths`. Run by `npm run build` before `next build`, so the static
// export carries it (cached by the service worker on first use, not precached); public/ort/ is kept out of git.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'node_modules', 'onnxruntime-web', 'dist');
const { version } = JSON.parse(readFileSync(join(root, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8'));
// Versioned (ort/<version>/, what the worker asks for): the service worker caches these cache-first (sw/sw.ts).
rmSync(join(root, 'public', 'ort'), { recursive: true, force: true });
const to = join(root, 'public', 'ort', version);
// The .wasm and its Emscripten loader; the jsep / jspi / asyncify builds (WebGPU, JSPI) are not used.
const FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];
mkdirSync(to, { recursive: true });
for (const f of FILES) copyFileSync(join(from, f), join(to, f));
