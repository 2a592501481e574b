import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalid, type Dataset, type Experiment, type Run } from '../../lib/domain/index';
import type { HistoryPoint } from '../../lib/doc/index';
import {
  ARTIFACTS,
  DATASETS,
  INPUTS,
  META,
  METRICS,
  PARAMS,
  SOURCE_TYPE_LOCAL,
  STATUS_CODES,
  TAGS,
  TRASH,
  datasetId,
  inputId,
  yamlText,
} from './layout';
import { formatPythonFloat } from '../../lib/domain/python-float';

/**
 * Writes MLflow's file store layout (layout.ts) the way FileStore writes it (MIO-10): meta.yaml fields, types and
 * order; one file per param and tag with the bare value; metric lines "timestamp value step" with Python's float text;
 * a deleted experiment under `.trash/`; `artifact_location` / `artifact_uri` as `file://` URIs into this folder.
 */
export class FileStoreWriter {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(join(this.root, TRASH), { recursive: true });
  }

  /** Where FileStore keeps the experiment: `<root>/<id>`, or `<root>/.trash/<id>` once deleted. */
  experimentDir(e: Experiment): string {
    return e.lifecycleStage === 'deleted' ? join(this.root, TRASH, e.experimentId) : join(this.root, e.experimentId);
  }

  /** `file://<root>/<id>` even for a deleted experiment: FileStore keeps it (a restore moves the folder back). */
  artifactLocation(e: Experiment): string {
    return pathToFileURL(join(this.root, e.experimentId)).href;
  }

  writeExperiment(e: Experiment): void {
    const dir = this.experimentDir(e);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, META),
      yamlText({
        artifact_location: this.artifactLocation(e),
        creation_time: e.creationTime,
        experiment_id: e.experimentId,
        last_update_time: e.lastUpdateTime,
        lifecycle_stage: e.lifecycleStage,
        name: e.name,
      }),
    );
    for (const [k, v] of Object.entries(e.tags)) writeValue(join(dir, TAGS), k, v);
  }

  /** The run's folder with meta.yaml, params, tags, inputs and metrics; returns its `artifacts/` folder. */
  writeRun(e: Experiment, run: Run, histories: ReadonlyMap<string, readonly HistoryPoint[]>): string {
    const expDir = this.experimentDir(e);
    const dir = inside(expDir, run.info.runId);
    for (const sub of [METRICS, PARAMS, TAGS, ARTIFACTS]) mkdirSync(join(dir, sub), { recursive: true });
    const i = run.info;
    writeFileSync(
      join(dir, META),
      yamlText({
        artifact_uri: `${this.artifactLocation(e)}/${i.runId}/${ARTIFACTS}`,
        deleted_time: i.lifecycleStage === 'deleted' ? i.deletedTime : null,
        end_time: i.endTime,
        entry_point_name: '',
        experiment_id: i.experimentId,
        lifecycle_stage: i.lifecycleStage,
        run_id: i.runId,
        run_name: i.runName,
        run_uuid: i.runId,
        source_name: '',
        source_type: SOURCE_TYPE_LOCAL,
        source_version: '',
        start_time: i.startTime,
        status: STATUS_CODES[i.status],
        tags: [],
        user_id: i.userId,
      }),
    );
    for (const [k, v] of Object.entries(run.params)) writeValue(join(dir, PARAMS), k, v);
    for (const [k, v] of Object.entries(run.tags)) writeValue(join(dir, TAGS), k, v);
    for (const [k, points] of histories) writeValue(join(dir, METRICS), k, metricLines(points));
    for (const input of run.inputs) this.writeInput(expDir, dir, i.runId, input.dataset, input.tags);
    return join(dir, ARTIFACTS);
  }

  /** A run's file at `path` below its artifacts folder. */
  artifactFile(artifactsDir: string, path: string): string {
    const file = inside(artifactsDir, path);
    mkdirSync(resolve(file, '..'), { recursive: true });
    return file;
  }

  private writeInput(expDir: string, runDir: string, runId: string, d: Dataset, tags: Record<string, string>): void {
    const ds = datasetId(d.name, d.digest);
    const dsDir = join(expDir, DATASETS, ds);
    mkdirSync(dsDir, { recursive: true });
    writeFileSync(
      join(dsDir, META),
      yamlText({ digest: d.digest, name: d.name, profile: d.profile ?? null, schema: d.schema ?? null, source: d.source, source_type: d.sourceType }),
    );
    const inDir = join(runDir, INPUTS, inputId(ds, runId));
    mkdirSync(inDir, { recursive: true });
    // destination_id: FileStore writes the dataset id there too (its bug, kept so its reader sees what it expects).
    writeFileSync(join(inDir, META), yamlText({ destination_id: ds, destination_type: 'RUN', source_id: ds, source_type: 'DATASET', tags }));
  }
}

/** FileStore's metric file: one "timestamp value step" line per point. */
export function metricLines(points: readonly HistoryPoint[]): string {
  let out = '';
  for (const p of points) out += `${p.timestamp} ${formatPythonFloat(p.value)} ${p.step}\n`;
  return out;
}

/** A key or path joined below `dir`; one that would leave it (a peer's garbage) is refused. */
function inside(dir: string, path: string): string {
  const full = resolve(dir, ...path.split('/'));
  const rel = relative(dir, full);
  if (rel === '' || rel.startsWith('..') || resolve(dir, rel) !== full) throw invalid(`'${path}' would leave ${dir}`);
  return full;
}

function writeValue(dir: string, key: string, value: string): void {
  const file = inside(dir, key);
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, value);
}
