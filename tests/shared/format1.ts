import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as doc from '../../lib/doc';
import type { ArtifactRef, MetricSummary, ParamConflict, Run, RunId } from '../../lib/domain';

/**
 * Format-1 relay data folders, built by hand with raw Yjs (no lib/doc writer: lib/doc writes format 2 only), and the
 * format-1 reading of them written here, for the relay's upgrade tests (server/relay SPEC.md RELAY-37, RELAY-38).
 *
 * Format 1 (lib/doc before issue 6): the workspace doc held `meta`, `exp`, `expTags` and `runs`, a Y.Map runId → run
 * Y.Map of the run's fields plus a `params` Y.Array of `{key, value, actor, at}` (every write, first one wins, the
 * rest are conflict records when their value differs) and `tags`, `metrics` (summary shares `<key>\u0001<actor>`),
 * `artifacts` Y.Maps. The run room `<ws>/run/<id>` held `meta` and `chunks` (binary metric chunks). A format-1 relay's
 * `relay.sqlite` is schema 2: `doc_updates`, `tokens`, `doc_rejects`, `user_version = 2`, no `relay_meta`.
 */

const SEP = '\u0001';

export interface Format1Workspace {
  name: string;
  /** The merged workspace doc (what every replica converged to). */
  doc: Y.Doc;
  /** Its update log as a format-1 relay stored it: one row per transaction, in order. */
  rows: Uint8Array[];
  /** Run room rows (meta + chunks), per run id. */
  runRooms: Map<string, Uint8Array[]>;
  /** Run ids per experiment id, as the fixture wrote them (format-1 readable runs only). */
  runsByExperiment: Map<string, string[]>;
}

/** Records every transaction of `d` as one row, as the relay stored each update it received. */
function recordRows(d: Y.Doc): Uint8Array[] {
  const rows: Uint8Array[] = [];
  d.on('update', (u: Uint8Array) => void rows.push(u));
  return rows;
}

const runId = (prefix: string, i: number) => (prefix + i.toString(16)).padEnd(32, '0').slice(0, 32);

function newRunMap(fields: Record<string, unknown>): Y.Map<unknown> {
  const r = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(fields)) r.set(k, v);
  r.set('params', new Y.Array());
  r.set('tags', new Y.Map());
  r.set('metrics', new Y.Map());
  r.set('artifacts', new Y.Map());
  return r;
}

const f1Run = (d: Y.Doc, id: string) => d.getMap<unknown>('runs').get(id) as Y.Map<unknown>;
const f1Params = (d: Y.Doc, id: string) => f1Run(d, id).get('params') as Y.Array<unknown>;
const f1Map = (d: Y.Doc, id: string, name: 'tags' | 'metrics' | 'artifacts') => f1Run(d, id).get(name) as Y.Map<unknown>;

const share = (latest: number, latestStep: number, latestTimestamp: number, min: number, max: number, count: number): doc.SummaryShare => ({
  latest,
  latestStep,
  latestTimestamp,
  min,
  max,
  count,
});

const artifact = (path: string, size: number): ArtifactRef => ({
  path,
  size,
  sha256: (path.length.toString(16) + 'ab').repeat(32).slice(0, 64) as ArtifactRef['sha256'],
  mediaType: 'application/octet-stream',
  loggedAt: 1_600_000_100_000,
});

/** A run room as format 1 wrote it: meta, then chunks in two flushes (so the room has several rows). */
function runRoomRows(id: string, seed: number): Uint8Array[] {
  const d = new Y.Doc();
  const rows = recordRows(d);
  d.transact(() => {
    d.getMap('meta').set('formatVersion', 1);
    d.getMap('meta').set('runId', id);
  });
  for (let flush = 0; flush < 2; flush++) {
    const chunks: Uint8Array[] = [];
    for (const key of ['loss', 'acc']) {
      const n = 5 + seed % 7;
      const steps = Array.from({ length: n }, (_, i) => flush * 100 + i);
      const ts = steps.map((s) => 1_600_000_000_000 + s * 10);
      const values = steps.map((s) => (key === 'loss' ? 1 / (s + 1 + seed) : Math.sin(s + seed)));
      chunks.push(doc.encodeChunk(key, steps, ts, values));
    }
    d.transact(() => d.getArray<Uint8Array>('chunks').push(chunks));
  }
  d.destroy();
  return rows;
}

/**
 * A format-1 workspace as real format-1 clients left it: experiments `0` and `7` (tagged), runs in both, written by two
 * replicas ("alice" and "bob", two Y.Docs merged): a param raced offline by both (a conflict record), tags, summary
 * shares from both actors (NaN and Infinity included), artifacts, a soft-deleted run, a `runs` entry that is no run,
 * and `bulk` plain runs more. Every run with points has a run room of meta + chunks.
 */
export function format1Workspace(name: string, opts: { bulk?: number; seed?: number } = {}): Format1Workspace {
  const seed = opts.seed ?? 1;
  const alice = new Y.Doc();
  alice.clientID = 1000 + seed;
  const bob = new Y.Doc();
  bob.clientID = 2000 + seed;
  const rows = recordRows(alice);
  const toBob = () => Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice, Y.encodeStateVector(bob)));
  const toAlice = () => Y.applyUpdate(alice, Y.encodeStateAsUpdate(bob, Y.encodeStateVector(alice)));
  const runsByExperiment = new Map<string, string[]>([['0', []], ['7', []]]);
  const runRooms = new Map<string, Uint8Array[]>();
  const fields = (experimentId: string, runName: string, i: number, over: Record<string, unknown> = {}) => ({
    experimentId,
    name: runName,
    userId: i % 2 ? 'alice' : 'bob',
    status: 'FINISHED',
    startTime: 1_600_000_000_000 + i * 1000,
    endTime: 1_600_000_000_500 + i * 1000,
    lifecycle: 'active',
    deletedTime: null,
    ...over,
  });

  alice.transact(() => {
    alice.getMap('meta').set('formatVersion', 1);
    const exp = alice.getMap<unknown>('exp');
    for (const [id, n] of [['0', 'Default'], ['7', 'sweep']] as const) {
      exp.set(id + SEP + 'name', n);
      exp.set(id + SEP + 'lifecycle', 'active');
      exp.set(id + SEP + 'creationTime', id === '0' ? 0 : 1_599_000_000_000);
      exp.set(id + SEP + 'lastUpdateTime', id === '0' ? 0 : 1_599_000_000_000);
      exp.set(id + SEP + 'artifactLocation', `mlflow-artifacts:/${id}`);
    }
    alice.getMap<unknown>('expTags').set('7' + SEP + 'team', 'vision');
  });

  const ids = {
    conflict: runId('c0', seed),
    twoWriters: runId('d0', seed),
    deleted: runId('e0', seed),
    artifacts: runId('f0', seed),
    notARun: runId('90', seed),
  };
  // Alice creates the shared runs, bob syncs them.
  alice.transact(() => {
    const runs = alice.getMap<unknown>('runs');
    runs.set(ids.conflict, newRunMap(fields('7', 'conflicted', 1, { status: 'RUNNING', endTime: null })));
    runs.set(ids.twoWriters, newRunMap(fields('7', 'two-writers', 2)));
    runs.set(ids.deleted, newRunMap(fields('0', 'deleted', 3, { lifecycle: 'deleted', deletedTime: 1_600_000_009_000 })));
    runs.set(ids.artifacts, newRunMap(fields('0', 'with-artifacts', 4)));
    runs.set(ids.notARun, 'not a run map');
  });
  alice.transact(() => {
    for (const id of [ids.conflict, ids.twoWriters, ids.deleted, ids.artifacts]) {
      f1Map(alice, id, 'tags').set('mlflow.runName', (f1Run(alice, id).get('name') as string) ?? '');
      f1Map(alice, id, 'tags').set('mlflow.user', 'alice');
    }
    f1Params(alice, ids.conflict).push([{ key: 'bs', value: '32', actor: 'alice', at: 1_600_000_001_000 }]);
    f1Params(alice, ids.deleted).push([{ key: 'seed', value: '7', actor: 'alice', at: 1_600_000_003_000 }]);
  });
  toBob();
  // Offline, both log `lr` with different values (a conflict record), and both write summary shares.
  alice.transact(() => {
    f1Params(alice, ids.conflict).push([{ key: 'lr', value: '0.1', actor: 'alice', at: 1_600_000_001_100 }]);
    f1Map(alice, ids.twoWriters, 'metrics').set(`loss${SEP}alice`, share(0.5, 9, 1_600_000_002_090, 0.5, 2, 10));
    f1Map(alice, ids.twoWriters, 'metrics').set(`acc${SEP}alice`, share(NaN, 3, 1_600_000_002_030, NaN, NaN, 4));
  });
  bob.transact(() => {
    f1Params(bob, ids.conflict).push([{ key: 'lr', value: '0.2', actor: 'bob', at: 1_600_000_001_200 }]);
    f1Map(bob, ids.twoWriters, 'metrics').set(`loss${SEP}bob`, share(0.4, 12, 1_600_000_002_120, 0.4, Infinity, 7));
    f1Map(bob, ids.twoWriters, 'tags').set('reviewed', 'yes');
  });
  toAlice();
  toBob();
  alice.transact(() => {
    f1Map(alice, ids.artifacts, 'artifacts').set('model/weights.bin', artifact('model/weights.bin', 1024));
    f1Map(alice, ids.artifacts, 'artifacts').set('notes.txt', artifact('notes.txt', 12));
    f1Map(alice, ids.artifacts, 'tags').set('note', 'has artifacts');
    f1Map(alice, ids.deleted, 'tags').set('why', 'bad seed');
  });
  runsByExperiment.get('7')!.push(ids.conflict, ids.twoWriters);
  runsByExperiment.get('0')!.push(ids.deleted, ids.artifacts);
  runRooms.set(ids.twoWriters, runRoomRows(ids.twoWriters, seed));
  runRooms.set(ids.conflict, runRoomRows(ids.conflict, seed + 1));

  for (let i = 0; i < (opts.bulk ?? 0); i++) {
    const id = runId('a', seed * 100_000 + i);
    const exp = i % 3 === 0 ? '0' : '7';
    alice.transact(() => {
      alice.getMap<unknown>('runs').set(id, newRunMap(fields(exp, `bulk-${i}`, 10 + i)));
      f1Params(alice, id).push([
        { key: 'i', value: String(i), actor: 'alice', at: 1_600_000_000_000 + i },
        { key: 'lr', value: String(0.001 * (i + 1)), actor: 'alice', at: 1_600_000_000_000 + i },
      ]);
      f1Map(alice, id, 'tags').set('mlflow.runName', `bulk-${i}`);
      f1Map(alice, id, 'metrics').set(`loss${SEP}alice`, share(1 / (i + 1), 9, 1_600_000_000_000 + i, 1 / (i + 1), 1, 10));
    });
    runsByExperiment.get(exp)!.push(id);
    if (i % 4 === 0) runRooms.set(id, runRoomRows(id, i));
  }
  bob.destroy();
  return { name, doc: alice, rows, runRooms, runsByExperiment };
}

/** Every run id of the fixture that format 1 reads as a run. */
export const fixtureRunIds = (w: Format1Workspace): string[] => [...w.runsByExperiment.values()].flat();

/**
 * `<dir>/relay.sqlite` as a format-1 relay (schema 2) left it, holding these workspaces' rooms. Returns the rows
 * written, for comparing the `.format1` copy with.
 */
export function writeFormat1DataFolder(dir: string, workspaces: Format1Workspace[]): { room: string; seq: number; data: Uint8Array }[] {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'relay.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE doc_updates (room TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (room, seq)) WITHOUT ROWID;
    CREATE TABLE tokens (
      id TEXT PRIMARY KEY,
      workspace TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
      token_sha256 TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER,
      expires_at INTEGER
    );
    CREATE TABLE doc_rejects (
      room TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, reason TEXT NOT NULL, rejected_at INTEGER NOT NULL,
      PRIMARY KEY (room, seq)
    ) WITHOUT ROWID;
  `);
  db.pragma('user_version = 2');
  const written: { room: string; seq: number; data: Uint8Array }[] = [];
  const insert = db.prepare('INSERT INTO doc_updates (room, seq, data) VALUES (?, ?, ?)');
  db.transaction(() => {
    const put = (room: string, rows: Uint8Array[]) =>
      rows.forEach((data, i) => {
        insert.run(room, i + 1, Buffer.from(data));
        written.push({ room, seq: i + 1, data });
      });
    for (const w of workspaces) {
      put(w.name, w.rows);
      for (const [id, rows] of w.runRooms) put(`${w.name}/run/${id}`, rows);
    }
  })();
  db.close();
  return written.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : a.seq - b.seq));
}

/** Every row of `doc_updates` of a relay.sqlite (or its copy), in (room, seq) order. */
export function dumpRows(file: string): { room: string; seq: number; data: Uint8Array }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { room: string; seq: number; data: Buffer }>('SELECT room, seq, data FROM doc_updates ORDER BY room, seq')
      .all()
      .map((r) => ({ room: r.room, seq: r.seq, data: new Uint8Array(r.data) }));
  } finally {
    db.close();
  }
}

// ---- the format-1 reading -----------------------------------------------------------------------------------------

const entries = (v: unknown): [string, unknown][] => {
  if (!(v instanceof Y.Map)) return [];
  const out: [string, unknown][] = [];
  (v as Y.Map<unknown>).forEach((value: unknown, k: string) => void out.push([k, value]));
  return out;
};
const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * How format 1 read `runs.<runId>` (its DOC-L5..L7): the run's fields through StoredRun, the first readable param
 * entry per key wins and a later different value is a conflict record, tags and artifacts record by record, summary
 * shares merged per key in key order. Undefined where format 1 read no run.
 */
export function readFormat1Run(ws: Y.Doc, id: string): Run | undefined {
  const r = ws.getMap<unknown>('runs').get(id);
  if (!(r instanceof Y.Map) || !doc.isRunId(id)) return undefined;
  const rec = doc.StoredRun.read(r as Y.Map<unknown>);
  if (!rec) return undefined;
  const winners = new Map<string, string>();
  const conflicts: ParamConflict[] = [];
  const params = r.get('params');
  for (const raw of params instanceof Y.Array ? params.toArray() : []) {
    const e = doc.ParamEntry.parse(raw);
    if (!e) continue;
    const kept = winners.get(e.key);
    if (kept === undefined) winners.set(e.key, e.value);
    else if (kept !== e.value) conflicts.push({ runId: id as RunId, key: e.key, keptValue: kept, rejectedValue: e.value, rejectedBy: e.actor, at: e.at });
  }
  const tags = entries(r.get('tags')).filter(([k, v]) => doc.isKey(k) && doc.isRunTagValue(v)) as [string, string][];
  const metrics = new Map<string, MetricSummary>();
  for (const [k, raw] of entries(r.get('metrics')).sort(byKey)) {
    const at = k.indexOf(SEP);
    if (at < 0 || !doc.isKey(k.slice(0, at))) continue;
    const s = doc.SummaryShare.parse(raw);
    if (!s) continue;
    const key = k.slice(0, at);
    metrics.set(key, doc.mergeSummary(metrics.get(key), key, s));
  }
  const artifacts: ArtifactRef[] = [];
  for (const [path, raw] of entries(r.get('artifacts'))) {
    const a = doc.isArtifactPath(path) ? doc.StoredArtifactRef.parse(raw) : undefined;
    if (a && a.path === path) artifacts.push(a);
  }
  artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    info: doc.runInfoOf(id, rec),
    params: Object.fromEntries(winners),
    tags: Object.fromEntries(tags.sort(byKey)),
    metrics: Object.fromEntries(metrics),
    artifacts,
    inputs: [],
    conflicts,
  };
}

/** The points of a format-1 run room, decoded chunk by chunk: key → (step, timestamp, value) in step order. */
export function readFormat1Points(rows: Uint8Array[]): Map<string, { step: number; timestamp: number; value: number }[]> {
  const d = new Y.Doc();
  for (const u of rows) Y.applyUpdate(d, u);
  const out = new Map<string, { step: number; timestamp: number; value: number }[]>();
  for (const b of d.getArray<Uint8Array>('chunks').toArray()) {
    const c = doc.decodeChunk(b);
    const list = out.get(c.key) ?? [];
    for (let i = 0; i < c.values.length; i++) list.push({ step: c.steps[i]!, timestamp: c.timestamps[i]!, value: c.values[i]! });
    out.set(c.key, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.step - b.step);
  d.destroy();
  return out;
}
