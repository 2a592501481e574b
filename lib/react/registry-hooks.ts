'use client';

import type { HistoryEntry, ModelVersion, RegisteredModel } from '../registry/read';
import type { ModelDetail, ModelFilesView, VersionCompareEntry, VersionDetail, VersionRef } from '../../workers/registry-api';
import type { QueryResult } from './contract';
import { useCommandSet, useWorkerQuery } from './worker-query';

/** Hooks and contract types for the model registry: each hook is a useWorkerQuery (worker-query.ts) over the worker's registry-api.ts. */

export type { EventOutcome, HistoryEntry, ModelVersion, RegisteredModel, RegistryEventKind } from '../registry/read';
export type { ModelDetail, ModelFilesView, VersionCompareEntry, VersionDetail, VersionRef } from '../../workers/registry-api';
export type { ColSpec, ColType, ParamSpec, Schema, Signature, TensorSpec } from '../models/schema-types';
/** How MLflow names a column type (`double`, `Array(long)`): lib/models' leaf module, no zod. */
export { typeLabel } from '../models/schema-types';
export type { Stage } from '../registry/schemas';

/** Signalled by the worker on any change of the workspace's registry (workers/registry-api.ts REGISTRY_TOPIC). */
const REGISTRY_TOPIC = 'registry';

/** Live registered models by name, each with its latest version per stage and its aliases; `nameContains` filters. */
export function useRegisteredModels(nameContains = ''): QueryResult<RegisteredModel[]> {
  return useWorkerQuery(`reg-models:${nameContains}`, [REGISTRY_TOPIC], (c) => c.listRegisteredModels(nameContains ? { nameContains } : {}));
}

/** A model and its versions, live (another person's new version or stage move shows up). Null: no such model. */
export function useRegisteredModel(name: string | null | undefined): QueryResult<ModelDetail | null> {
  return useWorkerQuery(`reg-model:${name ?? ''}`, name ? [REGISTRY_TOPIC] : [], async (c) => (name ? c.getRegisteredModel(name) : null));
}

/** One version (by number, or by id while it waits for the relay's number), live. Null: no such version. */
export function useModelVersion(name: string | null | undefined, ref: VersionRef | null): QueryResult<VersionDetail | null> {
  const key = JSON.stringify(ref);
  return useWorkerQuery(`reg-version:${name ?? ''}:${key}`, name && ref ? [REGISTRY_TOPIC] : [], async (c) =>
    name && ref ? c.getModelVersion(name, JSON.parse(key) as VersionRef) : null,
  );
}

/** A model's history (or one version's), oldest first, with each alias and stage event's outcome; live. */
export function useRegistryHistory(name: string | null | undefined, versionId?: string): QueryResult<HistoryEntry[]> {
  return useWorkerQuery(`reg-history:${name ?? ''}:${versionId ?? ''}`, name ? [REGISTRY_TOPIC] : [], async (c) =>
    name ? c.getRegistryHistory(name, versionId) : [],
  );
}

/** The MLmodel (signature, flavors) and input example of a version's source folder; re-read when its run changes. */
export function useModelVersionFiles(name: string | null | undefined, ref: VersionRef | null, runId: string | null | undefined): QueryResult<ModelFilesView | null> {
  const key = JSON.stringify(ref);
  return useWorkerQuery(`reg-files:${name ?? ''}:${key}`, name && ref ? [REGISTRY_TOPIC, ...(runId ? [`run:${runId}`] : [])] : [], async (c) =>
    name && ref ? c.getModelVersionFiles(name, JSON.parse(key) as VersionRef) : null,
  );
}

/** Every file of a version's model folder (the playground loads it); re-read only when its run changes (a stage or
 * alias move must not reload the model under the person trying it). */
export function useModelVersionDirectory(name: string | null | undefined, ref: VersionRef | null, runId: string | null | undefined): QueryResult<Map<string, Uint8Array> | null> {
  const key = JSON.stringify(ref);
  return useWorkerQuery(`reg-dir:${name ?? ''}:${key}`, name && ref && runId ? [`run:${runId}`] : [], async (c) =>
    name && ref ? new Map(await c.getModelVersionDirectory(name, JSON.parse(key) as VersionRef)) : null,
  );
}

/** 2–10 numbered versions side by side (their runs' params and metrics, their signatures). */
export function useCompareModelVersions(
  name: string | null | undefined,
  versions: readonly number[],
): QueryResult<{ model: RegisteredModel; entries: VersionCompareEntry[]; missing: number[] } | null> {
  const ns = versions.join(',');
  return useWorkerQuery(`reg-compare:${name ?? ''}:${ns}`, name ? [REGISTRY_TOPIC] : [], async (c) =>
    name ? c.compareModelVersions(name, ns ? ns.split(',').map(Number) : []) : null,
  );
}

/** The registry's commands; each resolves once the change is stored on this device, and rejects with a CairnError. */
export interface RegistryCommands {
  createModel(name: string, description?: string): Promise<RegisteredModel>;
  renameModel(name: string, newName: string): Promise<RegisteredModel>;
  describeModel(name: string, description: string): Promise<void>;
  deleteModel(name: string): Promise<void>;
  setModelTag(name: string, key: string, value: string): Promise<void>;
  deleteModelTag(name: string, key: string): Promise<void>;
  /** A run's model folder (holding an MLmodel) as a new version of `name` (the model is created when missing). */
  registerFromRun(runId: string, artifactPath: string, name: string): Promise<ModelVersion>;
  describeVersion(name: string, ref: VersionRef, description: string): Promise<void>;
  /** MLflow's transition: `archiveExisting` moves the model's other versions in `stage` to Archived. */
  transitionStage(name: string, ref: VersionRef, stage: string, archiveExisting: boolean): Promise<void>;
  deleteVersion(name: string, ref: VersionRef): Promise<void>;
  setVersionTag(name: string, ref: VersionRef, key: string, value: string): Promise<void>;
  deleteVersionTag(name: string, ref: VersionRef, key: string): Promise<void>;
  /** Points the alias at the version (moving it if it pointed elsewhere). */
  setAlias(name: string, alias: string, ref: VersionRef): Promise<void>;
  deleteAlias(name: string, alias: string): Promise<void>;
}

export function useRegistryCommands(): RegistryCommands {
  return useCommandSet<RegistryCommands>((c) => ({
    createModel: async (name, description) => c().createRegisteredModel(name, description),
    renameModel: async (name, newName) => c().renameRegisteredModel(name, newName),
    describeModel: async (name, description) => c().updateRegisteredModel(name, description),
    deleteModel: async (name) => c().deleteRegisteredModel(name),
    setModelTag: async (name, key, value) => c().setRegisteredModelTag(name, key, value),
    deleteModelTag: async (name, key) => c().deleteRegisteredModelTag(name, key),
    registerFromRun: async (runId, artifactPath, name) => c().registerModelFromRun(runId, artifactPath, name),
    describeVersion: async (name, ref, description) => c().updateModelVersion(name, ref, description),
    transitionStage: async (name, ref, stage, archive) => c().transitionModelVersionStage(name, ref, stage, archive),
    deleteVersion: async (name, ref) => c().deleteModelVersion(name, ref),
    setVersionTag: async (name, ref, key, value) => c().setModelVersionTag(name, ref, key, value),
    deleteVersionTag: async (name, ref, key) => c().deleteModelVersionTag(name, ref, key),
    setAlias: async (name, alias, ref) => c().setRegisteredModelAlias(name, alias, ref),
    deleteAlias: async (name, alias) => c().deleteRegisteredModelAlias(name, alias),
  }));
}
