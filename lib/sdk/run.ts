import {
  ArtifactPathSchema,
  TERMINAL_STATUSES,
  invalid,
  parseInput,
  type ArtifactRef,
  type Dataset,
  type DatasetInput,
  type RunInfo,
  type RunStatus,
} from '../domain';
import * as doc from '../doc';
import { logModelToRun, type LogModelOptions, type LoggedModel } from './models';

/**
 * What a run needs from the client that owns it, and nothing more: the command context for param/tag writes (with the
 * run's doc held while a command runs), the point path, the blob store, and the flush/end steps. `CairnClient`
 * implements it; runs never see its internals.
 */
export interface RunHost {
  readonly ctx: doc.Ctx;
  /** Runs `f` (a lib/doc command on this run) with the run's doc held, so `ctx.runDoc(runId)` resolves it. */
  withRun<T>(runId: string, f: () => T): T;
  runInfo(runId: string): RunInfo;
  logPoints(runId: string, keys: string[], values: number[], steps: number[], timestamps: number[]): void;
  storeBlob(data: Uint8Array | Blob | string): Promise<{ sha256: string; size: number }>;
  flush(opts: { timeoutMs?: number }): Promise<void>;
  /** Marks the run ended with `status`, waits until the relay holds this run's part, and lets its connection go. */
  endRun(runId: string, status: RunStatus, opts: { timeoutMs?: number }): Promise<void>;
}

export interface StartRunOptions {
  experimentId?: string;
  experimentName?: string;
  runName?: string;
  tags?: Record<string, string>;
  parentRunId?: string;
  startTime?: number;
  /** Resume an existing run instead of creating one (like MLflow's `start_run(run_id=...)`). */
  runId?: string;
}

export interface MetricOptions {
  step?: number;
  timestamp?: number;
}

/** A run being logged to: MLflow's fluent calls in TypeScript casing. Logging calls are synchronous and durable
 * locally when they return; `flush()` waits for the relay. */
export class ActiveRun {
  constructor(private readonly client: RunHost, readonly id: string) {}

  get info(): RunInfo {
    return this.client.runInfo(this.id);
  }

  logParam(key: string, value: unknown): void {
    this.onRun(() => doc.logParam(this.client.ctx, { runId: this.id, key, value: stringify(value) }));
  }

  /** All or nothing: every entry is checked (key, value, write-once) before any is written, even past 100. */
  logParams(params: Record<string, unknown>): void {
    const list = Object.entries(params).map(([key, v]) => ({ key, value: stringify(v) }));
    this.onRun(() => {
      doc.checkBatch(this.client.ctx, { runId: this.id, params: list });
      for (let i = 0; i < list.length; i += 100) doc.logBatch(this.client.ctx, { runId: this.id, params: list.slice(i, i + 100) });
    });
  }

  setTag(key: string, value: unknown): void {
    this.onRun(() => doc.setTag(this.client.ctx, { runId: this.id, key, value: stringify(value) }));
  }

  setTags(tags: Record<string, unknown>): void {
    const list = Object.entries(tags).map(([key, v]) => ({ key, value: stringify(v) }));
    this.onRun(() => {
      doc.checkBatch(this.client.ctx, { runId: this.id, tags: list });
      for (let i = 0; i < list.length; i += 100) doc.logBatch(this.client.ctx, { runId: this.id, tags: list.slice(i, i + 100) });
    });
  }

  deleteTag(key: string): void {
    this.onRun(() => doc.deleteTag(this.client.ctx, { runId: this.id, key }));
  }

  /**
   * MLflow's log_inputs (SDK-16): dataset inputs of this run, each `{ dataset: { name, digest, sourceType, source,
   * schema?, profile? }, tags? }` (the `mlflow.data.context` tag names the context, e.g. "training"). A dataset is
   * identified by (name, digest): logging it again replaces its fields and adds the tags given. Validated whole (any
   * bad entry writes nothing), one transaction.
   */
  logInputs(inputs: readonly DatasetInput[]): void {
    this.onRun(() => doc.logInputs(this.client.ctx, { runId: this.id, datasets: [...inputs] }));
  }

  /** MLflow's log_input: one dataset, with its `context` (the `mlflow.data.context` input tag) and other tags. */
  logInput(dataset: Dataset, o: { context?: string; tags?: Record<string, string> } = {}): void {
    const tags = { ...(o.tags ?? {}), ...(o.context !== undefined ? { 'mlflow.data.context': o.context } : {}) };
    this.logInputs([{ dataset, tags }]);
  }

  /** `step` defaults to 0 and `timestamp` to now, as in MLflow. NaN and ±Infinity are kept. */
  logMetric(key: string, value: number, o: MetricOptions = {}): void {
    this.client.logPoints(this.id, [key], [value], [o.step ?? 0], [o.timestamp ?? Date.now()]);
  }

  logMetrics(metrics: Record<string, number>, o: MetricOptions = {}): void {
    const keys = Object.keys(metrics);
    const step = o.step ?? 0;
    const ts = o.timestamp ?? Date.now();
    this.client.logPoints(this.id, keys, keys.map((k) => metrics[k]!), keys.map(() => step), keys.map(() => ts));
  }

  /** Stores the bytes (a Uint8Array, a Blob, or in Node a file path) in the blob store and records the artifact. */
  async logArtifact(path: string, data: Uint8Array | Blob | string, o: { mediaType?: string } = {}): Promise<ArtifactRef> {
    const p = parseInput(ArtifactPathSchema, path, 'artifact path');
    const { sha256, size } = await this.client.storeBlob(data);
    const ref: ArtifactRef = { path: p, size, sha256: sha256 as ArtifactRef['sha256'], mediaType: o.mediaType ?? guessMediaType(p), loggedAt: Date.now() };
    this.onRun(() => doc.logArtifactRef(this.client.ctx, { runId: this.id, ref }));
    return ref;
  }

  /**
   * MLflow's `mlflow.onnx.log_model` (SDK-23): writes the MLflow model directory (MLmodel with the onnx and
   * python_function flavors, input examples, requirements and env files, `files`) under `artifactPath` and records it
   * in the run's `mlflow.log-model.history` tag. Load it back with `loadModel(client, result.modelUri)`.
   */
  logModel(artifactPath: string, o: LogModelOptions): Promise<LoggedModel> {
    return logModelToRun(this, this.client, artifactPath, o);
  }

  async flush(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.client.flush(opts);
  }

  /** Ends the run (`FINISHED` by default), waits for the relay to persist it (this run's data, not every run's),
   * and releases the run's connection. */
  async end(status: RunStatus = 'FINISHED', opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!TERMINAL_STATUSES.includes(status)) throw invalid(`Invalid terminal run status '${status}'`);
    await this.client.endRun(this.id, status, opts);
  }

  private onRun<T>(f: () => T): T {
    return this.client.withRun(this.id, f);
  }
}

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

const MEDIA: Record<string, string> = {
  json: 'application/json', txt: 'text/plain', log: 'text/plain', csv: 'text/csv', md: 'text/markdown',
  html: 'text/html', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', svg: 'image/svg+xml', gif: 'image/gif',
  yaml: 'application/yaml', yml: 'application/yaml', onnx: 'application/onnx', zip: 'application/zip', pkl: 'application/octet-stream',
};

function guessMediaType(path: string): string {
  const ext = path.split('.').pop()?.toLowerCase() ?? '';
  return MEDIA[ext] ?? 'application/octet-stream';
}
