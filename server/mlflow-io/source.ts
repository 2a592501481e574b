import type { DatasetInput, Lifecycle, RunStatus } from '../../lib/domain/index';

/**
 * What an importer reads from an MLflow store, whatever the store is (a file store folder, a server's REST API): the
 * port both sources implement (file-store-source.ts, rest-source.ts). Values are as MLflow holds them; checking them
 * against Cairn's rules is the importer's job.
 */
export interface SourceExperiment {
  id: string;
  name: string;
  lifecycle: Lifecycle;
  tags: Record<string, string>;
}

export interface SourceRun {
  runId: string;
  experimentId: string;
  runName: string | undefined;
  userId: string | undefined;
  status: RunStatus;
  startTime: number | undefined;
  endTime: number | undefined;
  lifecycle: Lifecycle;
  params: Record<string, string>;
  tags: Record<string, string>;
  inputs: DatasetInput[];
  /** Keys with at least one point. */
  metricKeys: string[];
}

export interface SourcePoint {
  step: number;
  timestamp: number;
  value: number;
}

/** One file of a run's artifacts: `path` relative to the run's artifact root, bytes read on demand. */
export interface SourceArtifact {
  path: string;
  size: number;
  /** The bytes, or (file store) the path of a local file holding them. */
  read(): Promise<Uint8Array | { file: string }>;
}

/** Why something was not imported (or exported). */
export type SkipReason = 'conflict' | 'unsupported' | 'invalid' | 'unreadable';

export interface Skipped {
  /** experiment, run, param, tag, metric, metric point, artifact, input, registered model, ... */
  kind: string;
  /** Which one: an id, `<run>/<key>`, a path. */
  item: string;
  reason: SkipReason;
  detail: string;
}

/** Where a source reports items it could not read (a corrupt meta.yaml, a malformed metric line) and goes on. */
export type SkipSink = (s: Skipped) => void;

export interface Source {
  /** For messages: the folder or the server URL. */
  readonly label: string;
  /** Every experiment, active and deleted. */
  experiments(skip: SkipSink): Promise<SourceExperiment[]>;
  /** Every run of one experiment, active and deleted. */
  runs(experiment: SourceExperiment, skip: SkipSink): Promise<SourceRun[]>;
  /** A key's full history in the store's own stable order (the file's line order, the server's answer order). */
  history(run: SourceRun, key: string, skip: SkipSink): Promise<SourcePoint[]>;
  /** Every file under the run's artifact root. */
  artifacts(run: SourceRun, skip: SkipSink): Promise<SourceArtifact[]>;
  /** The model registry's models with their live versions (MIO-12). */
  registry(skip: SkipSink): Promise<SourceRegisteredModel[]>;
}

/** A registered model as MLflow holds it, with its live versions (deleted ones are not read) and aliases. */
export interface SourceRegisteredModel {
  name: string;
  description: string | undefined;
  creationTime: number | undefined;
  lastUpdatedTime: number | undefined;
  tags: Record<string, string>;
  /** alias → version number. */
  aliases: Record<string, number>;
  versions: SourceModelVersion[];
}

export interface SourceModelVersion {
  number: number;
  source: string;
  runId: string | undefined;
  runLink: string | undefined;
  description: string | undefined;
  stage: string | undefined;
  userId: string | undefined;
  creationTime: number | undefined;
  lastUpdatedTime: number | undefined;
  tags: Record<string, string>;
}
