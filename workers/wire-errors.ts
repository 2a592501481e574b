import { toWire } from '../lib/domain';

/**
 * Wraps every function so a throw becomes a rejected plain WireError (comlink keeps plain objects whole). The
 * returned value is passed through untouched, so a `Comlink.transfer` marker on it still applies.
 */
export function withWireErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(api: T): T {
  const out = {} as Record<string, unknown>;
  for (const [name, f] of Object.entries(api)) {
    out[name] = async (...args: never[]) => {
      try {
        return await f(...args);
      } catch (err) {
        throw toWire(err);
      }
    };
  }
  return out as T;
}
