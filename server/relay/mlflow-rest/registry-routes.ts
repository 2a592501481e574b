import { z } from 'zod';
import * as doc from '../../../lib/doc/index';
import { invalid, notFound } from '../../../lib/domain/index';
import * as reg from '../../../lib/registry/index';
import { route, type Call, type Route } from './route';
import { loggedModelArtifactUri } from './logged-models';
import { modelVersionJson, registeredModelJson } from './registry-entities';
import { int64, keyValues, repeated, tagsRecord } from './wire';

/**
 * The model registry through the MLflow REST door (reference §3, SPEC REST-21..): every endpoint of
 * model_registry.proto, written with lib/registry's commands into the workspace doc through the door's one commit path
 * (`DocAccess.writeWorkspace`), read from the cached registry view.
 */

const str = z.string();
/** A version number as sent: MLflow's clients send a string ("1"); lib/registry's schema reads both. */
const versionField = z.union([z.string(), z.number()]);
/** A proto bool: JSON true/false, or "true"/"false" (a query string). */
const bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((s) => s.toLowerCase() === 'true')]);

const read = <T>(call: Call, f: (c: { ws: Parameters<typeof reg.readRegistry>[0] }) => T): T => call.docs.workspace(call.ws, (d) => f({ ws: d }));
const write = <T>(call: Call, f: (c: Parameters<typeof reg.createRegisteredModel>[0]) => T): T => call.docs.writeWorkspace(call.ws, call.actor, f);

/** `file:` and scheme-less sources are local paths (MLflow's is_local_uri). */
const isLocalSource = (s: string) => /^file:/i.test(s) || !/^[a-z][\w+.-]*:/i.test(s) || /^[a-z]:[\\/]/i.test(s);

/**
 * REST-23: MLflow refuses a local source unless `run_id` is given and the path is inside that run's local artifact
 * directory. A Cairn run's artifacts are in the relay's blob store, never a local directory, so a local source is
 * always refused, in MLflow's words.
 */
function checkSource(source: string): void {
  if (isLocalSource(source)) {
    throw invalid(
      `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
    );
  }
}

/**
 * REST-24: the URI the client downloads a version's files from, served by this door: a `runs:/` or `mlflow-artifacts:`
 * source as it is (the client resolves `runs:/` through runs/get), any other source inside a run's artifacts as that
 * run's `mlflow-artifacts:/<exp>/<run>/artifacts/<path>`.
 */
function downloadUri(call: Call, v: reg.ModelVersion): string {
  if (/^(runs|mlflow-artifacts):/.test(v.source)) return v.source;
  const logged = /^models:\/(m-[0-9a-f]{32})\/?$/.exec(v.source);
  if (logged) {
    const m = call.models.find(call.ws, logged[1]!);
    if (!m) throw notFound(`Logged model with ID '${logged[1]}' not found.`);
    return loggedModelArtifactUri(m);
  }
  const where = reg.sourceLocation(v.source, v.runId);
  const run = where && call.docs.readRun(call.ws, where.runId);
  if (!where || !run) throw invalid(`Model version ${v.name}/${v.version ?? 'pending'} has source '${v.source}', which is not in the artifacts of a run of this workspace`);
  return `${run.info.artifactUri}/${where.artifactPath}`;
}

/** The logged model tag MLflow's server appends each registered version of the model to (a JSON list). */
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/**
 * REST-28: as MLflow's server does, the logged model a version was made from lists it in its `mlflow.modelVersions`
 * tag, written as Python's json.dumps does (`[{"name": "m", "version": 1}]`), in its run doc.
 */
function recordVersionOnLoggedModel(call: Call, m: { modelId: string; sourceRunId: string; tags: Record<string, string> }, name: string, version: number): void {
  let list: unknown[] = [];
  try {
    const parsed: unknown = JSON.parse(m.tags[MODEL_VERSIONS_TAG] ?? '[]');
    if (Array.isArray(parsed)) list = parsed;
  } catch {
    list = [];
  }
  list.push({ name, version });
  const text = pyJson(list);
  call.docs.writeRun(call.ws, call.actor, m.sourceRunId, (c) => doc.setLoggedModelTags(c, { runId: m.sourceRunId, modelId: m.modelId, tags: { [MODEL_VERSIONS_TAG]: text } }));
}

/** JSON as Python's json.dumps writes it (`, ` and `: ` separators). */
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

const models: Route[] = [
  route({
    methods: ['POST'],
    path: 'registered-models/create',
    role: 'write',
    schema: z.object({ name: str, tags: keyValues.optional(), description: str.optional() }),
    handle: (call, i) => ({
      registered_model: registeredModelJson(
        write(call, (c) => reg.createRegisteredModel(c, { name: i.name, tags: tagsRecord(i.tags), ...(i.description !== undefined ? { description: i.description } : {}) })),
      ),
    }),
  }),
  route({
    methods: ['POST'],
    path: 'registered-models/rename',
    role: 'write',
    schema: z.object({ name: str, new_name: str }),
    handle: (call, i) => ({ registered_model: registeredModelJson(write(call, (c) => reg.renameRegisteredModel(c, { name: i.name, newName: i.new_name }))) }),
  }),
  route({
    methods: ['PATCH'],
    path: 'registered-models/update',
    role: 'write',
    schema: z.object({ name: str, description: str.optional() }),
    handle: (call, i) => ({ registered_model: registeredModelJson(write(call, (c) => reg.updateRegisteredModel(c, { name: i.name, description: i.description }))) }),
  }),
  route({
    methods: ['DELETE'],
    path: 'registered-models/delete',
    role: 'write',
    schema: z.object({ name: str }),
    handle: (call, i) => (write(call, (c) => reg.deleteRegisteredModel(c, { name: i.name })), {}),
  }),
  route({
    methods: ['GET'],
    path: 'registered-models/get',
    role: 'read',
    schema: z.object({ name: str }),
    handle: (call, i) => ({ registered_model: registeredModelJson(read(call, (c) => reg.requireModel(c, i.name))) }),
  }),
  route({
    methods: ['GET', 'POST'],
    path: 'registered-models/search',
    role: 'read',
    repeated: ['order_by'],
    schema: z.object({ filter: str.optional(), max_results: int64.optional(), order_by: repeated(str).optional(), page_token: str.optional() }),
    handle: (call, i) => {
      const p = read(call, (c) =>
        reg.searchRegisteredModels(reg.readRegistry(c.ws), { filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token || undefined }),
      );
      const out: Record<string, unknown> = {};
      if (p.models.length) out.registered_models = p.models.map(registeredModelJson);
      if (p.nextPageToken) out.next_page_token = p.nextPageToken;
      return out;
    },
  }),
  route({
    methods: ['GET', 'POST'],
    path: 'registered-models/get-latest-versions',
    role: 'read',
    repeated: ['stages'],
    schema: z.object({ name: str, stages: repeated(str).optional() }),
    handle: (call, i) => {
      const vs = read(call, (c) => reg.latestVersions(c, i.name, i.stages ?? []));
      return vs.length ? { model_versions: vs.map((v) => modelVersionJson(v, { aliases: true })) } : {};
    },
  }),
  route({
    methods: ['POST'],
    path: 'registered-models/set-tag',
    role: 'write',
    schema: z.object({ name: str, key: str, value: str }),
    handle: (call, i) => (write(call, (c) => reg.setRegisteredModelTag(c, i)), {}),
  }),
  route({
    methods: ['DELETE'],
    path: 'registered-models/delete-tag',
    role: 'write',
    schema: z.object({ name: str, key: str }),
    handle: (call, i) => (write(call, (c) => reg.deleteRegisteredModelTag(c, i)), {}),
  }),
  route({
    methods: ['GET', 'POST', 'DELETE'],
    path: 'registered-models/alias',
    role: { GET: 'read', POST: 'write', DELETE: 'write' },
    schema: z.object({ name: str, alias: str, version: versionField.optional() }),
    handle: (call, i) => {
      if (call.method === 'GET') return { model_version: modelVersionJson(read(call, (c) => reg.requireAlias(c, i.name, i.alias)), { aliases: true }) };
      if (call.method === 'DELETE') return write(call, (c) => reg.deleteRegisteredModelAlias(c, i)), {};
      if (i.version === undefined) throw invalid("Missing value for required parameter 'version'. See the API docs for more information about request parameters.");
      return write(call, (c) => reg.setRegisteredModelAlias(c, { name: i.name, alias: i.alias, version: i.version })), {};
    },
  }),
];

const versions: Route[] = [
  route({
    methods: ['POST'],
    path: 'model-versions/create',
    role: 'write',
    schema: z.object({
      name: str,
      source: str,
      run_id: str.optional(),
      tags: keyValues.optional(),
      run_link: str.optional(),
      description: str.optional(),
      model_id: str.optional(),
    }),
    handle: (call, i) => {
      checkSource(i.source);
      // REST-28: a version of an MLflow 3 logged model takes the model's source run as its run_id.
      const logged = i.model_id ? call.models.find(call.ws, i.model_id) : undefined;
      if (i.model_id && !logged) throw notFound(`Logged model with ID '${i.model_id}' not found.`);
      const runId = i.run_id || logged?.sourceRunId || undefined;
      if (runId && !call.docs.readRun(call.ws, runId)) throw notFound(`Run with id=${runId} not found`);
      // REG-N1: the door is the numbering authority of the versions it creates: numbered in the same commit, so the
      // answer carries the number.
      const v = write(call, (c) => {
        const created = reg.createModelVersion(c, {
          name: i.name,
          source: i.source,
          ...(runId ? { runId } : {}),
          ...(i.run_link !== undefined ? { runLink: i.run_link } : {}),
          ...(i.description !== undefined ? { description: i.description } : {}),
          tags: tagsRecord(i.tags),
          ...(i.model_id ? { loggedModelId: i.model_id } : {}),
        });
        reg.assignVersionNumbers(c);
        return reg.readRegistry(c.ws).versionById(created.versionId)!;
      });
      if (logged && v.version !== null) recordVersionOnLoggedModel(call, logged, v.name, v.version);
      return { model_version: modelVersionJson(v) };
    },
  }),
  route({
    methods: ['PATCH'],
    path: 'model-versions/update',
    role: 'write',
    schema: z.object({ name: str, version: versionField, description: str.optional() }),
    handle: (call, i) => ({ model_version: modelVersionJson(write(call, (c) => reg.updateModelVersion(c, i)), { aliases: true }) }),
  }),
  route({
    methods: ['POST'],
    path: 'model-versions/transition-stage',
    role: 'write',
    schema: z.object({ name: str, version: versionField, stage: str, archive_existing_versions: bool.optional() }),
    handle: (call, i) => ({
      model_version: modelVersionJson(
        write(call, (c) => reg.transitionModelVersionStage(c, { name: i.name, version: i.version, stage: i.stage, archiveExistingVersions: i.archive_existing_versions })),
        { aliases: true },
      ),
    }),
  }),
  route({
    methods: ['DELETE'],
    path: 'model-versions/delete',
    role: 'write',
    schema: z.object({ name: str, version: versionField }),
    handle: (call, i) => (write(call, (c) => reg.deleteModelVersion(c, i)), {}),
  }),
  route({
    methods: ['GET'],
    path: 'model-versions/get',
    role: 'read',
    schema: z.object({ name: str, version: versionField }),
    handle: (call, i) => ({ model_version: modelVersionJson(read(call, (c) => reg.requireVersion(c, i.name, i.version).version), { aliases: true }) }),
  }),
  route({
    methods: ['GET', 'POST'],
    path: 'model-versions/search',
    role: 'read',
    repeated: ['order_by'],
    schema: z.object({ filter: str.optional(), max_results: int64.optional(), order_by: repeated(str).optional(), page_token: str.optional() }),
    handle: (call, i) => {
      const p = read(call, (c) =>
        reg.searchModelVersions(reg.readRegistry(c.ws), { filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token || undefined }),
      );
      const out: Record<string, unknown> = {};
      if (p.versions.length) out.model_versions = p.versions.map((v) => modelVersionJson(v));
      if (p.nextPageToken) out.next_page_token = p.nextPageToken;
      return out;
    },
  }),
  route({
    methods: ['GET'],
    path: 'model-versions/get-download-uri',
    role: 'read',
    schema: z.object({ name: str, version: versionField }),
    handle: (call, i) => ({ artifact_uri: downloadUri(call, read(call, (c) => reg.requireVersion(c, i.name, i.version).version)) }),
  }),
  route({
    methods: ['POST'],
    path: 'model-versions/set-tag',
    role: 'write',
    schema: z.object({ name: str, version: versionField, key: str, value: str }),
    handle: (call, i) => (write(call, (c) => reg.setModelVersionTag(c, i)), {}),
  }),
  route({
    methods: ['DELETE'],
    path: 'model-versions/delete-tag',
    role: 'write',
    schema: z.object({ name: str, version: versionField, key: str }),
    handle: (call, i) => (write(call, (c) => reg.deleteModelVersionTag(c, i)), {}),
  }),
];

/** The registry's routes, registered in the door's one route table (routes.ts). */
export const registryRoutes: Route[] = [...models, ...versions];
