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
 *   2. the runs holding something the relay lacks (DOC-U3, by the relay's state vector) are written onto the relay's
 *      own conversion of them (fetched), only what is ahead of it, and marked dirty with their metrics docs, so the
 *      doc engine pushes them; the rest the relay converted itself, and they load from it on demand. With no relay,
 *      every run is written out whole (this replica's copy is all there is);
 *   3. the workspace doc drops its runs.
 * With a relay that cannot be asked right now, nothing is converted ('deferred'): the host keeps the workspace doc
 * off the network (the relay's upgraded doc would delete the runs here) and tries again later, so nothing written
 * here offline in format 1 is lost or overwritten by the relay's older values.
 */
export const formatKey = (workspace: string) => `format/${workspace}`;

export interface LocalUpgradeDeps {
  store: LocalStore;
  workspace: string;
  ws: Y.Doc;
  /** Settles when the workspace doc's updates are stored. */
  wsStored: () => Promise<void>;
  log: LocalLog;
  /** Whether a relay is configured (then its state vector is needed, and its run docs are fetched). */
  relay: boolean;
  /** The relay's state vector of the workspace room; rejects when the relay cannot be asked. */
  relayStateVector: () => Promise<Uint8Array>;
  /** The relay's copy of a run doc (an empty update for a run it does not know); rejects when it cannot be asked. */
  relayRunDoc: (runId: string) => Promise<Uint8Array>;
}

export async function upgradeLocalWorkspace(d: LocalUpgradeDeps): Promise<{ converted: number; renamed: number } | 'deferred' | null> {
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
  let sv: Uint8Array | null = null;
  if (d.relay) {
    try {
      sv = await d.relayStateVector();
    } catch {
      return 'deferred';
    }
  }
  const ids = format1RunsAhead(d.ws, sv);
  // Fetched first, all of them: a relay that goes away halfway defers the whole upgrade, nothing half-converted.
  const bases = new Map<string, Uint8Array>();
  if (d.relay) {
    try {
      for (const id of ids) bases.set(id, await d.relayRunDoc(id));
    } catch {
      return 'deferred';
    }
  }
  for (const id of ids) {
    const runDoc = new Y.Doc();
    const base = bases.get(id);
    if (base) Y.applyUpdate(runDoc, base);
    convertFormat1Run(d.ws, id, runDoc, sv ?? undefined);
    const room = runRoom(d.workspace, id);
    // Marked dirty before the rows land: a crash in between pushes a doc that is already there, never loses one.
    await d.log.setDirty(room, true);
    await d.log.setDirty(metricsRoom(d.workspace, id), true);
    // The relay's part is stored too: it is what this doc's history starts from.
    await d.store.appendUpdate(storedDocName(room), Y.encodeStateAsUpdate(runDoc));
    runDoc.destroy();
  }
  dropFormat1Runs(d.ws);
  await d.wsStored();
  await d.store.setSetting(key, 2);
  return { converted: ids.length, renamed };
}
