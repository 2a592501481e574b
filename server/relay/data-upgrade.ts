import { existsSync, renameSync, rmSync } from 'node:fs';
import * as Y from 'yjs';
import * as doc from '../../lib/doc/index';
import type { WorkspaceId } from '../../lib/domain/index';
import { DATA_FORMAT, META_DATA_FORMAT, META_INDEX_BUILT, getMeta, setMeta, type SqliteDb } from './database';
import { runOfRunRoom, workspaceRoomName } from './room-name';
import { Room } from './rooms';
import type { SqliteDocStore } from './sqlite-doc-store';

/**
 * RELAY-37: a data folder written by a format-1 relay (lib/doc format 1: runs inside the workspace doc, points in the
 * run room) is upgraded to format 2 at start, before the relay listens, losing nothing:
 *  1. `relay.sqlite` is copied beside itself as `relay.sqlite.format1` (VACUUM INTO a temp file, then renamed, so the
 *     copy is whole or absent; one from an interrupted earlier attempt is the original and is kept);
 *  2. per workspace, in ONE transaction: every run room's rows move to `<ws>/run/<id>/metrics` (they are meta + chunks,
 *     the metrics doc as it is), each format-1 run becomes its run doc (lib/doc convertFormat1Run into a fresh doc,
 *     stored as the run room's first row), the workspace doc drops its runs and is stored as one compacted row, and the
 *     workspace is marked done;
 *  3. `data_format` = 2 (and the indexes are rebuilt from the run docs, RELAY-35).
 * A kill at any point leaves every workspace either untouched or done, so running again ends in the same result.
 */

const DONE_PREFIX = 'format1_done:';
export const FORMAT1_COPY_SUFFIX = '.format1';

export interface UpgradeReport {
  workspaces: number;
  runs: number;
  metricsRooms: number;
  copy: string;
  ms: number;
}

export function upgradeDataFolder(db: SqliteDb, dbFile: string, store: SqliteDocStore, log: (line: string) => void): UpgradeReport | null {
  if (getMeta(db, META_DATA_FORMAT) === DATA_FORMAT) return null;
  const t0 = performance.now();
  const rooms = store.listRooms('');
  if (rooms.length === 0) {
    setMeta(db, META_DATA_FORMAT, DATA_FORMAT);
    return null;
  }
  const copy = dbFile + FORMAT1_COPY_SUFFIX;
  if (existsSync(copy)) log(`upgrade: keeping ${copy} (the copy made before an earlier, interrupted upgrade)`);
  else {
    const tmp = `${copy}.tmp`;
    rmSync(tmp, { force: true });
    db.exec(`VACUUM INTO '${tmp.replace(/'/g, "''")}'`);
    renameSync(tmp, copy);
    log(`upgrade: format-1 data folder; copied ${dbFile} to ${copy} before upgrading`);
  }
  setMeta(db, META_INDEX_BUILT, null);
  const workspaces = [...new Set(rooms.map((r) => r.split('/')[0]!))].sort();
  let runs = 0;
  let metricsRooms = 0;
  for (const ws of workspaces) {
    if (getMeta(db, DONE_PREFIX + ws) !== null) continue;
    const r = upgradeWorkspace(db, store, ws, log);
    runs += r.runs;
    metricsRooms += r.metricsRooms;
    log(`upgrade: workspace ${ws}: ${r.runs} runs written to run docs, ${r.metricsRooms} run rooms moved to metrics rooms`);
  }
  db.transaction(() => {
    setMeta(db, META_DATA_FORMAT, DATA_FORMAT);
    db.prepare('DELETE FROM relay_meta WHERE key >= ? AND key < ?').run(DONE_PREFIX, DONE_PREFIX.slice(0, -1) + ';');
  })();
  const ms = Math.round(performance.now() - t0);
  log(`upgrade: data folder is format ${DATA_FORMAT} (${workspaces.length} workspaces, ${runs} runs) in ${ms} ms`);
  return { workspaces: workspaces.length, runs, metricsRooms, copy, ms };
}

function upgradeWorkspace(db: SqliteDb, store: SqliteDocStore, ws: string, log: (line: string) => void): { runs: number; metricsRooms: number } {
  // Loaded as the relay loads a room: a row that cannot be applied is moved to doc_rejects, not lost (RELAY-26).
  const wsRoom = new Room(workspaceRoomName(ws as WorkspaceId), store, { compactAfterRows: Infinity, compactAfterBytes: Infinity, unloadDelayMs: 0 }, log);
  try {
    wsRoom.load();
    const wsDoc = wsRoom.doc;
    const wsRows = store.load(ws);
    const runRooms = store.listRooms(`${ws}/run/`).filter((r) => runOfRunRoom(r) !== null);
    const moveAll = db.prepare<[string, string]>('UPDATE doc_updates SET room = ? WHERE room = ?');
    const maxSeq = db.prepare<[string], { m: number | null }>('SELECT MAX(seq) AS m FROM doc_updates WHERE room = ?');
    const appendAll = db.prepare<[string, number, string]>('INSERT INTO doc_updates (room, seq, data) SELECT ?, seq + ?, data FROM doc_updates WHERE room = ?');
    const dropAll = db.prepare<[string]>('DELETE FROM doc_updates WHERE room = ?');
    const moveRejects = db.prepare<[string, string]>('UPDATE OR IGNORE doc_rejects SET room = ? WHERE room = ?');
    const insertFirst = db.prepare<[string, Buffer]>('INSERT INTO doc_updates (room, seq, data) VALUES (?, 1, ?)');
    return db.transaction(() => {
      for (const room of runRooms) {
        const metrics = `${room}/metrics`;
        const have = maxSeq.get(metrics)?.m ?? null;
        if (have === null) moveAll.run(metrics, room);
        else {
          appendAll.run(metrics, have, room);
          dropAll.run(room);
        }
        moveRejects.run(metrics, room);
      }
      let converted = 0;
      for (const id of doc.format1RunIds(wsDoc)) {
        const runDoc = new Y.Doc({ guid: `${ws}/run/${id}` });
        // False for an entry that is no run map (nothing format 1 could read): nothing to write.
        if (doc.convertFormat1Run(wsDoc, id, runDoc)) {
          insertFirst.run(`${ws}/run/${id}`, Buffer.from(Y.encodeStateAsUpdate(runDoc)));
          converted++;
        }
        runDoc.destroy();
      }
      const last = wsRows.at(-1);
      if (last) {
        doc.dropFormat1Runs(wsDoc);
        store.compact(ws, last.seq, Y.encodeStateAsUpdate(wsDoc));
      }
      setMeta(db, DONE_PREFIX + ws, '1');
      return { runs: converted, metricsRooms: runRooms.length };
    })();
  } finally {
    wsRoom.destroy();
  }
}
