/**
 * Builds MLflow file stores for the tests, byte for byte in the shape MLflow's FileStore writes (mlflow/store/tracking/
 * file_store.py; meta.yaml as PyYAML's safe_dump writes it, keys sorted, quoted where YAML would read otherwise).
 * Written by hand here, independent of server/mlflow-io's own writer, so the two can check each other.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface FixtureRun {
  id: string;
  name: string;
  /** meta.yaml's int: RUNNING=1 SCHEDULED=2 FINISHED=3 FAILED=4 KILLED=5 */
  status: number;
  start: number;
  end: number | null;
  deleted?: boolean;
  user?: string;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  /** key → [timestamp, value text as Python writes it, step] lines, or the raw file text. */
  metrics?: Record<string, [number, string, number][] | string>;
  artifacts?: Record<string, string | Uint8Array>;
  inputs?: { name: string; digest: string; source: string; sourceType: string; schema?: string; context?: string }[];
}

export interface FixtureExperiment {
  id: string;
  name: string;
  deleted?: boolean;
  tags?: Record<string, string>;
  runs: FixtureRun[];
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

function write(file: string, text: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const md5 = (...parts: string[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p, 'utf8');
  return h.digest('hex');
};

/** Writes `experiments` as the file store `root` (deleted experiments under .trash/, as FileStore moves them). */
export function buildMlruns(root: string, experiments: FixtureExperiment[]): void {
  mkdirSync(join(root, '.trash'), { recursive: true });
  for (const e of experiments) {
    const dir = e.deleted ? join(root, '.trash', e.id) : join(root, e.id);
    const location = pathToFileURL(join(root, e.id)).href;
    write(
      join(dir, 'meta.yaml'),
      `artifact_location: ${location}\ncreation_time: 1672364273202\nexperiment_id: ${q(e.id)}\nlast_update_time: 1672364273202\nlifecycle_stage: ${e.deleted ? 'deleted' : 'active'}\nname: ${e.name}\n`,
    );
    for (const [k, v] of Object.entries(e.tags ?? {})) write(join(dir, 'tags', k), v);
    for (const r of e.runs) {
      const rd = join(dir, r.id);
      for (const sub of ['metrics', 'params', 'artifacts']) mkdirSync(join(rd, sub), { recursive: true });
      write(
        join(rd, 'meta.yaml'),
        [
          `artifact_uri: ${location}/${r.id}/artifacts`,
          `deleted_time: ${r.deleted ? r.end ?? r.start : 'null'}`,
          `end_time: ${r.end === null ? 'null' : r.end}`,
          `entry_point_name: ''`,
          `experiment_id: ${q(e.id)}`,
          `lifecycle_stage: ${r.deleted ? 'deleted' : 'active'}`,
          `run_id: ${r.id}`,
          `run_name: ${r.name}`,
          `run_uuid: ${r.id}`,
          `source_name: ''`,
          `source_type: 4`,
          `source_version: ''`,
          `start_time: ${r.start}`,
          `status: ${r.status}`,
          `tags: []`,
          `user_id: ${r.user ?? 'ana'}`,
          '',
        ].join('\n'),
      );
      const tags = { 'mlflow.runName': r.name, 'mlflow.user': r.user ?? 'ana', ...(r.tags ?? {}) };
      for (const [k, v] of Object.entries(tags)) write(join(rd, 'tags', k), v);
      for (const [k, v] of Object.entries(r.params ?? {})) write(join(rd, 'params', k), v);
      for (const [k, lines] of Object.entries(r.metrics ?? {}))
        write(join(rd, 'metrics', k), typeof lines === 'string' ? lines : lines.map(([ts, v, step]) => `${ts} ${v} ${step}\n`).join(''));
      for (const [p, bytes] of Object.entries(r.artifacts ?? {})) write(join(rd, 'artifacts', p), bytes);
      for (const input of r.inputs ?? []) {
        const ds = md5(input.name, input.digest);
        write(
          join(dir, 'datasets', ds, 'meta.yaml'),
          `digest: ${input.digest}\nname: ${input.name}\nprofile: null\nschema: ${input.schema === undefined ? 'null' : q(input.schema)}\nsource: ${q(input.source)}\nsource_type: ${input.sourceType}\n`,
        );
        write(
          join(rd, 'inputs', md5(ds, r.id), 'meta.yaml'),
          `destination_id: ${ds}\ndestination_type: RUN\nsource_id: ${ds}\nsource_type: DATASET\n${input.context ? `tags:\n  mlflow.data.context: ${input.context}\n` : 'tags: {}\n'}`,
        );
      }
    }
  }
}

/** A run id as MLflow makes them (uuid4().hex), from a seed so tests are repeatable. */
export const runId = (n: number): string => createHash('md5').update(`run-${n}`).digest('hex');
