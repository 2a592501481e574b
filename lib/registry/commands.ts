import { z } from 'zod';
import { CairnError, KeySchema, alreadyExists, invalid, newRunId, notFound, parseInput } from '../domain';
import { LOCAL_ORIGIN, SEP, wsRegAliases, wsRegHistory, wsRegModelTags, wsRegModels, wsRegVersionTags, wsRegVersions, type Ctx } from '../doc';
import { readRegistry, type ModelVersion, type RegisteredModel, type RegistryEvent } from './read';
import {
  AliasSchema,
  DescriptionSchema,
  ModelNameSchema,
  RegistryTagValueSchema,
  RegistryTagsSchema,
  SourceSchema,
  StageSchema,
  UserIdSchema,
  VersionNumberSchema,
  parseInMlflowWords,
  type Stage,
} from './schemas';

/**
 * The registry's write rules (SPEC.md REG-*). Like lib/doc's commands: validate with zod, check against the local
 * replica, apply ONE Yjs transaction on the workspace doc, which also appends the change to the history (REG-H1).
 */

const now = (c: Ctx) => (c.now ? c.now() : Date.now());
/** Ids of models, versions and events: 32 random hex digits, never a name (DOC-L2: what is created by name is flat). */
const newId = (): string => newRunId();

const lastCreation = new WeakMap<object, number>();
/**
 * REG-N2: a version's creation time, strictly later than the last one this replica created (by 1 ms when two fall in
 * the same millisecond), so the relay numbers one replica's versions in the order they were made: pending versions
 * are numbered oldest first, and equal times would fall back to their random ids.
 */
function creationTimeOf(c: Ctx): number {
  const t = Math.max(now(c), (lastCreation.get(c.ws) ?? -Infinity) + 1);
  lastCreation.set(c.ws, t);
  return t;
}

function tx<T>(c: Ctx, f: () => T): T {
  let out!: T;
  c.ws.transact(() => {
    out = f();
  }, LOCAL_ORIGIN);
  return out;
}

function record(c: Ctx, e: Omit<RegistryEvent, 'id' | 'actor'>): void {
  const ev: RegistryEvent = { id: newId(), actor: c.actor, ...(c.userId ? { userId: c.userId } : {}), ...e };
  // Plain JSON: no undefined fields in a Yjs array.
  wsRegHistory(c.ws).push([JSON.parse(JSON.stringify(ev)) as RegistryEvent]);
}

/** The live model `name` names (REG-M3's owner), or MLflow's RESOURCE_DOES_NOT_EXIST. */
export function requireModel(c: Pick<Ctx, 'ws'>, rawName: unknown): RegisteredModel {
  const name = parseInput(z.string({ error: "Missing value for required parameter 'name'." }), rawName, 'name');
  const m = readRegistry(c.ws).modelByName(name);
  if (!m) throw notFound(`Registered Model with name=${name} not found`);
  return m;
}

/** The live version `version` of model `name`, or MLflow's RESOURCE_DOES_NOT_EXIST. */
/**
 * The live version of model `name` that `rawVersion` names: a number (MLflow's string or number), or — for a version
 * still waiting for the relay's number (REG-N2) — `{ versionId }`, so it can be described, tagged, staged and aliased
 * offline like any other. Else MLflow's RESOURCE_DOES_NOT_EXIST.
 */
export function requireVersion(c: Pick<Ctx, 'ws'>, rawName: unknown, rawVersion: unknown): { model: RegisteredModel; version: ModelVersion } {
  const model = requireModel(c, rawName);
  if (rawVersion && typeof rawVersion === 'object' && 'versionId' in rawVersion) {
    const id = String((rawVersion as { versionId: unknown }).versionId);
    const v = readRegistry(c.ws).versionById(id);
    if (!v || v.deleted || v.modelId !== model.modelId) throw notFound(`Model Version ${id} of ${model.name} not found`);
    return { model, version: v };
  }
  const n = parseInMlflowWords(VersionNumberSchema, rawVersion);
  const v = readRegistry(c.ws).version(model.modelId, n);
  if (!v) throw notFound(`Model Version (name=${model.name}, version=${n}) not found`);
  return { model, version: v };
}

const CreateModelInput = z.object({
  name: ModelNameSchema,
  description: DescriptionSchema.optional(),
  tags: RegistryTagsSchema.optional(),
  userId: UserIdSchema.optional(),
});

/** REG-M1, REG-M2: a new registered model; a live model of that name is RESOURCE_ALREADY_EXISTS. */
export function createRegisteredModel(c: Ctx, input: z.input<typeof CreateModelInput>): RegisteredModel {
  const { name, description, tags, userId } = parseInput(CreateModelInput, input, 'createRegisteredModel');
  if (readRegistry(c.ws).modelByName(name)) throw alreadyExists(`Registered Model (name=${name}) already exists.`);
  const id = newId();
  const t = now(c);
  tx(c, () => {
    const m = wsRegModels(c.ws);
    const p = id + SEP;
    m.set(p + 'creationTime', t);
    m.set(p + 'lastUpdatedTime', t);
    if (userId) m.set(p + 'userId', userId);
    m.set(p + 'description', description ?? '');
    m.set(p + 'name', name);
    for (const [k, v] of Object.entries(tags ?? {})) wsRegModelTags(c.ws).set(p + k, v);
    record(c, { at: t, kind: 'model.create', modelId: id, to: name, ...(userId ? { userId } : {}) });
  });
  return readRegistry(c.ws).modelById(id)!;
}

/** REG-M4: rename (the versions follow: they point at the model's id); a taken name is RESOURCE_ALREADY_EXISTS. */
export function renameRegisteredModel(c: Ctx, input: { name: string; newName: string }): RegisteredModel {
  const m = requireModel(c, input.name);
  const newName = parseInput(ModelNameSchema, input.newName, 'new_name');
  if (newName === m.name) return m;
  if (readRegistry(c.ws).modelByName(newName)) throw alreadyExists(`Registered Model (name=${newName}) already exists.`);
  const t = now(c);
  tx(c, () => {
    wsRegModels(c.ws).set(m.modelId + SEP + 'name', newName);
    wsRegModels(c.ws).set(m.modelId + SEP + 'lastUpdatedTime', t);
    // MLflow's rename touches every version's last_updated_timestamp.
    for (const v of readRegistry(c.ws).versionsOf(m.modelId)) wsRegVersions(c.ws).set(v.versionId + SEP + 'lastUpdatedTime', t);
    record(c, { at: t, kind: 'model.rename', modelId: m.modelId, from: m.name, to: newName });
  });
  return readRegistry(c.ws).modelById(m.modelId)!;
}

export function updateRegisteredModel(c: Ctx, input: { name: string; description?: string | undefined }): RegisteredModel {
  const m = requireModel(c, input.name);
  const description = parseInput(DescriptionSchema, input.description ?? '', 'description');
  const t = now(c);
  tx(c, () => {
    wsRegModels(c.ws).set(m.modelId + SEP + 'description', description);
    wsRegModels(c.ws).set(m.modelId + SEP + 'lastUpdatedTime', t);
    record(c, { at: t, kind: 'model.description', modelId: m.modelId, from: m.description, to: description });
  });
  return readRegistry(c.ws).modelById(m.modelId)!;
}

/**
 * REG-M5: MLflow deletes a model and its versions for good. Here the model is marked deleted (`deletedTime`): it and
 * its versions stop being served, its name is free again, and a version another replica registered into it offline
 * is still in the doc (nothing a user wrote is dropped by a merge).
 */
export function deleteRegisteredModel(c: Ctx, input: { name: string }): void {
  const m = requireModel(c, input.name);
  const t = now(c);
  tx(c, () => {
    wsRegModels(c.ws).set(m.modelId + SEP + 'deletedTime', t);
    record(c, { at: t, kind: 'model.delete', modelId: m.modelId, from: m.name });
  });
}

const TagInput = z.object({ key: KeySchema, value: RegistryTagValueSchema });

export function setRegisteredModelTag(c: Ctx, input: { name: string; key: string; value: string }): void {
  const m = requireModel(c, input.name);
  const { key, value } = parseInput(TagInput, { key: input.key, value: input.value }, 'tag');
  tx(c, () => {
    wsRegModelTags(c.ws).set(m.modelId + SEP + key, value);
    record(c, { at: now(c), kind: 'model.tag', modelId: m.modelId, key, from: m.tags[key] ?? null, to: value });
  });
}

/** Deleting a tag the model does not have changes nothing (as MLflow's SQL store). */
export function deleteRegisteredModelTag(c: Ctx, input: { name: string; key: string }): void {
  const m = requireModel(c, input.name);
  const key = parseInput(KeySchema, input.key, 'key');
  if (!(key in m.tags)) return;
  tx(c, () => {
    wsRegModelTags(c.ws).delete(m.modelId + SEP + key);
    record(c, { at: now(c), kind: 'model.tag', modelId: m.modelId, key, from: m.tags[key] ?? null, to: null });
  });
}

const CreateVersionInput = z.object({
  name: z.string(),
  source: SourceSchema,
  runId: z.string().max(256).optional(),
  runLink: z.string().max(5000).optional(),
  description: DescriptionSchema.optional(),
  tags: RegistryTagsSchema.optional(),
  userId: UserIdSchema.optional(),
  loggedModelId: z.string().max(256).optional(),
});

/**
 * REG-V1: a new version of model `name`, from a source (a run's artifacts, a logged model). Its number is not written
 * here: the relay assigns it (REG-N1), so two replicas registering offline both keep their version and neither number
 * ever changes once shown. Returns the version id (and the number, when `assignNumbers` runs in the same place).
 */
export function createModelVersion(c: Ctx, input: z.input<typeof CreateVersionInput>): ModelVersion {
  const { name, source, runId, runLink, description, tags, userId, loggedModelId } = parseInput(CreateVersionInput, input, 'createModelVersion');
  const m = requireModel(c, name);
  const id = newId();
  const t = creationTimeOf(c);
  tx(c, () => {
    const v = wsRegVersions(c.ws);
    const p = id + SEP;
    v.set(p + 'creationTime', t);
    v.set(p + 'lastUpdatedTime', t);
    if (userId) v.set(p + 'userId', userId);
    v.set(p + 'stage', 'None');
    v.set(p + 'description', description ?? '');
    v.set(p + 'source', source);
    if (runId) v.set(p + 'runId', runId);
    v.set(p + 'runLink', runLink ?? '');
    if (loggedModelId) v.set(p + 'loggedModelId', loggedModelId);
    for (const [k, val] of Object.entries(tags ?? {})) wsRegVersionTags(c.ws).set(p + k, val);
    v.set(p + 'modelId', m.modelId);
    // MLflow: a new version touches the model's last_updated_timestamp.
    wsRegModels(c.ws).set(m.modelId + SEP + 'lastUpdatedTime', t);
    record(c, { at: t, kind: 'version.create', modelId: m.modelId, versionId: id, to: source, ...(userId ? { userId } : {}) });
  });
  return readRegistry(c.ws).versionById(id)!;
}

/**
 * REG-N1: the numbering authority's step (the relay, after every change of a workspace doc, and the REST door in the
 * request that creates a version): every version without a number gets max(numbers of its model, deleted versions
 * included) + 1, oldest first. Only the relay runs this; clients never write `number`. Returns how many it numbered.
 */
export function assignVersionNumbers(c: Ctx): number {
  const view = readRegistry(c.ws);
  if (view.pending.length === 0) return 0;
  const next = new Map<string, number>();
  const t = now(c);
  tx(c, () => {
    for (const v of view.pending) {
      const n = (next.get(v.modelId) ?? view.maxNumber(v.modelId)) + 1;
      next.set(v.modelId, n);
      wsRegVersions(c.ws).set(v.versionId + SEP + 'number', n);
      record(c, { at: t, kind: 'version.number', modelId: v.modelId, versionId: v.versionId, to: n });
    }
  });
  return view.pending.length;
}

export function updateModelVersion(c: Ctx, input: { name: string; version: unknown; description?: string | undefined }): ModelVersion {
  const { model, version } = requireVersion(c, input.name, input.version);
  const description = parseInput(DescriptionSchema, input.description ?? '', 'description');
  const t = now(c);
  tx(c, () => {
    wsRegVersions(c.ws).set(version.versionId + SEP + 'description', description);
    wsRegVersions(c.ws).set(version.versionId + SEP + 'lastUpdatedTime', t);
    record(c, { at: t, kind: 'version.description', modelId: model.modelId, versionId: version.versionId, from: version.description, to: description });
  });
  return readRegistry(c.ws).versionById(version.versionId)!;
}

const TransitionInput = z.object({ stage: StageSchema, archiveExistingVersions: z.boolean().optional() });

/**
 * REG-S1, REG-S2: moves a version to a stage; `archiveExistingVersions` (only for Staging and Production) moves the
 * model's other versions in that stage to Archived in the same transaction. Each move is a history event.
 */
export function transitionModelVersionStage(c: Ctx, input: { name: string; version: unknown; stage: string; archiveExistingVersions?: boolean | undefined }): ModelVersion {
  const stage = parseInMlflowWords(StageSchema, input.stage);
  const { archiveExistingVersions } = parseInput(TransitionInput, { stage: input.stage, archiveExistingVersions: input.archiveExistingVersions }, 'transition');
  const { model, version } = requireVersion(c, input.name, input.version);
  if (archiveExistingVersions && stage !== 'Staging' && stage !== 'Production') {
    throw invalid(`Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are Staging, Production.`);
  }
  const t = now(c);
  tx(c, () => {
    const move = (v: ModelVersion, to: Stage) => {
      wsRegVersions(c.ws).set(v.versionId + SEP + 'stage', to);
      wsRegVersions(c.ws).set(v.versionId + SEP + 'lastUpdatedTime', t);
      record(c, { at: t, kind: 'version.stage', modelId: model.modelId, versionId: v.versionId, from: v.stage, to });
    };
    move(version, stage);
    if (archiveExistingVersions) {
      for (const other of readRegistry(c.ws).versionsOf(model.modelId)) {
        if (other.versionId !== version.versionId && other.stage === stage) move(other, 'Archived');
      }
    }
    wsRegModels(c.ws).set(model.modelId + SEP + 'lastUpdatedTime', t);
  });
  return readRegistry(c.ws).versionById(version.versionId)!;
}

/** REG-V2: soft delete: the version stops being served, its aliases go, and its number is never given again. */
export function deleteModelVersion(c: Ctx, input: { name: string; version: unknown }): void {
  const { model, version } = requireVersion(c, input.name, input.version);
  const t = now(c);
  tx(c, () => {
    wsRegVersions(c.ws).set(version.versionId + SEP + 'deletedTime', t);
    wsRegVersions(c.ws).set(version.versionId + SEP + 'lastUpdatedTime', t);
    for (const alias of version.aliases) {
      wsRegAliases(c.ws).delete(model.modelId + SEP + alias);
      record(c, { at: t, kind: 'alias.delete', modelId: model.modelId, versionId: version.versionId, key: alias, from: version.versionId, to: null });
    }
    wsRegModels(c.ws).set(model.modelId + SEP + 'lastUpdatedTime', t);
    record(c, { at: t, kind: 'version.delete', modelId: model.modelId, versionId: version.versionId, from: version.version });
  });
}

export function setModelVersionTag(c: Ctx, input: { name: string; version: unknown; key: string; value: string }): void {
  const { model, version } = requireVersion(c, input.name, input.version);
  const { key, value } = parseInput(TagInput, { key: input.key, value: input.value }, 'tag');
  tx(c, () => {
    wsRegVersionTags(c.ws).set(version.versionId + SEP + key, value);
    record(c, { at: now(c), kind: 'version.tag', modelId: model.modelId, versionId: version.versionId, key, from: version.tags[key] ?? null, to: value });
  });
}

export function deleteModelVersionTag(c: Ctx, input: { name: string; version: unknown; key: string }): void {
  const { model, version } = requireVersion(c, input.name, input.version);
  const key = parseInput(KeySchema, input.key, 'key');
  if (!(key in version.tags)) return;
  tx(c, () => {
    wsRegVersionTags(c.ws).delete(version.versionId + SEP + key);
    record(c, { at: now(c), kind: 'version.tag', modelId: model.modelId, versionId: version.versionId, key, from: version.tags[key] ?? null, to: null });
  });
}

/**
 * REG-A1, REG-A2: points `alias` at a version (moving it if it pointed elsewhere). `version` is a number, or — for a
 * version still pending its number (REG-N2) — `{ versionId }`. The alias map key is per (model, alias), so two
 * replicas moving the same alias offline converge on one value everywhere; the other move stays in the history (REG-H2).
 */
export function setRegisteredModelAlias(c: Ctx, input: { name: string; alias: string; version: unknown }): void {
  const model = requireModel(c, input.name);
  const alias = parseInMlflowWords(AliasSchema, input.alias);
  const target = requireVersion(c, model.name, input.version).version;
  const from = model.aliases.find((a) => a.alias === alias)?.versionId ?? null;
  if (from === target.versionId) return;
  tx(c, () => {
    wsRegAliases(c.ws).set(model.modelId + SEP + alias, target.versionId);
    record(c, { at: now(c), kind: 'alias.set', modelId: model.modelId, versionId: target.versionId, key: alias, from, to: target.versionId });
  });
}

export function deleteRegisteredModelAlias(c: Ctx, input: { name: string; alias: string }): void {
  const model = requireModel(c, input.name);
  const alias = parseInput(z.string().min(1), input.alias, 'alias');
  const cur = model.aliases.find((a) => a.alias === alias);
  if (!cur) return;
  tx(c, () => {
    wsRegAliases(c.ws).delete(model.modelId + SEP + alias);
    record(c, { at: now(c), kind: 'alias.delete', modelId: model.modelId, versionId: cur.versionId, key: alias, from: cur.versionId, to: null });
  });
}

/** The version an alias points at, or MLflow's INVALID_PARAMETER_VALUE "Registered model alias <a> not found." */
export function requireAlias(c: Pick<Ctx, 'ws'>, rawName: unknown, alias: string): ModelVersion {
  const model = requireModel(c, rawName);
  const a = model.aliases.find((x) => x.alias === alias);
  const v = a && readRegistry(c.ws).versionById(a.versionId);
  if (!v) throw invalid(`Registered model alias ${alias} not found.`);
  return v;
}

/** MLflow's get_latest_versions: the latest numbered version per stage (all stages when `stages` is empty). */
export function latestVersions(c: Pick<Ctx, 'ws'>, rawName: unknown, stages: readonly string[] = []): ModelVersion[] {
  const model = requireModel(c, rawName);
  const want = stages.map((s) => parseInMlflowWords(StageSchema, s));
  return want.length === 0 ? model.latestVersions : model.latestVersions.filter((v) => want.includes(v.stage));
}

export { CairnError };

const ImportVersionInput = z.object({
  number: z.number().int().positive(),
  source: SourceSchema,
  runId: z.string().max(256).optional(),
  runLink: z.string().max(5000).optional(),
  description: DescriptionSchema.optional(),
  stage: StageSchema.optional(),
  tags: RegistryTagsSchema.optional(),
  userId: UserIdSchema.optional(),
  creationTime: z.number().int().nonnegative().optional(),
  lastUpdatedTime: z.number().int().nonnegative().optional(),
});
const ImportModelInput = z.object({
  name: ModelNameSchema,
  description: DescriptionSchema.optional(),
  tags: RegistryTagsSchema.optional(),
  userId: UserIdSchema.optional(),
  creationTime: z.number().int().nonnegative().optional(),
  lastUpdatedTime: z.number().int().nonnegative().optional(),
  versions: z.array(ImportVersionInput).max(100_000),
  /** alias → version number (of `versions`). */
  aliases: z.record(z.string(), z.number().int().positive()).optional(),
});

/** Whether one version passes `importRegisteredModel`'s rules: true, or why not (an importer skips it and goes on). */
export function checkImportedVersion(v: z.input<typeof ImportVersionInput>): true | string {
  const r = ImportVersionInput.safeParse(v);
  return r.success ? true : `${r.error.issues[0]?.path.join('.') || 'version'}: ${r.error.issues[0]?.message ?? 'invalid'}`;
}

/**
 * REG-I1, IMPORT ONLY (`cairn import mlflow`): a whole registered model — description, tags, versions with their
 * source numbers, stages and aliases — written in ONE transaction, as a new model. It is the one command that writes a
 * version's `number`, and it is sound without the relay because the model is new: its id is fresh, so no other replica
 * can have registered a version into it, and the relay's numbering (REG-N1) gives later versions max + 1 above the
 * imported ones. A live model of that name is RESOURCE_ALREADY_EXISTS (an importer reports it as already present).
 */
export function importRegisteredModel(c: Ctx, input: z.input<typeof ImportModelInput>): RegisteredModel {
  const i = parseInput(ImportModelInput, input, 'importRegisteredModel');
  if (readRegistry(c.ws).modelByName(i.name)) throw alreadyExists(`Registered Model (name=${i.name}) already exists.`);
  const numbers = new Set<number>();
  for (const v of i.versions) {
    if (numbers.has(v.number)) throw invalid(`Model version ${v.number} of ${i.name} is given twice`);
    numbers.add(v.number);
  }
  const aliases = Object.entries(i.aliases ?? {}).map(([alias, n]) => {
    if (!numbers.has(n)) throw invalid(`Alias ${alias} of ${i.name} points at version ${n}, which is not imported`);
    return { alias: parseInMlflowWords(AliasSchema, alias), n };
  });
  const modelId = newId();
  const t = now(c);
  tx(c, () => {
    const m = wsRegModels(c.ws);
    const p = modelId + SEP;
    m.set(p + 'creationTime', i.creationTime ?? t);
    m.set(p + 'lastUpdatedTime', i.lastUpdatedTime ?? i.creationTime ?? t);
    if (i.userId) m.set(p + 'userId', i.userId);
    m.set(p + 'description', i.description ?? '');
    for (const [k, v] of Object.entries(i.tags ?? {})) wsRegModelTags(c.ws).set(p + k, v);
    const idOf = new Map<number, string>();
    for (const v of i.versions) {
      const id = newId();
      idOf.set(v.number, id);
      const q = id + SEP;
      const vs = wsRegVersions(c.ws);
      vs.set(q + 'creationTime', v.creationTime ?? t);
      vs.set(q + 'lastUpdatedTime', v.lastUpdatedTime ?? v.creationTime ?? t);
      if (v.userId) vs.set(q + 'userId', v.userId);
      vs.set(q + 'stage', v.stage ?? 'None');
      vs.set(q + 'description', v.description ?? '');
      vs.set(q + 'source', v.source);
      if (v.runId) vs.set(q + 'runId', v.runId);
      vs.set(q + 'runLink', v.runLink ?? '');
      for (const [k, val] of Object.entries(v.tags ?? {})) wsRegVersionTags(c.ws).set(q + k, val);
      vs.set(q + 'number', v.number);
      vs.set(q + 'modelId', modelId);
      record(c, { at: t, kind: 'version.create', modelId, versionId: id, to: v.source });
      record(c, { at: t, kind: 'version.number', modelId, versionId: id, to: v.number });
    }
    for (const { alias, n } of aliases) {
      wsRegAliases(c.ws).set(p + alias, idOf.get(n)!);
      record(c, { at: t, kind: 'alias.set', modelId, versionId: idOf.get(n)!, key: alias, from: null, to: idOf.get(n)! });
    }
    m.set(p + 'name', i.name);
    record(c, { at: t, kind: 'model.create', modelId, to: i.name });
  });
  return readRegistry(c.ws).modelById(modelId)!;
}
