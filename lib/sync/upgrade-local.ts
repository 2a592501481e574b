import * as Y from 'yjs';
import { convertFormat1Run, dropFormat1Runs, format1RunsAhead, hasFormat1Runs, wsMeta } from '../doc';
import type { LocalLog } from '../engine';
import { metricsRoom, runRoom } from '../relay-client';
import type { LocalStore } from '../store';
import { storedDocName } from './local-log';

/**
 * Format 1 → 2 of this browser's store for one workspace (lib/doc DOC-U1..DOC-U3; README "Format 1 → 2"). Runs after
 * the workspace doc is loaded from IndexedDB and BEFORE it connects: the relay's upgraded doc would otherwise delete
 * the format-1 runs here before they are converted. Steps, each safe to repeat after a crash (a setting records how
 * far it got):
 *   1. every format-1 run doc `ws/<ws>/run/<id>` (its metric chunks) becomes `ws/<ws>/run/<id>/metrics`, unchanged;
 *   2. the runs holding something the relay lacks (DOC-U3, by the relay's state vector; every run when there is no
 *      relay or it cannot be asked) are written out as run docs, and they and their metrics docs are marked dirty,
 *      so the doc engine pushes them; the rest the relay converted itself, and they load from it on demand;
 *   3. the workspace doc drops its runs.
 */
export const formatKey = (workspace: string) => `format/${workspace}`;

export interface LocalUpgradeDeps {
  store: LocalStore;
  workspace: string;
  ws: Y.Doc;
  /** Settles when the workspace doc's updates are stored. */
  wsStored: () => Promise<void>;
  log: LocalLog;
  /** The relay's state vector of the workspace room, or null (local-only, unreachable, refused). */
  relayStateVector: () => Promise<Uint8Array | null>;
}

export async function upgradeLocalWorkspace(d: LocalUpgradeDeps): Promise<{ converted: number; renamed: number } | null> {
  const key = formatKey(d.workspace);
  const step = await d.store.getSetting<string | number>(key);
  if (step === 2) return null;
  const formatOne = hasFormat1Runs(d.ws) || wsMeta(d.ws).get('formatVersion') === 1;
  if (!formatOne) {
    await d.store.setSetting(key, 2);
    return null;
  }
  let renamed = 0;
  if (step !== 'renamed') {
    const prefix = storedDocName(`${d.workspace}/run/`);
    for (const name of await d.store.docNames(prefix)) {
      const rest = name.slice(prefix.length);
      if (rest.includes('/')) continue;
      await d.store.renameDoc(name, `${name}/metrics`);
      renamed++;
    }
    await d.store.setSetting(key, 'renamed');
  }
  const ids = format1RunsAhead(d.ws, await d.relayStateVector().catch(() => null));
  for (const id of ids) {
    const runDoc = new Y.Doc();
    convertFormat1Run(d.ws, id, runDoc);
    const room = runRoom(d.workspace, id);
    // Marked dirty before the rows land: a crash in between pushes a doc that is already there, never loses one.
    await d.log.setDirty(room, true);
    await d.log.setDirty(metricsRoom(d.workspace, id), true);
    await d.store.appendUpdate(storedDocName(room), Y.encodeStateAsUpdate(runDoc));
    runDoc.destroy();
  }
  dropFormat1Runs(d.ws);
  await d.wsStored();
  await d.store.setSetting(key, 2);
  return { converted: ids.length, renamed };
}
