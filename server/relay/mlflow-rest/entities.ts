import type { Experiment, LoggedModel, Run, RunInfo } from '../../../lib/domain/index';
import { loggedModelArtifactUri } from './logged-models';

/**
 * Cairn's read views → MLflow's proto-JSON entities (service.proto): snake_case, enum names, int64 as numbers, empty
 * fields left out (SPEC REST-3). Non-finite doubles stay numbers here; `protoJson` writes them as strings.
 */

/** A proto-JSON object being built. */
export type Json = Record<string, unknown>;

/** A record → proto's `[{key, value}]`. */
export const kv = (r: Record<string, string>) => Object.entries(r).map(([key, value]) => ({ key, value }));

/** Sets `k` only when `v` is not empty (proto3 JSON leaves out empty strings, lists and unset fields). */
export function put(o: Json, k: string, v: unknown): void {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return;
  o[k] = v;
}

export function experimentJson(e: Experiment): Json {
  const o: Json = { experiment_id: e.experimentId };
  put(o, 'name', e.name);
  put(o, 'artifact_location', e.artifactLocation);
  put(o, 'lifecycle_stage', e.lifecycleStage);
  o.last_update_time = e.lastUpdateTime;
  o.creation_time = e.creationTime;
  put(o, 'tags', kv(e.tags));
  return o;
}

export function runInfoJson(i: RunInfo): Json {
  const o: Json = { run_uuid: i.runId, experiment_id: i.experimentId };
  put(o, 'run_name', i.runName);
  put(o, 'user_id', i.userId);
  o.status = i.status;
  o.start_time = i.startTime;
  if (i.endTime !== null) o.end_time = i.endTime;
  put(o, 'artifact_uri', i.artifactUri);
  o.lifecycle_stage = i.lifecycleStage;
  o.run_id = i.runId;
  return o;
}

/** `run.data.metrics`: the latest point of each key (DOC-M3: max of step, timestamp, value). */
function latestMetrics(run: Run): Json[] {
  return Object.values(run.metrics)
    .filter((m) => m.count > 0)
    .map((m) => ({ key: m.key, value: m.latest, timestamp: m.latestTimestamp, step: m.latestStep }));
}

function inputsJson(run: Run): Json {
  const o: Json = {};
  put(
    o,
    'dataset_inputs',
    run.inputs.map((i) => {
      const d = i.dataset;
      const dataset: Json = { name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source };
      put(dataset, 'schema', d.schema);
      put(dataset, 'profile', d.profile);
      const input: Json = {};
      put(input, 'tags', kv(i.tags));
      input.dataset = dataset;
      return input;
    }),
  );
  return o;
}

/** A whole run as runs/get and runs/search answer it; runs/create leaves `outputs` out, as MLflow does. */
export function runJson(run: Run, opts: { outputs?: boolean } = {}): Json {
  const data: Json = {};
  put(data, 'metrics', latestMetrics(run));
  put(data, 'params', kv(run.params));
  put(data, 'tags', kv(run.tags));
  const o: Json = { info: runInfoJson(run.info), data, inputs: inputsJson(run) };
  if (opts.outputs !== false) o.outputs = run.modelOutputs?.length ? { model_outputs: run.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step })) } : {};
  return o;
}

/** An MLflow 3 LoggedModel (REST-26) as MLflow 3.6 writes it: `model_type` always present, params in `data`. */
export function loggedModelJson(m: LoggedModel): Json {
  const info: Json = {
    model_id: m.modelId,
    experiment_id: m.experimentId,
    name: m.name,
    creation_timestamp_ms: m.creationTime,
    last_updated_timestamp_ms: m.lastUpdatedTime,
    artifact_uri: loggedModelArtifactUri(m),
    status: m.status,
    model_type: m.modelType,
    source_run_id: m.sourceRunId,
  };
  put(info, 'tags', kv(m.tags));
  const data: Json = {};
  put(data, 'params', kv(m.params));
  put(data, 'metrics', m.metrics.map((x) => ({ key: x.key, value: x.value, timestamp: x.timestamp, step: x.step, model_id: m.modelId, run_id: x.runId })));
  return { info, data };
}
