import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as doc from '@/lib/doc';
import { ArtifactRefSchema, CairnError, MAX_TAG_VAL_LENGTH, type Run } from '@/lib/domain';
import { LocalStore } from '@/lib/store';
import { metricsDocName, runDocName, workspaceDocName, type FetchLike } from '@/lib/sync';
import { createDataService, withWireErrors } from '@/workers/data-service';
import { formatBytes, formatCount, formatDuration, formatMetric, formatTime } from '@/components/format';
import {
  GOOD_SHA,
  WRONG_VALUES,
  goodDataset,
  goodRef,
  goodShare,
  received,
  writeHostileMetricsDoc,
  writeHostileRun,
  writeHostileRuns,
  writeHostileWorkspace,
  type HostileManifest,
} from '../shared/hostile-content';
import { connectHostilePeer } from '../shared/hostile-peer';
import { startTestRelay } from '../relay/helpers/in-process';
import { waitFor } from '../relay/helpers/wait';

/*
 * Hostile content (lib/doc/SPEC.md DOC-L5..DOC-L8, format 2): every field of every stored record, written with every
 * wrong type directly into the layout as a peer could (experiments into the workspace doc, each run into its run doc,
 * junk chunks into a metrics doc), read back through lib/doc's readers and the data worker's service.
 */

/** Plain structured-cloneable data only (no Yjs types, no class instances), and no string over the largest limit. */
function expectPlain(v: unknown, opts: { typedArrays?: boolean } = {}, path = '$'): void {
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'number') return;
  if (typeof v === 'string') {
    if (v.length > MAX_TAG_VAL_LENGTH) throw new Error(`${path}: a string of ${v.length} characters`);
    return;
  }
  if (typeof v !== 'object') throw new Error(`${path}: ${typeof v}`);
  if (opts.typedArrays && v instanceof Float64Array) return;
  if (Array.isArray(v)) return v.forEach((x, i) => expectPlain(x, opts, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null) throw new Error(`${path}: an instance of ${proto.constructor.name}`);
  for (const [k, x] of Object.entries(v)) expectPlain(x, opts, `${path}.${k}`);
}

function expectCloneable(v: unknown, opts: { typedArrays?: boolean } = {}): void {
  expectPlain(v, opts);
  expect(structuredClone(v)).toEqual(v);
}

const T0 = 1_700_000_000_000;

/** A command's error code, 'NO_ERROR', or what else it threw. */
function codeOf(f: () => unknown): string {
  try {
    f();
    return 'NO_ERROR';
  } catch (e) {
    return e instanceof CairnError ? e.code : `uncaught ${String(e)}`;
  }
}

/**
 * A workspace with good content written by commands, then the hostile content next to it: hostile experiments in the
 * workspace doc, and every hostile run doc as this replica received it from the peer that wrote it.
 */
function hostileWorkspace() {
  let t = T0;
  const c = doc.memoryCtx(new Y.Doc(), 'good-writer', () => ++t);
  doc.ensureWorkspace(c);
  const experimentId = doc.createExperiment(c, { name: 'target', tags: { team: 'a' } });
  const good = doc.startRun(c, { experimentId, runName: 'good-run', userId: 'ada' });
  doc.logBatch(c, { runId: good.runId, params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 'note', value: 'fine' }] });
  doc.appendMetrics(c, c.metricsDoc(good.runId), good.runId, [{ key: 'loss', value: 0.5, step: 1, timestamp: T0 }]);
  doc.logArtifactRef(c, { runId: good.runId, ref: goodRef('good.txt') as never });
  doc.logInputs(c, { runId: good.runId, datasets: [{ dataset: goodDataset('mnist', 'abc'), tags: { 'mlflow.data.context': 'eval' } }] });
  const before = { run: doc.getRun(c, good.runId)!, defaultExperiment: doc.getExperiment(c.ws, '0')! };
  const m = writeHostileWorkspace(c.ws, experimentId);
  const peers = new Map<string, Y.Doc>();
  writeHostileRuns(m, (id) => {
    const peer = new Y.Doc();
    peers.set(id, peer);
    return peer;
  });
  // What each peer wrote, as this replica receives it (a root the peer used as the other kind included).
  for (const [id, peer] of peers) c.runDocs.set(id, received(peer));
  const runs = (view: doc.ViewType = 'ALL', experimentIds?: string[]) => doc.listRuns(c.runDocs, { view, ...(experimentIds ? { experimentIds } : {}) });
  return { c, m, experimentId, goodRunId: good.runId, before, runs };
}

const RUN_DEFAULTS = { name: '', userId: '', status: 'RUNNING', startTime: 0, endTime: null, lifecycle: 'active', deletedTime: null };
const RUN_GOOD = { userId: 'peer', status: 'FINISHED', startTime: 1_600_000_000_000, endTime: 1_600_000_001_000, lifecycle: 'active', deletedTime: null };
const INFO_KEY: Record<string, string> = { name: 'runName', lifecycle: 'lifecycleStage' };

/** The run ids the experiment's runs table must list: the good run and every hostile run that is still a run. */
function listedRunIds(m: HostileManifest, goodRunId: string): string[] {
  return [goodRunId, m.nestedRunId, ...m.infoVictims.map((v) => v.runId), ...m.containerVictims].sort();
}

describe('hostile content through the lib/doc readers', () => {
  it('[DOC-L5] nothing a peer can write makes a reader throw or return anything but plain data', () => {
    const { c, m, experimentId, goodRunId, before, runs } = hostileWorkspace();
    for (const view of ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const) {
      expectCloneable(doc.listExperiments(c.ws, view));
      expectCloneable(runs(view));
      expectCloneable(runs(view, [experimentId]));
    }
    expectCloneable(doc.listConflicts(runs()));
    for (const [id, d] of c.runDocs) {
      expectCloneable(doc.readRun(id, d) ?? null);
      expectCloneable(doc.readInputs(d));
      expectCloneable(doc.readMetricSummaries(d));
    }
    for (const id of doc.wsExp(c.ws).keys()) expectCloneable(doc.getExperiment(c.ws, id.split('\u0001')[0]!) ?? null);
    expectCloneable(doc.getExperimentByName(c.ws, '') ?? null);
    // The good records are untouched by what sits next to them.
    expect(doc.getRun(c, goodRunId)).toEqual(before.run);
    expect(doc.getExperiment(c.ws, '0')).toEqual(before.defaultExperiment);
    expect(runs('ALL', [experimentId]).map((r) => r.info.runId).sort()).toEqual(listedRunIds(m, goodRunId));
  });

  it('[DOC-L6] a RunInfo field of the wrong type reads as its default; the rest of the run is intact; meta is not read', () => {
    const { c, m, experimentId, runs } = hostileWorkspace();
    const listed = new Map<string, Run>(runs('ACTIVE_ONLY', [experimentId]).map((r) => [r.info.runId, r]));
    for (const v of m.infoVictims) {
      const run = doc.getRun(c, v.runId);
      expect(run, v.label).toBeDefined();
      expect(listed.get(v.runId), `${v.label}: listed (lifecycle falls back to active)`).toEqual(run);
      const info = run!.info as unknown as Record<string, unknown>;
      for (const f of Object.keys(RUN_DEFAULTS) as (keyof typeof RUN_DEFAULTS)[]) {
        const want = v.corrupted.has(f) ? RUN_DEFAULTS[f] : f === 'name' ? v.goodName : RUN_GOOD[f as keyof typeof RUN_GOOD];
        expect(info[INFO_KEY[f] ?? f], `${v.label}: ${f}`).toEqual(want);
      }
      expect(run!.info.experimentId).toBe(experimentId);
      expect(run!.params, v.label).toEqual({ ok: '1' });
      expect(run!.tags, v.label).toEqual({ ok: '1' });
    }
  });

  it('[DOC-L6] a run with a wrong experimentId, a run doc whose run root is a list, and a run under an id that is no run id are skipped', () => {
    const { c, m, runs } = hostileWorkspace();
    const everyListed = new Set<string>(runs().map((r) => r.info.runId));
    for (const id of [...m.orphanRunIds, ...m.nonMapRunIds, ...m.badRunIds]) {
      expect(doc.readRun(id, c.runDocs.get(id)!), JSON.stringify(id.slice(0, 40))).toBeUndefined();
      expect(doc.getRun(c, id)).toBeUndefined();
      expect(everyListed.has(id)).toBe(false);
    }
    expect(m.orphanRunIds.length).toBe(WRONG_VALUES.length - 1);
    expect(m.nonMapRunIds.length).toBeGreaterThan(10);
    expect(m.badRunIds.length).toBeGreaterThan(3);
  });

  it('[DOC-L5] roots a peer used as the other kind (map entries in params, list items in the maps) read as empty', () => {
    const { c, m } = hostileWorkspace();
    for (const id of m.containerVictims) {
      const d = c.runDocs.get(id)!;
      // The peer's content did arrive: Yjs keeps it beside what the readers look at.
      expect(doc.runParams(d)._map.size).toBe(2);
      for (const root of [doc.runTags, doc.runMetrics, doc.runArtifacts, doc.runInputs, doc.runInputTags]) expect(root(d)._start?.countable).toBe(true);
      const run = doc.getRun(c, id)!;
      expect(run.info.status).toBe('FINISHED');
      expect({ params: run.params, tags: run.tags, metrics: run.metrics, artifacts: run.artifacts, inputs: run.inputs, conflicts: run.conflicts }).toEqual({
        params: {},
        tags: {},
        metrics: {},
        artifacts: [],
        inputs: [],
        conflicts: [],
      });
    }
  });

  it('[DOC-L7] writes into a run doc whose roots a peer used as the other kind work; what the peer put there stays unread', () => {
    const { c, m } = hostileWorkspace();
    const runId = m.containerVictims[0]!;
    const ref = ArtifactRefSchema.parse(goodRef('b.txt'));
    expect(codeOf(() => doc.logBatch(c, { runId, params: [{ key: 'lr', value: '2' }], tags: [{ key: 'k', value: 'v' }] }))).toBe('NO_ERROR');
    expect(codeOf(() => doc.logArtifactRef(c, { runId, ref }))).toBe('NO_ERROR');
    expect(codeOf(() => doc.logInputs(c, { runId, datasets: [{ dataset: goodDataset('train', 'd1'), tags: { 'mlflow.data.context': 'eval' } }] }))).toBe('NO_ERROR');
    expect(codeOf(() => doc.appendMetrics(c, c.metricsDoc(runId), runId, [{ key: 'm', value: 1, step: 0, timestamp: T0 }]))).toBe('NO_ERROR');
    expect(codeOf(() => doc.deleteTag(c, { runId, key: 'k' }))).toBe('NO_ERROR');
    const run = doc.getRun(c, runId)!;
    // The peer's map entry {key: 'lr', value: '1'} in `params` neither wins nor conflicts.
    expect(run.params).toEqual({ lr: '2' });
    expect(run.conflicts).toEqual([]);
    expect(run.tags).toEqual({});
    expect(run.artifacts).toEqual([ref]);
    expect(run.metrics.m).toMatchObject({ latest: 1, count: 1 });
    expect(run.inputs).toEqual([{ dataset: goodDataset('train', 'd1'), tags: { 'mlflow.data.context': 'eval' } }]);
    expect(doc.metricHistory(c.metricsDoc(runId), 'm')).toEqual([{ step: 0, timestamp: T0, value: 1 }]);
  });

  it('[DOC-L7] a param entry with a wrong key or value is skipped; a wrong actor or time falls back to "" / 0', () => {
    const { c, m, runs } = hostileWorkspace();
    const run = doc.getRun(c, m.nestedRunId)!;
    expect(run.params).toEqual({ ok: '1', p: '1' });
    const byActor = run.conflicts.filter((x) => x.rejectedValue.startsWith('actor-'));
    const byTime = run.conflicts.filter((x) => x.rejectedValue.startsWith('at-'));
    expect(byActor).toHaveLength(m.nestedConflicts.actor);
    expect(byTime).toHaveLength(m.nestedConflicts.at);
    expect(run.conflicts).toHaveLength(m.nestedConflicts.actor + m.nestedConflicts.at);
    for (const x of byActor) expect(x).toMatchObject({ runId: m.nestedRunId, key: 'p', keptValue: '1', rejectedBy: '', at: 1 });
    for (const x of byTime) expect(x).toMatchObject({ runId: m.nestedRunId, key: 'p', keptValue: '1', rejectedBy: 'peer', at: 0 });
    expect(doc.listConflicts(runs())).toHaveLength(run.conflicts.length);
  });

  it('[DOC-L7] a tag of the wrong type or under a key no writer could write is skipped', () => {
    const { c, m, experimentId } = hostileWorkspace();
    const run = doc.getRun(c, m.nestedRunId)!;
    expect(Object.keys(run.tags)).toEqual(['ok']);
    expect(run.tags.ok).toBe('1');
    const exp = doc.getExperiment(c.ws, experimentId)!;
    expect(Object.keys(exp.tags).sort()).toEqual(['ok', 'team']);
  });

  it('[DOC-L7] a metric share with any field of the wrong type is skipped, and a key with only bad shares is not listed', () => {
    const { c, m } = hostileWorkspace();
    const run = doc.getRun(c, m.nestedRunId)!;
    expect(Object.keys(run.metrics)).toEqual(['m']);
    expect(run.metrics.m).toEqual({ key: 'm', ...goodShare() });
  });

  it('[DOC-L7] an artifact reference with any field of the wrong type, or filed under another path, is skipped', () => {
    const { c, m } = hostileWorkspace();
    expect(doc.getRun(c, m.nestedRunId)!.artifacts).toEqual([goodRef('model.txt')]);
  });

  it('[DOC-L7] a dataset with any field wrong or filed under another key is skipped with its tags; a bad input tag is skipped', () => {
    const { c, m } = hostileWorkspace();
    expect(doc.runInputs(c.runDoc(m.nestedRunId)).size).toBeGreaterThan(50);
    expect(doc.getRun(c, m.nestedRunId)!.inputs).toEqual([{ dataset: goodDataset('train', 'd1'), tags: { 'mlflow.data.context': 'training' } }]);
  });

  it('[DOC-L8] an experiment field of the wrong type reads as its default; an experiment under a bad id is skipped', () => {
    const { c, m } = hostileWorkspace();
    const all = new Map(doc.listExperiments(c.ws, 'ALL').map((e) => [e.experimentId as string, e]));
    const defaults = (id: string) => ({ name: '', artifactLocation: `mlflow-artifacts:/${id}`, lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0 });
    for (const v of m.experimentVictims) {
      const e = doc.getExperiment(c.ws, v.experimentId);
      expect(e, v.label).toBeDefined();
      expect(all.get(v.experimentId), v.label).toEqual(e);
      const good = { name: v.goodName, artifactLocation: `s3://bucket/${v.experimentId}`, lifecycleStage: 'active' };
      const fallback = defaults(v.experimentId);
      const got = e as unknown as Record<string, unknown>;
      for (const f of ['name', 'artifactLocation', 'lifecycle', 'creationTime', 'lastUpdateTime']) {
        const outKey = f === 'lifecycle' ? 'lifecycleStage' : f;
        if (v.corrupted.has(f)) expect(got[outKey], `${v.label}: ${f}`).toEqual(fallback[outKey as keyof typeof fallback]);
        else if (outKey in good) expect(got[outKey], `${v.label}: ${f}`).toEqual(good[outKey as keyof typeof good]);
      }
      // Experiments without a name do not "share" the empty name (DOC-E3 is about names).
      expect(e!.nameConflict, v.label).toBeUndefined();
    }
    for (const id of m.badExperimentIds) {
      expect(doc.getExperiment(c.ws, id)).toBeUndefined();
      expect(all.has(id)).toBe(false);
    }
  });

  it('[DOC-L5] metric chunks that are no chunk are skipped; the good points are read', () => {
    const { c, m } = hostileWorkspace();
    const metricsDoc = c.metricsDoc(m.nestedRunId);
    doc.appendMetrics(c, metricsDoc, m.nestedRunId, [{ key: 'm', value: 2, step: 0, timestamp: T0 }]);
    writeHostileMetricsDoc(metricsDoc);
    expect(doc.metricHistory(metricsDoc, 'm')).toEqual([{ step: 0, timestamp: T0, value: 2 }]);
    expect([...doc.readSeries(metricsDoc).keys()]).toEqual(['m']);
    // A later flush appends next to the junk (the metrics doc's meta still names this run).
    doc.appendMetrics(c, metricsDoc, m.nestedRunId, [{ key: 'm', value: 3, step: 1, timestamp: T0 }]);
    expect(doc.metricHistory(metricsDoc, 'm').map((p) => p.value)).toEqual([2, 3]);
  });

  it('[DOC-L6] commands treat a run the readers skip as missing, and replace a junk share of their own writer', () => {
    const { c, m } = hostileWorkspace();
    for (const id of [...m.nonMapRunIds, ...m.orphanRunIds]) expect(codeOf(() => doc.setTag(c, { runId: id, key: 'k', value: 'v' }))).toBe('RESOURCE_DOES_NOT_EXIST');
    for (const id of m.badRunIds) expect(codeOf(() => doc.setTag(c, { runId: id, key: 'k', value: 'v' }))).toBe('INVALID_PARAMETER_VALUE');
    const victim = m.infoVictims[0]!.runId;
    doc.runMetrics(c.runDoc(victim)).set(`m\u0001${c.actor}`, { latest: 'junk', count: 'x' });
    doc.appendMetrics(c, c.metricsDoc(victim), victim, [{ key: 'm', value: 3, step: 0, timestamp: T0 }]);
    expect(doc.getRun(c, victim)!.metrics.m).toMatchObject({ latest: 3, count: 1 });
  });

  it('[DOC-L5] each stored record reads exactly as its zod form does, for every field and every hostile value', () => {
    const records: [string, { parse(v: unknown): unknown; schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }; fields: readonly string[] }, Record<string, unknown>][] = [
      ['run', doc.StoredRun, { experimentId: '123', name: 'n', userId: 'u', status: 'FINISHED', startTime: 5, endTime: 6, lifecycle: 'deleted', deletedTime: 7 }],
      ['param entry', doc.ParamEntry, { key: 'k', value: 'v', actor: 'a', at: 1 }],
      ['summary share', doc.SummaryShare, goodShare()],
      ['artifact', doc.StoredArtifactRef, goodRef('a/b.txt')],
      ['dataset', doc.StoredDataset, { ...goodDataset('train', 'd1'), profile: '{"rows":3}' }],
      ['experiment', doc.StoredExperiment, { name: 'e', artifactLocation: 's3://x', lifecycle: 'deleted', creationTime: 1, lastUpdateTime: 2 }],
    ];
    // Limits and number edges on top of the wrong types: the fast checks are derived from the schemas, not copied.
    const edges: unknown[] = [2 ** 53, Number.MAX_SAFE_INTEGER, -0, 1e308, -1e-300, 'x'.repeat(36), 'x'.repeat(37), 'x'.repeat(250), 'x'.repeat(251), 'x'.repeat(256), 'x'.repeat(257), 'x'.repeat(500), 'x'.repeat(501), 'x'.repeat(6001), 'x'.repeat(65_536), ' padded ', 'runs:/abc', 'FINISHED', 'deleted', '..', 'a/../b', GOOD_SHA];
    for (const [name, rec, good] of records) {
      const zodRead = (v: unknown) => {
        const r = rec.schema.safeParse(v);
        return r.success ? r.data : undefined;
      };
      expect(rec.parse(good), name).toEqual(zodRead(good));
      expect(rec.parse(good), name).toBeDefined();
      for (const f of rec.fields) {
        for (const value of [...WRONG_VALUES.map((w) => w.make()), ...edges]) {
          const input = { ...good, [f]: value };
          expect(rec.parse(input), `${name}.${f} = ${String(value).slice(0, 20)}`).toEqual(zodRead(input));
        }
      }
      for (const w of WRONG_VALUES) expect(rec.parse(w.make()), `${name} as ${w.label}`).toEqual(zodRead(w.make()) ?? undefined);
    }
  });

  it('[DOC-L5] the formatters show a blank for a value that is no number instead of throwing', () => {
    for (const w of WRONG_VALUES) {
      const v = w.make() as never;
      expect(() => [formatMetric(v), formatTime(v), formatDuration(v), formatCount(v), formatBytes(v)], w.label).not.toThrow();
      if (typeof v !== 'number') expect(formatMetric(v), w.label).toBe('');
    }
  });
});

// ---- the data worker's service: what crosses to the page is structured-cloned ------------------------------------

let dbCounter = 0;
const noConfig: FetchLike = async () => new Response('nope', { status: 404 });
const services: { dispose(): Promise<void> }[] = [];
/** Run after the services: relays and peers. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/*
 * Format 2 on the worker: run docs and metrics docs in the local store under their own names, hostile peers on the
 * rooms `<ws>/run/<id>`; the runs tables come from the relay's index with the worker's local rows over it.
 */
describe('hostile content through the data worker', () => {
  it('[DOC-L5] every query of the worker answers with plain data the page can receive; good runs are listed', async () => {
    const { c, m, experimentId, goodRunId } = hostileWorkspace();
    const metricsDoc = c.metricsDoc(m.nestedRunId);
    doc.appendMetrics(c, metricsDoc, m.nestedRunId, [{ key: 'm', value: 2, step: 0, timestamp: T0 }]);
    writeHostileMetricsDoc(metricsDoc);
    // Through the encoder, as the relay or IndexedDB would hand it over.
    const dbName = `cairn-hostile-test-${process.pid}-${++dbCounter}`;
    const store = await LocalStore.open({ name: dbName, mergeUpdates: Y.mergeUpdates });
    await store.appendUpdate(workspaceDocName('default'), Y.encodeStateAsUpdate(c.ws));
    for (const [id, d] of c.runDocs) if (doc.isRunId(id)) await store.appendUpdate(runDocName('default', id), Y.encodeStateAsUpdate(d));
    for (const [id, d] of c.metricsDocs) await store.appendUpdate(metricsDocName('default', id), Y.encodeStateAsUpdate(d));
    store.close();
    const api = withWireErrors(createDataService({ fetch: noConfig, dbName }));
    services.push(api);
    await api.init('http://app.test');

    for (const view of ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const) expectCloneable(await api.listExperiments(view));
    for (const v of m.experimentVictims) expectCloneable(await api.getExperiment(v.experimentId));
    const page = await api.listRunsPage(experimentId, 1000);
    expectCloneable(page);
    expect(page.runs.map((r) => r.info.runId).sort()).toEqual(listedRunIds(m, goodRunId));
    expect(page.metricKeys).toEqual(['loss', 'm']);
    expectCloneable(await api.listRuns(experimentId, 'ALL'));
    const ids = [goodRunId, m.nestedRunId, ...m.infoVictims.map((v) => v.runId), ...m.orphanRunIds, ...m.nonMapRunIds, ...m.containerVictims];
    for (const id of ids) expectCloneable(await api.getRun(id));
    expect(await api.getRun(m.nonMapRunIds[0]!)).toBeNull();
    expectCloneable(await api.listConflicts());
    const series = await api.getRunMetrics(m.nestedRunId);
    expectCloneable(series, { typedArrays: true });
    expect(series.map((s) => s.key)).toEqual(['m']);
    await api.setRunTag(goodRunId, 'after', 'yes');
    expect((await api.getRun(goodRunId))!.tags.after).toBe('yes');
  });

  it('[DOC-L5] hostile content arriving live through the relay: the worker\'s change handling and replies hold up', async () => {
    const relay = await startTestRelay({ storage: 'memory' });
    cleanups.push(() => relay.dispose());
    // The app's config names the relay; everything else (the relay's index) goes to the relay.
    const config: FetchLike = async (url, init) =>
      String(url).endsWith('/cairn-config.json') ? Response.json({ relay: relay.url, workspace: 'default' }) : fetch(url, init);
    const api = withWireErrors(createDataService({ fetch: config, dbName: `cairn-hostile-live-${process.pid}-${++dbCounter}`, WebSocketPolyfill: WebSocket }));
    services.push(api);
    await api.init('http://app.test');
    await waitFor(async () => (await api.getStatus()).state === 'synced', 'the worker to sync with the relay');

    const wsPeer = await connectHostilePeer(relay.url, 'default');
    cleanups.push(() => wsPeer.close());
    const c = doc.memoryCtx(wsPeer.doc, 'peer-writer');
    const experimentId = doc.createExperiment(c, { name: 'live' });
    const good = doc.startRun(c, { experimentId, runName: 'good-run' });
    const goodPeer = await connectHostilePeer(relay.url, `default/run/${good.runId}`);
    cleanups.push(() => goodPeer.close());
    Y.applyUpdate(goodPeer.doc, Y.encodeStateAsUpdate(c.runDoc(good.runId)));
    // The runs table is open: the worker keeps the experiment's index caught up (SYNC-10..12).
    await api.subscribe(`runs:${experimentId}`, () => undefined);
    await waitFor(async () => (await api.listRunsPage(experimentId, 1000)).total === 1, 'the good run to arrive');
    await api.subscribe(`metrics:${good.runId}`, () => undefined);

    const m = writeHostileWorkspace(wsPeer.doc, experimentId);
    for (const id of m.runIds) {
      const p = await connectHostilePeer(relay.url, `default/run/${id}`);
      cleanups.push(() => p.close());
      writeHostileRun(p.doc, id, m);
    }
    const want = listedRunIds(m, good.runId);
    await waitFor(async () => (await api.listRunsPage(experimentId, 1000)).total === want.length, 'the hostile runs to arrive');
    const page = await api.listRunsPage(experimentId, 1000);
    expectCloneable(page);
    expect(page.runs.map((r) => r.info.runId).sort()).toEqual(want);

    // Changes to runs the worker already has: a held run's status turns into a Yjs type, a listed run loses its experiment.
    const victim = m.infoVictims[0]!.runId;
    goodPeer.doc.getMap('run').set('status', new Y.Map());
    const victimPeer = await connectHostilePeer(relay.url, `default/run/${victim}`);
    cleanups.push(() => victimPeer.close());
    victimPeer.doc.getMap('run').set('experimentId', new Y.Array());
    await waitFor(async () => (await api.getRun(victim)) === null, 'the junked run to drop out');
    expect((await api.getRun(good.runId))!.info.status).toBe('RUNNING');
    expectCloneable(await api.listRunsPage(experimentId, 1000));
    expectCloneable(await api.listExperiments('ALL'));
    expectCloneable(await api.listConflicts());
    expectCloneable(await api.getRunMetrics(good.runId), { typedArrays: true });
  });
});
