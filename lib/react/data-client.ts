import * as Comlink from 'comlink';
import { CairnError, fromWire, isErrorCode, type WireError } from '../domain/errors';
import type { DataApi } from '../../workers/data.worker';

/**
 * The main-thread side of the data worker: every call's rejection becomes a CairnError again (the worker sends
 * plain `{ code, message, details }`), and topic subscriptions are multiplexed so N hooks watching one topic cost one
 * worker subscription (and one MessagePort).
 */

type Api = Omit<DataApi, 'subscribe' | 'unsubscribe'>;
export type DataClient = { [K in keyof Api]: Api[K] } & {
  /** Calls `cb` whenever the worker signals `topic` changed; returns the unsubscribe function. */
  watch(topic: string, cb: () => void): () => void;
  /** Drops every subscription (before the worker is terminated). */
  close(): void;
};

export function isWireError(e: unknown): e is WireError {
  return !!e && typeof e === 'object' && !(e instanceof Error) && isErrorCode((e as { code?: unknown }).code) &&
    typeof (e as { message?: unknown }).message === 'string';
}

/** A rejection from the worker → CairnError; anything else (a dead worker, a clone error) → INTERNAL_ERROR. */
export function toCairnError(e: unknown): CairnError {
  if (e instanceof CairnError) return e;
  if (isWireError(e)) return fromWire(e);
  return new CairnError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e));
}

interface TopicEntry {
  listeners: Set<() => void>;
  /** Worker subscription id, once `subscribe` answered. */
  id: Promise<number | null>;
}

export function createDataClient(remote: Comlink.Remote<DataApi>): DataClient {
  const topics = new Map<string, TopicEntry>();

  function watch(topic: string, cb: () => void): () => void {
    let entry = topics.get(topic);
    if (!entry) {
      const listeners = new Set<() => void>();
      const fanOut = Comlink.proxy(() => {
        for (const l of [...listeners]) l();
      });
      const id = (remote.subscribe(topic, fanOut) as Promise<number>).catch(() => null);
      entry = { listeners, id };
      topics.set(topic, entry);
    }
    const e = entry;
    e.listeners.add(cb);
    return () => {
      e.listeners.delete(cb);
      if (e.listeners.size > 0 || topics.get(topic) !== e) return;
      topics.delete(topic);
      void e.id.then((id) => (id === null ? undefined : remote.unsubscribe(id))).catch(() => {});
    };
  }

  const client = new Proxy({} as DataClient, {
    get(_t, prop) {
      if (prop === 'watch') return watch;
      if (prop === 'close') return () => topics.clear();
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      const f = (remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop]!;
      return async (...args: unknown[]) => {
        try {
          return await f(...args);
        } catch (e) {
          throw toCairnError(e);
        }
      };
    },
  });
  return client;
}
