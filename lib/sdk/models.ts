/**
 * Models in the SDK: `run.logModel(artifactPath, { onnx, … })` writes an MLflow onnx model directory under the run's
 * artifacts (lib/models' onnxModelDir) and records it in the run's `mlflow.log-model.history` tag, as MLflow's
 * `mlflow.onnx.log_model` does; `loadModel(client, uri)` downloads a model's files by their sha256 (journal, else the
 * relay's blob store) and loads its onnx flavor on onnxruntime-node (Node) or a backend the caller passes (a browser),
 * returning a model with MLflow's pyfunc `predict` (SDK-23, SDK-24).
 *
 * Registry hooks: `models:/…` URIs are resolved by a `ModelUriResolver` (lib/registry's `resolveModelUri(wsDoc,
 * uri)`), and `registeredModelName` calls a `ModelRegistrar` (lib/registry's `createRegisteredModel` +
 * `createModelVersion`); both can be passed in instead (a browser host, tests).
 */
import type * as Y from 'yjs';
import * as reg from '../registry';
import { CairnError, MAX_TAG_VAL_LENGTH, invalid, parseInput, type ArtifactRef, type Run } from '../domain';
import * as doc from '../doc';
import { loadPyfunc, type ModelFiles, type OnnxBackend, type PyfuncModel } from '../models';
import { mlmodelTagsDict, parseMLmodel } from '../models/mlmodel';
import { onnxModelDir, type ModelInputExample, type SignatureJson } from '../models/onnx-model-dir';
import type { Signature } from '../models/schema-types';
import { toBytes } from './blobs';
import { isNode } from './env';
import { nodeOnnxBackend } from './onnx-node';
import type { RunHost } from './run';

/** `models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/<stage>` → the run artifacts they name. */
export type ModelUriResolver = (wsDoc: Y.Doc, uri: string) => { runId: string; artifactPath: string };
/** Registers a logged model: creates the registered model when it does not exist, then a version from `source`. */
export type ModelRegistrar = (ctx: doc.Ctx, request: { name: string; source: string; runId: string }) => unknown;

/** `models:/…` URIs resolve through the workspace's registry (REG-U2). */
const REGISTRY_RESOLVER: ModelUriResolver = reg.resolveModelUri;
/** `registeredModelName`: the registered model is created when missing, then a version from the logged model; the
 * relay numbers it (REG-N1), so the version answered is pending until the relay has seen it. */
const REGISTRY_REGISTRAR: ModelRegistrar = (ctx, { name, source, runId }) => {
  if (!reg.readRegistry(ctx.ws).modelByName(name)) reg.createRegisteredModel(ctx, { name });
  return reg.createModelVersion(ctx, { name, source, runId });
};

export type ModelUri = { scheme: 'runs'; runId: string; artifactPath: string } | { scheme: 'models'; uri: string };

/** Reads a model URI: `runs:/<run_id>/<path>` or `models:/…` (left to the registry's resolver). */
export function parseModelUri(uri: string): ModelUri {
  if (typeof uri !== 'string') throw invalid('A model URI must be a string');
  if (uri.startsWith('models:/')) {
    if (uri.length <= 'models:/'.length) throw invalid(`Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/model_name/suffix' or 'models:/model_name@alias'`);
    return { scheme: 'models', uri };
  }
  const m = /^runs:\/([^/]+)\/(.+?)\/*$/.exec(uri);
  if (!m) {
    throw invalid(`Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`, { uri });
  }
  return { scheme: 'runs', runId: m[1]!, artifactPath: m[2]! };
}

/** What loadModel needs of a client (CairnClient has it). */
export interface ModelSource {
  readonly ws: Y.Doc;
  getRun(runId: string): Promise<Run | null>;
  readBlob(sha256: string): Promise<Uint8Array>;
}

export interface LoadModelOptions {
  /** The ONNX runtime: onnxruntime-node by default in Node; required in a browser. */
  backend?: OnnxBackend;
  /** Resolves `models:/` URIs (default: the registry's, once wired). */
  resolveModelUri?: ModelUriResolver;
}

/** A loaded model: MLflow's pyfunc `predict`, plus where it came from and its files. */
export interface LoadedModel extends PyfuncModel {
  readonly uri: string;
  readonly runId: string;
  readonly artifactPath: string;
  readonly files: ModelFiles;
}

/** The run and artifact path a model URI names (SDK-24). */
export function resolveModelLocation(source: ModelSource, uri: string, resolver = REGISTRY_RESOLVER): { runId: string; artifactPath: string } {
  const parsed = parseModelUri(uri);
  if (parsed.scheme === 'runs') return { runId: parsed.runId, artifactPath: parsed.artifactPath };
  return resolver(source.ws, uri);
}

/** The files of the model at `runId`/`artifactPath`: every artifact below the path, fetched by its sha256. */
export async function downloadModelFiles(source: ModelSource, runId: string, artifactPath: string): Promise<Map<string, Uint8Array>> {
  const run = await source.getRun(runId);
  if (!run) throw new CairnError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`, { runId });
  const prefix = `${artifactPath.replace(/\/+$/, '')}/`;
  const refs = run.artifacts.filter((a) => a.path.startsWith(prefix));
  if (!refs.some((a) => a.path === `${prefix}MLmodel`)) {
    throw new CairnError('RESOURCE_DOES_NOT_EXIST', `No model at runs:/${runId}/${artifactPath}: the run has no '${prefix}MLmodel' artifact`, { runId, artifactPath });
  }
  const files = new Map<string, Uint8Array>();
  await Promise.all(refs.map(async (a) => files.set(a.path.slice(prefix.length), await source.readBlob(a.sha256))));
  return files;
}

/**
 * `mlflow.pyfunc.load_model(uri)` for ONNX models: `runs:/<run_id>/<path>` (and `models:/…` through the registry's
 * resolver) → a model whose `predict` answers as MLflow's onnx pyfunc (lib/models loadPyfunc). A model without the
 * onnx flavor is refused: it needs Python.
 */
export async function loadModel(source: ModelSource, uri: string, o: LoadModelOptions = {}): Promise<LoadedModel> {
  const { runId, artifactPath } = resolveModelLocation(source, uri, o.resolveModelUri ?? REGISTRY_RESOLVER);
  const files = await downloadModelFiles(source, runId, artifactPath);
  const backend = o.backend ?? (await nodeOnnxBackend());
  const model = await loadPyfunc(files, backend);
  return Object.assign(model, { uri, runId, artifactPath, files });
}

// ---- logModel -------------------------------------------------------------------------------------------------------

export interface LogModelOptions {
  /** The ONNX model: its bytes, or (Node) a file path. */
  onnx: Uint8Array | string;
  /** Extra files stored in the model directory (relative path → bytes). */
  files?: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>;
  /** lib/models' typed signature, or MLflow's JSON form (`{inputs: [{"type": "double", "name": "x"}], …}`). */
  signature?: Signature | SignatureJson;
  /** Saved as input_example.json + serving_input_example.json (records or {columns, data}: a frame; lists: an ndarray). */
  inputExample?: ModelInputExample;
  /** Creates a version of this registered model from the logged model (the registry's registrar). */
  registeredModelName?: string;
  metadata?: Record<string, unknown>;
  /** Execution providers written in the onnx flavor (MLflow's default: CUDA, then CPU). */
  providers?: string[];
  /** Checks the bytes load in this runtime before anything is written (default: onnxruntime-node in Node). */
  backend?: OnnxBackend;
  /** Overrides the registry's registrar (tests, or a build without lib/registry). */
  registerModel?: ModelRegistrar;
}

/** What logModel wrote. */
export interface LoggedModel {
  /** `runs:/<run_id>/<artifact_path>`: what loadModel takes. */
  modelUri: string;
  runId: string;
  artifactPath: string;
  artifacts: ArtifactRef[];
  /** What the registrar returned (the model version), when `registeredModelName` was given. */
  registeredModelVersion?: unknown;
}

/** The part of a run logModel writes through. */
export interface ModelRun {
  readonly id: string;
  logArtifact(path: string, data: Uint8Array): Promise<ArtifactRef>;
}

/**
 * `mlflow.onnx.log_model`: every check first (the bytes load, the signature and example read, the history tag has
 * room, a registrar exists for `registeredModelName`), then the files as artifacts under `artifactPath`, then the
 * history tag, then the registration (SDK-23).
 */
export async function logModelToRun(run: ModelRun, host: RunHost, artifactPath: string, o: LogModelOptions): Promise<LoggedModel> {
  if (!o || typeof o !== 'object') throw invalid('logModel takes (artifactPath, { onnx, … })');
  const path = typeof artifactPath === 'string' ? artifactPath.replace(/\/+$/, '') : '';
  if (!path) throw invalid('logModel needs a non-empty artifact path', { field: 'artifactPath' });
  const registrar = o.registerModel ?? REGISTRY_REGISTRAR;
  // Checked with the rest, before anything is written (the registrar runs after the files).
  if (o.registeredModelName !== undefined) parseInput(reg.ModelNameSchema, o.registeredModelName, 'registeredModelName');
  if (o.onnx === undefined || o.onnx === null) throw invalid('logModel needs onnx: the model bytes or a file path', { field: 'onnx' });
  const bytes = await toBytes(o.onnx);
  const backend = o.backend ?? (isNode() ? await nodeOnnxBackend() : null);
  if (backend) {
    let session;
    try {
      session = await backend.createSession(bytes);
    } catch (e) {
      throw invalid(`onnx is not a model ${backend.name} can load: ${e instanceof Error ? e.message : String(e)}`, { field: 'onnx' });
    }
    await session.release();
  }
  const files = onnxModelDir({
    onnx: bytes,
    runId: run.id,
    artifactPath: path,
    ...(o.signature ? { signature: o.signature } : {}),
    ...(o.inputExample !== undefined ? { inputExample: o.inputExample } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
    ...(o.files ? { files: o.files } : {}),
    ...(o.providers ? { providers: o.providers } : {}),
  });
  const entry = mlmodelTagsDict(parseMLmodel(new TextDecoder().decode(files.get('MLmodel'))));
  // The history check before any write: a refused logModel leaves the run as it was.
  host.withRun(run.id, () => {
    const r = doc.readRun(run.id, host.ctx.runDoc(run.id));
    const value = JSON.stringify([...doc.readModelHistory(r?.tags ?? {}), entry]);
    if (value.length > MAX_TAG_VAL_LENGTH) throw invalid(`The ${doc.LOG_MODEL_HISTORY_TAG} tag of run ${run.id} would exceed ${MAX_TAG_VAL_LENGTH} characters; log fewer or smaller models`);
  });
  const artifacts: ArtifactRef[] = [];
  for (const [rel, data] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) artifacts.push(await run.logArtifact(`${path}/${rel}`, data));
  host.withRun(run.id, () => doc.appendModelHistory(host.ctx, { runId: run.id, model: entry }));
  const modelUri = `runs:/${run.id}/${path}`;
  const out: LoggedModel = { modelUri, runId: run.id, artifactPath: path, artifacts };
  if (o.registeredModelName !== undefined) out.registeredModelVersion = await registrar(host.ctx, { name: o.registeredModelName, source: modelUri, runId: run.id });
  return out;
}
