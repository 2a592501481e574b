import * as Y from 'yjs';
import * as doc from '@/lib/doc';
import type { ArtifactRef, MetricSummary, ParamConflict, Run, RunId } from '@/lib/domain';
import { ARRAY_ELEMENTS, BAD_KEYS, BAD_RUN_IDS, RUN_INFO_FIELDS, VALID_FOR, WRONG_VALUES, goodRef, goodShare, wrongFor } from './hostile-content';

/**
 * Format-1 stores built by hand with raw Yjs, and a format-1 reader written here (lib/doc SPEC.md §Format 1, DOC-U1):
 * what lib/doc's upgrade tests (tests/unit/upgrade.test.ts) convert and compare against. The relay's fixture
 * (tests/shared/format1.ts: format-1 data folders, two merged writers, run rooms) is used there too, and its format-1
 * reading is checked against this one; this file adds what the converter must survive beyond it: a run with garbled
 * fields and records, format 1's whole hostile content, and handles for offline edits (DOC-U3). Format 1 kept every run in the workspace doc: `runs` is a Y.Map
 * of run Y.Maps (the run's fields, a `params` Y.Array, `tags`/`metrics`/`artifacts` Y.Maps), and the run doc held the
 * metric chunks. No lib/doc writer is used to build them: lib/doc writes format 2 only.
 *
 * The reader walks the nested layout itself and checks every value with the stored-record definitions of
 * lib/doc/records.ts (the same definitions format 1 read with); merging summary shares and picking param winners is
 * done here, not by lib/doc.
 */

const SEP = '\u0001';
const FORMAT_1 = 1;

export interface Format1Run {
  fields: Record<string, unknown>;
  params?: unknown[];
  tags?: Record<string, unknown>;
  /** `<key>\u0001<actor>` → share. */
  metrics?: Record<string, unknown>;
  artifacts?: Record<string, unknown>;
}

/** A format-1 workspace doc: meta, the Default experiment and `experimentIds` (named `exp-<id>`), no runs yet. */
export function format1Workspace(experimentIds: string[] = [], clientID?: number): Y.Doc {
  const ws = new Y.Doc();
  if (clientID !== undefined) ws.clientID = clientID;
  ws.transact(() => {
    ws.getMap('meta').set('formatVersion', FORMAT_1);
    const exp = ws.getMap<unknown>('exp');
    for (const [id, name] of [['0', 'Default'], ...experimentIds.map((id) => [id, `exp-${id}`])] as const) {
      exp.set(id + SEP + 'name', name);
      exp.set(id + SEP + 'lifecycle', 'active');
      exp.set(id + SEP + 'creationTime', 1);
      exp.set(id + SEP + 'lastUpdateTime', 1);
      exp.set(id + SEP + 'artifactLocation', `mlflow-artifacts:/${id}`);
    }
  });
  return ws;
}

/** Writes one run as format 1's creator did: its Y.Map with every container, under `runs.<runId>`. */
export function addFormat1Run(ws: Y.Doc, runId: string, run: Format1Run): Y.Map<unknown> {
  const r = new Y.Map<unknown>();
  ws.transact(() => {
    ws.getMap<unknown>('runs').set(runId, r);
    for (const [k, v] of Object.entries(run.fields)) r.set(k, v);
    if (!('params' in run.fields)) {
      const params = new Y.Array<unknown>();
      r.set('params', params);
      params.push(run.params ?? []);
    }
    for (const name of ['tags', 'metrics', 'artifacts'] as const) {
      if (name in run.fields) continue;
      const m = new Y.Map<unknown>();
      r.set(name, m);
      for (const [k, v] of Object.entries(run[name] ?? {})) m.set(k, v);
    }
  });
  return r;
}

/** The run Y.Map of a format-1 workspace doc (for edits after it was written). */
export function format1RunMap(ws: Y.Doc, runId: string): Y.Map<unknown> {
  const r = ws.getMap<unknown>('runs').get(runId);
  if (!(r instanceof Y.Map)) throw new Error(`no format-1 run ${runId}`);
  return r as Y.Map<unknown>;
}
export const format1Container = <T extends Y.Array<unknown> | Y.Map<unknown>>(ws: Y.Doc, runId: string, name: string): T =>
  format1RunMap(ws, runId).get(name) as T;

/** A format-1 run doc (what became the metrics doc): meta and binary chunks. */
export function format1RunDoc(runId: string, chunks: Uint8Array[]): Y.Doc {
  const d = new Y.Doc();
  d.transact(() => {
    d.getMap('meta').set('formatVersion', FORMAT_1);
    d.getMap('meta').set('runId', runId);
    d.getArray<Uint8Array>('chunks').push(chunks);
  });
  return d;
}

export const runFields = (experimentId: string, name: string, over: Record<string, unknown> = {}) => ({
  experimentId,
  name,
  userId: 'ada',
  status: 'FINISHED',
  startTime: 1_600_000_000_000,
  endTime: 1_600_000_060_000,
  lifecycle: 'active',
  deletedTime: null,
  ...over,
});

// ---- the format-1 reader ----------------------------------------------------------------------------------------

const mapEntries = (v: unknown): [string, unknown][] => (v instanceof Y.Map ? [...(v as Y.Map<unknown>).entries()] : []);
const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const minNum = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b));
const maxNum = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));
/** MLflow's latest: (step, timestamp, value) compared in that order, NaN the lowest value. */
function later(a: doc.SummaryShare, b: doc.SummaryShare): boolean {
  if (a.latestStep !== b.latestStep) return a.latestStep > b.latestStep;
  if (a.latestTimestamp !== b.latestTimestamp) return a.latestTimestamp > b.latestTimestamp;
  if (Number.isNaN(b.latest)) return !Number.isNaN(a.latest);
  return a.latest > b.latest;
}

/** Format 1's reading of `runs.<runId>` (SPEC.md format 1 DOC-L5..DOC-L7); undefined where format 1 read no run. */
export function readFormat1Run(ws: Y.Doc, runId: string): Run | undefined {
  const r = ws.getMap<unknown>('runs').get(runId);
  if (!(r instanceof Y.Map) || !doc.isRunId(runId)) return undefined;
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
    else if (kept !== e.value) conflicts.push({ runId: runId as RunId, key: e.key, keptValue: kept, rejectedValue: e.value, rejectedBy: e.actor, at: e.at });
  }

  const tags: [string, string][] = [];
  for (const [k, v] of mapEntries(r.get('tags'))) if (doc.isKey(k) && doc.isRunTagValue(v)) tags.push([k, v]);

  const metrics = new Map<string, MetricSummary>();
  for (const [k, raw] of mapEntries(r.get('metrics')).sort(byKey)) {
    const at = k.indexOf(SEP);
    if (at < 0 || !doc.isKey(k.slice(0, at))) continue;
    const s = doc.SummaryShare.parse(raw);
    if (!s) continue;
    const key = k.slice(0, at);
    const acc = metrics.get(key);
    if (!acc) {
      metrics.set(key, { key, ...s });
      continue;
    }
    const l = later(s, acc);
    metrics.set(key, {
      key,
      latest: l ? s.latest : acc.latest,
      latestStep: l ? s.latestStep : acc.latestStep,
      latestTimestamp: l ? s.latestTimestamp : acc.latestTimestamp,
      min: minNum(acc.min, s.min),
      max: maxNum(acc.max, s.max),
      count: acc.count + s.count,
    });
  }

  const artifacts: ArtifactRef[] = [];
  for (const [path, raw] of mapEntries(r.get('artifacts'))) {
    if (!doc.isArtifactPath(path)) continue;
    const a = doc.StoredArtifactRef.parse(raw);
    if (a && a.path === path) artifacts.push(a);
  }
  artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  return {
    info: {
      runId: runId as RunId,
      runName: rec.name,
      experimentId: rec.experimentId,
      userId: rec.userId,
      status: rec.status,
      startTime: rec.startTime,
      endTime: rec.endTime,
      lifecycleStage: rec.lifecycle,
      deletedTime: rec.deletedTime,
      artifactUri: `mlflow-artifacts:/${rec.experimentId}/${runId}/artifacts`,
    },
    params: Object.fromEntries(winners),
    tags: Object.fromEntries(tags.sort(byKey)),
    metrics: Object.fromEntries(metrics),
    artifacts,
    // Format 1 had no dataset inputs.
    inputs: [],
    conflicts,
  };
}

/** Every key under `runs` (whatever sits there). */
export const format1Keys = (ws: Y.Doc): string[] => [...ws.getMap<unknown>('runs').keys()];

// ---- a realistic format-1 workspace -----------------------------------------------------------------------------

export const FIXTURE_EXPERIMENT = '17';
export const fixtureIds = {
  plain: 'a1'.repeat(16),
  conflict: 'b2'.repeat(16),
  twoWriters: 'c3'.repeat(16),
  deleted: 'd4'.repeat(16),
  garbled: 'e5'.repeat(16),
  orphan: 'f6'.repeat(16),
  notAMap: '07'.repeat(16),
} as const;

const share = (over: Partial<doc.SummaryShare> = {}): doc.SummaryShare => ({ ...goodShare(), ...over });
const ref = (path: string, over: Partial<ArtifactRef> = {}) => ({ ...goodRef(path), ...over });

/**
 * A format-1 workspace as real format-1 clients left it: params (one key raced by two offline writers: a conflict
 * record), tags, summary shares from two actors (NaN and ±Infinity included), artifacts, a soft-deleted run, a run
 * with a garbled field, a run with no experiment and a `runs` entry that is no run.
 */
export function format1Fixture(clientID?: number): Y.Doc {
  const ws = format1Workspace([FIXTURE_EXPERIMENT], clientID);
  const E = FIXTURE_EXPERIMENT;
  addFormat1Run(ws, fixtureIds.plain, {
    fields: runFields(E, 'plain', { status: 'RUNNING', endTime: null }),
    params: [
      { key: 'lr', value: '0.01', actor: 'alice', at: 10 },
      { key: 'optimizer', value: 'adam', actor: 'alice', at: 10 },
      { key: 'lr', value: '0.01', actor: 'alice', at: 11 },
    ],
    tags: { 'mlflow.runName': 'plain', 'mlflow.user': 'ada', team: 'vision', constructor: 'kept' },
    metrics: { [`loss${SEP}alice`]: share(), [`acc${SEP}alice`]: share({ latest: NaN, min: NaN, max: NaN }) },
    artifacts: { 'model/weights.bin': ref('model/weights.bin', { size: 1024 }), 'notes.txt': ref('notes.txt') },
  });
  addFormat1Run(ws, fixtureIds.conflict, {
    fields: runFields(E, 'conflict'),
    params: [
      { key: 'lr', value: '0.1', actor: 'alice', at: 20 },
      { key: 'bs', value: '32', actor: 'alice', at: 20 },
      { key: 'lr', value: '0.2', actor: 'bob', at: 21 },
      { key: 'lr', value: '0.3', actor: 'carol', at: 22 },
    ],
    tags: { 'mlflow.runName': 'conflict' },
  });
  addFormat1Run(ws, fixtureIds.twoWriters, {
    fields: runFields(E, 'two-writers'),
    tags: { 'mlflow.runName': 'two-writers', stage: 'b' },
    metrics: {
      [`loss${SEP}alice`]: share({ latest: 0.5, latestStep: 9, latestTimestamp: 100, min: 0.5, max: 2, count: 10 }),
      [`loss${SEP}bob`]: share({ latest: 0.4, latestStep: 12, latestTimestamp: 90, min: 0.4, max: Infinity, count: 7 }),
      [`grad${SEP}bob`]: share({ latest: -Infinity, latestStep: 0, latestTimestamp: 5, min: -Infinity, max: 3, count: 2 }),
    },
  });
  addFormat1Run(ws, fixtureIds.deleted, {
    fields: runFields(E, 'deleted', { lifecycle: 'deleted', deletedTime: 1_600_000_070_000 }),
    params: [{ key: 'seed', value: '7', actor: 'alice', at: 30 }],
    tags: { 'mlflow.runName': 'deleted' },
  });
  addFormat1Run(ws, fixtureIds.garbled, {
    // A peer garbled two fields: status reads RUNNING, startTime 0; a bad tag and a bad share are skipped.
    fields: runFields(E, 'garbled', { status: 42, startTime: 'yesterday', stray: 'extra field' }),
    params: [{ key: 'ok', value: '1', actor: 'alice', at: 40 }, { key: 'a//b', value: '1', actor: 'x', at: 1 }, 'junk'],
    tags: { ok: '1', 'bad//key': 'v', long: 'x'.repeat(8001) },
    metrics: { [`m${SEP}alice`]: share(), [`m${SEP}evil`]: { latest: 'no' }, nosep: share() },
    artifacts: { 'key.txt': ref('other.txt'), 'ok.txt': ref('ok.txt') },
  });
  addFormat1Run(ws, fixtureIds.orphan, { fields: runFields('bad id!', 'orphan') });
  ws.getMap<unknown>('runs').set(fixtureIds.notAMap, 'not a run');
  return ws;
}

// ---- hostile format-1 content -----------------------------------------------------------------------------------

/**
 * Format 1's hostile content (what tests/shared/hostile-content.ts wrote before format 2): every run field with every
 * wrong value, runs that are no Y.Map, runs under keys that are no run id, containers of the wrong type, and one run
 * holding every hostile nested record. The upgrade must read all of it exactly as format 1 did.
 */
export function writeHostileFormat1Runs(ws: Y.Doc, experimentId: string, seed = 0x5a): string[] {
  const runs = ws.getMap<unknown>('runs');
  let n = 0;
  const nextId = () => (seed.toString(16).padStart(2, '0') + (++n).toString(16).padStart(30, '0')).slice(0, 32);
  const ids: string[] = [];
  const good = { userId: 'peer', status: 'FINISHED', startTime: 1_600_000_000_000, endTime: 1_600_000_001_000, lifecycle: 'active', deletedTime: null };
  const newRun = (fields: Record<string, unknown>) => {
    const r = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(fields)) r.set(k, v);
    for (const [k, t] of [['params', new Y.Array()], ['tags', new Y.Map()], ['metrics', new Y.Map()], ['artifacts', new Y.Map()]] as const) {
      if (!(k in fields)) r.set(k, t);
    }
    return r;
  };
  ws.transact(() => {
    for (const w of WRONG_VALUES) {
      const fields: Record<string, unknown> = { experimentId, name: `info-${w.label}`, ...good };
      for (const f of RUN_INFO_FIELDS) if (!VALID_FOR[`run.${f}`]!.includes(w.label)) fields[f] = w.make();
      const id = nextId();
      const r = newRun(fields);
      runs.set(id, r);
      (r.get('params') as Y.Array<unknown>).push([{ key: 'ok', value: '1', actor: 'peer', at: 1 }]);
      (r.get('tags') as Y.Map<unknown>).set('ok', '1');
      ids.push(id);
      const orphan = nextId();
      runs.set(orphan, newRun({ ...good, experimentId: w.make(), name: `orphan-${w.label}` }));
      ids.push(orphan);
      const nonMap = nextId();
      runs.set(nonMap, w.make());
      ids.push(nonMap);
      const container = nextId();
      runs.set(container, newRun({ ...good, experimentId, name: `containers-${w.label}`, params: w.make(), tags: w.make(), metrics: w.make(), artifacts: w.make() }));
      ids.push(container);
    }
    for (const bad of BAD_RUN_IDS) {
      runs.set(bad, newRun({ ...good, experimentId, name: 'bad-run-id' }));
      ids.push(bad);
    }
    const nestedId = nextId();
    const r = newRun({ ...good, experimentId, name: 'nested-junk' });
    runs.set(nestedId, r);
    ids.push(nestedId);
    const params = r.get('params') as Y.Array<unknown>;
    params.push([{ key: 'ok', value: '1', actor: 'peer', at: 1 }, { key: 'p', value: '1', actor: 'peer', at: 1 }]);
    let i = 0;
    for (const w of wrongFor('param.key')) params.push([{ key: w.make(), value: 'x', actor: 'peer', at: 1 }]);
    for (const w of wrongFor('param.value')) params.push([{ key: `bad.${++i}`, value: w.make(), actor: 'peer', at: 1 }]);
    for (const w of wrongFor('param.actor')) params.push([{ key: 'p', value: `actor-${++i}`, actor: w.make(), at: 1 }]);
    for (const w of wrongFor('param.at')) params.push([{ key: 'p', value: `at-${++i}`, actor: 'peer', at: w.make() }]);
    for (const w of ARRAY_ELEMENTS) params.push([w.make()]);
    const tags = r.get('tags') as Y.Map<unknown>;
    tags.set('ok', '1');
    for (const w of wrongFor('tag.value')) tags.set(`bad.${++i}`, w.make());
    for (const k of BAD_KEYS) tags.set(k, 'v');
    const metrics = r.get('metrics') as Y.Map<unknown>;
    metrics.set(`m${SEP}good`, goodShare());
    for (const f of ['latest', 'latestStep', 'latestTimestamp', 'min', 'max', 'count'] as const) {
      for (const w of wrongFor(`share.${f}`)) metrics.set(`m${SEP}evil-${++i}`, { ...goodShare(), [f]: w.make() });
    }
    for (const w of WRONG_VALUES) metrics.set(`m${SEP}junk-${++i}`, w.make());
    for (const k of BAD_KEYS) metrics.set(`${k}${SEP}peer`, goodShare());
    const artifacts = r.get('artifacts') as Y.Map<unknown>;
    artifacts.set('model.txt', goodRef('model.txt'));
    for (const f of ['path', 'size', 'sha256', 'mediaType', 'loggedAt'] as const) {
      for (const w of wrongFor(`artifact.${f}`)) {
        const path = `bad-${++i}.txt`;
        artifacts.set(path, { ...goodRef(path), [f]: w.make() });
      }
    }
    for (const w of WRONG_VALUES) artifacts.set(`junk-${++i}.txt`, w.make());
    artifacts.set('key.txt', goodRef('other.txt'));
  });
  return ids;
}
