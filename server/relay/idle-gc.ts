import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, for the moments the relay knows it just let go of a lot (RELAY-36: the index snapshot
 * cache emptied after serving 10k-run experiments) and nothing else is running: V8 would otherwise keep the freed
 * pages for as long as the relay sits idle, since an idle process allocates nothing that would trigger a collection.
 * Uses `global.gc` when Node runs with --expose-gc; otherwise exposes it once (the documented v8 flag, set at run time).
 */
let gc: (() => void) | null | undefined;

export function collectGarbage(): boolean {
  if (gc === undefined) {
    gc = (globalThis as { gc?: () => void }).gc ?? null;
    if (!gc) {
      try {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      } catch {
        gc = null;
      }
    }
  }
  if (!gc) return false;
  gc();
  return true;
}
