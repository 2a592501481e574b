import { z } from 'zod';
import * as doc from '../../../lib/doc/index';
import {
  DEFAULT_EXPERIMENT_ID,
  ExperimentIdSchema,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
  RunIdSchema,
  invalid,
  newRunId,
  notFound,
  type RunId,
} from '../../../lib/domain/index';
import { experimentJson, runInfoJson, runJson } from './entities';
import { searchExperiments } from './experiment-search';
import { bulkInterval, historyBulk, historyPage } from './metrics';
import { loggedModelRoutes } from './logged-model-routes';
import { registryRoutes } from './registry-routes';
import { route, type Call, type Route } from './route';
export type { Call, Route } from './route';
import { double, int64, keyValues, protoJson, repeated, tagsRecord } from './wire';

const str = z.string();
const expId = z.string();
const runIdField = z.string();
/** A proto enum: its name, or (proto-JSON allows both) its number. */
const protoEnum = <T extends string>(names: readonly [T, ...T[]]) =>
  z.preprocess((v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= names.length ? names[v - 1] : typeof v === 'string' && /^\d+$/.test(v) ? (names[Number(v) - 1] ?? v) : v), z.enum(names));
const VIEW = protoEnum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']);
const RUN_STATUS = protoEnum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

// ---- helpers -------------------------------------------------------------------------------------------------------

/** MLflow truncates over-long param and tag values (MLFLOW_TRUNCATE_LONG_VALUES, on by default): so do we (REST-8). */
const cut = (v: string, max: number) => (v.length > max ? v.slice(0, max) : v);

/**
 * Refuses writes to a run whose experiment is deleted, as MLflow does (its delete marks the runs deleted; Cairn's
 * leaves run docs alone and serves their runs as deleted, REST-20, so the door checks the experiment too).
 */
function requireWritable(c: doc.Ctx, runId: string): void {
  const rec = doc.readRunRecord(c.runDoc(runId));
  if (!rec) throw notFound(`Run with id=${runId} not found`);
  const exp = doc.readExperimentRecord(c.ws, rec.experimentId);
  if (rec.lifecycle !== 'active' || exp?.lifecycle === 'deleted') {
    throw invalid(`The run ${runId} must be in the 'active' state. Current state is deleted.`);
  }
}

/**
 * Of `ids`, the experiments the workspace holds (an index is never made for an id a client invents), and which of
 * them are deleted (their runs are served as deleted, REST-20).
 */
function experimentsHeld(call: Call, ids: readonly string[]): { known: string[]; deleted: Set<string> } {
  return call.docs.workspace(call.ws, (d) => {
    const known: string[] = [];
    const deleted = new Set<string>();
    for (const id of ids) {
      const rec = ExperimentIdSchema.safeParse(id).success ? doc.readExperimentRecord(d, id) : undefined;
      if (!rec) continue;
      known.push(id);
      if (rec.lifecycle === 'deleted') deleted.add(id);
    }
    return { known, deleted };
  });
}

function getExperimentOr404(call: Call, id: string) {
  return call.docs.workspace(call.ws, (d) => {
    const e = ExperimentIdSchema.safeParse(id).success ? doc.getExperiment(d, id) : undefined;
    if (!e) throw notFound(`No Experiment with id=${id} exists`);
    return e;
  });
}

const MetricIn = z.object({ key: str, value: double, timestamp: int64, step: int64.optional(), model_id: str.optional() });
type MetricIn = z.output<typeof MetricIn>;

/** Metrics of one request grouped by key, validated with lib/doc's point rules (DOC-M1) before anything is written. */
function columns(metrics: MetricIn[]): Map<string, doc.Column> {
  const keys = metrics.map((m) => m.key);
  const values = metrics.map((m) => m.value);
  const steps = metrics.map((m) => m.step ?? 0);
  const times = metrics.map((m) => m.timestamp);
  doc.validatePointColumns(keys, values, steps, times);
  const cols = new Map<string, { steps: number[]; timestamps: number[]; values: number[] }>();
  for (let i = 0; i < keys.length; i++) {
    let c = cols.get(keys[i]!);
    if (!c) cols.set(keys[i]!, (c = { steps: [], timestamps: [], values: [] }));
    c.steps.push(steps[i]!);
    c.timestamps.push(times[i]!);
    c.values.push(values[i]!);
  }
  return cols;
}

const pointId = (step: number, ts: number, v: number) => `${step}:${ts}:${v}`;

/**
 * MLflow's store keeps one copy of an exact duplicate point (key, value, timestamp, step): a client retrying a
 * request whose answer it lost logs nothing twice (REST-19). Points later than every stored step of their key (the
 * usual case) cannot be duplicates; only keys with an earlier or equal step read their stored series.
 */
function withoutDuplicates(cols: Map<string, doc.Column>, runDoc: Parameters<typeof doc.readMetricSummaries>[0], metricsDoc: Parameters<typeof doc.readSeries>[0]): Map<string, doc.Column> {
  const summaries = doc.readMetricSummaries(runDoc);
  const out = new Map<string, doc.Column>();
  for (const [key, col] of cols) {
    const n = col.values.length;
    let minStep = Infinity;
    for (let i = 0; i < n; i++) minStep = Math.min(minStep, col.steps[i]!);
    const seen = new Set<string>();
    const stored = Object.hasOwn(summaries, key) && summaries[key]!.count > 0 && minStep <= summaries[key]!.latestStep ? doc.readSeries(metricsDoc, key).get(key) : undefined;
    if (stored) for (let i = 0; i < stored.values.length; i++) seen.add(pointId(stored.steps[i]!, stored.timestamps[i]!, stored.values[i]!));
    const kept = { steps: [] as number[], timestamps: [] as number[], values: [] as number[] };
    for (let i = 0; i < n; i++) {
      const id = pointId(col.steps[i]!, col.timestamps[i]!, col.values[i]!);
      if (seen.has(id)) continue;
      seen.add(id);
      kept.steps.push(col.steps[i]!);
      kept.timestamps.push(col.timestamps[i]!);
      kept.values.push(col.values[i]!);
    }
    if (kept.values.length) out.set(key, kept);
  }
  return out;
}

/** log-batch's limits in MLflow's words (reference §1.3). */
function checkBatchLimits(m: number, p: number, t: number): void {
  const over = (n: number, max: number, what: string) =>
    n > max && invalid(`A batch logging request can contain at most ${max} ${what}. Got ${n} ${what}. Please split up ${what} across multiple requests and try again.`);
  const e = over(m, MAX_METRICS_PER_BATCH, 'metrics') || over(p, MAX_PARAMS_TAGS_PER_BATCH, 'params') || over(t, MAX_PARAMS_TAGS_PER_BATCH, 'tags');
  if (e) throw e;
  if (m + p + t > MAX_ENTITIES_PER_BATCH) {
    throw invalid(`A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} total entities (metrics + params + tags). Got ${m + p + t} entities.`);
  }
}

/** One batch of params, tags and metrics into a run: checked whole (DOC-P5, DOC-M1), then written and committed. */
function writeBatch(call: Call, runId: string, batch: { metrics?: MetricIn[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] }) {
  const params = (batch.params ?? []).map((p) => ({ key: p.key, value: cut(p.value, MAX_PARAM_VAL_LENGTH) }));
  const tags = (batch.tags ?? []).map((t) => ({ key: t.key, value: cut(t.value, MAX_TAG_VAL_LENGTH) }));
  const metrics = batch.metrics ?? [];
  checkBatchLimits(metrics.length, params.length, tags.length);
  for (const id of new Set(metrics.map((m) => m.model_id).filter((x): x is string => !!x))) {
    if (!call.models.find(call.ws, id)) throw notFound(`Logged model with ID '${id}' not found.`);
  }
  const cols = columns(metrics);
  call.docs.writeRun(
    call.ws,
    call.actor,
    runId,
    (c, md) => {
      requireWritable(c, runId);
      if (params.length || tags.length) doc.checkBatch(c, { runId, params, tags });
      if (md && cols.size > 0) {
        const fresh = withoutDuplicates(cols, c.runDoc(runId), md);
        if (fresh.size > 0) doc.appendMetricColumns(c, md, runId, fresh);
      }
      if (params.length || tags.length) doc.logBatch(c, { runId, params, tags });
    },
    metrics.length > 0,
  );
  linkModelMetrics(call, runId, metrics);
  return {};
}

/**
 * REST-29: metrics logged with a `model_id` (MLflow 3) are also kept with that logged model, in its source run's doc
 * (DOC-LM4), after the run's own commit; an unknown model id is 404 before anything is written (checked by the caller).
 */
function linkModelMetrics(call: Call, runId: string, metrics: MetricIn[]): void {
  const byModel = new Map<string, MetricIn[]>();
  for (const m of metrics) if (m.model_id) byModel.set(m.model_id, [...(byModel.get(m.model_id) ?? []), m]);
  for (const [modelId, ms] of byModel) {
    const model = call.models.find(call.ws, modelId)!;
    call.docs.writeRun(call.ws, call.actor, model.sourceRunId, (c) =>
      doc.logLoggedModelMetrics(c, { runId: model.sourceRunId, modelId, metrics: ms.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0, runId })) }),
    );
  }
}

// ---- experiments ---------------------------------------------------------------------------------------------------

const experiments: Route[] = [
  route({
    methods: ['POST'],
    path: 'experiments/create',
    role: 'write',
    schema: z.object({ name: str, artifact_location: str.optional(), tags: keyValues.optional() }),
    handle: (call, i) => ({
      experiment_id: call.docs.writeWorkspace(call.ws, call.actor, (c) =>
        doc.createExperiment(c, { name: i.name, ...(i.artifact_location ? { artifactLocation: i.artifact_location } : {}), tags: tagsRecord(i.tags) }),
      ),
    }),
  }),
  route({
    methods: ['GET', 'POST'],
    path: 'experiments/search',
    role: 'read',
    repeated: ['order_by'],
    schema: z.object({
      max_results: int64.optional(),
      page_token: str.optional(),
      filter: str.optional(),
      order_by: repeated(str).optional(),
      view_type: VIEW.optional(),
    }),
    handle: (call, i) => {
      const all = call.docs.workspace(call.ws, (d) => doc.listExperiments(d, i.view_type ?? 'ACTIVE_ONLY'));
      const page = searchExperiments(all, { filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token || undefined });
      const out: Record<string, unknown> = {};
      if (page.experiments.length) out.experiments = page.experiments.map(experimentJson);
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  }),
  route({
    methods: ['GET'],
    path: 'experiments/get',
    role: 'read',
    schema: z.object({ experiment_id: expId }),
    handle: (call, i) => ({ experiment: experimentJson(getExperimentOr404(call, i.experiment_id)) }),
  }),
  route({
    methods: ['GET'],
    path: 'experiments/get-by-name',
    role: 'read',
    schema: z.object({ experiment_name: str }),
    handle: (call, i) => {
      const e = call.docs.workspace(call.ws, (d) => doc.getExperimentByName(d, i.experiment_name));
      if (!e) throw notFound(`Could not find experiment with name '${i.experiment_name}'`);
      return { experiment: experimentJson(e) };
    },
  }),
  route({
    methods: ['POST'],
    path: 'experiments/delete',
    role: 'write',
    schema: z.object({ experiment_id: expId }),
    handle: (call, i) => (call.docs.writeWorkspace(call.ws, call.actor, (c) => doc.deleteExperiment(c, i.experiment_id)), {}),
  }),
  route({
    methods: ['POST'],
    path: 'experiments/restore',
    role: 'write',
    schema: z.object({ experiment_id: expId }),
    handle: (call, i) => (call.docs.writeWorkspace(call.ws, call.actor, (c) => doc.restoreExperiment(c, i.experiment_id)), {}),
  }),
  route({
    methods: ['POST'],
    path: 'experiments/update',
    role: 'write',
    schema: z.object({ experiment_id: expId, new_name: str }),
    handle: (call, i) => (call.docs.writeWorkspace(call.ws, call.actor, (c) => doc.renameExperiment(c, { experimentId: i.experiment_id, newName: i.new_name })), {}),
  }),
  route({
    methods: ['POST'],
    path: 'experiments/set-experiment-tag',
    role: 'write',
    schema: z.object({ experiment_id: expId, key: str, value: str.optional() }),
    handle: (call, i) => (
      call.docs.writeWorkspace(call.ws, call.actor, (c) => doc.setExperimentTag(c, { experimentId: i.experiment_id, key: i.key, value: i.value ?? '' })), {}
    ),
  }),
  route({
    methods: ['POST'],
    path: 'experiments/delete-experiment-tag',
    role: 'write',
    schema: z.object({ experiment_id: expId, key: str }),
    handle: (call, i) => (call.docs.writeWorkspace(call.ws, call.actor, (c) => doc.deleteExperimentTag(c, { experimentId: i.experiment_id, key: i.key })), {}),
  }),
];

// ---- runs ----------------------------------------------------------------------------------------------------------

const runs: Route[] = [
  route({
    methods: ['POST'],
    path: 'runs/create',
    role: 'write',
    schema: z.object({ experiment_id: expId.optional(), user_id: str.optional(), run_name: str.optional(), start_time: int64.optional(), tags: keyValues.optional() }),
    handle: (call, i) => {
      const runId = newRunId();
      const tags = tagsRecord(i.tags?.map((t) => ({ key: t.key, value: cut(t.value, MAX_TAG_VAL_LENGTH) })));
      const parent = Object.hasOwn(tags, 'mlflow.parentRunId') ? tags['mlflow.parentRunId'] : undefined;
      call.docs.writeRun(call.ws, call.actor, runId, (c) => {
        // The parent tag is kept as given; lib/doc's parentRunId check (DOC-R2) applies only when it names a run here.
        const parentHere = parent !== undefined && RunIdSchema.safeParse(parent).success && doc.readRunRecord(c.runDoc(parent)) !== undefined;
        doc.startRun(c, {
          runId,
          experimentId: i.experiment_id || DEFAULT_EXPERIMENT_ID,
          ...(i.run_name ? { runName: i.run_name } : {}),
          ...(i.start_time !== undefined ? { startTime: i.start_time } : {}),
          ...(i.user_id ? { userId: i.user_id } : {}),
          tags,
          ...(parentHere ? { parentRunId: parent } : {}),
        });
      });
      return { run: runJson(call.docs.requireRun(call.ws, runId), { outputs: false }) };
    },
  }),
  route({
    methods: ['POST'],
    path: 'runs/update',
    role: 'write',
    schema: z.object({ run_id: runIdField, status: RUN_STATUS.optional(), end_time: int64.optional(), run_name: str.optional() }),
    handle: (call, i) => {
      const info = call.docs.writeRun(call.ws, call.actor, i.run_id, (c) => {
        requireWritable(c, i.run_id);
        return doc.updateRun(c, {
          runId: i.run_id,
          ...(i.status ? { status: i.status } : {}),
          ...(i.end_time !== undefined ? { endTime: i.end_time } : {}),
          ...(i.run_name ? { runName: i.run_name } : {}),
        });
      });
      return { run_info: runInfoJson(info) };
    },
  }),
  route({
    methods: ['POST'],
    path: 'runs/delete',
    role: 'write',
    schema: z.object({ run_id: runIdField }),
    handle: (call, i) => (call.docs.writeRun(call.ws, call.actor, i.run_id, (c) => doc.deleteRun(c, i.run_id)), {}),
  }),
  route({
    methods: ['POST'],
    path: 'runs/restore',
    role: 'write',
    schema: z.object({ run_id: runIdField }),
    handle: (call, i) => (call.docs.writeRun(call.ws, call.actor, i.run_id, (c) => doc.restoreRun(c, i.run_id)), {}),
  }),
  route({
    methods: ['GET'],
    path: 'runs/get',
    role: 'read',
    schema: z.object({ run_id: runIdField }),
    handle: (call, i) => ({ run: runJson(call.docs.requireRun(call.ws, i.run_id)) }),
  }),
  route({
    methods: ['POST', 'GET'],
    path: 'runs/search',
    role: 'read',
    repeated: ['experiment_ids', 'order_by'],
    schema: z.object({
      experiment_ids: repeated(expId).optional(),
      filter: str.optional(),
      run_view_type: VIEW.optional(),
      max_results: int64.optional(),
      order_by: repeated(str).optional(),
      page_token: str.optional(),
    }),
    handle: (call, i) => {
      const { known, deleted } = experimentsHeld(call, i.experiment_ids ?? []);
      const found = call.runs.search(call.ws, {
        experimentIds: known,
        deletedExperimentIds: deleted,
        ...(i.filter ? { filter: i.filter } : {}),
        ...(i.order_by ? { orderBy: i.order_by } : {}),
        ...(i.max_results !== undefined ? { maxResults: i.max_results } : {}),
        ...(i.page_token ? { pageToken: i.page_token } : {}),
        ...(i.run_view_type ? { viewType: i.run_view_type } : {}),
      });
      const out: Record<string, unknown> = {};
      const list = found.runIds.map((id) => call.docs.readRun(call.ws, id, deleted)).filter((r) => r !== undefined);
      if (list.length) out.runs = list.map((r) => runJson(r));
      if (found.nextPageToken) out.next_page_token = found.nextPageToken;
      return out;
    },
  }),
  route({
    methods: ['POST'],
    path: 'runs/log-metric',
    role: 'write',
    schema: z.object({ run_id: runIdField, key: str, value: double, timestamp: int64, step: int64.optional(), model_id: str.optional() }),
    handle: (call, i) => writeBatch(call, i.run_id, { metrics: [i] }),
  }),
  route({
    methods: ['POST'],
    path: 'runs/log-parameter',
    role: 'write',
    schema: z.object({ run_id: runIdField, key: str, value: str.optional() }),
    handle: (call, i) => writeBatch(call, i.run_id, { params: [{ key: i.key, value: i.value ?? '' }] }),
  }),
  route({
    methods: ['POST'],
    path: 'runs/set-tag',
    role: 'write',
    schema: z.object({ run_id: runIdField, key: str, value: str.optional() }),
    handle: (call, i) => writeBatch(call, i.run_id, { tags: [{ key: i.key, value: i.value ?? '' }] }),
  }),
  route({
    methods: ['POST'],
    path: 'runs/delete-tag',
    role: 'write',
    schema: z.object({ run_id: runIdField, key: str }),
    handle: (call, i) =>
      (call.docs.writeRun(call.ws, call.actor, i.run_id, (c) => {
        requireWritable(c, i.run_id);
        doc.deleteTag(c, { runId: i.run_id, key: i.key });
      }),
      {}),
  }),
  route({
    methods: ['POST'],
    path: 'runs/log-batch',
    role: 'write',
    schema: z.object({ run_id: runIdField, metrics: z.array(MetricIn).optional(), params: keyValues.optional(), tags: keyValues.optional() }),
    handle: (call, i) => writeBatch(call, i.run_id, i),
  }),
  route({
    methods: ['POST'],
    path: 'runs/log-inputs',
    role: 'write',
    schema: z.object({
      run_id: runIdField,
      datasets: z
        .array(
          z.object({
            tags: keyValues.optional(),
            dataset: z.object({ name: str, digest: str, source_type: str, source: str, schema: str.optional(), profile: str.optional() }),
          }),
        )
        .optional(),
      models: z.array(z.object({ model_id: str })).optional(),
    }),
    handle: (call, i) => {
      const datasets = (i.datasets ?? []).map((d) => ({
        dataset: {
          name: d.dataset.name,
          digest: d.dataset.digest,
          sourceType: d.dataset.source_type,
          source: d.dataset.source,
          ...(d.dataset.schema !== undefined ? { schema: d.dataset.schema } : {}),
          ...(d.dataset.profile !== undefined ? { profile: d.dataset.profile } : {}),
        },
        tags: tagsRecord(d.tags),
      }));
      call.docs.writeRun(call.ws, call.actor, i.run_id, (c) => {
        requireWritable(c, i.run_id);
        doc.logInputs(c, { runId: i.run_id, datasets });
      });
      return {};
    },
  }),
  route({
    methods: ['POST'],
    path: 'runs/log-model',
    role: 'write',
    schema: z.object({ run_id: runIdField, model_json: str }),
    handle: (call, i) => {
      let model: unknown;
      try {
        model = JSON.parse(i.model_json);
      } catch {
        throw invalid(`Invalid model JSON: ${i.model_json.slice(0, 200)}`);
      }
      if (!model || typeof model !== 'object' || Array.isArray(model)) throw invalid('Invalid model JSON: it must be a JSON object');
      const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((k) => !Object.hasOwn(model as object, k));
      if (missing.length) throw invalid(`Model json is missing mandatory fields: {${missing.map((k) => `'${k}'`).join(', ')}}`);
      call.docs.writeRun(call.ws, call.actor, i.run_id, (c) => {
        requireWritable(c, i.run_id);
        doc.appendModelHistory(c, { runId: i.run_id, model: model as Record<string, unknown> });
      });
      return {};
    },
  }),
  route({
    methods: ['POST'],
    path: 'experiments/search-datasets',
    role: 'read',
    schema: z.object({ experiment_ids: repeated(expId) }),
    handle: (call, i) => {
      if (i.experiment_ids.length < 1 || i.experiment_ids.length > 20) throw invalid('SearchDatasets request must specify between 1 and 20 experiment_ids.');
      const { known, deleted } = experimentsHeld(call, i.experiment_ids);
      const found = call.runs.datasets(call.ws, known, deleted);
      return found.length ? { dataset_summaries: found } : {};
    },
  }),
  // ---- metrics
  route({
    methods: ['GET'],
    path: 'metrics/get-history',
    role: 'read',
    schema: z.object({ run_id: runIdField, metric_key: str, max_results: int64.optional(), page_token: str.optional() }),
    handle: (call, i) => {
      const run = call.docs.requireRun(call.ws, i.run_id);
      return call.docs.metrics(call.ws, run.info.runId as RunId, (d) => historyPage(d, i.metric_key, i.max_results, i.page_token));
    },
  }),
  route({
    methods: ['GET'],
    path: 'metrics/get-history-bulk',
    role: 'read',
    repeated: ['run_id'],
    schema: z.object({ run_id: repeated(runIdField), metric_key: str, max_results: int64.optional() }),
    handle: (call, i) => historyBulk(call, i),
  }),
  route({
    methods: ['GET'],
    path: 'metrics/get-history-bulk-interval',
    role: 'read',
    repeated: ['run_ids'],
    schema: z.object({ run_ids: repeated(runIdField), metric_key: str, start_step: int64.optional(), end_step: int64.optional(), max_results: int64.optional() }),
    handle: (call, i) => bulkInterval(call, i),
  }),
];

/** The route table (tracking and registry): `<path>` → its route. */
export const ROUTES: ReadonlyMap<string, Route> = new Map([...experiments, ...runs, ...registryRoutes, ...loggedModelRoutes].map((r) => [r.path, r]));
const PATTERN_ROUTES = [...ROUTES.values()].filter((r) => r.pattern);

/** The route of a path under `/api/2.0/mlflow/` and the fields its path carries (`logged-models/<model_id>`). */
export function findRoute(path: string): { route: Route; params: Record<string, string> } | undefined {
  const exact = ROUTES.get(path);
  if (exact && !exact.pattern) return { route: exact, params: {} };
  for (const r of PATTERN_ROUTES) {
    const m = r.pattern!.re.exec(path);
    if (m) return { route: r, params: Object.fromEntries(r.pattern!.params.map((p, i) => [p, decodeURIComponent(m[i + 1]!)])) };
  }
  return undefined;
}

/** The response text of a handler's result (strings are already proto-JSON). */
export function responseText(result: unknown): string {
  return typeof result === 'string' ? result : protoJson(result);
}
