import type * as Y from 'yjs';
import { LOAD_ORIGIN, type LocalBinding, type LocalLog } from '../engine';
import type { LocalStore } from '../store';
import { DocPersistence, STORE_ORIGIN, type PersistenceOptions } from './persistence';

/**
 * The doc engine's local log over IndexedDB (lib/engine's LocalLog port). Engine names are relay room names
 * (`<ws>`, `<ws>/run/<id>`, `<ws>/run/<id>/metrics`); their rows live under `ws/<room>` (doc-names.ts), and a doc
 * holding local changes the relay has not acknowledged has the setting `dirty/<room>`.
 */
export const storedDocName = (room: string) => `ws/${room}`;
export const dirtyKey = (room: string) => `dirty/${room}`;

/** `opts.deferred`: origins whose updates the relay holds already, stored a little later (SYNC-P4). */
export function indexedDbLog(store: LocalStore, opts: PersistenceOptions = {}): LocalLog {
  /** Per name, the writes of the last binding still in flight: a new binding loads after them (ENG-L4). */
  const pending = new Map<string, Promise<void>>();
  return {
    bind(name: string, doc: Y.Doc): LocalBinding {
      const p = new DocPersistence(store, storedDocName(name), doc, undefined, LOAD_ORIGIN, opts);
      const before = pending.get(name) ?? Promise.resolve();
      return {
        loaded: before.then(() => p.load()),
        whenStored: () => p.whenPersisted(),
        applyFetched: (update, origin) => p.applyUpdate(update, origin),
        unbind: () => {
          p.destroy();
          const tail = p.whenPersisted().catch(() => {});
          pending.set(name, tail);
          void tail.then(() => {
            if (pending.get(name) === tail) pending.delete(name);
          });
        },
      };
    },
    async dirty() {
      const keys = await store.settingKeys('dirty/').catch(() => [] as string[]);
      return new Set(keys.map((k) => k.slice('dirty/'.length)));
    },
    async setDirty(name: string, dirty: boolean) {
      if (dirty) await store.setSetting(dirtyKey(name), true);
      else await store.deleteSetting(dirtyKey(name));
    },
  };
}

export { STORE_ORIGIN };
