import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { invalid, type DatasetInput } from '../../lib/domain/index';
import {
  ARTIFACTS,
  DATASETS,
  INPUTS,
  META,
  METRICS,
  PARAMS,
  REGISTRY_FOLDER,
  RESERVED_EXPERIMENT_FOLDERS,
  TAGS,
  TRASH,
  parseYaml,
  statusFromCode,
} from './layout';
import { parsePythonFloat } from '../../lib/domain/python-float';
import type { SkipSink, Source, SourceArtifact, SourceExperiment, SourcePoint, SourceRegisteredModel, SourceRun } from './source';

const Id = z.union([z.string(), z.number().int()]).transform(String);
const OptInt = z.number().int().nullish().transform((v) => v ?? undefined);
const OptStr = z.string().nullish().transform((v) => v ?? undefined);
const Stage = z.enum(['active', 'deleted']).nullish().transform((v) => v ?? 'active');

/** An experiment's meta.yaml, as FileStore reads it (`experiment_id` was an int in old stores). */
const ExperimentMeta = z.object({ experiment_id: Id, name: z.string(), lifecycle_stage: Stage });
/** A run's meta.yaml (`run_uuid` in old stores; `status` an int, RUNNING when missing). */
const RunMeta = z.object({
  run_id: OptStr,
  run_uuid: OptStr,
  experiment_id: Id,
  run_name: OptStr,
  user_id: OptStr,
  status: z.unknown(),
  start_time: OptInt,
  end_time: OptInt,
  lifecycle_stage: Stage,
});
const DatasetMeta = z.object({
  name: z.string(),
  digest: z.string(),
  source_type: z.string(),
  source: z.string(),
  schema: OptStr,
  profile: OptStr,
});
const InputMeta = z.object({ source_id: z.string(), tags: z.record(z.string(), z.unknown()).nullish() });

interface RunPlace {
  dir: string;
  expDir: string;
  artifactUri: string | undefined;
}

/**
 * An MLflow file store folder (`mlruns/`) as an import source: FileStore's layout (layout.ts), read the way FileStore
 * reads it. Anything it cannot read — a corrupt meta.yaml, a run folder without one, a malformed metric line — is
 * reported to the skip sink and left out; only a missing folder or one that is not a file store is an error.
 */
export class FileStoreSource implements Source {
  private readonly experimentDirs = new Map<string, string>();
  private readonly places = new Map<string, RunPlace>();

  private constructor(readonly label: string) {}

  /** INVALID_PARAMETER_VALUE when `root` is missing, not a folder, or holds no experiment (`<id>/meta.yaml`). */
  static open(root: string): FileStoreSource {
    if (!existsSync(root)) throw invalid(`MLflow file store '${root}' does not exist`);
    if (!statSync(root).isDirectory()) throw invalid(`MLflow file store '${root}' is not a folder`);
    const looks = existsSync(join(root, TRASH)) || subdirs(root).some((d) => existsSync(join(root, d, META)));
    if (!looks) throw invalid(`'${root}' is not an MLflow file store: no <experiment id>/meta.yaml and no ${TRASH} folder in it`);
    return new FileStoreSource(root);
  }

  async experiments(skip: SkipSink): Promise<SourceExperiment[]> {
    const out: SourceExperiment[] = [];
    const places: [string, boolean][] = [
      ...subdirs(this.label).filter((d) => d !== TRASH && d !== REGISTRY_FOLDER).map((d): [string, boolean] => [join(this.label, d), false]),
      ...subdirs(join(this.label, TRASH)).map((d): [string, boolean] => [join(this.label, TRASH, d), true]),
    ];
    for (const [dir, trashed] of places) {
      const name = relative(this.label, dir);
      const meta = readMeta(dir, ExperimentMeta);
      if (!meta.ok) {
        skip({ kind: 'experiment', item: name, reason: 'unreadable', detail: meta.error });
        continue;
      }
      const id = meta.value.experiment_id;
      if (id !== basename(dir)) {
        skip({ kind: 'experiment', item: name, reason: 'unreadable', detail: `meta.yaml says experiment_id '${id}' (MLflow ignores such an experiment)` });
        continue;
      }
      if (this.experimentDirs.has(id)) {
        skip({ kind: 'experiment', item: name, reason: 'unreadable', detail: `experiment ${id} is both active and in ${TRASH}` });
        continue;
      }
      this.experimentDirs.set(id, dir);
      out.push({ id, name: meta.value.name, lifecycle: trashed ? 'deleted' : meta.value.lifecycle_stage, tags: readValues(join(dir, TAGS)) });
    }
    return out;
  }

  async runs(experiment: SourceExperiment, skip: SkipSink): Promise<SourceRun[]> {
    const expDir = this.experimentDirs.get(experiment.id);
    if (!expDir) return [];
    const out: SourceRun[] = [];
    for (const name of subdirs(expDir)) {
      if (RESERVED_EXPERIMENT_FOLDERS.has(name)) continue;
      const dir = join(expDir, name);
      const item = `${experiment.id}/${name}`;
      const meta = readMeta(dir, RunMeta);
      if (!meta.ok) {
        skip({ kind: 'run', item, reason: 'unreadable', detail: meta.error });
        continue;
      }
      const m = meta.value;
      const runId = m.run_id ?? m.run_uuid;
      if (runId !== name || m.experiment_id !== experiment.id) {
        skip({ kind: 'run', item, reason: 'unreadable', detail: `meta.yaml names run '${runId ?? ''}' of experiment '${m.experiment_id}' (MLflow ignores such a run)` });
        continue;
      }
      const status = statusFromCode(m.status);
      if (!status) {
        skip({ kind: 'run', item, reason: 'unreadable', detail: `meta.yaml has an unknown status ${JSON.stringify(m.status)}` });
        continue;
      }
      const raw = readMetaRaw(dir);
      this.places.set(runId, { dir, expDir, artifactUri: typeof raw?.artifact_uri === 'string' ? raw.artifact_uri : undefined });
      out.push({
        runId,
        experimentId: experiment.id,
        runName: m.run_name || undefined,
        userId: m.user_id,
        status,
        startTime: m.start_time,
        endTime: m.end_time,
        lifecycle: m.lifecycle_stage,
        params: readValues(join(dir, PARAMS)),
        tags: readValues(join(dir, TAGS)),
        inputs: this.readInputs(runId, dir, expDir, skip),
        metricKeys: files(join(dir, METRICS)),
      });
    }
    return out;
  }

  async history(run: SourceRun, key: string, skip: SkipSink): Promise<SourcePoint[]> {
    const place = this.places.get(run.runId);
    if (!place) return [];
    const text = readFileSync(join(place.dir, METRICS, ...key.split('/')), 'utf8');
    const lines = text.split(/\r\n|\r|\n/);
    if (lines.at(-1) === '') lines.pop();
    const out: SourcePoint[] = [];
    lines.forEach((line, i) => {
      const p = parseMetricLine(line);
      if (typeof p === 'string') skip({ kind: 'metric point', item: `${run.runId}/${key}:${i + 1}`, reason: 'invalid', detail: p });
      else out.push(p);
    });
    return out;
  }

  async artifacts(run: SourceRun, skip: SkipSink): Promise<SourceArtifact[]> {
    const place = this.places.get(run.runId);
    if (!place) return [];
    const root = artifactRoot(place);
    if (typeof root !== 'string') {
      if (root) skip({ kind: 'artifacts', item: run.runId, reason: 'unsupported', detail: root.why });
      return [];
    }
    return files(root).map((path) => {
      const file = join(root, ...path.split('/'));
      return { path, size: statSync(file).size, read: async () => ({ file }) };
    });
  }

  /**
   * MIO-12: FileStore's registry, `models/<name>/meta.yaml` (+ `tags/`, `aliases/<alias>` holding a version number)
   * and `version-<n>/meta.yaml` (+ `tags/`); versions in `Deleted_Internal` are not read.
   */
  async registry(skip: SkipSink): Promise<SourceRegisteredModel[]> {
    const dir = join(this.label, REGISTRY_FOLDER);
    const out: SourceRegisteredModel[] = [];
    for (const folder of subdirs(dir)) {
      const mdir = join(dir, folder);
      const meta = readMetaRaw(mdir);
      if (!meta) {
        if (existsSync(join(mdir, META))) skip({ kind: 'registered model', item: folder, reason: 'unreadable', detail: `its ${META} is not YAML` });
        continue;
      }
      const int = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : typeof v === 'string' ? parseInteger(v) : undefined);
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const aliases: Record<string, number> = {};
      for (const [alias, v] of Object.entries(readValues(join(mdir, 'aliases')))) {
        const n = parseInteger(v.trim());
        if (n !== undefined) aliases[alias] = n;
      }
      const model: SourceRegisteredModel = {
        name: text(meta.name) ?? folder,
        description: text(meta.description),
        creationTime: int(meta.creation_timestamp),
        lastUpdatedTime: int(meta.last_updated_timestamp),
        tags: readValues(join(mdir, TAGS)),
        aliases,
        versions: [],
      };
      for (const vf of subdirs(mdir).filter((v) => /^version-\d+$/.test(v))) {
        const vdir = join(mdir, vf);
        const vm = readMetaRaw(vdir);
        const number = int(vm?.version) ?? parseInteger(vf.slice('version-'.length));
        if (!vm || number === undefined || vm.current_stage === 'Deleted_Internal') continue;
        const source = text(vm.source);
        if (!source) {
          skip({ kind: 'model version', item: `${model.name}/${number}`, reason: 'invalid', detail: 'it has no source' });
          continue;
        }
        model.versions.push({
          number,
          source,
          runId: text(vm.run_id) || undefined,
          runLink: text(vm.run_link) || undefined,
          description: text(vm.description),
          stage: text(vm.current_stage),
          userId: text(vm.user_id),
          creationTime: int(vm.creation_timestamp),
          lastUpdatedTime: int(vm.last_updated_timestamp),
          tags: readValues(join(vdir, TAGS)),
        });
      }
      out.push(model);
    }
    return out;
  }

  private readInputs(runId: string, dir: string, expDir: string, skip: SkipSink): DatasetInput[] {
    const out: DatasetInput[] = [];
    for (const id of subdirs(join(dir, INPUTS))) {
      const input = readMeta(join(dir, INPUTS, id), InputMeta);
      const dataset = input.ok ? readMeta(join(expDir, DATASETS, input.value.source_id), DatasetMeta) : input;
      if (!input.ok || !dataset.ok) {
        skip({ kind: 'input', item: `${runId}/${id}`, reason: 'unreadable', detail: dataset.ok ? '' : dataset.error });
        continue;
      }
      const d = dataset.value;
      const tags = Object.fromEntries(Object.entries(input.value.tags ?? {}).map(([k, v]) => [k, String(v)]));
      out.push({
        dataset: { name: d.name, digest: d.digest, sourceType: d.source_type, source: d.source, ...(d.schema !== undefined ? { schema: d.schema } : {}), ...(d.profile !== undefined ? { profile: d.profile } : {}) },
        tags,
      });
    }
    return out;
  }
}

/** One metric line, "timestamp value [step]" split on single spaces as FileStore does; a string says what is wrong. */
export function parseMetricLine(line: string): SourcePoint | string {
  const parts = line.trim().split(' ');
  if (parts.length !== 2 && parts.length !== 3) return `expected "timestamp value step", got ${JSON.stringify(line)}`;
  const timestamp = parseInteger(parts[0]!);
  const value = parsePythonFloat(parts[1]!);
  const step = parts.length === 3 ? parseInteger(parts[2]!) : 0;
  if (timestamp === undefined || timestamp < 0) return `bad timestamp ${JSON.stringify(parts[0])}`;
  if (value === undefined) return `bad value ${JSON.stringify(parts[1])}`;
  if (step === undefined) return `bad step ${JSON.stringify(parts[2])}`;
  return { step, timestamp, value };
}

function parseInteger(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Where a run's files are: its own `artifacts/` folder when that holds anything (also after the store was moved, which
 * leaves `artifact_uri` pointing at the old place), else the local folder its `file:` artifact_uri names. A remote
 * URI (s3:, mlflow-artifacts:, ...) cannot be read from a folder: `{ why }`. Null: the run has no files.
 */
function artifactRoot(place: RunPlace): string | { why: string } | null {
  const own = join(place.dir, ARTIFACTS);
  if (files(own).length > 0) return own;
  const uri = place.artifactUri;
  if (!uri) return null;
  if (uri.startsWith('file:')) {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      return { why: `artifact_uri '${uri}' is not a usable file URI` };
    }
    return existsSync(path) ? path : null;
  }
  if (uri.startsWith('/')) return existsSync(uri) ? uri : null;
  return { why: `artifacts at '${uri}' are not in the file store; import them from the server (cairn import mlflow http://...)` };
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && statSync(join(dir, e.name)).isDirectory()))
    .map((e) => e.name)
    .sort();
}

/** Every file below `dir`, as '/'-joined relative paths (keys with '/' are sub-folders), sorted. */
function files(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(full).isDirectory());
    if (isDir) out.push(...files(full, `${prefix}${e.name}/`));
    else out.push(`${prefix}${e.name}`);
  }
  return out;
}

/** key → file content (no newline stripped: FileStore writes none and reads the file whole). */
function readValues(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of files(dir)) out[key] = readFileSync(join(dir, ...key.split('/')), 'utf8');
  return out;
}

function readMetaRaw(dir: string): Record<string, unknown> | null {
  try {
    const v = parseYaml(readFileSync(join(dir, META), 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

type Read<T> = { ok: true; value: T } | { ok: false; error: string };

function readMeta<S extends z.ZodType>(dir: string, schema: S): Read<z.output<S>> {
  const file = join(dir, META);
  if (!existsSync(file)) return { ok: false, error: `no ${META}` };
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, error: `${META} is not YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, error: `${META}${issue?.path.length ? ` field '${issue.path.join('.')}'` : ''}: ${issue?.message ?? 'invalid'}` };
}

