import { createHash } from 'node:crypto';
import { parse, stringify } from 'yaml';
import type { RunStatus } from '../../lib/domain/index';

/**
 * MLflow's file store on disk, as `mlflow/store/tracking/file_store.py` (FileStore) reads and writes it: the names,
 * enums and formats both the reader (file-store-source.ts) and the writer (file-store-writer.ts) follow.
 *
 *   <root>/<exp_id>/meta.yaml            experiment: artifact_location, creation_time, experiment_id, last_update_time,
 *                                        lifecycle_stage, name
 *   <root>/<exp_id>/tags/<key>           experiment tag value (a key with '/' is a sub-folder)
 *   <root>/<exp_id>/datasets/<id>/meta.yaml   dataset: name, digest, source_type, source, schema, profile
 *   <root>/<exp_id>/<run_id>/meta.yaml   run info (status as an int, see STATUS_CODES)
 *   <root>/<exp_id>/<run_id>/{params,tags}/<key>   value, no trailing newline
 *   <root>/<exp_id>/<run_id>/metrics/<key>         one "timestamp value step" line per point, in log order
 *   <root>/<exp_id>/<run_id>/inputs/<id>/meta.yaml dataset input: source_id (dataset id), tags
 *   <root>/<exp_id>/<run_id>/artifacts/...         the run's files (where artifact_uri points by default)
 *   <root>/.trash/<exp_id>/...           a deleted experiment, moved whole
 *   <root>/models/...                    the registry's file store (not tracking data)
 */
export const META = 'meta.yaml';
export const TRASH = '.trash';
export const REGISTRY_FOLDER = 'models';
export const PARAMS = 'params';
export const TAGS = 'tags';
export const METRICS = 'metrics';
export const ARTIFACTS = 'artifacts';
export const INPUTS = 'inputs';
export const DATASETS = 'datasets';
/** Folders of an experiment that are not runs (FileStore.RESERVED_EXPERIMENT_FOLDERS, plus MLflow 3's logged models). */
export const RESERVED_EXPERIMENT_FOLDERS: ReadonlySet<string> = new Set([TAGS, DATASETS, 'traces', 'models']);

/** RunStatus as the meta.yaml int (MLflow's proto enum). */
export const STATUS_CODES: Readonly<Record<RunStatus, number>> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };
const STATUS_BY_CODE = new Map(Object.entries(STATUS_CODES).map(([k, v]) => [v, k as RunStatus]));
/** meta.yaml's status (an int; a missing one is RUNNING, as FileStore reads it); undefined when unknown. */
export function statusFromCode(v: unknown): RunStatus | undefined {
  if (v === undefined || v === null) return 'RUNNING';
  return typeof v === 'number' ? STATUS_BY_CODE.get(v) : undefined;
}
/** SourceType.LOCAL, what FileStore writes into every run's meta.yaml. */
export const SOURCE_TYPE_LOCAL = 4;

/**
 * meta.yaml as data. PyYAML (MLflow's) writes YAML 1.1 and quotes every string a 1.1 reader would take for something
 * else, so YAML 1.2's core schema reads its output the same (and does not turn a plain `y` or `n` into a boolean, as
 * the yaml package's 1.1 schema would where PyYAML does not).
 */
export function parseYaml(text: string): unknown {
  return parse(text);
}

/**
 * meta.yaml as MLflow's `write_yaml` writes it (PyYAML safe_dump, block style, keys sorted, single-quoted strings where
 * a plain scalar would read as something else: `experiment_id: '0'`, `source_name: ''`).
 */
export function yamlText(data: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
  return stringify(sorted, { version: '1.1', singleQuote: true, lineWidth: 0, nullStr: 'null', flowCollectionPadding: false });
}

/** FileStore._get_dataset_id: md5 of name then digest, hex. */
export const datasetId = (name: string, digest: string): string => createHash('md5').update(name, 'utf8').update(digest, 'utf8').digest('hex');
/** FileStore._get_input_id: md5 of the dataset id then the run id, hex. */
export const inputId = (dataset: string, runId: string): string => createHash('md5').update(dataset, 'utf8').update(runId, 'utf8').digest('hex');
